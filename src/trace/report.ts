// Text and JSON reports of a replayed trace, shared by the command line and the editor: the run
// summary and the final heap picture show the same numbers everywhere (the comparison of every
// policy is comparison.ts).

import { formatChainColumns, policyLabel, type HeapConfig } from '../engine/index';
import { grouped, percent, UNKNOWN } from './figures';
import { renderHeapBar } from './heapBar';
import { formatAddress, type HeapSource } from './heapSource';
import type { Diagnostic, Trace } from './model';
import type { OstepHeapOptions } from './ostep/ostepHeap';
import { sourceOf } from './replaySource';
import { errorCount, problemCount, type OwnConfig, type TraceRun } from './traceRun';

/** The run as JSON (`heap-inspector run --json`). */
export function runJson(run: TraceRun) {
  return sourceJson(run.trace, sourceOf(run), run.preset, run.model === 'engine' ? configJson(run.config) : run.config, run.diagnostics);
}

/** Any source's run as JSON: `run --json`'s fields, `config` as given (the simulated configuration, OSTEP's options, or the allocator's). */
export function sourceJson(trace: Trace, source: HeapSource, preset: string, config: unknown, diagnostics: readonly Diagnostic[]) {
  const m = source.metricsAt(source.steps - 1);
  const totals = source.totals();
  return {
    format: trace.format,
    preset,
    config,
    ops: source.steps,
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
    blocksExamined: totals.examined,
    nulls: totals.nulls,
    errors: errorCount(diagnostics),
    warnings: problemCount(diagnostics, 'warning'),
    diagnostics: diagnostics.map((d) => ({ line: d.range.line, column: d.range.column, severity: d.severity, code: d.code, message: d.message, ...(d.count === undefined ? {} : { count: d.count }) })),
  };
}

/**
 * The configuration as `run --json` shows it: the list's fields only for a linked list (explicit,
 * segregated, buddy), the size classes only for a segregated list, so the other families print as before.
 */
function configJson(c: HeapConfig): Partial<HeapConfig> {
  const { classes: _classes, ...unclassed } = c;
  if (c.freeList === 'segregated' || c.freeList === 'simple-segregated') return c;
  if (c.freeList !== 'implicit') return unclassed;
  const { freeList: _freeList, order: _order, ...implicit } = unclassed;
  return implicit;
}

/** The run as the human summary (`heap-inspector run`), `name` naming the trace. */
export function formatRunSummary(name: string, run: TraceRun): string {
  const configuration = run.model === 'ostep' ? describeOstepConfig(run.config) : run.model === 'own' ? describeOwnConfig(run.config) : describeConfig(run.config, run.preset);
  return formatSummary(name, run.trace, sourceOf(run), configuration, run.diagnostics);
}

/**
 * The human summary of any source of heaps: `configuration` says what made them (a simulated
 * configuration, or the allocator's own name), `diagnostics` are the trace's and the source's,
 * `extra` rows the source's own figures (the malloc lab's score of one's own allocator).
 */
export function formatSummary(name: string, trace: Trace, source: HeapSource, configuration: string, diagnostics: readonly Diagnostic[], extra: readonly (readonly [string, string])[] = []): string {
  const last = source.steps - 1;
  const m = source.metricsAt(last);
  const { examined, nulls } = source.totals();
  const errors = diagnostics.filter((d) => d.severity === 'error');
  const warnings = diagnostics.filter((d) => d.severity === 'warning');
  const allocs = trace.ops.count('malloc', 'calloc', 'realloc');
  const lines = [
    `${name}: ${source.steps} ops, ${configuration}`,
    '',
    row('heap size', `${m.heapSize} bytes`),
    row('peak payload', `${m.peakPayload} bytes`),
    row('utilisation', `${percent(m.utilisation)} (peak payload / heap size)`),
    row('live payload', `${m.livePayload} bytes${m.allocatedBlocks === null ? '' : ` in ${m.allocatedBlocks} block${m.allocatedBlocks === 1 ? '' : 's'}`} at the end`),
    row('internal frag', m.internalFragmentation === null ? UNKNOWN : `${m.internalFragmentation} bytes (block bytes - requested bytes)`),
    row('external frag', m.externalFragmentation === null ? UNKNOWN : `${percent(m.externalFragmentation)} (1 - largest free / total free)`),
    row('free blocks', m.freeBlocks === null ? UNKNOWN : `${m.freeBlocks}, ${m.freeBytes} bytes, largest ${m.largestFree}`),
    ...(m.unknown === null ? [] : [row('unknown', `${m.unknown}`)]),
    ...(examined === null ? [] : [row('blocks examined', `${examined} in total${allocs > 0 ? `, ${(examined / allocs).toFixed(1)} per allocation` : ''}`)]),
    row('NULL returned', String(nulls)),
    ...extra.map(([label, value]) => row(label, value)),
    row('problems', `${count(problemCount(errors, 'error'), 'error')}, ${count(problemCount(warnings, 'warning'), 'warning')}`),
  ];
  const listed = [...errors, ...warnings];
  for (const d of listed.slice(0, 10)) lines.push(`  ${name}:${d.range.line}:${d.range.column}: ${d.severity}: ${d.message}`);
  if (listed.length > 10) lines.push(`  ... and ${problemCount(listed.slice(10), 'error') + problemCount(listed.slice(10), 'warning')} more (heap-inspector check ${name})`);
  lines.push('', formatHeapPicture(source, last));
  return lines.join('\n') + '\n';
}

/** The characters of the block chain a heap picture shows, and more blocks than fill them. */
const CHAIN_CHARS = 400;
const CHAIN_BLOCKS = CHAIN_CHARS / 4 + 1;

/** The heap after op `index` (-1: before the first) as a bar and a block chain. */
export function formatHeapPicture(source: HeapSource, index: number): string {
  const heap = source.chainAt(index);
  // The chain shows its first 400 characters; every block takes 4 or more ("[A8]"), so the blocks
  // past the first CHAIN_BLOCKS would not show: they are not formatted (a big heap has thousands).
  const chain = formatChainColumns(heap.count > CHAIN_BLOCKS ? { prologue: heap.prologue, epilogue: heap.epilogue, count: CHAIN_BLOCKS, sizes: heap.sizes, states: heap.states, stopped: heap.stopped } : heap, { sentinels: true });
  return [
    `heap after ${index < 0 ? 'initialisation' : `op ${index + 1} of ${source.length}`} (${heap.count} block${heap.count === 1 ? '' : 's'}, ${heap.heapSize} bytes, break at ${formatAddress(source.addresses, heap.heapSize)}):`,
    renderHeapBar(heap, 64),
    chain.length <= CHAIN_CHARS ? chain : `${chain.slice(0, CHAIN_CHARS)}... (${heap.count} blocks)`,
  ].join('\n');
}

export function describeConfig(c: HeapConfig, preset: string): string {
  if (c.policy === 'sbrk') return `${policyLabel(c.policy)} (${c.alignment}-byte alignment, max heap ${c.maxHeap} bytes)`;
  const layout = `${preset} preset (${c.wordSize}-byte words, ${c.alignment}-byte alignment)`;
  // Simple segregated storage never merges, whatever the coalesce setting says (docs/engine.md).
  const tail = `${c.freeList === 'simple-segregated' ? 'no' : c.coalesce} coalescing, ${c.realloc} realloc, max heap ${c.maxHeap} bytes`;
  // The buddy system has its own placement (docs/engine.md): no fit policy to name.
  if (c.freeList === 'buddy') return `${layout}, binary buddy system (${c.order} lists), ${tail}`;
  const list = c.freeList === 'explicit' ? `explicit ${c.order} list, ` : c.freeList === 'segregated' || c.freeList === 'simple-segregated' ? `${segregatedLabel(c)}, ` : '';
  return `${layout}, ${list}${policyLabel(c.policy)}, ${tail}`;
}

/** One's own allocator in a sentence: `your allocator mm.c (CS:APP's interface, 8-byte alignment)`. */
export function describeOwnConfig(c: OwnConfig): string {
  const name = c.allocator.split(/[\\/]/).pop() ?? c.allocator;
  return `your allocator ${name} (${c.interface === 'cmu' ? "the CMU 64-bit lab's interface" : "CS:APP's interface"}, ${c.alignment}-byte alignment)`;
}

/** OSTEP's model in a sentence, with malloc.py's flags: `OSTEP's model (-S 100 -b 1000 -H 0 -a -1 -p BEST -l ADDRSORT)`. */
export function describeOstepConfig(o: OstepHeapOptions): string {
  return `OSTEP's model (-S ${o.size} -b ${o.baseAddr} -H ${o.headerSize} -a ${o.alignment} -p ${o.policy} -l ${o.order}${o.coalesce ? ' -C' : ''})`;
}

/** A segregated list in a sentence: `segregated fits, lifo lists, classes up to 16/32/.../4096 bytes and one above`. */
function segregatedLabel(c: HeapConfig): string {
  const family = c.freeList === 'simple-segregated' ? 'simple segregated storage' : 'segregated fits';
  return `${family}, ${c.order} lists, classes up to ${c.classes.join('/')} bytes and one above`;
}

/** `n thing` or `n things`, with thousands separated. */
function count(n: number, thing: string): string {
  return `${grouped(n)} ${thing}${n === 1 ? '' : 's'}`;
}

function row(label: string, value: string): string {
  return `  ${label.padEnd(16)} ${value}`;
}
