// The page tables under a simulated heap (docs/memory.md): which page has bytes in which slot of
// the store, which pages the heap uses alone and may write in place, and the page-level moves
// (bounds checks, the slow word path, taking a page to write, fills and copies run by run) that
// HeapMemory's accessors, bulk access and snapshots are made of.

import { HeapFault, hex } from './heapFault';
import { chunk, chunkBelow, NONE, PAGE_MASK, PAGE_SHIFT, PAGE_SIZE, PageStore, startOf } from './pageStore';
import { grown } from './typedArrays';

/** A heap's page tables over a page store; HeapMemory is the heap itself. */
export abstract class PagedMemory {
  protected breakAddr = 0;
  /** Pages in [0, brk): the tables' entries in use. Entries past it are NONE and 0. */
  protected pageCount = 0;
  protected store = new PageStore();
  /** Each page's slot, or NONE for a page that holds `values[i]` throughout. */
  protected readSlots = new Int32Array(0);
  /** The slots of the pages this heap uses alone and may write in place; NONE for the others. */
  protected writeSlots = new Int32Array(0);
  /** The byte a page without bytes holds throughout: 0 for a page never written. */
  protected values = new Uint8Array(0);
  /** Pages with bytes. */
  protected materialised = 0;
  /** Snapshots taken so far (see KeptBytes.epoch). */
  protected snapshots = 0;

  constructor(readonly maxHeap: number) {}

  /** True when [addr, addr + length) lies inside the heap. */
  contains(addr: number, length: number): boolean {
    return addr >= 0 && length >= 0 && addr + length <= this.breakAddr;
  }

  /**
   * A word outside the heap (a HeapFault), on a page without bytes, on a page this heap does not
   * use alone, or across two pages.
   */
  protected getWordSlow(addr: number, length: 4 | 8): number {
    this.check(addr, length);
    let low = 0;
    let high = 0;
    for (let k = 3; k >= 0; k--) {
      low = low * 256 + this.byteAt(addr + k);
      if (length === 8) high = high * 256 + this.byteAt(addr + 4 + k);
    }
    return low + high * 2 ** 32;
  }

  protected setWordSlow(addr: number, low: number, high: number, length: 4 | 8): void {
    this.check(addr, length);
    const offset = addr & PAGE_MASK;
    if (offset <= PAGE_SIZE - length) {
      // Within one page: the first write to it, which makes it this heap's own.
      const slot = this.ownSlot(addr >>> PAGE_SHIFT);
      const view = this.store.view;
      view.setUint32(startOf(slot) | offset, low, true);
      if (length === 8) view.setUint32((startOf(slot) | offset) + 4, high, true);
      return;
    }
    for (let k = 0; k < length; k++) {
      const at = addr + k;
      const slot = this.ownSlot(at >>> PAGE_SHIFT);
      this.store.bytes[startOf(slot) | (at & PAGE_MASK)] = ((k < 4 ? low : high) >>> (8 * (k & 3))) & 0xff;
    }
  }

  protected byteAt(addr: number): number {
    const slot = this.readSlots[addr >>> PAGE_SHIFT]!;
    return slot >= 0 ? this.store.bytes[startOf(slot) | (addr & PAGE_MASK)]! : this.values[addr >>> PAGE_SHIFT]!;
  }

  // --- pages ------------------------------------------------------------------------------

  protected check(addr: number, length: number): void {
    if (!this.contains(addr, length)) {
      throw new HeapFault(
        `access of ${length} byte${length === 1 ? '' : 's'} at ${hex(addr)} is outside the heap [0x0, ${hex(this.breakAddr)})`,
        addr,
      );
    }
  }

  /** Makes the tables cover `count` pages; the new ones hold zeros and no bytes. */
  protected growTables(count: number): void {
    if (count <= this.pageCount) return;
    if (this.values.length < count) {
      const capacity = Math.min(Math.max(count, 2 * this.values.length), Math.ceil(this.maxHeap / PAGE_SIZE));
      this.readSlots = grown(this.readSlots, capacity, NONE);
      this.writeSlots = grown(this.writeSlots, capacity, NONE);
      this.values = grown(this.values, capacity);
    }
    this.pageCount = count;
  }

  /** Empties the heap: the pages it used alone go back to the store. */
  protected clear(): void {
    this.snapshots++; // pages kept before are no longer this heap's to take back
    for (let i = 0; i < this.pageCount; i++) {
      const own = this.writeSlots[i]!;
      if (own >= 0) this.store.give(own);
    }
    this.readSlots.fill(NONE, 0, this.pageCount);
    this.writeSlots.fill(NONE, 0, this.pageCount);
    this.values.fill(0, 0, this.pageCount);
    this.pageCount = 0;
    this.breakAddr = 0;
    this.materialised = 0;
  }

  /** The slot of page `i`, this heap's alone to write: made from the page's value, or copied from a shared slot. */
  protected ownSlot(i: number): number {
    const own = this.writeSlots[i]!;
    if (own >= 0) return own;
    const store = this.store;
    const shared = this.readSlots[i]!;
    const slot = store.take();
    const start = startOf(slot);
    if (shared >= 0) {
      store.bytes.copyWithin(start, startOf(shared), startOf(shared) + PAGE_SIZE);
    } else {
      // A fresh slot holds zeros; one given back holds whatever it last held.
      if (!store.fresh || this.values[i] !== 0) store.bytes.fill(this.values[i]!, start, start + PAGE_SIZE);
      this.values[i] = 0;
      this.materialised++;
    }
    this.readSlots[i] = slot;
    this.writeSlots[i] = slot;
    return slot;
  }

  /** Makes page `i` hold `value` throughout, without bytes. */
  protected setUniform(i: number, value: number): void {
    const own = this.writeSlots[i]!;
    if (own >= 0) this.store.give(own);
    if (this.readSlots[i]! >= 0) this.materialised--;
    this.readSlots[i] = NONE;
    this.writeSlots[i] = NONE;
    this.values[i] = value;
  }

  protected fillRange(start: number, end: number, value: number): void {
    for (let at = start; at < end; ) {
      const i = at >>> PAGE_SHIFT;
      const n = chunk(at, end - at);
      if (n === PAGE_SIZE) {
        this.setUniform(i, value);
      } else if (this.readSlots[i]! >= 0 || this.values[i] !== value) {
        // (A page of that value already needs nothing.)
        const slot = this.ownSlot(i);
        const from = startOf(slot) | (at & PAGE_MASK);
        this.store.bytes.fill(value, from, from + n);
      }
      at += n;
    }
  }

  /**
   * How many of the `limit` bytes from `at` up form a run: the rest of `at`'s page if it has
   * bytes, else the row of pages without bytes holding the same value.
   */
  protected runUp(at: number, limit: number): number {
    let n = chunk(at, limit);
    const value = this.readSlots[at >>> PAGE_SHIFT]! >= 0 ? NONE : this.values[at >>> PAGE_SHIFT]!;
    while (value >= 0 && n < limit && this.readSlots[(at + n) >>> PAGE_SHIFT]! < 0 && this.values[(at + n) >>> PAGE_SHIFT] === value) n += chunk(at + n, limit - n);
    return n;
  }

  /** The same as `runUp` for the `limit` bytes below `end`, going down. */
  protected runDown(end: number, limit: number): number {
    let n = chunkBelow(end, limit);
    const value = this.readSlots[(end - 1) >>> PAGE_SHIFT]! >= 0 ? NONE : this.values[(end - 1) >>> PAGE_SHIFT]!;
    while (value >= 0 && n < limit && this.readSlots[(end - n - 1) >>> PAGE_SHIFT]! < 0 && this.values[(end - n - 1) >>> PAGE_SHIFT] === value) n += chunkBelow(end - n, limit - n);
    return n;
  }

  /**
   * Copies a run: one of pages without bytes as a fill, one within a page with bytes into at
   * most two destination pages, in the direction `copy` goes.
   */
  protected copyRun(to: number, from: number, n: number, up: boolean): void {
    const source = this.readSlots[from >>> PAGE_SHIFT]!;
    if (source < 0) {
      this.fillRange(to, to + n, this.values[from >>> PAGE_SHIFT]!);
      return;
    }
    const first = chunk(to, n);
    if (!up && first < n) this.copyBytes(to + first, from + first, n - first, source);
    this.copyBytes(to, from, first, source);
    if (up && first < n) this.copyBytes(to + first, from + first, n - first, source);
  }

  /**
   * Copies `n` bytes that lie within one page at both ends from the source's slot. Taking the
   * destination may copy a shared page: when both are one page, the copy is made within the copy.
   */
  protected copyBytes(to: number, from: number, n: number, source: number): void {
    const slot = this.ownSlot(to >>> PAGE_SHIFT);
    const start = startOf(to >>> PAGE_SHIFT === from >>> PAGE_SHIFT ? slot : source) | (from & PAGE_MASK);
    this.store.bytes.copyWithin(startOf(slot) | (to & PAGE_MASK), start, start + n);
  }
}
