// The allocator interface: what every simulated allocator offers (allocatorBase.ts holds the
// half they share, sbrkAllocator.ts and implicitAllocator.ts the rest).

import type { BlockTotals } from './blockStats';
import type { FitSearch } from './fitSearch';
import type { HeapConfig } from './config';
import type { HeapMemory } from './memory';
import type { AllocatorSnapshot, ChainOutline, FreeListNodes, HeapColumns, HeapIssue, HeapMetrics, HeapWalk, OpResult, RequestSize } from './results';

/** The heap's size, its live and peak payload, and the block totals, as `Allocator.runningFigures` gives them. */
export interface RunningFigures {
  readonly heapSize: number;
  readonly livePayload: number;
  readonly peakPayload: number;
  readonly totals: BlockTotals;
}

/** A simulated allocator over a heap of real bytes. No method throws. */
export interface Allocator {
  readonly config: HeapConfig;
  /** The heap's bytes. */
  readonly memory: HeapMemory;
  /** Bytes from the heap's start to the break. */
  readonly heapSize: number;
  /** Next fit's roving pointer (a block address); null for allocators without one. */
  readonly rover: number | null;
  /** Live payload pointers and the bytes requested for each. */
  readonly liveAllocations: ReadonlyMap<number, number>;
  malloc(size: RequestSize): OpResult;
  calloc(count: RequestSize, size: RequestSize): OpResult;
  realloc(ptr: number | null, size: RequestSize): OpResult;
  free(ptr: number | null): OpResult;
  /** Stores bytes at `ptr + offset`, as a C program would: past the payload's end it overwrites what follows. */
  write(ptr: number, offset: number, data: Uint8Array): OpResult;
  /** memset(ptr + offset, byte, length). */
  fill(ptr: number, offset: number, length: number, byte: number): OpResult;
  /** A copy of `length` bytes at `ptr`, or null when the range is not inside the heap. */
  read(ptr: number, length: number): Uint8Array | null;
  /** The free lists threaded through the free blocks, each in list order; empty for allocators without one (docs/engine.md). */
  freeLists(): readonly FreeListNodes[];
  /** The block chain read back from memory. */
  walk(): HeapWalk;
  /** The same walk as columns (no object per block), for big heaps. */
  walkColumns(): HeapColumns;
  /**
   * The chain's addresses, sizes and states as the allocator kept them since a restore, equal to
   * the walk's when not null; null when it keeps none or memory may disagree (a program wrote it).
   */
  outline(): ChainOutline | null;
  /** The walk's columns for the `count` blocks from the block at `from` (an address the walk or the outline gave) only. */
  walkWindow(from: number, count: number): HeapColumns;
  /** Heap checker: every inconsistency found in memory and against the live pointers. */
  check(): HeapIssue[];
  /** Metrics after the last op, from the allocator's running totals (cheap). */
  metrics(): HeapMetrics;
  /**
   * The figures `metrics()` is made from, without making an object: one record, rewritten by
   * each call (a replay reads them after every op: docs/performance.md, "No object per op").
   * Null when the block totals must be counted from memory (a heap the program wrote over):
   * then `metrics()` says what is known.
   */
  runningFigures(): RunningFigures | null;
  /** The same metrics recomputed from a walk of memory (the truth when the heap is corrupted). */
  walkMetrics(): HeapMetrics;
  /**
   * What `restoreAllocator` needs to rebuild this state; the heap's bytes only when `withBytes`
   * (their pages shared copy-on-write: O(pages), not O(bytes));
   * the freed pointers (which only tell a double free from an unknown pointer) unless `withFreed` is false.
   */
  snapshot(withBytes: boolean, withFreed?: boolean): AllocatorSnapshot;
  /**
   * Quiet: op results record no events and no block (the heap changes all the same), for an
   * allocator that replays ops only to reach a state, and makes no garbage doing so: every op
   * returns the same record, valid until the next op.
   */
  setQuiet(quiet: boolean): void;
  /**
   * Recycling: op results record everything, but in one record (its block and events array
   * included) that each op rewrites, valid until the next op: for a replay that reads each
   * result at once and keeps none (docs/performance.md, "No object per op").
   */
  setRecycling(recycling: boolean): void;
}

/** How an allocator is built, beyond its configuration. */
export interface AllocatorOptions {
  /**
   * Count the block totals behind `metrics()` from a walk when asked, instead of keeping them up
   * to date op by op: for an allocator that replays many ops between reads of its metrics.
   */
  readonly totalsOnDemand?: boolean;
  /** Start quiet (see `Allocator.setQuiet`). */
  readonly quiet?: boolean;
  /**
   * A fit search to use instead of the allocator's own. For replaying ops whose choices were
   * already recorded: the allocator does everything else itself. No effect on the sbrk baseline.
   */
  readonly fitSearch?: FitSearch;
}
