// The live payload ranges of a replay while no two overlap and every one starts on an 8-byte
// boundary (an allocator that works: every replay of the engine's own allocators): a bitmap of the
// 8-byte granules the payloads cover, one of the granules where a payload starts, and three more
// with each payload's end within its last granule. Checking a new payload is a look at its
// granules, no search, and a removal finds the payload's last granule in the first two bitmaps: no
// table of the live payloads, whose every look-up missed the cache (docs/performance.md, "At
// scale"). Two payloads that both start on a granule's boundary overlap exactly when they share a
// granule, so the bitmap answers mdriver's question exactly; anything else (a misaligned or empty
// payload, one far past any heap, an overlap, whose message names the payload overlapped) is
// refused, and `LiveRanges` carries on with its ordered ranges from then on.

import { grown } from '../engine/typedArrays';

/** Bytes per bit of the bitmap. */
const GRAIN = 8;
/** Ends beyond this are refused (heaps stay below 2^30 bytes). */
const LIMIT = 2 ** 30;

export class GranuleRanges {
  /** One bit per granule covered by a live payload. */
  private bits = new Int32Array(1024);
  /** One bit per granule where a live payload starts. */
  private starts = new Int32Array(1024);
  /**
   * At a live payload's first granule: its end less its last granule's start, less 1 (0 to 7), in
   * three bits, the three words of `bits`' word w at 3w, 3w + 1 and 3w + 2 (read only by `sorted`).
   */
  private tails = new Int32Array(3 * 1024);

  /** Adds [start, end) when it lies on its own, aligned and not empty; false (nothing changed) otherwise. */
  tryAdd(start: number, end: number): boolean {
    if (!(start >= 0 && start % GRAIN === 0 && end > start && end <= LIMIT)) return false;
    const first = start / GRAIN;
    const last = Math.ceil(end / GRAIN) - 1;
    if (last >> 5 >= this.bits.length) this.grow((last >> 5) + 1);
    if (this.anySet(first, last)) return false;
    this.setBits(first, last, true);
    const w = first >> 5;
    const bit = 1 << (first & 31);
    this.starts[w] = this.starts[w]! | bit;
    const tail = end - last * GRAIN - 1;
    const tails = this.tails;
    const t = 3 * w;
    tails[t] = tail & 1 ? tails[t]! | bit : tails[t]! & ~bit;
    tails[t + 1] = tail & 2 ? tails[t + 1]! | bit : tails[t + 1]! & ~bit;
    tails[t + 2] = tail & 4 ? tails[t + 2]! | bit : tails[t + 2]! & ~bit;
    return true;
  }

  /** Removes the payload starting at `start`; returns whether there was one. */
  remove(start: number): boolean {
    if (!(start >= 0 && start % GRAIN === 0 && start < LIMIT)) return false;
    const first = start / GRAIN;
    const w = first >> 5;
    const bit = 1 << (first & 31);
    const starts = this.starts;
    if (w >= starts.length || (starts[w]! & bit) === 0) return false;
    starts[w] = starts[w]! & ~bit;
    this.setBits(first, this.lastOf(first), false);
    return true;
  }

  /** The live payloads as (start, end) pairs, in start order. */
  sorted(): [number, number][] {
    const out: [number, number][] = [];
    const starts = this.starts;
    const tails = this.tails;
    for (let w = 0; w < starts.length; w++) {
      for (let word = starts[w]!; word !== 0; word &= word - 1) {
        const b = 31 - Math.clz32(word & -word);
        const first = (w << 5) + b;
        const tail = ((tails[3 * w]! >>> b) & 1) | (((tails[3 * w + 1]! >>> b) & 1) << 1) | (((tails[3 * w + 2]! >>> b) & 1) << 2);
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
    const bits = this.bits;
    const starts = this.starts;
    const g = first + 1;
    let mask = -1 << (g & 31);
    for (let w = g >> 5; w < bits.length; w++) {
      const stop = (~bits[w]! | starts[w]!) & mask;
      if (stop !== 0) return (w << 5) + (31 - Math.clz32(stop & -stop)) - 1;
      mask = -1;
    }
    return (bits.length << 5) - 1;
  }

  /** Makes the bitmaps cover `words` words of granules at least. */
  private grow(words: number): void {
    const length = Math.max(2 * this.bits.length, words);
    this.bits = grown(this.bits, length);
    this.starts = grown(this.starts, length);
    this.tails = grown(this.tails, 3 * length);
  }

  /** Whether any granule in [first, last] is covered. */
  private anySet(first: number, last: number): boolean {
    const bits = this.bits;
    const w0 = first >> 5;
    const w1 = last >> 5;
    const lo = -1 << (first & 31);
    const hi = -1 >>> (31 - (last & 31));
    if (w0 === w1) return (bits[w0]! & lo & hi) !== 0;
    if ((bits[w0]! & lo) !== 0 || (bits[w1]! & hi) !== 0) return true;
    for (let w = w0 + 1; w < w1; w++) if (bits[w] !== 0) return true;
    return false;
  }

  /** Covers (or uncovers) the granules in [first, last]. */
  private setBits(first: number, last: number, on: boolean): void {
    const bits = this.bits;
    const w0 = first >> 5;
    const w1 = last >> 5;
    const lo = -1 << (first & 31);
    const hi = -1 >>> (31 - (last & 31));
    if (w0 === w1) {
      bits[w0] = on ? bits[w0]! | (lo & hi) : bits[w0]! & ~(lo & hi);
      return;
    }
    bits[w0] = on ? bits[w0]! | lo : bits[w0]! & ~lo;
    bits[w1] = on ? bits[w1]! | hi : bits[w1]! & ~hi;
    for (let w = w0 + 1; w < w1; w++) bits[w] = on ? -1 : 0;
  }
}
