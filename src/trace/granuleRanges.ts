// The live payload ranges of a replay while no two overlap and every one starts on an 8-byte
// boundary (an allocator that works: every replay of the engine's own allocators): a bitmap of the
// 8-byte granules the payloads cover, one of the granules where a payload starts, and three more
// with each payload's end within its last granule, interleaved. Checking a new payload is a look at its
// granules, no search, and a removal finds the payload's last granule in the first two bitmaps: no
// table of the live payloads, whose every look-up missed the cache (docs/performance.md, "At
// scale"). Two payloads that both start on a granule's boundary overlap exactly when they share a
// granule, so the bitmap answers mdriver's question exactly; anything else (a misaligned or empty
// payload, one far past any heap, an overlap, whose message names the payload overlapped) is
// refused, and `LiveRanges` carries on with its ordered ranges from then on.

import { grown } from '../engine/typedArrays';

/** Bytes per bit of the bitmap. */
const GRAIN = 8;
const GRAIN_SHIFT = 3;
/**
 * Ends beyond this are refused, and the ordered ranges take over: the words cost 5 bits a granule
 * up to the highest end, so this bounds them at 20 MB (a 1 GiB heap's would take 80 MB in a host
 * held under 1 GB; docs/limits.md). Heaps this big rarely hold many payloads.
 */
const LIMIT = 2 ** 28;

/** Words per 32 granules in `words`: covered, starts, then the three bits of the tails. */
const STRIDE = 5;
const STARTS = 1;
const TAILS = 2;

export class GranuleRanges {
  /**
   * Per 32 granules, STRIDE words side by side (an op's bits then lie in one or two cache lines):
   * one bit per granule covered by a live payload; one bit per granule where a live payload
   * starts; and at a payload's first granule its end less its last granule's start, less 1 (0 to
   * 7), in three bits of the three words from TAILS (read only by `sorted`).
   */
  private words = new Int32Array(STRIDE * 1024);
  /** Granules the words cover, in words of 32. */
  private size = 1024;

  /** Adds [start, end) when it lies on its own, aligned and not empty; false (nothing changed) otherwise. */
  tryAdd(start: number, end: number): boolean {
    if (!(start >= 0 && start % GRAIN === 0 && end > start && end <= LIMIT && (end | 0) === end)) return false;
    // Both integers below LIMIT: shifts, no division.
    const first = start >>> GRAIN_SHIFT;
    const last = (end - 1) >>> GRAIN_SHIFT;
    if (last >> 5 >= this.size) this.grow((last >> 5) + 1);
    // Its granules: none covered, then all covered, in one pass over their words.
    const words = this.words;
    const a = STRIDE * (first >> 5);
    const z = STRIDE * (last >> 5);
    const lo = -1 << (first & 31);
    const hi = -1 >>> (31 - (last & 31));
    if (a === z) {
      if ((words[a]! & lo & hi) !== 0) return false;
      words[a] = words[a]! | (lo & hi);
    } else {
      if ((words[a]! & lo) !== 0 || (words[z]! & hi) !== 0) return false;
      for (let w = a + STRIDE; w < z; w += STRIDE) if (words[w] !== 0) return false;
      words[a] = words[a]! | lo;
      words[z] = words[z]! | hi;
      for (let w = a + STRIDE; w < z; w += STRIDE) words[w] = -1;
    }
    const bit = 1 << (first & 31);
    const tail = (end - 1) & (GRAIN - 1);
    words[a + STARTS] = words[a + STARTS]! | bit;
    words[a + TAILS] = (words[a + TAILS]! & ~bit) | (-(tail & 1) & bit);
    words[a + TAILS + 1] = (words[a + TAILS + 1]! & ~bit) | (-((tail >> 1) & 1) & bit);
    words[a + TAILS + 2] = (words[a + TAILS + 2]! & ~bit) | (-(tail >> 2) & bit);
    return true;
  }

  /** Removes the payload starting at `start`; returns whether there was one. */
  remove(start: number): boolean {
    if (!(start >= 0 && start % GRAIN === 0 && start < LIMIT)) return false;
    const first = start >>> GRAIN_SHIFT;
    const bit = 1 << (first & 31);
    const at = STRIDE * (first >> 5) + STARTS;
    const words = this.words;
    if (first >> 5 >= this.size || (words[at]! & bit) === 0) return false;
    words[at] = words[at]! & ~bit;
    // Uncovers its granules, word by word, up to the first not covered or where another payload
    // starts (`lastOf`, found and cleared in one pass).
    let mask = -1 << (first & 31);
    for (let w = STRIDE * (first >> 5), end = STRIDE * this.size; w < end; w += STRIDE) {
      const stop = (~words[w]! | words[w + STARTS]!) & mask;
      if (stop !== 0) {
        words[w] = words[w]! & ~(mask & ((stop & -stop) - 1));
        return true;
      }
      words[w] = words[w]! & ~mask;
      mask = -1;
    }
    return true;
  }

  /** The live payloads as (start, end) pairs, in start order. */
  sorted(): [number, number][] {
    const out: [number, number][] = [];
    const words = this.words;
    for (let w = 0; w < this.size; w++) {
      const at = STRIDE * w;
      for (let starts = words[at + STARTS]!; starts !== 0; starts &= starts - 1) {
        const b = 31 - Math.clz32(starts & -starts);
        const first = (w << 5) + b;
        const tail = ((words[at + TAILS]! >>> b) & 1) | (((words[at + TAILS + 1]! >>> b) & 1) << 1) | (((words[at + TAILS + 2]! >>> b) & 1) << 2);
        out.push([first * GRAIN, this.lastOf(first) * GRAIN + tail + 1]);
      }
    }
    return out;
  }

  /**
   * The last granule of the live payload starting at granule `first`: the one before the next
   * granule not covered or where another payload starts (payloads share no granule).
   */
  private lastOf(first: number): number {
    const words = this.words;
    const g = first + 1;
    let mask = -1 << (g & 31);
    for (let w = g >> 5; w < this.size; w++) {
      const stop = (~words[STRIDE * w]! | words[STRIDE * w + STARTS]!) & mask;
      if (stop !== 0) return (w << 5) + (31 - Math.clz32(stop & -stop)) - 1;
      mask = -1;
    }
    return (this.size << 5) - 1;
  }

  /** Makes the words cover `size` words of granules at least. */
  private grow(size: number): void {
    this.size = Math.max(2 * this.size, size);
    this.words = grown(this.words, STRIDE * this.size);
  }
}
