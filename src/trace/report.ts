// Text and JSON reports of a replayed trace, shared by the command line and the editor: the run
// summary, the final heap picture and the every-policy comparison show the same numbers everywhere.

import { formatChain, hex, POLICIES, policyLabel, type HeapConfig, type HeapOptions, type Policy } from '../engine/index';
import { renderHeapBar } from './heapBar';
import type { Diagnostic, Trace } from './model';
import { runDiagnostics } from './diagnostics';
import { Replay, type ReplayOptions } from './replay';
import { traceConfig, type TraceConfigLayers } from './traceConfig';

/** A trace replayed on one configuration, with every diagnostic in line order. */
export interface TraceRun {
  readonly trace: Trace;
  readonly replay: Replay;
  readonly config: HeapConfig;
  readonly preset: string;
  /** The trace's, the settings' and the replay's diagnostics together. */
  readonly diagnostics: readonly Diagnostic[];
}

/** `options`: the replay's (a comparison keeps no history, see ReplayOptions.history). */
export function runTrace(trace: Trace, layers: TraceConfigLayers = {}, options?: ReplayOptions): TraceRun {
  const { config, preset, diagnostics: configDiagnostics } = traceConfig(trace, layers);
  const replay = Replay.run(trace, config, options);
  return { trace, replay, config, preset, diagnostics: runDiagnostics(trace, configDiagnostics, replay) };
}

/** Problems of a severity among `diagnostics`, a summary counting for the problems it stands for. */
export function problemCount(diagnostics: readonly Diagnostic[], severity: Diagnostic['severity']): number {
  let n = 0;
  for (const d of diagnostics) if (d.severity === severity) n += d.count ?? 1;
  return n;
}

export function errorCount(diagnostics: readonly Diagnostic[]): number {
  return problemCount(diagnostics, 'error');
}

/** The run as JSON (`heap-inspector run --json`). */
export function runJson({ trace, replay, config, preset, diagnostics }: TraceRun) {
  const m = replay.finalMetrics;
  return {
    format: trace.format,
    preset,
    config,
    ops: replay.recorded,
    heapSize: m.heapSize,
    peakPayload: m.peakPayload,
    utilization: m.utilisation,
    livePayload: m.livePayload,
    internalFragmentation: m.internalFragmentation,
    externalFragmentation: m.externalFragmentation,
    freeBlocks: m.freeBlocks,
    freeBytes: m.freeBytes,
    largestFree: m.largestFree,
    allocatedBlocks: m.allocatedBlocks,
    /** Why any of the figures above is null (unknown), or null. */
    metricsUnknown: m.unknown,
    blocksExamined: replay.examinedTotal,
    nulls: replay.nullCount,
    errors: errorCount(diagnostics),
    warnings: problemCount(diagnostics, 'warning'),
    diagnostics: diagnostics.map((d) => ({ line: d.range.line, column: d.range.column, severity: d.severity, code: d.code, message: d.message, ...(d.count === undefined ? {} : { count: d.count }) })),
  };
}

/** The run as the human summary (`heap-inspector run`), `name` naming the trace. */
export function formatRunSummary(name: string, { trace, replay, config, preset, diagnostics }: TraceRun): string {
  const m = replay.finalMetrics;
  const errors = diagnostics.filter((d) => d.severity === 'error');
  const warnings = diagnostics.filter((d) => d.severity === 'warning');
  const allocs = trace.ops.count('malloc', 'calloc', 'realloc');
  const lines = [
    `${name}: ${replay.recorded} ops, ${describeConfig(config, preset)}`,
    '',
    row('heap size', `${m.heapSize} bytes`),
    row('peak payload', `${m.peakPayload} bytes`),
    row('utilisation', `${percent(m.utilisation)} (peak payload / heap size)`),
    row('live payload', `${m.livePayload} bytes${m.allocatedBlocks === null ? '' : ` in ${m.allocatedBlocks} block${m.allocatedBlocks === 1 ? '' : 's'}`} at the end`),
    row('internal frag', m.internalFragmentation === null ? UNKNOWN : `${m.internalFragmentation} bytes (block bytes - requested bytes)`),
    row('external frag', m.externalFragmentation === null ? UNKNOWN : `${percent(m.externalFragmentation)} (1 - largest free / total free)`),
    row('free blocks', m.freeBlocks === null ? UNKNOWN : `${m.freeBlocks}, ${m.freeBytes} bytes, largest ${m.largestFree}`),
    ...(m.unknown === null ? [] : [row('unknown', `${m.unknown}`)]),
    row('blocks examined', `${replay.examinedTotal} in total${allocs > 0 ? `, ${(replay.examinedTotal / allocs).toFixed(1)} per allocation` : ''}`),
    row('NULL returned', String(replay.nullCount)),
    row('problems', `${count(problemCount(errors, 'error'), 'error')}, ${count(problemCount(warnings, 'warning'), 'warning')}`),
  ];
  const listed = [...errors, ...warnings];
  for (const d of listed.slice(0, 10)) lines.push(`  ${name}:${d.range.line}:${d.range.column}: ${d.severity}: ${d.message}`);
  if (listed.length > 10) lines.push(`  ... and ${problemCount(listed.slice(10), 'error') + problemCount(listed.slice(10), 'warning')} more (heap-inspector check ${name})`);
  lines.push('', formatHeapPicture(replay, replay.recorded - 1));
  return lines.join('\n') + '\n';
}

/** The heap after op `index` (-1: before the first) as a bar and a block chain. */
export function formatHeapPicture(replay: Replay, index: number): string {
  const walk = replay.heapAt(index).walk();
  const chain = formatChain(walk, { sentinels: true });
  return [
    `heap after ${index < 0 ? 'initialisation' : `op ${index + 1} of ${replay.length}`} (${walk.blocks.length} block${walk.blocks.length === 1 ? '' : 's'}, ${walk.heapSize} bytes, break at ${hex(walk.heapSize)}):`,
    renderHeapBar(walk, 64),
    chain.length <= 400 ? chain : `${chain.slice(0, 400)}... (${walk.blocks.length} blocks)`,
  ].join('\n');
}

/** A policy's figures at the end of a trace; null where unknown (a corrupted heap), with `unknown` saying why. */
export interface PolicyRow {
  readonly policy: Policy;
  readonly heapSize: number;
  readonly peakPayload: number;
  readonly utilization: number | null;
  readonly internalFragmentation: number | null;
  readonly externalFragmentation: number | null;
  readonly freeBlocks: number | null;
  readonly blocksExamined: number;
  readonly nulls: number;
  /** Errors the run found. */
  readonly errors: number;
  readonly unknown: string | null;
}

export interface PolicyComparison {
  readonly ops: number;
  readonly preset: string;
  readonly policies: readonly PolicyRow[];
  /** Errors found in any of the runs. */
  readonly errors: number;
}

/**
 * Every policy on the same trace and layers (`heap-inspector compare`), one at a time and
 * without history: each run keeps its totals only and is reduced to its row before the next
 * starts, so one policy's heap is alive at a time, and no per-op record at all (docs/limits.md).
 */
export function comparePolicies(trace: Trace, layers: TraceConfigLayers = {}): PolicyComparison {
  let preset = 'default';
  const rows = POLICIES.map((policy) => {
    const run = runTrace(trace, { ...layers, overrides: { ...layers.overrides, policy } as HeapOptions }, { history: false });
    preset = run.preset;
    return policyRow(policy, run);
  });
  return comparisonOf(trace, preset, rows);
}

/** What a comparison keeps of one policy's complete run. */
export function policyRow(policy: Policy, run: TraceRun): PolicyRow {
  const m = run.replay.finalMetrics;
  return {
    policy,
    heapSize: m.heapSize,
    peakPayload: m.peakPayload,
    utilization: m.utilisation,
    internalFragmentation: m.internalFragmentation,
    externalFragmentation: m.externalFragmentation,
    freeBlocks: m.freeBlocks,
    blocksExamined: run.replay.examinedTotal,
    nulls: run.replay.nullCount,
    errors: errorCount(run.diagnostics),
    unknown: m.unknown,
  };
}

/** The comparison of one trace's rows, one per policy (the editor replays them a slice at a time). */
export function comparisonOf(trace: Trace, preset: string, rows: readonly PolicyRow[]): PolicyComparison {
  let errors = 0;
  for (const row of rows) errors = Math.max(errors, row.errors);
  return { ops: trace.ops.length, preset, errors, policies: rows };
}

export function formatComparison(name: string, c: PolicyComparison): string {
  const header = ['policy', 'heap size', 'peak payload', 'utilisation', 'internal frag', 'external frag', 'free blocks', 'blocks examined', 'NULLs'];
  const rows = c.policies.map((p) => [
    p.policy,
    String(p.heapSize),
    String(p.peakPayload),
    percent(p.utilization),
    p.internalFragmentation === null ? UNKNOWN : String(p.internalFragmentation),
    percent(p.externalFragmentation),
    p.freeBlocks === null ? UNKNOWN : String(p.freeBlocks),
    String(p.blocksExamined),
    String(p.nulls),
  ]);
  const widths = header.map((h, col) => Math.max(h.length, ...rows.map((r) => r[col]!.length)));
  const fmt = (cells: string[]) => cells.map((cell, col) => (col === 0 ? cell.padEnd(widths[col]!) : cell.padStart(widths[col]!))).join('  ');
  const notes = c.policies.filter((p) => p.unknown !== null).map((p) => `${p.policy}: ${p.unknown}.`);
  return `${name}: ${c.ops} ops, ${c.preset} preset, every policy\n\n${[fmt(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(fmt), ...(notes.length > 0 ? ['', ...notes] : [])].join('\n')}\n`;
}

export function describeConfig(c: HeapConfig, preset: string): string {
  if (c.policy === 'sbrk') return `${policyLabel(c.policy)} (${c.alignment}-byte alignment, max heap ${c.maxHeap} bytes)`;
  return `${preset} preset (${c.wordSize}-byte words, ${c.alignment}-byte alignment), ${policyLabel(c.policy)}, ${c.coalesce} coalescing, ${c.realloc} realloc, max heap ${c.maxHeap} bytes`;
}

/** `n thing` or `n things`, with thousands separated. */
function count(n: number, thing: string): string {
  return `${n.toLocaleString('en-US')} ${thing}${n === 1 ? '' : 's'}`;
}

function row(label: string, value: string): string {
  return `  ${label.padEnd(16)} ${value}`;
}

/** How a report shows a figure that cannot be computed soundly (see HeapMetrics). */
const UNKNOWN = 'unknown';

/** A ratio as a percentage, or `unknown`. */
export function percent(ratio: number | null, digits = 2): string {
  return ratio === null ? UNKNOWN : `${(ratio * 100).toFixed(digits)}%`;
}
