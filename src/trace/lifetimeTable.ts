// Every block's life in a trace as typed-array columns (`Lifetimes`), and the builder the lifetime
// pass (lifetimes.ts) writes them with.

import { grown, trimmed } from '../engine/typedArrays';
import type { Slot } from './vocabulary';

/** One block's life in the trace, as `Lifetimes.at(k)` hands it out: allocated, maybe moved by realloc, maybe freed. */
export interface Lifetime {
  /** The pointer holding the block last (realloc may hand it to another name). */
  readonly slot: Slot;
  /** The op that allocated it (malloc, calloc or realloc(NULL, n)). */
  readonly start: number;
  /** Reallocs of it, in order: each resized or moved it, or returned NULL and left it as it was. */
  readonly reallocs: readonly number[];
  /** The op that freed it (free or realloc(p, 0)), or -1 while it lives to the end. */
  readonly end: number;
}

/** A `Lifetimes` store's columns and counts, as plain data. */
export interface LifetimeParts {
  readonly n: number;
  readonly reallocN: number;
  readonly slots: Int32Array;
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  readonly lastRealloc: Int32Array | null;
  readonly reallocOps: Int32Array;
  readonly prevRealloc: Int32Array;
}

/**
 * Every lifetime of a trace, numbered from 0 in the order they start. A long trace has hundreds
 * of thousands of them, and an object (and an array of reallocs) per lifetime made every major
 * garbage collection slow (docs/performance.md, "No object per op"), so they live in typed arrays: about 16 bytes a lifetime and 8
 * a realloc. Accessors take a lifetime number in [0, count), as `lifetimeOfOp` gives them.
 */
export class Lifetimes {
  protected n = 0;
  protected reallocN = 0;
  // Per lifetime.
  protected slots: Int32Array;
  protected starts: Int32Array;
  protected ends: Int32Array;
  /**
   * The lifetime's last realloc, as an index into the realloc arrays, or -1; null while there
   * has been no realloc (a trace without any keeps 4 bytes a lifetime less).
   */
  protected lastRealloc: Int32Array | null = null;
  // Per realloc, in op order: its op, and the same lifetime's realloc before it (-1: none). A
  // chain per lifetime rather than a per-op array, as most ops are not reallocs.
  protected reallocOps: Int32Array;
  protected prevRealloc: Int32Array;

  protected constructor(capacity: number, reallocCapacity: number) {
    this.slots = new Int32Array(capacity);
    this.starts = new Int32Array(capacity);
    this.ends = new Int32Array(capacity);
    this.reallocOps = new Int32Array(reallocCapacity);
    this.prevRealloc = new Int32Array(reallocCapacity);
  }

  get count(): number {
    return this.n;
  }

  /** Lifetime `k`'s last realloc (an index into the realloc arrays), or -1. */
  private lastReallocOf(k: number): number {
    return this.lastRealloc === null ? -1 : this.lastRealloc[k]!;
  }

  /** The pointer holding the block last. */
  slot(k: number): Slot {
    return this.slots[k]!;
  }

  /** The op that allocated the block. */
  start(k: number): number {
    return this.starts[k]!;
  }

  /** The op that freed the block, or -1 while it lives to the end. */
  end(k: number): number {
    return this.ends[k]!;
  }

  /** The reallocs that resized or moved the block, in op order (a fresh array). */
  reallocs(k: number): number[] {
    const out: number[] = [];
    for (let r = this.lastReallocOf(k); r >= 0; r = this.prevRealloc[r]!) out.push(this.reallocOps[r]!);
    return out.reverse();
  }

  /** The lifetime's last op: the one that freed it, else its last realloc, else the one that allocated it. */
  lastOp(k: number): number {
    const end = this.ends[k]!;
    if (end >= 0) return end;
    const r = this.lastReallocOf(k);
    return r >= 0 ? this.reallocOps[r]! : this.starts[k]!;
  }

  /** Lifetime `k` as a fresh object, for callers that want one. */
  at(k: number): Lifetime {
    if (!Number.isInteger(k) || k < 0 || k >= this.n) throw new RangeError(`no lifetime ${k}: there are ${this.n}`);
    return { slot: this.slots[k]!, start: this.starts[k]!, reallocs: this.reallocs(k), end: this.ends[k]! };
  }

  /** The columns themselves, not copied (to hand to another thread: `Lifetimes.of` makes them a store again). */
  get parts(): LifetimeParts {
    const { n, reallocN, slots, starts, ends, lastRealloc, reallocOps, prevRealloc } = this;
    return { n, reallocN, slots, starts, ends, lastRealloc, reallocOps, prevRealloc };
  }

  /** The lifetimes whose columns are `parts` (as `parts` gives them), not copied. */
  static of(parts: LifetimeParts): Lifetimes {
    // The parts' keys are the store's own fields.
    return Object.assign(new Lifetimes(0, 0), parts);
  }

  /** The bytes the typed arrays take. */
  get byteLength(): number {
    return this.slots.byteLength + this.starts.byteLength + this.ends.byteLength + (this.lastRealloc?.byteLength ?? 0) + this.reallocOps.byteLength + this.prevRealloc.byteLength;
  }

  /**
   * A copy of the lifetimes so far, trimmed to size, that later changes to this store leave alone.
   * `last`: the store is written no more, so arrays with little room left over are kept rather
   * than copied (docs/memory.md, "A trace").
   */
  protected snapshot(last = false): Lifetimes {
    const copy = new Lifetimes(0, 0);
    const n = this.n;
    const r = this.reallocN;
    const trim = (a: Int32Array, size: number) => (last ? trimmed(a, size) : a.slice(0, size));
    copy.n = n;
    copy.reallocN = r;
    copy.slots = trim(this.slots, n);
    copy.starts = trim(this.starts, n);
    copy.ends = trim(this.ends, n);
    copy.lastRealloc = this.lastRealloc && trim(this.lastRealloc, n);
    copy.reallocOps = trim(this.reallocOps, r);
    copy.prevRealloc = trim(this.prevRealloc, r);
    return copy;
  }
}

/** The lifetimes as the tracker writes them: arrays grown by doubling. */
export class LifetimeBuilder extends Lifetimes {
  constructor() {
    super(64, 16);
  }

  /** A new live lifetime of the block `slot` gets at op `start`; returns its number. */
  begin(slot: Slot, start: number): number {
    const k = this.n;
    if (k === this.slots.length) this.grow();
    this.slots[k] = slot;
    this.starts[k] = start;
    this.ends[k] = -1;
    if (this.lastRealloc !== null) this.lastRealloc[k] = -1;
    this.n = k + 1;
    return k;
  }

  /** Op `op` resized or moved lifetime `k`'s block, which `slot` now holds. */
  realloc(k: number, op: number, slot: Slot): void {
    const r = this.reallocN;
    if (r === this.reallocOps.length) this.growReallocs();
    this.reallocOps[r] = op;
    const last = (this.lastRealloc ??= new Int32Array(this.slots.length).fill(-1));
    this.prevRealloc[r] = last[k]!;
    last[k] = r;
    this.reallocN = r + 1;
    this.slots[k] = slot;
  }

  /** Op `op` freed lifetime `k`'s block. */
  free(k: number, op: number): void {
    this.ends[k] = op;
  }

  /** The lifetimes so far (see `snapshot`; `last`: no more are written). */
  copy(last = false): Lifetimes {
    return this.snapshot(last);
  }

  /** Makes room for `count` lifetimes in all, once, when the parser knows about how many are coming. */
  reserve(count: number): void {
    if (count > this.slots.length) this.grow(count);
  }

  private grow(min = 0): void {
    const size = Math.max(min, this.slots.length * 2);
    this.slots = grown(this.slots, size);
    this.starts = grown(this.starts, size);
    this.ends = grown(this.ends, size);
    if (this.lastRealloc !== null) this.lastRealloc = grown(this.lastRealloc, size, -1);
  }

  private growReallocs(): void {
    const size = this.reallocOps.length * 2;
    this.reallocOps = grown(this.reallocOps, size);
    this.prevRealloc = grown(this.prevRealloc, size);
  }
}
