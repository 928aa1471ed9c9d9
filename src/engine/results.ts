// What every engine operation returns, what a heap walk and the checker report, and the metrics:
// the data the trace replay records per op and the editor, panel and command line show.

import type { HeapBytes } from './memory';

/** A request size: a number, or a bigint for requests beyond 2^53 (the 2016 lab's 64-bit traces). */
export type RequestSize = number | bigint;

export type OpKind = 'malloc' | 'calloc' | 'realloc' | 'free' | 'write';

export type Severity = 'error' | 'warning';

/** Stable codes for what can go wrong with one operation. */
export const OP_PROBLEM_CODES = [
  'zero-size',
  'heap-limit',
  'calloc-overflow',
  'invalid-size',
  'invalid-pointer',
  'double-free',
  'use-after-free',
  'write-past-request',
  'write-overflow',
  'write-outside-heap',
  'heap-fault',
  'engine-error',
] as const;
export type OpProblemCode = (typeof OP_PROBLEM_CODES)[number];

export interface OpProblem {
  readonly code: OpProblemCode;
  readonly severity: Severity;
  /** A sentence a student understands, naming addresses in hex. */
  readonly message: string;
}

/** One thing an operation did to the heap, in the order it happened. */
export type HeapEvent =
  /**
   * A free block of `size + remainder` bytes at `addr` was allocated for a block of `asize` bytes:
   * `remainder` bytes were split off as a new free block (0: no split). `size === asize` is an exact fit;
   * `size > asize` means the leftover was too small to split and stays inside the block.
   */
  | { readonly type: 'placed'; readonly addr: number; readonly size: number; readonly asize: number; readonly remainder: number }
  /** The break moved: a new free block of `size` bytes at `addr`. */
  | { readonly type: 'extended'; readonly addr: number; readonly size: number; readonly oldBreak: number; readonly newBreak: number }
  /** Free neighbours were merged into one block at `addr` of `size` bytes. */
  | { readonly type: 'coalesced'; readonly addr: number; readonly size: number; readonly withPrev: number; readonly withNext: number }
  /** Deferred coalescing merged every run of adjacent free blocks (`merges` merges in all). */
  | { readonly type: 'coalesced-all'; readonly merges: number; readonly freeBlocksBefore: number; readonly freeBlocksAfter: number }
  /** The block at `addr` became free. */
  | { readonly type: 'freed'; readonly addr: number; readonly size: number }
  /** realloc kept the data where it was (`grow-prev` moves it down into the previous block). */
  | { readonly type: 'resized-in-place'; readonly addr: number; readonly oldSize: number; readonly newSize: number; readonly how: 'same' | 'shrink' | 'grow-next' | 'grow-prev' }
  /** realloc moved the data: `copied` bytes from `fromPtr` to `toPtr`. */
  | { readonly type: 'moved'; readonly fromPtr: number; readonly toPtr: number; readonly copied: number }
  /** calloc zeroed the payload. */
  | { readonly type: 'zeroed'; readonly ptr: number; readonly length: number }
  /** Payload bytes were written. */
  | { readonly type: 'wrote'; readonly addr: number; readonly length: number };

export type HeapEventType = HeapEvent['type'];

/** The result of one malloc, calloc, realloc, free or write. */
export interface OpResult {
  readonly op: OpKind;
  /** Bytes the caller asked for (calloc: count x size; free and write: 0). Inexact above 2^53. */
  readonly requestSize: number;
  /** The pointer returned (malloc, calloc, realloc; null = NULL) or operated on (free, write). */
  readonly ptr: number | null;
  /** The block handed out, or the block freed (before coalescing); null when there is none. */
  readonly block: { readonly addr: number; readonly size: number } | null;
  /** Blocks, allocated and free, the fit search visited (docs/engine.md, "Definitions pinned down"). */
  readonly examined: number;
  readonly events: readonly HeapEvent[];
  readonly problem: OpProblem | null;
}

export const BLOCK_STATUSES = ['allocated', 'free', 'unreusable'] as const;
export type BlockStatus = (typeof BLOCK_STATUSES)[number];

/** One block as read back from the heap's bytes, the way a debugger would. */
export interface BlockInfo {
  readonly addr: number;
  readonly size: number;
  readonly status: BlockStatus;
  readonly payloadAddr: number;
  /** Payload bytes the block offers (size minus header and, where kept, footer). */
  readonly payloadSize: number;
  /** The header word as stored; null for the header-less sbrk baseline. */
  readonly header: number | null;
  /** The boundary tag as stored; null where this layout keeps none. */
  readonly footer: number | null;
}

/** A sentinel as read back from memory. */
export interface SentinelInfo {
  readonly addr: number;
  readonly size: number;
  readonly header: number;
  readonly footer: number | null;
}

/** The block chain from the first block to the epilogue (or break). */
export interface HeapWalk {
  readonly blocks: readonly BlockInfo[];
  readonly prologue: SentinelInfo | null;
  readonly epilogue: SentinelInfo | null;
  readonly heapSize: number;
  /** Set when the walk could not reach the end: where and why it stopped. */
  readonly stopped: { readonly addr: number; readonly code: HeapIssueCode; readonly message: string } | null;
}

/**
 * The same walk as columns, one entry per block and no object per block: for drawing heaps of
 * hundreds of thousands of blocks. Arrays may be longer than `count`.
 */
export interface HeapColumns {
  readonly count: number;
  readonly addrs: Float64Array;
  readonly sizes: Float64Array;
  readonly payloadAddrs: Float64Array;
  readonly payloadSizes: Float64Array;
  /** The header and boundary tag words as stored; NaN where there is none. */
  readonly headers: Float64Array;
  readonly footers: Float64Array;
  /** BLOCK_STATUSES index of each block's status. */
  readonly status: Uint8Array;
  readonly prologue: SentinelInfo | null;
  readonly epilogue: SentinelInfo | null;
  readonly heapSize: number;
  readonly stopped: HeapWalk['stopped'];
}

/**
 * The block chain without its words (headers, footers, payload sizes), read from what the
 * allocator keeps rather than from memory: what a frame needs of the blocks outside its window
 * (docs/performance.md, "Walking only the window"). Never stopped short.
 */
export type ChainOutline = Pick<HeapColumns, 'count' | 'addrs' | 'sizes' | 'payloadAddrs' | 'status' | 'heapSize' | 'stopped'>;

/** Stable codes for what the heap checker finds. */
export const HEAP_ISSUE_CODES = [
  'bad-prologue',
  'bad-epilogue',
  'bad-block-size',
  'block-outside-heap',
  'heap-size-mismatch',
  'header-footer-mismatch',
  'prev-allocated-mismatch',
  'misaligned-payload',
  'adjacent-free-blocks',
  'payload-outside-heap',
  'live-payload-not-allocated',
  'allocated-block-not-live',
  'overlapping-payloads',
  // The explicit free list's invariants (docs/engine.md, "The explicit free list").
  'list-link-outside-heap',
  'list-link-not-free',
  'list-prev-mismatch',
  'list-cycle',
  'list-ends-mismatch',
  'free-block-not-on-list',
  'list-address-order',
  // Segregated free lists' (docs/engine.md, "Segregated free lists").
  'free-block-on-two-lists',
  'wrong-class',
  'carved-size',
  // The buddy system's invariants (docs/engine.md, "The buddy system").
  'buddy-arena-size',
  'buddy-bad-size',
  'buddy-misaligned',
  'buddy-unmerged',
  'buddy-wrong-list',
] as const;
export type HeapIssueCode = (typeof HEAP_ISSUE_CODES)[number];

export interface HeapIssue {
  readonly code: HeapIssueCode;
  readonly message: string;
  /** The block (header address) or payload the issue concerns. */
  readonly addr: number;
}

/**
 * What rebuilds an allocator's state without replaying from the start: the block structure, the
 * rover and the ledger; the heap's bytes only when asked (scripts that write data, corrupted heaps).
 */
export interface AllocatorSnapshot {
  readonly heapSize: number;
  readonly rover: number | null;
  /** Implicit list: each block's header word in chain order. sbrk: each region's size, +1 when live. */
  readonly blocks: Uint32Array;
  /** Live payload pointers and their requested sizes, as pairs (both below 2^32: the heap is at most 1 GiB). */
  readonly live: Uint32Array;
  /**
   * Pointers freed and not handed out again (so a later free of one is a double free rather than
   * an unknown pointer); empty when the snapshot was taken without them.
   */
  readonly freed: Uint32Array;
  readonly livePayload: number;
  readonly peakPayload: number;
  /** The whole heap's bytes (pages shared with the heap, copy-on-write), or null when the structure alone is enough. */
  readonly bytes: HeapBytes | null;
  /**
   * An explicit free list's ends and rover (block addresses, 0 for none), which live outside the
   * heap's bytes as the textbook's globals do; its links are in `bytes`, always kept for this list.
   */
  readonly freeList?: FreeListEnds;
  /** A segregated list's class lists' ends and rovers, one per class in class order (kept as `freeList` is). */
  readonly classLists?: readonly FreeListEnds[];
  /**
   * The buddy system's lists, one per order from its smallest block's up (rover unused), which
   * live outside the heap's bytes like `freeList`; their links are in `bytes`, always kept.
   */
  readonly orderLists?: readonly FreeListEnds[];
}

/** One free list threaded through free blocks' payloads, in list order, as a reader draws it. */
export interface FreeListNodes {
  /** How views name the list: "free list", a size class of a segregated list, an order of the buddy system. */
  readonly label: string;
  /** Header addresses of its nodes in list order, from the head (stops at a cycle or a link that leaves the heap). */
  readonly nodes: readonly number[];
  /** The next and prev link words as stored in each node, in the same order. */
  readonly next: readonly number[];
  readonly prev: readonly number[];
  /** The node next fit's next search starts at, or null (none: it starts at the head). */
  readonly rover: number | null;
}

/** An explicit free list's head, tail and next fit's rover: block addresses, 0 (the null link) for none. */
export interface FreeListEnds {
  readonly head: number;
  readonly tail: number;
  readonly rover: number;
}

/**
 * One size class of a segregated list and its list's ends: the block sizes it holds, from `min`
 * to `max` bytes (`max` null: unbounded, the last class), and its head, tail and next fit's rover.
 */
export interface SizeClassList extends FreeListEnds {
  readonly min: number;
  readonly max: number | null;
}

/**
 * The malloc lab's metrics plus the ones worth showing a student (docs/engine.md, "Metrics").
 *
 * The payload figures and the heap's size come from the driver's own bookkeeping (the live
 * pointers and the bytes each asked for) and the break, so they are always sound. The block
 * figures are read from the heap's blocks; once the program has written where it should not,
 * they are read from memory only while the heap checker accepts it, and are null (unknown) when
 * it does not: a corrupted header makes any count of blocks or free bytes a guess.
 */
export interface HeapMetrics {
  /** Sum of the requested sizes of live blocks. */
  readonly livePayload: number;
  /** The largest livePayload so far. */
  readonly peakPayload: number;
  /** Bytes between the heap's start and the break. */
  readonly heapSize: number;
  /** peakPayload / heapSize (0 for an empty heap); null when payloads overlapped, so that it would pass 1. */
  readonly utilisation: number | null;
  readonly allocatedBlocks: number | null;
  /** Block bytes minus requested bytes of allocated blocks. */
  readonly internalFragmentation: number | null;
  readonly freeBlocks: number | null;
  readonly freeBytes: number | null;
  readonly largestFree: number | null;
  /** 1 - largestFree / freeBytes (0 when nothing is free). */
  readonly externalFragmentation: number | null;
  /** Why some figures are null, in a sentence; null when every figure is known. */
  readonly unknown: string | null;
}
