// Text and JSON reports of a replayed trace, shared by the command line and the editor: the run
// summary and the final heap picture show the same numbers everywhere (the comparison of every
// policy is comparison.ts).

import { formatChain, hex, policyLabel, type HeapConfig } from '../engine/index';
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
    config: configJson(config),
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

/** The configuration as `run --json` shows it: the list's fields only for an explicit list or the buddy system, so implicit runs print as before. */
function configJson(c: HeapConfig): Partial<HeapConfig> {
  if (c.freeList !== 'implicit') return c;
  const { freeList: _freeList, order: _order, ...implicit } = c;
  return implicit;
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

export function describeConfig(c: HeapConfig, preset: string): string {
  if (c.policy === 'sbrk') return `${policyLabel(c.policy)} (${c.alignment}-byte alignment, max heap ${c.maxHeap} bytes)`;
  const layout = `${preset} preset (${c.wordSize}-byte words, ${c.alignment}-byte alignment)`;
  const tail = `${c.coalesce} coalescing, ${c.realloc} realloc, max heap ${c.maxHeap} bytes`;
  // The buddy system has its own placement (docs/engine.md): no fit policy to name.
  if (c.freeList === 'buddy') return `${layout}, binary buddy system (${c.order} lists), ${tail}`;
  const list = c.freeList === 'explicit' ? `explicit ${c.order} list, ` : '';
  return `${layout}, ${list}${policyLabel(c.policy)}, ${tail}`;
}

/** `n thing` or `n things`, with thousands separated. */
function count(n: number, thing: string): string {
  return `${n.toLocaleString('en-US')} ${thing}${n === 1 ? '' : 's'}`;
}

function row(label: string, value: string): string {
  return `  ${label.padEnd(16)} ${value}`;
}

/** How a report shows a figure that cannot be computed soundly (see HeapMetrics). */
export const UNKNOWN = 'unknown';

/** A ratio as a percentage, or `unknown`. */
export function percent(ratio: number | null, digits = 2): string {
  return ratio === null ? UNKNOWN : `${(ratio * 100).toFixed(digits)}%`;
}
