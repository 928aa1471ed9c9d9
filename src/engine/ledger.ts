// The driver's ledger: which pointers are live and how many bytes each caller asked for.
// The allocator itself keeps no such table (its truth is in the heap's bytes); this is what
// mdriver tracks to judge it: live payload, peak payload, and whether a pointer may be freed.

import { DenseSet } from './denseSet';
import { grown } from './typedArrays';

/** What the ledger knows of a pointer. */
export type PointerStatus = 'live' | 'freed' | 'unknown';

const EMPTY = -1;
const FREED = -1;

/** Bytes per bit of the freed pointers' bitmap: payload pointers are 8-byte aligned or more. */
const GRAIN = 8;

/**
 * Pointers and what is known of each: the requested size of a live one, or FREED. Live pointers
 * sit in an open addressing table in typed arrays (pointers are below 2^31): no object per
 * pointer, and a snapshot loads in one pass. A freed pointer stays known as freed until it is
 * handed out again: an aligned one as a bit of a bitmap over the heap (one bit per 8 bytes), and
 * leaves the table, which so holds the live pointers and stays as small as the most that were
 * live at once (it stays in cache; docs/performance.md, "At scale"); a misaligned one (a
 * corrupted heap's) stays in the table as FREED.
 */
class PointerTable implements ReadonlyMap<number, number> {
  private keys_: Int32Array;
  private values_: Int32Array;
  private mask: number;
  private used = 0;
  /** One bit per granule: the aligned pointers freed (and maybe handed out again: the table answers first). */
  private freed = new Int32Array(64);
  /**
   * The pointer last looked up and its position: an op asks about the same pointer several times
   * (the driver's checks, the status, the release). Checked against the keys before use.
   */
  private lastPtr = EMPTY;
  private lastAt = 0;
  /**
   * The table positions of the live pointers: a snapshot visits those, not every pointer ever
   * freed. Made at the first question that needs it (a replay that takes no snapshot never asks)
   * and kept up to date from then on.
   */
  private live_: DenseSet | null = null;

  constructor(expected = 0) {
    let capacity = 1024;
    while (capacity < expected * 2) capacity *= 2;
    this.keys_ = new Int32Array(capacity).fill(EMPTY);
    this.values_ = new Int32Array(capacity);
    this.mask = capacity - 1;
  }

  /** Live pointers. */
  get size(): number {
    return this.liveSet().size;
  }

  /** Empties the table for `expected` pointers if it is big enough (and not far too big); returns it, or null. */
  reset(expected: number): this | null {
    const capacity = this.keys_.length;
    if (capacity < expected * 2 || capacity > Math.max(1024, expected * 8)) return null;
    this.keys_.fill(EMPTY);
    this.freed.fill(0);
    this.used = 0;
    this.live_?.clear();
    return this;
  }

  get(ptr: number): number | undefined {
    const i = this.find(ptr);
    const v = i < 0 ? FREED : this.values_[i]!;
    return v === FREED ? undefined : v;
  }

  has(ptr: number): boolean {
    return this.get(ptr) !== undefined;
  }

  /** A live pointer's requested size, FREED for a freed one, undefined for one never seen. */
  entry(ptr: number): number | undefined {
    const i = this.find(ptr);
    if (i >= 0) return this.values_[i]!;
    return i === -1 && this.isFreed(ptr) ? FREED : undefined;
  }

  /** Sets a pointer's entry (a requested size, or FREED); returns the previous one. */
  set(ptr: number, value: number): number | undefined {
    const keys = this.keys_;
    let i = this.lastPtr === ptr && keys[this.lastAt] === ptr ? this.lastAt : this.slot(ptr);
    while (keys[i] !== EMPTY && keys[i] !== ptr) i = (i + 1) & this.mask;
    const previous = keys[i] === EMPTY ? (this.isFreed(ptr) ? FREED : undefined) : this.values_[i]!;
    if (value === FREED && ptr % GRAIN === 0) {
      this.markFreed(ptr);
      if (keys[i] !== EMPTY) this.delete(i);
      return previous;
    }
    if (keys[i] === EMPTY) {
      keys[i] = ptr;
      this.used++;
    }
    this.values_[i] = value;
    const live = this.live_;
    if (live !== null) {
      if (value === FREED) live.delete(i);
      else live.add(i);
    }
    if (this.used * 2 > keys.length) this.rehash();
    return previous;
  }

  /**
   * A live pointer's requested size (>= 0) set: `set` for the allocator's own pointers, in one
   * probe and without reading the freed bits, since a freed pointer and one never seen get the
   * same answer here. Returns the size it held while live, or FREED (freed, or never seen).
   */
  hold(ptr: number, size: number): number {
    const keys = this.keys_;
    let i = this.lastPtr === ptr && keys[this.lastAt] === ptr ? this.lastAt : this.slot(ptr);
    while (keys[i] !== EMPTY && keys[i] !== ptr) i = (i + 1) & this.mask;
    let previous = FREED;
    if (keys[i] === EMPTY) {
      keys[i] = ptr;
      this.used++;
    } else {
      previous = this.values_[i]!;
    }
    this.values_[i] = size;
    this.live_?.add(i);
    if (this.used * 2 > keys.length) this.rehash();
    return previous;
  }

  /** A live pointer becomes freed (`set(ptr, FREED)`); returns its requested size, or FREED when it was not live. */
  take(ptr: number): number {
    const i = this.find(ptr);
    if (i < 0) return FREED;
    const size = this.values_[i]!;
    if (size === FREED) return FREED;
    if (ptr % GRAIN === 0) {
      this.markFreed(ptr);
      this.delete(i);
    } else {
      this.values_[i] = FREED;
      this.live_?.delete(i);
    }
    return size;
  }

  forEach(callback: (value: number, key: number, map: ReadonlyMap<number, number>) => void): void {
    for (const [k, v] of this) callback(v, k, this);
  }

  entries(): MapIterator<[number, number]> {
    return this.live((k, v) => [k, v] as [number, number]);
  }

  keys(): MapIterator<number> {
    return this.live((k) => k);
  }

  values(): MapIterator<number> {
    return this.live((_, v) => v);
  }

  [Symbol.iterator](): MapIterator<[number, number]> {
    return this.entries();
  }

  /** The live entries as flat (pointer, size) pairs. */
  livePairs(): Uint32Array {
    const live = this.liveSet();
    const out = new Uint32Array(2 * live.size);
    for (let j = 0; j < live.size; j++) {
      const i = live.members[j]!;
      out[2 * j] = this.keys_[i]!;
      out[2 * j + 1] = this.values_[i]!;
    }
    return out;
  }

  /** The freed pointers (not handed out again). */
  *freedPointers(): Generator<number> {
    const keys = this.keys_;
    for (let i = 0; i < keys.length; i++) if (keys[i] !== EMPTY && this.values_[i] === FREED) yield keys[i]!;
    const freed = this.freed;
    for (let w = 0; w < freed.length; w++) {
      for (let bits = freed[w]!; bits !== 0; bits &= bits - 1) {
        const ptr = (32 * w + 31 - Math.clz32(bits & -bits)) * GRAIN;
        if (this.find(ptr) < 0) yield ptr;
      }
    }
  }

  /** The live entries, in table order, as `pick` makes them. */
  private *live<T>(pick: (ptr: number, size: number) => T): MapIterator<T> {
    const keys = this.keys_;
    const values = this.values_;
    for (let i = 0; i < keys.length; i++) {
      if (keys[i] !== EMPTY && values[i] !== FREED) yield pick(keys[i]!, values[i]!);
    }
  }

  private liveSet(): DenseSet {
    if (this.live_ === null) {
      const live = new DenseSet(this.keys_.length);
      for (let i = 0; i < this.keys_.length; i++) if (this.keys_[i] !== EMPTY && this.values_[i] !== FREED) live.add(i);
      this.live_ = live;
    }
    return this.live_;
  }

  private slot(ptr: number): number {
    return (Math.imul(ptr, 0x9e3779b1) >>> 7) & this.mask;
  }

  /** The pointer's position in the table; -1 when it is not there, -2 when it cannot be a pointer. */
  private find(ptr: number): number {
    if (!Number.isInteger(ptr) || ptr < 0 || ptr > 0x7fffffff) return -2;
    const keys = this.keys_;
    if (ptr === this.lastPtr && keys[this.lastAt] === ptr) return this.lastAt;
    for (let i = this.slot(ptr); ; i = (i + 1) & this.mask) {
      const k = keys[i]!;
      if (k === ptr) {
        this.lastPtr = ptr;
        this.lastAt = i;
        return i;
      }
      if (k === EMPTY) return -1;
    }
  }

  private isFreed(ptr: number): boolean {
    if (ptr % GRAIN !== 0) return false;
    const g = ptr / GRAIN;
    return g >> 5 < this.freed.length && (this.freed[g >> 5]! & (1 << (g & 31))) !== 0;
  }

  private markFreed(ptr: number): void {
    const g = ptr / GRAIN;
    if (g >> 5 >= this.freed.length) this.freed = grown(this.freed, Math.max(2 * this.freed.length, (g >> 5) + 1));
    this.freed[g >> 5]! |= 1 << (g & 31);
  }

  /** Empties position `i`: later entries of its probe run move back into the hole (positions change). */
  private delete(i: number): void {
    const keys = this.keys_;
    const values = this.values_;
    const mask = this.mask;
    const live = this.live_;
    live?.delete(i);
    let hole = i;
    for (let j = (i + 1) & mask; keys[j] !== EMPTY; j = (j + 1) & mask) {
      // Entry j may fill the hole when its home is not cyclically in (hole, j].
      if (((j - this.slot(keys[j]!)) & mask) >= ((j - hole) & mask)) {
        keys[hole] = keys[j]!;
        values[hole] = values[j]!;
        if (live !== null && values[j] !== FREED) {
          live.delete(j);
          live.add(hole);
        }
        hole = j;
      }
    }
    keys[hole] = EMPTY;
    this.used--;
  }

  private rehash(): void {
    const oldKeys = this.keys_;
    const oldValues = this.values_;
    const capacity = oldKeys.length * 2;
    this.keys_ = new Int32Array(capacity).fill(EMPTY);
    this.values_ = new Int32Array(capacity);
    const live = this.live_ === null ? null : new DenseSet(capacity);
    this.live_ = live;
    this.mask = capacity - 1;
    for (let j = 0; j < oldKeys.length; j++) {
      const ptr = oldKeys[j]!;
      if (ptr === EMPTY) continue;
      let i = this.slot(ptr);
      while (this.keys_[i] !== EMPTY) i = (i + 1) & this.mask;
      this.keys_[i] = ptr;
      this.values_[i] = oldValues[j]!;
      if (live !== null && oldValues[j] !== FREED) live.add(i);
    }
  }
}

export class Ledger {
  private table = new PointerTable();
  private live_ = 0;
  private peak_ = 0;

  get livePayload(): number {
    return this.live_;
  }

  get peakPayload(): number {
    return this.peak_;
  }

  /** Live payload pointers and the bytes requested for each. */
  get allocations(): ReadonlyMap<number, number> {
    return this.table;
  }

  status(ptr: number): PointerStatus {
    const entry = this.table.entry(ptr);
    return entry === undefined ? 'unknown' : entry === FREED ? 'freed' : 'live';
  }

  requestSize(ptr: number): number | undefined {
    return this.table.get(ptr);
  }

  allocate(ptr: number, requestSize: number): void {
    // A corrupted heap can hand out a pointer that is still live: it now holds the new request,
    // and the live payload stays the sum of what the live pointers asked for.
    // One probe: `hold` says what the pointer held while live (FREED: nothing live).
    const old = this.table.hold(ptr, requestSize);
    if (old !== FREED) this.adjust(-old);
    this.adjust(requestSize);
  }

  release(ptr: number): void {
    const size = this.table.take(ptr);
    if (size !== FREED) this.adjust(-size);
  }

  /** The ledger as flat arrays (for allocator snapshots). */
  save(withFreed = true): { live: Uint32Array; freed: Uint32Array; livePayload: number; peakPayload: number } {
    return { live: this.table.livePairs(), freed: withFreed ? Uint32Array.from(this.table.freedPointers()) : new Uint32Array(0), livePayload: this.live_, peakPayload: this.peak_ };
  }

  load(saved: { live: Uint32Array; freed: Uint32Array; livePayload: number; peakPayload: number }): void {
    // The table holds the live pointers (and misaligned freed ones, rare): the freed go to its bitmap.
    const table = this.table.reset(saved.live.length / 2) ?? new PointerTable(saved.live.length / 2);
    for (let k = 0; k < saved.live.length; k += 2) table.set(saved.live[k]!, saved.live[k + 1]!);
    for (const ptr of saved.freed) table.set(ptr, FREED);
    this.table = table;
    this.live_ = saved.livePayload;
    this.peak_ = saved.peakPayload;
  }

  private adjust(delta: number): void {
    this.live_ += delta;
    if (this.live_ > this.peak_) this.peak_ = this.live_;
  }
}
