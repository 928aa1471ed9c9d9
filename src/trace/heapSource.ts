// The read model: "what is the heap at step i, and what did op i do", answered once for every view
// (the panel, the side view, and anything else that shows a step). A source of heaps implements
// HeapSource: the simulated replay (replaySource.ts) is one; an allocator that gives only payload
// addresses, sizes and the heap's bytes per op is another. Nothing above it knows which it reads.

import { allocatedOfWord, sizeOfWord } from '../engine/layout';
import { BLOCK_STATUSES, type HeapColumns, type HeapMetrics } from '../engine/results';
import { grown } from '../engine/typedArrays';

/**
 * The block chain after one step, in columns: one entry per block, in address order, so a heap of
 * 100,000 blocks stays a handful of typed arrays. Every address is a byte offset from the heap's
 * start. What a terminal picture or a summary needs; `HeapState` adds what the views show.
 */
export interface HeapChain {
  /** The step (-1: before the first op). */
  readonly step: number;
  /** Bytes from the heap's start to the break. */
  readonly heapSize: number;
  readonly prologue: { readonly addr: number; readonly size: number } | null;
  /** The epilogue header's address, or null (no sentinels, or none found). */
  readonly epilogue: number | null;
  readonly count: number;
  /** Header address of each block (its first byte). */
  readonly addrs: Float64Array;
  /** Bytes of each whole block. */
  readonly sizes: Float64Array;
  /** The engine's BLOCK_STATUSES index of each block's state: allocated, free, or freed but never reusable (the sbrk baseline). */
  readonly states: Uint8Array;
  /** Where and why reading the chain stopped before the heap's end (a corrupted heap), or null. */
  readonly stopped: { readonly addr: number; readonly code: string } | null;
}

/** The heap after one step as the views show it: the chain, and each block's payload, words and owner. */
export interface HeapState extends HeapChain {
  /** The pointer a program holds for each block (the sbrk baseline's blocks have no header: it is the block's address). */
  readonly payloadAddrs: Float64Array;
  readonly payloadSizes: Float64Array;
  /** Bytes the live pointer in each allocated block asked for (0 for the others). */
  readonly requested: Float64Array;
  /** Header and footer words as stored (NaN: the block has none). */
  readonly headers: Float64Array;
  readonly footers: Float64Array;
  /** The same words decoded by the layout module (engine/layout.ts): the size they hold (NaN: none) and the allocated bit (-1: none, 0, 1). */
  readonly headerSizes: Float64Array;
  readonly headerAllocated: Int8Array;
  readonly footerSizes: Float64Array;
  readonly footerAllocated: Int8Array;
  /**
   * The pointer that owns each allocated block (-1: none): an index into `ownerNames`, or, when
   * that is null, the trace's own number for it (a `.rep` id).
   */
  readonly owners: Int32Array;
  readonly ownerNames: readonly string[] | null;
  /** The line that allocated each owned block, and the line that frees it later (0: none). */
  readonly allocLines: Int32Array;
  readonly freeLines: Int32Array;
  /**
   * The free lists threaded through the free blocks, each in list order from its head, with the
   * link words as stored in each node (docs/engine.md): one for an explicit list, none for an
   * implicit one or a source that cannot tell.
   */
  readonly freeLists: readonly FreeListState[];
  /** The buddy system's arena (its first byte and its size, a power of two), whose blocks are the leaves of the buddy tree; null for the other families. */
  readonly buddyArena: { readonly start: number; readonly size: number } | null;
  /** What the heap checker (or the source's own checks) found at this step, by block or payload address. */
  readonly problems: readonly { readonly addr: number; readonly message: string }[];
  readonly metrics: HeapMetrics;
}

/** One free list at a step: its nodes (header addresses) in list order, their next and prev words as stored (NaN: unreadable), next fit's rover on it. */
export interface FreeListState {
  readonly label: string;
  /** Whether the nodes hold their links in the heap (next and prev below); false for a model that keeps its list outside the heap (OSTEP's), whose next and prev are NaN. */
  readonly linkWords: boolean;
  readonly nodes: Float64Array;
  readonly next: Float64Array;
  readonly prev: Float64Array;
  /** The node next fit's next search starts at, or null (the head). */
  readonly rover: number | null;
}

/** What op `step` did to the heap before it. */
export interface OpEffect {
  /** The step (-1: the heap before the first op, which no op made). */
  readonly step: number;
  /** 1-based line of the op, or null before the first op. */
  readonly line: number | null;
  /** One short line (the CodeLens text). */
  readonly text: string;
  /** A sentence or two telling what the op did and why (trace/describe.ts tells every story). */
  readonly story: string;
  /** The block the op took, resized or freed (header address), or null. */
  readonly block: number | null;
  /** The free block a split left after `block`, or null. */
  readonly split: number | null;
  /** The free block a merge made, or null. */
  readonly merged: number | null;
  /**
   * The header addresses of the blocks the fit search examined, in the order it examined them,
   * as the engine recorded them (docs/engine.md, "Definitions pinned down"). Under deferred
   * coalescing a failed search, the merge pass and a second search are two runs here, over two
   * heaps. Empty when the source knows no search (no engine events).
   */
  readonly examined: Float64Array;
  /** The old break when the op grew the heap (the new space runs from it to the heap's size), else null. */
  readonly grownFrom: number | null;
  /**
   * For a windowed effect (HeapSource.windowAt): each `examined` block's place (1-based) in the
   * whole search path, and the path's whole length; absent when `examined` is the whole path.
   */
  readonly examinedOrder?: Int32Array;
  readonly examinedCount?: number;
}

/**
 * The part of the heap a view shows (docs/performance.md, "Windowed frames"): the bytes [from, to)
 * drawn over `columns` pixel columns, and a byte the blocks sent must include (what the pointer is
 * on), or null.
 */
export interface HeapView {
  readonly from: number;
  readonly to: number;
  readonly columns: number;
  readonly focus: number | null;
}

/** Bytes [from, to) of the heap in equal buckets: allocated and free bytes, and the blocks that start in each. */
export interface HeapDensity {
  readonly from: number;
  readonly to: number;
  readonly allocated: Float32Array;
  readonly free: Float32Array;
  readonly blocks: Uint32Array;
}

/** What a window of a heap's blocks says of the whole heap. */
export interface HeapWindow {
  /** The index among all the heap's blocks of the first block the window holds. */
  readonly first: number;
  /** Blocks in the whole heap, allocated and free among them. */
  readonly total: number;
  readonly allocated: number;
  readonly free: number;
  /** The smallest block's bytes in the whole heap (0: no blocks). */
  readonly smallest: number;
  readonly density: HeapDensity;
}

/** The heap at a step cut to a window of blocks, what the op did in it, and what it says of the whole. */
export interface WindowedStep {
  /** The window's blocks (their columns only; lists, problems and metrics are the whole heap's). */
  readonly heap: HeapState;
  /** The op's effect, its `examined` cut to the window's blocks (with `examinedOrder`). */
  readonly op: OpEffect;
  readonly window: HeapWindow;
}

/**
 * Steps worth jumping to, by op index, ascending. Typed arrays: a long trace has millions of
 * coalesces, which took 8 bytes each as numbers in an array (docs/memory.md, "A trace file read
 * without a document").
 */
export interface HeapEvents {
  readonly nulls: Int32Array;
  readonly coalesces: Int32Array;
  readonly growths: Int32Array;
  readonly problems: Int32Array;
}

/** One kind of event's op indices as they are found, in order. */
export class EventList {
  private ops = new Int32Array(64);
  private n = 0;

  push(op: number): void {
    if (this.n === this.ops.length) this.ops = grown(this.ops, this.n * 2);
    this.ops[this.n++] = op;
  }

  /** The ops found, trimmed to size. */
  done(): Int32Array {
    return this.ops.slice(0, this.n);
  }
}

/** A source's events as its pass over the ops finds them. */
export function eventLists(): { nulls: EventList; coalesces: EventList; growths: EventList; problems: EventList; done(): HeapEvents } {
  const lists = { nulls: new EventList(), coalesces: new EventList(), growths: new EventList(), problems: new EventList() };
  return { ...lists, done: () => ({ nulls: lists.nulls.done(), coalesces: lists.coalesces.done(), growths: lists.growths.done(), problems: lists.problems.done() }) };
}

/** One op in a block's life and, once the op has run, what it returned. */
export interface LifeEvent {
  readonly step: number;
  /** 1-based line of the op. */
  readonly line: number;
  /** Bytes the op asked for (count x size for calloc; 0 for a free). */
  readonly requested: bigint;
  /** What the op did, or null when it has not run yet. */
  readonly result: {
    /** The payload pointer returned (null: NULL). */
    readonly pointer: number | null;
    /** Bytes of the block the payload sits in (0: none, or a source that cannot tell). */
    readonly blockSize: number;
    /** A realloc that moved the payload to a new block (not one resized where it was). */
    readonly moved: boolean;
  } | null;
}

/** One block's life, as a source saw it: allocated, maybe resized or moved by reallocs, maybe freed. */
export interface BlockLife {
  /** The pointer's slot in the trace's names (the name holding the block last). */
  readonly slot: number;
  readonly allocated: LifeEvent;
  readonly reallocs: readonly LifeEvent[];
  /** The op that freed it (free or realloc(p, 0)), or null: still allocated at the end of the trace. */
  readonly freed: LifeEvent | null;
  /** Its last op: the free, the last realloc, or the allocation. */
  readonly lastStep: number;
}

/** The block lives of a source: every lifetime the trace (or the run) has, numbered from 0 in the order they start. */
export interface BlockLives {
  readonly count: number;
  /** Life `k` (0 <= k < count). */
  at(k: number): BlockLife;
  /** The life op `step` belongs to, or -1 (free(NULL), a use of an unknown pointer, an op of no block). */
  of(step: number): number;
}

/**
 * How the views write a source's addresses: the number the model gives the heap's first byte
 * (every address in a source is an offset from it) and the radix. The engine's heaps are offsets
 * in hex from 0; OSTEP's model numbers its heap from its base address (1000) in decimal.
 */
export interface AddressStyle {
  readonly base: number;
  readonly radix: 10 | 16;
}

/** The engine's addresses: hex offsets from the heap's start. */
export const HEX_OFFSETS: AddressStyle = { base: 0, radix: 16 };

/** An address (an offset from the heap's start) as a source's views write it: `0x0010`, or `1016` for OSTEP's model. */
export function formatAddress(style: AddressStyle, offset: number): string {
  return style.radix === 16 ? `0x${(style.base + offset).toString(16).padStart(4, '0')}` : String(style.base + offset);
}

/** A source of heaps, step by step. Steps run from -1 (before the first op) to `steps - 1`. */
export interface HeapSource {
  /** How its addresses are written. */
  readonly addresses: AddressStyle;
  /** Ops with a heap after them so far (a source still running grows). */
  readonly steps: number;
  /** Ops in the trace: `steps` stops short of it while a source runs, or when it was stopped. */
  readonly length: number;
  /** What places blocks: a policy name ('first', 'sbrk', ...) or the allocator's own name. */
  readonly policy: string;
  /** How the views name it: 'first fit', 'sbrk baseline', or the allocator's own name. */
  readonly label: string;
  /** The configuration's name, for titles. */
  readonly preset: string;
  /** The heap after op `step`, clamped to [-1, steps - 1]. */
  heapAt(step: number): HeapState;
  /** The block chain after op `step` alone, cheaper than `heapAt` (no owners, no words decoded). */
  chainAt(step: number): HeapChain;
  /** What op `step` did, clamped to [-1, steps - 1]. */
  opAt(step: number): OpEffect;
  /**
   * The heap after op `step` and what the op did, cut to the blocks `view` shows (windowOf), for a
   * source that can do it faster than `heapAt` and `opAt` whole; absent: the caller cuts those.
   */
  windowAt?(step: number, view: HeapView): WindowedStep;
  /**
   * `opAt(step).text` without the rest: the one line a CodeLens or an inlay hint shows, cheap
   * enough for every line on screen (no heap rebuilt, no op re-run).
   */
  summaryAt(step: number): string;
  /** The metrics after op `step` (-1: the empty heap); cheaper than `heapAt(step).metrics`. */
  metricsAt(step: number): HeapMetrics;
  /**
   * The payload pointer op `step` returned (malloc, calloc, realloc), freed (free) or wrote through,
   * as a byte offset from the heap's start; null for NULL, free(NULL) and a free that freed
   * nothing. Cheap enough for every op of a long trace (a CSV row each).
   */
  pointerAt(step: number): number | null;
  /** `opAt(step).block` without the rest (no search re-run): the header address of the block the op took, resized or freed, or null. Cheap. */
  blockAt(step: number): number | null;
  /** Bytes from the heap's start to the break after op `step` (-1: before the first op). Cheap. */
  heapSizeAt(step: number): number;
  /** Blocks the fit searches examined over the steps so far (null: the source knows no search), and allocations that returned NULL. */
  totals(): { readonly examined: number | null; readonly nulls: number };
  /** Every block's life, with what each of its ops returned so far. */
  lives(): BlockLives;
  /** The NULLs, merges, growths and problems over the steps so far. */
  events(): HeapEvents;
}

const FREE = BLOCK_STATUSES.indexOf('free');

/** `step` clamped to a source's steps. */
export function clampStep(source: Pick<HeapSource, 'steps'>, step: number): number {
  return Math.max(-1, Math.min(step, source.steps - 1));
}

/** The free block among `heap`'s blocks that holds the range [addr, addr + size) and is `size` bytes, or null: where a merge landed. */
export function mergedBlock(heap: Pick<HeapChain, 'count' | 'addrs' | 'sizes' | 'states'>, addr: number, size: number, mergedSize: number): number | null {
  for (let k = 0; k < heap.count; k++) {
    const at = heap.addrs[k]!;
    if (heap.states[k] === FREE && heap.sizes[k] === mergedSize && at <= addr + size && at + mergedSize >= addr) return at;
  }
  return null;
}

/** Header or footer words decoded by the layout module into the sizes and allocated bits they hold (NaN, -1: no word). */
export function decodedWords(words: Float64Array, n: number): { sizes: Float64Array; allocated: Int8Array } {
  const sizes = new Float64Array(n);
  const allocated = new Int8Array(n);
  for (let k = 0; k < n; k++) {
    const w = words[k]!;
    const none = Number.isNaN(w);
    sizes[k] = none ? NaN : sizeOfWord(w);
    allocated[k] = none ? -1 : allocatedOfWord(w) ? 1 : 0;
  }
  return { sizes, allocated };
}

/** The chain of a walk's columns after step `i` (copied: the columns are the allocator's, reused by its next walk). */
export function chainOfColumns(i: number, c: HeapColumns): HeapChain {
  const n = c.count;
  return {
    step: i,
    heapSize: c.heapSize,
    prologue: c.prologue ? { addr: c.prologue.addr, size: c.prologue.size } : null,
    epilogue: c.epilogue?.addr ?? null,
    count: n,
    addrs: c.addrs.slice(0, n),
    sizes: c.sizes.slice(0, n),
    states: c.status.slice(0, n),
    stopped: c.stopped ? { addr: c.stopped.addr, code: c.stopped.code } : null,
  };
}

/** The word columns of `n` blocks that store no words (a model's chunks, payloads drawn without a layout). */
export function noWords(n: number): Pick<HeapState, 'headers' | 'footers' | 'headerSizes' | 'headerAllocated' | 'footerSizes' | 'footerAllocated'> {
  const none = () => new Float64Array(n).fill(NaN);
  return { headers: none(), footers: none(), headerSizes: none(), headerAllocated: new Int8Array(n).fill(-1), footerSizes: none(), footerAllocated: new Int8Array(n).fill(-1) };
}
