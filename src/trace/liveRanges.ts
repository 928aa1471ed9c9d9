// The live payload ranges of a replay for mdriver's "no overlap" check. While they are aligned
// and apart, a bitmap of granules answers (granuleRanges.ts); from the first that is not, the
// ranges ordered by start: one binary search per op. Ranges sit in chunks of 32 to 64 (typed arrays, so a search touches few
// cache lines), found through an array of each chunk's first start. Heaps stay below 2^30
// bytes, so 32 bits hold every address (an end past 2^31, of a payload that cannot be in the
// heap anyway, is kept as 2^31 - 1).

import { grown } from '../engine/typedArrays';
import { lowerBound, upperBound } from '../shared/bisect';
import { GranuleRanges } from './granuleRanges';

/** Ranges per chunk: a chunk splits at twice this. */
const CHUNK = 32;

export class LiveRanges {
  private starts: Int32Array[] = [];
  private ends: Int32Array[] = [];
  private lengths: number[] = [];
  /** Each chunk's first start, by position. */
  private firsts = new Int32Array(16);
  /** The live range the last `add` found overlapping. */
  clashStart = 0;
  clashEnd = 0;
  /**
   * The ranges while they are aligned and apart (every replay of an allocator that works): a
   * bitmap, no search. Null from the first range it refuses on: its ranges are then moved into
   * the ordered chunks, which answer from then on.
   */
  private granules: GranuleRanges | null = new GranuleRanges();

  /**
   * Adds [start, end) (after any range with the same start). Returns whether it overlaps a live
   * range: the last one starting at or before `start`, or the first starting after it
   * (`clashStart`, `clashEnd`). Once ranges overlap each other, others may overlap too.
   */
  add(start: number, end: number): boolean {
    const granules = this.granules;
    if (granules !== null) {
      if (granules.tryAdd(start, end)) return false;
      this.granules = null;
      for (const [s, e] of granules.sorted()) this.insert(s, e);
    }
    return this.insert(start, end);
  }

  /** Removes a range starting at `start` (the first added, among equals); returns whether there was one. */
  remove(start: number): boolean {
    return this.granules !== null ? this.granules.remove(start) : this.removeSorted(start);
  }

  /** `add` on the ordered chunks. */
  private insert(start: number, end: number): boolean {
    start = clamp(start);
    end = clamp(end);
    if (this.lengths.length === 0) this.insertChunk(0);
    const c = this.chunkOf(start, true);
    const starts = this.starts[c]!;
    const ends = this.ends[c]!;
    const n = this.lengths[c]!;
    const k = upperBound(starts, start, n);
    // Before it: in this chunk, since its first start is <= start (unless it is the first chunk).
    let clash = false;
    if (k > 0 && ends[k - 1]! > start) clash = this.clash(starts[k - 1]!, ends[k - 1]!);
    else if (k < n) {
      if (starts[k]! < end) clash = this.clash(starts[k]!, ends[k]!);
    } else if (c + 1 < this.lengths.length && this.firsts[c + 1]! < end) {
      clash = this.clash(this.firsts[c + 1]!, this.ends[c + 1]![0]!);
    }
    for (let j = n; j > k; j--) {
      starts[j] = starts[j - 1]!;
      ends[j] = ends[j - 1]!;
    }
    starts[k] = start;
    ends[k] = end;
    this.lengths[c] = n + 1;
    if (k === 0) this.firsts[c] = start;
    if (n + 1 > 2 * CHUNK) this.split(c);
    return clash;
  }

  private removeSorted(start: number): boolean {
    start = clamp(start);
    if (this.lengths.length === 0) return false;
    let c = this.chunkOf(start, false);
    let n = this.lengths[c]!;
    let starts = this.starts[c]!;
    let k = lowerBound(starts, start, n);
    if (k === n && c + 1 < this.lengths.length) {
      c++;
      k = 0;
      n = this.lengths[c]!;
      starts = this.starts[c]!;
    }
    if (k >= n || starts[k] !== start) return false;
    const ends = this.ends[c]!;
    for (let j = k + 1; j < n; j++) {
      starts[j - 1] = starts[j]!;
      ends[j - 1] = ends[j]!;
    }
    this.lengths[c] = n - 1;
    if (n === 1 && this.lengths.length > 1) this.removeChunk(c);
    else if (k === 0) this.firsts[c] = starts[0]!;
    return true;
  }

  private clash(start: number, end: number): true {
    this.clashStart = start;
    this.clashEnd = end;
    return true;
  }

  /**
   * The last chunk whose first start is <= start (`orEqual`) or < start; the first chunk when
   * there is none.
   */
  private chunkOf(start: number, orEqual: boolean): number {
    const n = this.lengths.length;
    const after = orEqual ? upperBound(this.firsts, start, n) : lowerBound(this.firsts, start, n);
    return Math.max(0, after - 1);
  }

  private split(c: number): void {
    const n = this.lengths[c]!;
    this.insertChunk(c + 1);
    this.starts[c + 1]!.set(this.starts[c]!.subarray(CHUNK, n));
    this.ends[c + 1]!.set(this.ends[c]!.subarray(CHUNK, n));
    this.lengths[c + 1] = n - CHUNK;
    this.lengths[c] = CHUNK;
    this.firsts[c + 1] = this.starts[c + 1]![0]!;
  }

  private insertChunk(c: number): void {
    this.starts.splice(c, 0, new Int32Array(2 * CHUNK + 1));
    this.ends.splice(c, 0, new Int32Array(2 * CHUNK + 1));
    this.lengths.splice(c, 0, 0);
    if (this.firsts.length < this.lengths.length) {
      this.firsts = grown(this.firsts, this.firsts.length * 2);
    }
    this.firsts.copyWithin(c + 1, c, this.lengths.length - 1);
  }

  private removeChunk(c: number): void {
    this.starts.splice(c, 1);
    this.ends.splice(c, 1);
    this.lengths.splice(c, 1);
    this.firsts.copyWithin(c, c + 1, this.lengths.length + 1);
  }
}

function clamp(addr: number): number {
  return Math.max(-0x80000000, Math.min(0x7fffffff, addr));
}
