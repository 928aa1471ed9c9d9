// The live payload ranges of a replay while no two overlap and every one starts on an 8-byte
// boundary (an allocator that works: every replay of the engine's own allocators): a bitmap of the
// 8-byte granules the payloads cover, and each payload's end by its start in a small hash table of
// the live ones. Checking a new payload is a look at its granules, no search (docs/performance.md,
// "At scale"). Two payloads that both start on a granule's boundary overlap exactly when they share
// a granule, so the bitmap answers mdriver's question exactly; anything else (a misaligned or empty
// payload, one far past any heap, an overlap, whose message names the payload overlapped) is
// refused, and `LiveRanges` carries on with its ordered ranges from then on.

import { grown } from '../engine/typedArrays';

/** Bytes per bit of the bitmap. */
const GRAIN = 8;
/** Ends beyond this are refused (heaps stay below 2^30 bytes). */
const LIMIT = 2 ** 30;
const EMPTY = -1;

export class GranuleRanges {
  /** One bit per granule covered by a live payload. */
  private bits = new Int32Array(1024);
  /** Live payloads' starts and ends, open addressing with linear probing. */
  private keys = new Int32Array(1024).fill(EMPTY);
  private ends = new Int32Array(1024);
  private mask = 1023;
  private count = 0;

  /** Adds [start, end) when it lies on its own, aligned and not empty; false (nothing changed) otherwise. */
  tryAdd(start: number, end: number): boolean {
    if (!(start >= 0 && start % GRAIN === 0 && end > start && end <= LIMIT)) return false;
    const first = start / GRAIN;
    const last = Math.ceil(end / GRAIN) - 1;
    if (last >> 5 >= this.bits.length) this.bits = grown(this.bits, Math.max(2 * this.bits.length, (last >> 5) + 1));
    if (this.anySet(first, last)) return false;
    this.setBits(first, last, true);
    let i = this.slot(start);
    while (this.keys[i] !== EMPTY) i = (i + 1) & this.mask;
    this.keys[i] = start;
    this.ends[i] = end;
    if (++this.count * 2 > this.keys.length) this.rehash();
    return true;
  }

  /** Removes the payload starting at `start`; returns whether there was one. */
  remove(start: number): boolean {
    if (start < 0) return false;
    const keys = this.keys;
    const mask = this.mask;
    let i = this.slot(start);
    for (;;) {
      const k = keys[i]!;
      if (k === start) break;
      if (k === EMPTY) return false;
      i = (i + 1) & mask;
    }
    const end = this.ends[i]!;
    this.setBits(start / GRAIN, Math.ceil(end / GRAIN) - 1, false);
    // Backward-shift deletion: later entries of the probe run move into the hole.
    let hole = i;
    for (let j = (i + 1) & mask; keys[j] !== EMPTY; j = (j + 1) & mask) {
      // Entry j may fill the hole when its home is not cyclically in (hole, j].
      if (((j - this.slot(keys[j]!)) & mask) >= ((j - hole) & mask)) {
        keys[hole] = keys[j]!;
        this.ends[hole] = this.ends[j]!;
        hole = j;
      }
    }
    keys[hole] = EMPTY;
    this.count--;
    return true;
  }

  /** The live payloads as (start, end) pairs, in start order. */
  sorted(): [number, number][] {
    const out: [number, number][] = [];
    for (let i = 0; i < this.keys.length; i++) if (this.keys[i] !== EMPTY) out.push([this.keys[i]!, this.ends[i]!]);
    return out.sort((a, b) => a[0] - b[0]);
  }

  private slot(start: number): number {
    return (Math.imul(start, 0x9e3779b1) >>> 9) & this.mask;
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

  private rehash(): void {
    const keys = this.keys;
    const ends = this.ends;
    this.keys = new Int32Array(2 * keys.length).fill(EMPTY);
    this.ends = new Int32Array(2 * keys.length);
    this.mask = this.keys.length - 1;
    for (let j = 0; j < keys.length; j++) {
      if (keys[j] === EMPTY) continue;
      let i = this.slot(keys[j]!);
      while (this.keys[i] !== EMPTY) i = (i + 1) & this.mask;
      this.keys[i] = keys[j]!;
      this.ends[i] = ends[j]!;
    }
  }
}
