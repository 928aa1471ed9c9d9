// The live payload ranges of a replay, ordered by (start, end), for mdriver's "no overlap" check
// in O(log n) per op.

import { SortedPairs } from '../engine/sortedPairs';

export class LiveRanges {
  private readonly ranges = new SortedPairs();

  /** A live range that overlaps [start, end), or null. */
  overlapping(start: number, end: number): { start: number; end: number } | null {
    const r = this.ranges;
    // The last range starting at or before `start`, then the first starting after it.
    if (r.floor(start, Infinity) && r.foundB > start) return { start: r.foundA, end: r.foundB };
    if (r.ceiling(start, Infinity) && r.foundA < end) return { start: r.foundA, end: r.foundB };
    return null;
  }

  add(start: number, end: number): void {
    this.ranges.insert(start, end);
  }

  /** Removes a range starting at `start`; returns whether there was one. */
  remove(start: number): boolean {
    const r = this.ranges;
    return r.ceiling(start, -Infinity) && r.foundA === start && r.remove(start, r.foundB);
  }
}
