// A sorted multiset of number pairs, ordered by (a, b): free blocks by (size, address) for best
// fit. Chunks of typed arrays, so an insertion moves a few dozen numbers in one cache-friendly run
// and no object is made per pair.

import { firstIndex } from '../shared/bisect';

const CHUNK = 64;

interface Chunk {
  readonly a: Float64Array;
  readonly b: Float64Array;
  length: number;
}

export class SortedPairs {
  private chunks: Chunk[] = [];
  /** The pair the last ceiling found. */
  foundA = 0;
  foundB = 0;

  clear(): void {
    this.chunks = [];
  }

  /** Replaces the contents with pairs already in (a, b) order. */
  loadSorted(a: ArrayLike<number>, b: ArrayLike<number>, n: number): void {
    this.chunks = [];
    for (let start = 0; start < n; start += CHUNK) {
      const chunk = newChunk();
      const end = Math.min(n, start + CHUNK);
      for (let k = start; k < end; k++) {
        chunk.a[k - start] = a[k]!;
        chunk.b[k - start] = b[k]!;
      }
      chunk.length = end - start;
      this.chunks.push(chunk);
    }
  }

  /** Adds a pair (after any equal ones). */
  insert(a: number, b: number): void {
    if (this.chunks.length === 0) this.chunks.push(newChunk());
    const c = Math.max(0, this.chunkAtOrBefore(a, b, true));
    const chunk = this.chunks[c]!;
    const k = position(chunk, a, b, true);
    const ca = chunk.a;
    const cb = chunk.b;
    for (let j = chunk.length; j > k; j--) {
      ca[j] = ca[j - 1]!;
      cb[j] = cb[j - 1]!;
    }
    ca[k] = a;
    cb[k] = b;
    chunk.length++;
    if (chunk.length > 2 * CHUNK) {
      const right = newChunk();
      right.a.set(ca.subarray(CHUNK, chunk.length));
      right.b.set(cb.subarray(CHUNK, chunk.length));
      right.length = chunk.length - CHUNK;
      chunk.length = CHUNK;
      this.chunks.splice(c + 1, 0, right);
    }
  }

  /** Removes one pair equal to (a, b); returns whether there was one. */
  remove(a: number, b: number): boolean {
    // The last chunk starting at or before the pair: an equal pair, if any, is in it.
    const c = this.chunkAtOrBefore(a, b, true);
    if (c < 0) return false;
    const chunk = this.chunks[c]!;
    const k = position(chunk, a, b, false);
    if (k >= chunk.length || chunk.a[k] !== a || chunk.b[k] !== b) return false;
    const ca = chunk.a;
    const cb = chunk.b;
    for (let j = k + 1; j < chunk.length; j++) {
      ca[j - 1] = ca[j]!;
      cb[j - 1] = cb[j]!;
    }
    chunk.length--;
    if (chunk.length === 0) this.chunks.splice(c, 1);
    return true;
  }

  /** The first pair >= (a, b), into foundA/foundB; false when there is none. */
  ceiling(a: number, b: number): boolean {
    for (let c = Math.max(0, this.chunkAtOrBefore(a, b, false)); c < this.chunks.length; c++) {
      const chunk = this.chunks[c]!;
      const k = position(chunk, a, b, false);
      if (k < chunk.length) {
        this.foundA = chunk.a[k]!;
        this.foundB = chunk.b[k]!;
        return true;
      }
    }
    return false;
  }

  /**
   * The last chunk whose first pair is before (a, b) — or at it, when `orEqual` — or -1.
   * Inserting after equal pairs and removing one use `orEqual`; the first pair >= a key does not
   * (an equal pair may end the chunk before).
   */
  private chunkAtOrBefore(a: number, b: number, orEqual: boolean): number {
    const chunks = this.chunks;
    const after = (k: number): boolean => {
      const chunk = chunks[k]!;
      const fa = chunk.a[0]!;
      const fb = chunk.b[0]!;
      return !(fa < a || (fa === a && (fb < b || (orEqual && fb === b))));
    };
    return firstIndex(chunks.length, after) - 1;
  }
}

function newChunk(): Chunk {
  return { a: new Float64Array(2 * CHUNK + 1), b: new Float64Array(2 * CHUNK + 1), length: 0 };
}

/** The first position in the chunk whose pair is > (a, b) when `after`, else >= (a, b). */
function position(chunk: Chunk, a: number, b: number, after: boolean): number {
  const ca = chunk.a;
  const cb = chunk.b;
  return firstIndex(chunk.length, (k) => {
    const pa = ca[k]!;
    const pb = cb[k]!;
    return !(pa < a || (pa === a && (pb < b || (after && pb === b))));
  });
}

/** Free blocks ordered by (size, address). */
export class SizeOrder {
  private readonly pairs = new SortedPairs();

  insert(size: number, addr: number): void {
    this.pairs.insert(size, addr);
  }

  remove(size: number, addr: number): void {
    this.pairs.remove(size, addr);
  }

  /** Replaces the contents with free blocks given in address order. */
  load(sizes: readonly number[], addrs: readonly number[]): void {
    // Sorted by size with one numeric sort of (size, position) keys (positions below 2^22: a
    // heap of at most 1 GiB has fewer free blocks than that... unless it is nearly all tiny ones).
    const n = sizes.length;
    if (n >= 4194304) {
      this.pairs.clear();
      for (let k = 0; k < n; k++) this.pairs.insert(sizes[k]!, addrs[k]!);
      return;
    }
    const keys = new Float64Array(n);
    for (let k = 0; k < n; k++) keys[k] = sizes[k]! * 4194304 + k;
    keys.sort();
    const a = new Float64Array(n);
    const b = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      const at = keys[k]! % 4194304;
      a[k] = sizes[at]!;
      b[k] = addrs[at]!;
    }
    this.pairs.loadSorted(a, b, n);
  }

  /** The smallest (size, address) with size >= `size`, or null. */
  atLeast(size: number): { size: number; addr: number } | null {
    return this.pairs.ceiling(size, -1) ? { size: this.pairs.foundA, addr: this.pairs.foundB } : null;
  }
}
