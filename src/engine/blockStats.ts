// Running totals of the block chain (allocated and free counts and bytes, the largest free block)
// kept by the allocator as blocks change, so metrics after every op cost O(log n), not a walk.
// Tests check them against a full walk of memory after every op.

import type { HeapWalk } from './results';

/** Tracks the largest of a multiset of sizes under insertions and deletions (lazy max-heap). */
class LargestSize {
  private readonly counts = new Map<number, number>();
  private heap: number[] = [];

  add(size: number): void {
    const c = this.counts.get(size) ?? 0;
    this.counts.set(size, c + 1);
    if (c === 0) this.push(size);
  }

  remove(size: number): void {
    const c = this.counts.get(size) ?? 0;
    if (c <= 1) this.counts.delete(size);
    else this.counts.set(size, c - 1);
  }

  max(): number {
    const heap = this.heap;
    while (heap.length > 0 && !this.counts.has(heap[0]!)) this.pop();
    if (heap.length > 2 * this.counts.size + 64) this.rebuild();
    return heap[0] ?? 0;
  }

  private rebuild(): void {
    this.heap = [];
    for (const size of this.counts.keys()) this.push(size);
  }

  private push(size: number): void {
    const heap = this.heap;
    let i = heap.length;
    heap.push(size);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent]! >= size) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = size;
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop()!;
    if (heap.length === 0) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= heap.length) break;
      const r = l + 1;
      const c = r < heap.length && heap[r]! > heap[l]! ? r : l;
      if (heap[c]! <= last) break;
      heap[i] = heap[c]!;
      i = c;
    }
    heap[i] = last;
  }
}

export class BlockStats {
  allocatedBlocks = 0;
  allocatedBytes = 0;
  freeBlocks = 0;
  freeBytes = 0;
  private readonly largest = new LargestSize();
  /** Where the largest free size comes from instead, when something else keeps it (the fit index). */
  private source: { largestFreeSize(): number } | null = null;
  /** Blocks tracked so far, and how many had been when the totals were last counted from a walk. */
  private changes = 0;
  private counted = -1;
  private walkedLargest = 0;

  /**
   * `walk`: keep no running totals but count them from a walk of the heap when read, if blocks
   * changed since the last count. For an allocator that replays many ops between reads.
   */
  constructor(private readonly walk: (() => HeapWalk) | null = null) {}

  /** Takes the largest free size from `source` from now on (call before tracking any block). */
  largestFrom(source: { largestFreeSize(): number }): void {
    this.source = source;
  }

  /** A block of `size` bytes appeared (`+1`) or disappeared (`-1`). */
  track(size: number, allocated: boolean, delta: 1 | -1): void {
    this.changes++;
    if (this.walk) return;
    if (allocated) {
      this.allocatedBlocks += delta;
      this.allocatedBytes += delta * size;
    } else {
      this.freeBlocks += delta;
      this.freeBytes += delta * size;
      if (this.source) return;
      if (delta > 0) this.largest.add(size);
      else this.largest.remove(size);
    }
  }

  /**
   * Several blocks changed at once, by these net amounts: for an allocator whose largest free size
   * comes from elsewhere (`largestFrom`) or from walks, which need no sizes one by one.
   */
  change(allocatedBlocks: number, allocatedBytes: number, freeBlocks: number, freeBytes: number): void {
    this.changes++;
    if (this.walk) return;
    if (!this.source) throw new Error('BlockStats.change needs the largest free size kept elsewhere');
    this.allocatedBlocks += allocatedBlocks;
    this.allocatedBytes += allocatedBytes;
    this.freeBlocks += freeBlocks;
    this.freeBytes += freeBytes;
  }

  /** The totals as they are now. */
  current(): this {
    if (this.walk && this.counted !== this.changes) {
      const totals = totalsOf(this.walk());
      this.allocatedBlocks = totals.allocatedBlocks;
      this.allocatedBytes = totals.allocatedBytes;
      this.freeBlocks = totals.freeBlocks;
      this.freeBytes = totals.freeBytes;
      this.walkedLargest = totals.largestFree;
      this.counted = this.changes;
    }
    return this;
  }

  get largestFree(): number {
    if (this.walk) return this.current().walkedLargest;
    return this.source ? this.source.largestFreeSize() : this.largest.max();
  }
}

/** What the metrics are made from: the block chain's counts and bytes, and its largest free block. */
export interface BlockTotals {
  readonly allocatedBlocks: number;
  readonly allocatedBytes: number;
  readonly freeBlocks: number;
  readonly freeBytes: number;
  readonly largestFree: number;
}

/** The totals of a walk's blocks (the truth in memory). */
export function totalsOf(walk: HeapWalk): BlockTotals {
  const totals = { allocatedBlocks: 0, allocatedBytes: 0, freeBlocks: 0, freeBytes: 0, largestFree: 0 };
  for (const block of walk.blocks) {
    if (block.status === 'allocated') {
      totals.allocatedBlocks++;
      totals.allocatedBytes += block.size;
    } else if (block.status === 'free') {
      totals.freeBlocks++;
      totals.freeBytes += block.size;
      if (block.size > totals.largestFree) totals.largestFree = block.size;
    }
  }
  return totals;
}
