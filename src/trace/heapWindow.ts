// Cuts a heap to the blocks a view shows (docs/performance.md, "Windowed frames"): the blocks in
// the bytes on screen plus a margin, at most MAX_WINDOW_BLOCKS of them, and a density summary of the
// whole heap in buckets, so that a view draws the rest (and its totals) without every block.

import { BLOCK_STATUSES } from '../engine/results';
import { firstIndex, lowerBound } from '../shared/bisect';
import type { HeapChain, HeapDensity, HeapSource, HeapState, HeapView, HeapWindow, OpEffect, WindowedStep } from './heapSource';

/** The most blocks a window holds; a heap of at most this many goes whole. */
export const MAX_WINDOW_BLOCKS = 8192;
/** The blocks a window holds of a view of more than MAX_WINDOW_BLOCKS, drawn as density: enough for the op's blocks and the pointer's neighbourhood. */
export const DENSE_WINDOW_BLOCKS = 1024;
/** Buckets of a density summary: the view's pixel columns over the whole heap, within these. */
const MIN_BUCKETS = 256;
const MAX_BUCKETS = 65536;
const ALLOCATED = BLOCK_STATUSES.indexOf('allocated');
const FREE = BLOCK_STATUSES.indexOf('free');

type Blocks = Pick<HeapChain, 'count' | 'addrs' | 'sizes'>;

/**
 * A search path: the `length` blocks examined, in the order examined, read from `start` along the
 * first `count` addresses of `addrs` (a chain), wrapping at its end (next fit's search from its
 * rover). Plain data rather than a function per path, so the loops that read one stay optimised
 * whichever step made it (docs/performance.md, "The heap before from the heap after").
 */
export interface SearchPath {
  readonly addrs: Float64Array;
  readonly count: number;
  readonly start: number;
  readonly length: number;
}

/** The address of the `k`th block the path examined. */
export function pathAt(path: SearchPath, k: number): number {
  const j = path.start + k;
  return path.addrs[j < path.count ? j : j % path.count]!;
}

/** The path of the addresses `a`, in their order. */
export const pathOf = (a: Float64Array): SearchPath => ({ addrs: a, count: a.length, start: 0, length: a.length });

/** A path's addresses, in order. */
export function pathAddresses(path: SearchPath): Float64Array {
  const out = new Float64Array(path.length);
  for (let k = 0; k < path.length; k++) out[k] = pathAt(path, k);
  return out;
}

/**
 * The blocks [first, end) a window of `view` holds: every block in the view's bytes and as many
 * again on each side (one screen of margin), within MAX_WINDOW_BLOCKS. A view of more blocks than
 * that is drawn from the density summary: then the window is the DENSE_WINDOW_BLOCKS blocks around
 * the byte the pointer is on (`view.focus`), else around `anchor` (the op's block), else the view's middle.
 */
export function windowOf(heap: Blocks, view: HeapView | null, anchor: number | null): [number, number] {
  const n = heap.count;
  if (view === null || n <= MAX_WINDOW_BLOCKS) return [0, n];
  const { addrs, sizes } = heap;
  const blockFrom = (byte: number) => firstIndex(n, (k) => addrs[k]! + sizes[k]! > byte);
  const from = blockFrom(view.from);
  const to = Math.max(from, lowerBound(addrs, view.to, n, from));
  const shown = to - from;
  if (shown <= MAX_WINDOW_BLOCKS) {
    const margin = Math.min(shown, Math.floor((MAX_WINDOW_BLOCKS - shown) / 2));
    return [Math.max(0, from - margin), Math.min(n, to + margin)];
  }
  const centre = Math.min(n - 1, blockFrom(view.focus ?? anchor ?? (view.from + view.to) / 2));
  const first = Math.max(0, Math.min(n - DENSE_WINDOW_BLOCKS, centre - DENSE_WINDOW_BLOCKS / 2));
  return [first, first + DENSE_WINDOW_BLOCKS];
}

/** The bytes [from, to) the blocks [first, end) of `heap` cover: every byte for the whole heap, none for an empty window. */
export function bytesOf(heap: Blocks, first: number, end: number): [number, number] {
  if (first === 0 && end === heap.count) return [0, Infinity];
  return end > first ? [heap.addrs[first]!, heap.addrs[end - 1]! + heap.sizes[end - 1]!] : [0, 0];
}

/**
 * The whole heap in buckets (as many as the view has pixel columns per heap's worth of bytes,
 * within MIN_BUCKETS..MAX_BUCKETS): allocated and free bytes (freed, never reused, counts as free
 * here), the blocks starting in each; and the totals a view states.
 */
export function densityOf(heap: Pick<HeapChain, 'count' | 'addrs' | 'sizes' | 'states' | 'heapSize'>, view: HeapView | null, first: number): HeapWindow {
  const span = Math.max(1, heap.heapSize);
  // A view past the heap's end shows up to the end.
  const wanted = view === null ? MIN_BUCKETS : Math.round((view.columns * span) / Math.max(1, Math.min(view.to, span) - Math.min(view.from, span)));
  const buckets = Math.max(MIN_BUCKETS, Math.min(MAX_BUCKETS, wanted));
  const per = span / buckets;
  const allocated = new Float32Array(buckets);
  const free = new Float32Array(buckets);
  const blocks = new Uint32Array(buckets);
  let allocatedBlocks = 0;
  let freeBlocks = 0;
  let smallest = Infinity;
  for (let k = 0; k < heap.count; k++) {
    const addr = heap.addrs[k]!;
    const size = heap.sizes[k]!;
    const state = heap.states[k];
    if (state === ALLOCATED) allocatedBlocks++;
    else if (state === FREE) freeBlocks++;
    if (size > 0 && size < smallest) smallest = size;
    const into = state === ALLOCATED ? allocated : free;
    const end = Math.min(addr + size, span);
    let b = Math.min(buckets - 1, Math.floor(addr / per));
    blocks[b]!++;
    // Each bucket the block covers gets its share of the block's bytes.
    for (let at = addr; at < end; b++) {
      const next = Math.min(end, (b + 1) * per);
      into[Math.min(b, buckets - 1)]! += next - at;
      at = next;
    }
  }
  const density: HeapDensity = { from: 0, to: span, allocated, free, blocks };
  return { first, total: heap.count, allocated: allocatedBlocks, free: freeBlocks, smallest: Number.isFinite(smallest) ? smallest : 0, density };
}

/** Blocks [first, end) of a heap: its columns cut, the rest (lists, problems, metrics) the whole heap's. */
export function sliceHeap(heap: HeapState, first: number, end: number): HeapState {
  if (first === 0 && end === heap.count) return heap;
  const cut = <T extends { subarray(a: number, b: number): T }>(a: T): T => a.subarray(first, end);
  return {
    ...heap,
    count: end - first,
    addrs: cut(heap.addrs),
    sizes: cut(heap.sizes),
    states: cut(heap.states),
    payloadAddrs: cut(heap.payloadAddrs),
    payloadSizes: cut(heap.payloadSizes),
    requested: cut(heap.requested),
    headers: cut(heap.headers),
    footers: cut(heap.footers),
    headerSizes: cut(heap.headerSizes),
    headerAllocated: cut(heap.headerAllocated),
    footerSizes: cut(heap.footerSizes),
    footerAllocated: cut(heap.footerAllocated),
    owners: cut(heap.owners),
    allocLines: cut(heap.allocLines),
    freeLines: cut(heap.freeLines),
  };
}

/** The steps of a search path (addresses in the order searched) in the bytes [from, to), each with its 1-based place in the whole path. */
export function pathWithin(path: SearchPath, from: number, to: number): { examined: Float64Array; order: Int32Array } {
  const kept: number[] = [];
  for (let k = 0; k < path.length; k++) {
    const addr = pathAt(path, k);
    if (addr >= from && addr < to) kept.push(k);
  }
  const examined = new Float64Array(kept.length);
  const order = new Int32Array(kept.length);
  kept.forEach((k, j) => {
    examined[j] = pathAt(path, k);
    order[j] = k + 1;
  });
  return { examined, order };
}

/** The op's effect with its search path (`path`) cut to the bytes [from, to); the whole path, without places, for every byte. */
export function effectWithin(op: OpEffect, path: SearchPath, from: number, to: number): OpEffect {
  if (from <= 0 && to === Infinity) return { ...op, examined: pathAddresses(path) };
  const { examined, order } = pathWithin(path, from, to);
  return { ...op, examined, examinedOrder: order, examinedCount: path.length };
}

/** Any source's heap and op at a step cut to a view's window, from its whole heap and effect (what a source without `windowAt` gives). */
export function cutStep(source: HeapSource, step: number, view: HeapView | null): WindowedStep {
  const op = source.opAt(step);
  const whole = source.heapAt(step);
  const [first, end] = windowOf(whole, view, op.block);
  const [from, to] = bytesOf(whole, first, end);
  return { heap: sliceHeap(whole, first, end), op: effectWithin(op, pathOf(op.examined), from, to), window: densityOf(whole, view, first) };
}
