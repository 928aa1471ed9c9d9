// What the panel's charts show and how their numbers read (docs/editor.md, "The heap panel"):
// the metric series grouped by unit into three charts, axis ticks on round values of that unit
// (bytes as B/KiB/MiB, ratios as %, counts and op indices as whole numbers), and the readout of
// one op's figures. No DOM here: chartView.ts draws these with uPlot.

import type { SeriesDto } from '../shared/protocol';
import { pct } from './dom';

export type SeriesKey = keyof Omit<SeriesDto, 'steps'>;
export type Unit = 'bytes' | 'ratio' | 'count';

export interface ChartLine {
  readonly key: SeriesKey;
  readonly label: string;
  /** Index into the theme's palette (the --vscode-charts-* colours). */
  readonly colour: number;
  /** Dashed, so two lines of one chart differ by more than colour. */
  readonly dashed: boolean;
}

export interface ChartSpec {
  readonly id: string;
  readonly unit: Unit;
  readonly lines: readonly ChartLine[];
}

/** One chart a unit, so every axis is in one unit and a value reads off it directly. */
export const CHARTS: readonly ChartSpec[] = [
  {
    id: 'bytes',
    unit: 'bytes',
    lines: [
      { key: 'heapSize', label: 'heap size', colour: 0, dashed: false },
      { key: 'livePayload', label: 'live payload', colour: 1, dashed: true },
    ],
  },
  {
    id: 'ratios',
    unit: 'ratio',
    lines: [
      { key: 'utilisation', label: 'utilisation', colour: 3, dashed: false },
      { key: 'externalFragmentation', label: 'external fragmentation', colour: 2, dashed: true },
    ],
  },
  { id: 'counts', unit: 'count', lines: [{ key: 'freeBlocks', label: 'free blocks', colour: 0, dashed: false }] },
];

const KIB = 1024;
const UNITS: readonly [number, string][] = [
  [KIB ** 4, 'TiB'],
  [KIB ** 3, 'GiB'],
  [KIB ** 2, 'MiB'],
  [KIB, 'KiB'],
];

/** 1, 2, 2.5 (from 25 on) and 5 times the powers of ten from `from` to `to` (inclusive), times `scale`. */
function oneTwoFive(from: number, to: number, scale = 1): number[] {
  const out: number[] = [];
  for (let p = from; p <= to; p++) for (const m of p > 0 ? [1, 2, 2.5, 5] : [1, 2, 5]) out.push(m * 10 ** p * scale);
  return out;
}

/** Tick spacings a scale may use: round numbers of its unit (whole bytes, whole ops, 1% steps). */
export const TICK_STEPS: Readonly<Record<Unit | 'op', readonly number[]>> = {
  // 1, 2, 5, 10... bytes, then the same in KiB, MiB, GiB: ticks at 0, 256 KiB, 512 KiB or 0, 5 MiB, 10 MiB.
  bytes: [...oneTwoFive(0, 2), ...[KIB, KIB ** 2, KIB ** 3].flatMap((u) => [0.25 * u, 0.5 * u, ...oneTwoFive(0, 2, u)])].sort((a, b) => a - b),
  ratio: [0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 1],
  count: oneTwoFive(0, 12),
  op: oneTwoFive(0, 12),
};

/** Fewest decimals (up to 3) that write every value of `scaled` exactly as it is. */
function decimalsFor(scaled: readonly number[]): number {
  for (let d = 0; d < 3; d++) if (scaled.every((v) => Math.abs(Number(v.toFixed(d)) - v) < 1e-9 * Math.max(1, Math.abs(v)))) return d;
  return 3;
}

/** A byte count in the largest unit it reaches: `96 B`, `1.5 KiB`, `12.2 MiB`. */
export function bytes(v: number | null): string {
  if (v === null) return 'unknown';
  const [size, name] = UNITS.find(([u]) => Math.abs(v) >= u) ?? [1, 'B'];
  if (size === 1) return `${v} B`;
  return `${(v / size).toFixed(1).replace(/\.0$/, '')} ${name}`;
}

/** A byte count for the readout: in its unit, and exactly when the unit rounds it (`12.2 MiB (12807784 B)`). */
export function bytesExact(v: number | null): string {
  const short = bytes(v);
  return v === null || short === `${v} B` ? short : `${short} (${v} B)`;
}

/** An op index for an axis: whole numbers, thousands as k and millions as M past 10,000. */
export function opTick(v: number): string {
  if (Math.abs(v) >= 1e6) return `${Number((v / 1e6).toFixed(2))}M`;
  if (Math.abs(v) >= 1e4) return `${Number((v / 1e3).toFixed(1))}k`;
  return String(v);
}

/** The labels of one axis's ticks: one unit for all of them (the largest tick's), as few decimals as tell them apart. */
export function tickLabels(unit: Unit | 'op', splits: readonly number[]): string[] {
  if (unit === 'op') return splits.map(opTick);
  if (unit === 'ratio') {
    const d = decimalsFor(splits.map((v) => v * 100));
    return splits.map((v) => `${(v * 100).toFixed(d)}%`);
  }
  if (unit === 'count') return splits.map((v) => String(v));
  const top = Math.max(0, ...splits.map(Math.abs));
  const [size, name] = UNITS.find(([u]) => top >= u) ?? [1, 'B'];
  const d = decimalsFor(splits.map((v) => v / size));
  return splits.map((v) => `${(v / size).toFixed(d)} ${name}`);
}

/** One value as the readout says it, in its unit. */
export function formatValue(unit: Unit, v: number | null): string {
  if (unit === 'bytes') return bytesExact(v);
  if (unit === 'ratio') return pct(v);
  return v === null ? 'unknown' : String(v);
}

/** The sample nearest to op `op` (steps ascending), or -1 when there are none. */
export function nearestSample(steps: readonly number[], op: number): number {
  if (steps.length === 0) return -1;
  let lo = 0;
  let hi = steps.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (steps[mid]! < op) lo = mid + 1;
    else hi = mid;
  }
  return lo > 0 && op - steps[lo - 1]! <= steps[lo]! - op ? lo - 1 : lo;
}

/**
 * The figures after one op, as the readout says them: `op 400: heap size 12.2 MiB (12807784 B) ·
 * utilisation 62.0% · ...`. Ops are numbered from 1 as the timeline numbers them (`op 400 / 1000`
 * is step 399); op 0 is the heap before the first op.
 */
export function readout(op: number, value: (key: SeriesKey) => number | null): string {
  const parts = CHARTS.flatMap((c) => c.lines.map((l) => `${l.label} ${formatValue(c.unit, value(l.key))}`));
  return `${op < 1 ? 'before the first op' : `op ${op}`}: ${parts.join(' · ')}`;
}
