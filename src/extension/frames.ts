// Packs the read model (trace/heapSource.ts) into the wire DTOs the webviews draw: the heap at a
// step, the metric series, the events to jump to (the comparison across policies is
// compareFrames.ts). It computes nothing of its own; any HeapSource packs the same way. No vscode
// here: tested in plain Node.

import { BLOCK_STATUSES } from '../engine/index';
import { MAX_PRINTED, type EventsDto, type FrameDto, type SeriesDto, type TraceInfoDto } from '../shared/protocol';
import { clampStep, cutStep, sourceOf, type HeapSource, type HeapView, type TraceRun } from '../trace/index';

const SERIES_POINTS = 2000;

/** What a view shows before it has said: the whole heap (past any heap's end) at a wide window's pixel columns. */
export const FIRST_VIEW: HeapView = { from: 0, to: 2 ** 40, columns: 8192, focus: null };

export function traceInfo(run: TraceRun, uri: string, name: string): TraceInfoDto {
  return infoOf(sourceOf(run), uri, name);
}

/** What the view's title and timeline need to know of a source. */
export function infoOf(source: HeapSource, uri: string, name: string): TraceInfoDto {
  return { uri, name, ops: source.steps, policy: source.policy, policyLabel: source.label, preset: source.preset, addresses: { base: source.addresses.base, radix: source.addresses.radix } };
}

/** The heap after op `step` of a run (-1: before the first op): every block, or the window of those `view` shows. */
export function buildFrame(run: TraceRun, step: number, view?: HeapView): FrameDto {
  const frame = frameOf(sourceOf(run), step, view);
  // The user's own allocator: what it printed during the op goes with the step.
  return run.model === 'own' ? { ...frame, printed: run.source.printedDuring(frame.step, run.log, MAX_PRINTED) } : frame;
}

/** One letter a block ('a', 'f' or 'x'), by the engine's BLOCK_STATUSES index. */
const STATE_LETTERS = Uint8Array.from(BLOCK_STATUSES, (s) => (s === 'allocated' ? 0x61 : s === 'free' ? 0x66 : 0x78));
const LATIN1 = new TextDecoder('latin1');

/**
 * The heap after op `step` of any source, and what the op did: every block, or with `view` the
 * window of blocks it shows and a density summary of the rest (docs/performance.md, "Windowed frames").
 */
export function frameOf(source: HeapSource, step: number, view?: HeapView): FrameDto {
  const i = clampStep(source, step);
  const { op, heap, window } = view && source.windowAt ? source.windowAt(i, view) : cutStep(source, i, view ?? null);
  const states = new Uint8Array(heap.count);
  for (let k = 0; k < heap.count; k++) states[k] = STATE_LETTERS[heap.states[k]!] ?? 0x78;
  const m = heap.metrics;
  return {
    step: i,
    line: op.line,
    text: op.text,
    story: op.story,
    printed: '',
    heapSize: heap.heapSize,
    prologue: heap.prologue,
    epilogue: heap.epilogue,
    addrs: heap.addrs,
    sizes: heap.sizes,
    states: LATIN1.decode(states),
    requested: heap.requested,
    headers: heap.headers,
    footers: heap.footers,
    headerSizes: heap.headerSizes,
    headerAllocated: heap.headerAllocated,
    footerSizes: heap.footerSizes,
    footerAllocated: heap.footerAllocated,
    payloadAddrs: heap.payloadAddrs,
    owners: heap.owners,
    ownerNames: heap.ownerNames,
    allocLines: heap.allocLines,
    freeLines: heap.freeLines,
    payloadSizes: heap.payloadSizes,
    highlight: { block: op.block, split: op.split, merged: op.merged, examined: op.examined, examinedOrder: op.examinedOrder ?? null, examinedCount: op.examinedCount ?? op.examined.length, grownFrom: op.grownFrom },
    window,
    freeLists: heap.freeLists,
    buddyArena: heap.buddyArena,
    problems: heap.problems,
    metrics: {
      livePayload: m.livePayload,
      peakPayload: m.peakPayload,
      heapSize: m.heapSize,
      utilisation: m.utilisation,
      internalFragmentation: m.internalFragmentation,
      externalFragmentation: m.externalFragmentation,
      freeBlocks: m.freeBlocks,
      largestFree: m.largestFree,
      unknown: m.unknown,
    },
  };
}

// A source's series and events change only as it grows, so they are built once per length.
const seriesCache = new WeakMap<HeapSource, { steps: number; series: SeriesDto }>();

/** The metrics over a run's whole trace, sampled to at most SERIES_POINTS points. */
export function buildSeries(run: TraceRun): SeriesDto {
  return seriesOf(sourceOf(run));
}

/** The metrics over a source's steps, sampled to at most SERIES_POINTS points and the last op. */
export function seriesOf(source: HeapSource): SeriesDto {
  const cached = seriesCache.get(source);
  if (cached?.steps === source.steps) return cached.series;
  const n = source.steps;
  const stride = Math.max(1, Math.ceil(n / SERIES_POINTS));
  const s = { steps: [] as number[], heapSize: [] as number[], livePayload: [] as number[], utilisation: [] as (number | null)[], externalFragmentation: [] as (number | null)[], freeBlocks: [] as (number | null)[] };
  const sample = (i: number) => {
    const m = source.metricsAt(i);
    s.steps.push(i);
    s.heapSize.push(m.heapSize);
    s.livePayload.push(m.livePayload);
    s.utilisation.push(m.utilisation);
    s.externalFragmentation.push(m.externalFragmentation);
    s.freeBlocks.push(m.freeBlocks);
  };
  for (let i = 0; i < n; i += stride) sample(i);
  // The last op too, so the charts run to the end of the trace.
  if (n > 0 && s.steps[s.steps.length - 1] !== n - 1) sample(n - 1);
  seriesCache.set(source, { steps: n, series: s });
  return s;
}

/** Op indices of a run's NULLs, coalesces, heap growths and problems, for the timeline's jumps. */
export function buildEvents(run: TraceRun): EventsDto {
  return sourceOf(run).events();
}
