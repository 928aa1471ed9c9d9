// The live payload ranges of a replay, ordered by address, for mdriver's "no overlap" check in
// O(log n + sqrt n) per op: sorted chunks of at most CHUNK entries (no tree to rebalance).

const CHUNK = 512;

interface Chunk {
  starts: number[];
  ends: number[];
}

export class LiveRanges {
  private chunks: Chunk[] = [];

  /** A live range that overlaps [start, end), or null. */
  overlapping(start: number, end: number): { start: number; end: number } | null {
    const c = this.chunkIndex(start);
    if (c < 0) return this.first(end);
    const chunk = this.chunks[c]!;
    const k = upperBound(chunk.starts, start) - 1; // the last range starting at or before `start`
    if (k >= 0 && chunk.ends[k]! > start) return { start: chunk.starts[k]!, end: chunk.ends[k]! };
    // The first range starting after `start`.
    const nextK = k + 1;
    const next = nextK < chunk.starts.length ? { s: chunk.starts[nextK]!, e: chunk.ends[nextK]! } : this.headOf(c + 1);
    if (next && next.s < end) return { start: next.s, end: next.e };
    return null;
  }

  add(start: number, end: number): void {
    if (this.chunks.length === 0) {
      this.chunks.push({ starts: [start], ends: [end] });
      return;
    }
    const c = Math.max(0, this.chunkIndex(start));
    const chunk = this.chunks[c]!;
    const k = upperBound(chunk.starts, start);
    chunk.starts.splice(k, 0, start);
    chunk.ends.splice(k, 0, end);
    if (chunk.starts.length > 2 * CHUNK) {
      this.chunks.splice(c + 1, 0, { starts: chunk.starts.splice(CHUNK), ends: chunk.ends.splice(CHUNK) });
    }
  }

  /** Removes the range starting at `start`; returns whether there was one. */
  remove(start: number): boolean {
    const c = this.chunkIndex(start);
    if (c < 0) return false;
    const chunk = this.chunks[c]!;
    const k = upperBound(chunk.starts, start) - 1;
    if (k < 0 || chunk.starts[k] !== start) return false;
    chunk.starts.splice(k, 1);
    chunk.ends.splice(k, 1);
    if (chunk.starts.length === 0) this.chunks.splice(c, 1);
    return true;
  }

  /** The chunk whose first start is the last one <= key, or -1 when key precedes everything. */
  private chunkIndex(key: number): number {
    let lo = 0;
    let hi = this.chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.chunks[mid]!.starts[0]! <= key) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }

  private headOf(c: number): { s: number; e: number } | null {
    const chunk = this.chunks[c];
    return chunk ? { s: chunk.starts[0]!, e: chunk.ends[0]! } : null;
  }

  private first(end: number): { start: number; end: number } | null {
    const head = this.headOf(0);
    return head && head.s < end ? { start: head.s, end: head.e } : null;
  }
}

/** The index of the first element > key. */
function upperBound(sorted: readonly number[], key: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! <= key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
