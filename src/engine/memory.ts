// The simulated heap's bytes: grown through a break like memlib.c's mem_sbrk, kept sparsely in pages
// that snapshots share copy-on-write (docs/memory.md), and bounds-checked against the break on every
// access, so that a corrupted size raises a HeapFault (the simulated segfault), never a stray access.

import { grown } from './typedArrays';

/** Raised inside the engine when an operation would leave the heap; turned into a problem at the op boundary. */
export class HeapFault extends Error {
  constructor(
    message: string,
    /** The heap offset the operation tried to reach. */
    readonly addr: number,
  ) {
    super(message);
    this.name = 'HeapFault';
  }
}

const PAGE_SHIFT = 12;
/** Bytes in a page: the unit in which the heap's bytes are stored, shared and copied. */
export const PAGE_SIZE = 2 ** PAGE_SHIFT;
const PAGE_MASK = PAGE_SIZE - 1;
/** Pages in a new store; it doubles as it fills. */
const FIRST_STORE_PAGES = 16;
/** Pages a store can hold: a byte's place in it is a 31-bit integer (2 GiB). */
const MAX_STORE_PAGES = 2 ** (31 - PAGE_SHIFT);
/** Pages zeroed at a time when a store that was reset hands out pages it held before. */
const ZERO_RUN = 256;
/** No slot: the page has no bytes. */
const NONE = -1;

/**
 * Where pages' bytes live: one buffer of page-sized slots, which doubles (and is copied) as it
 * fills, so that the word accessors find any page's bytes through one DataView. A heap, its
 * snapshots and the heaps loaded from them share one store, and name pages by slot, never by
 * buffer. A slot is used by one heap alone (which may write it) or shared read-only by snapshots
 * and heaps; only an unshared one is ever given back.
 */
class PageStore {
  bytes = new Uint8Array(0);
  view = new DataView(this.bytes.buffer);
  /** Set once a snapshot shares a page: from then on the store can only grow. */
  shared = false;
  /** Whether the slot `take` returned last holds zeros. */
  fresh = false;
  /** Slots given back, holding stale bytes. */
  private readonly released: number[] = [];
  /** Slots handed out since the store was made or last reset, in order; the rest follow. */
  private next = 0;
  /** Slots below this held pages before the last reset; those below `zeroed` are zeros again. */
  private dirty = 0;
  private zeroed = 0;

  take(): number {
    const given = this.released.pop();
    this.fresh = given === undefined;
    if (given !== undefined) return given;
    const slot = this.next++;
    if (slot === this.bytes.length / PAGE_SIZE) this.grow();
    if (slot >= this.zeroed && slot < this.dirty) {
      // A run of pages about to be handed out again, zeroed in one fill.
      this.zeroed = Math.min(this.dirty, slot + ZERO_RUN);
      this.bytes.fill(0, startOf(slot), startOf(this.zeroed));
    }
    return slot;
  }

  give(slot: number): void {
    this.released.push(slot);
  }

  /** Forgets every page, to hand them out again from the first. Only for a store nothing shares. */
  reset(): void {
    this.dirty = Math.max(this.dirty, this.next);
    this.next = 0;
    this.zeroed = 0;
    this.released.length = 0;
  }

  private grow(): void {
    const pages = this.bytes.length / PAGE_SIZE;
    if (pages === MAX_STORE_PAGES) throw new RangeError(`the heap and its snapshots hold more than ${MAX_STORE_PAGES * PAGE_SIZE} bytes of pages`);
    const bytes = new Uint8Array(Math.min(Math.max(FIRST_STORE_PAGES, 2 * pages), MAX_STORE_PAGES) * PAGE_SIZE);
    bytes.set(this.bytes);
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer);
  }
}

/** Where a slot's page starts in its store's buffer. */
function startOf(slot: number): number {
  return slot << PAGE_SHIFT;
}

/**
 * A heap's bytes at one moment (`HeapMemory.snapshot`), for `HeapMemory.load`. It shares its
 * pages with the heap it came from, which copies a page before it next writes it: later writes
 * never change a snapshot. Opaque outside this module.
 */
export class HeapBytes {
  constructor(
    readonly store: PageStore,
    /** The heap's size (its break) when it was taken. */
    readonly size: number,
    /** Per page of the heap, the byte a page without bytes holds throughout. */
    readonly values: Uint8Array,
    /** The pages with bytes, in order, and their slots. */
    readonly pageNumbers: Uint32Array,
    readonly slots: Int32Array,
    /**
     * Bytes this snapshot holds that the earlier snapshots of the same heap do not: its own
     * table, and the pages written since the last one.
     */
    readonly ownBytes: number,
  ) {}

  /** Bytes this snapshot refers to: its pages (some perhaps shared with other snapshots) and its table. */
  get residentBytes(): number {
    return this.slots.length * PAGE_SIZE + this.slots.byteLength + this.pageNumbers.byteLength + this.values.byteLength;
  }
}

/**
 * A range of a heap's bytes as they were (`HeapMemory.keep`), to compare with a range later
 * (`matches`) and then let go (`release`): the range's pages are shared for the while, not
 * copied, so keeping a gigabyte costs a table of its pages, not a gigabyte. Opaque outside this
 * module.
 */
export class KeptBytes {
  constructor(
    readonly store: PageStore,
    readonly addr: number,
    readonly length: number,
    /** The first page of the range. */
    readonly firstPage: number,
    /** Per page of the range: its slot, or NONE for a page that held `values[k]` throughout. */
    readonly slots: Int32Array,
    readonly values: Uint8Array,
    /** Per page: 1 when the heap used the page alone before it was kept (and may have it back). */
    readonly wasOwn: Uint8Array,
    /** The heap's snapshot count when kept: a snapshot since may share the pages for good. */
    readonly epoch: number,
  ) {}
}

/** A heap of real bytes addressed by offset from its first byte. It grows, never shrinks. */
export class HeapMemory {
  private breakAddr = 0;
  /** Pages in [0, brk): the tables' entries in use. Entries past it are NONE and 0. */
  private pageCount = 0;
  private store = new PageStore();
  /** Each page's slot, or NONE for a page that holds `values[i]` throughout. */
  private readSlots = new Int32Array(0);
  /** The slots of the pages this heap uses alone and may write in place; NONE for the others. */
  private writeSlots = new Int32Array(0);
  /** The byte a page without bytes holds throughout: 0 for a page never written. */
  private values = new Uint8Array(0);
  /** Pages with bytes. */
  private materialised = 0;
  /** Snapshots taken so far (see KeptBytes.epoch). */
  private snapshots = 0;

  constructor(readonly maxHeap: number) {}

  /**
   * A new, empty heap that takes over this one's page tables and store, where the pages this heap
   * used alone are given back for reuse (not zeroed until then), so a restore does not allocate
   * them again; this heap is left empty and must not be used again.
   */
  recycle(): HeapMemory {
    const heap = new HeapMemory(this.maxHeap);
    this.clear();
    // A store this heap alone has used starts again from its first page, in address order.
    if (!this.store.shared) this.store.reset();
    [heap.store, heap.readSlots, heap.writeSlots, heap.values] = [this.store, this.readSlots, this.writeSlots, this.values];
    this.store = new PageStore();
    [this.readSlots, this.writeSlots, this.values] = [new Int32Array(0), new Int32Array(0), new Uint8Array(0)];
    return heap;
  }

  /** The break: one past the heap's last byte, which is also the heap's size. */
  get brk(): number {
    return this.breakAddr;
  }

  /**
   * Bytes this heap really holds: its pages with bytes (its own and those it shares with
   * snapshots) and its page tables. Pages never written and pages of one value cost nothing.
   */
  get residentBytes(): number {
    return this.materialised * PAGE_SIZE + this.readSlots.byteLength + this.writeSlots.byteLength + this.values.byteLength;
  }

  /**
   * Bytes of the page store this heap draws on: its own pages, the pages its snapshots keep (and
   * heaps loaded from them), and pages given back for reuse. A store never shrinks: this is the
   * most those ever held at once, rounded up to a power of two pages.
   */
  get storeBytes(): number {
    return this.store.bytes.byteLength;
  }

  /**
   * Moves the break up by `incr` bytes and returns the old break, or null when the heap would
   * pass `maxHeap` (mem_sbrk's "ran out of memory").
   */
  sbrk(incr: number): number | null {
    if (!Number.isSafeInteger(incr) || incr < 0 || incr > this.maxHeap - this.breakAddr) return null;
    const old = this.breakAddr;
    this.breakAddr = old + incr;
    this.growTables(Math.ceil(this.breakAddr / PAGE_SIZE));
    return old;
  }

  /** True when [addr, addr + length) lies inside the heap. */
  contains(addr: number, length: number): boolean {
    return addr >= 0 && length >= 0 && addr + length <= this.breakAddr;
  }

  // --- the word accessors: a word inside the heap and inside a page with bytes in place, in as
  // few steps as V8 will inline; anything else (and every fault) the slow way -----------------

  getUint32(addr: number): number {
    if (addr >= 0 && addr + 4 <= this.breakAddr) {
      const offset = addr & PAGE_MASK;
      const slot = this.readSlots[addr >>> PAGE_SHIFT]!;
      if (slot >= 0 && offset <= PAGE_SIZE - 4) return this.store.view.getUint32(startOf(slot) | offset, true);
    }
    return this.getWordSlow(addr, 4);
  }

  setUint32(addr: number, value: number): void {
    if (addr >= 0 && addr + 4 <= this.breakAddr) {
      const offset = addr & PAGE_MASK;
      const slot = this.writeSlots[addr >>> PAGE_SHIFT]!;
      if (slot >= 0 && offset <= PAGE_SIZE - 4) {
        this.store.view.setUint32(startOf(slot) | offset, value >>> 0, true);
        return;
      }
    }
    this.setWordSlow(addr, value >>> 0, 0, 4);
  }

  /** Little-endian 64-bit word as a number (exact below 2^53, which every sane size is). */
  getUint64(addr: number): number {
    if (addr >= 0 && addr + 8 <= this.breakAddr) {
      const offset = addr & PAGE_MASK;
      const slot = this.readSlots[addr >>> PAGE_SHIFT]!;
      if (slot >= 0 && offset <= PAGE_SIZE - 8) {
        const view = this.store.view;
        const at = startOf(slot) | offset;
        return view.getUint32(at, true) + view.getUint32(at + 4, true) * 2 ** 32;
      }
    }
    return this.getWordSlow(addr, 8);
  }

  setUint64(addr: number, value: number): void {
    const low = value % 2 ** 32;
    const high = Math.floor(value / 2 ** 32);
    if (addr >= 0 && addr + 8 <= this.breakAddr) {
      const offset = addr & PAGE_MASK;
      const slot = this.writeSlots[addr >>> PAGE_SHIFT]!;
      if (slot >= 0 && offset <= PAGE_SIZE - 8) {
        const view = this.store.view;
        const at = startOf(slot) | offset;
        view.setUint32(at, low, true);
        view.setUint32(at + 4, high, true);
        return;
      }
    }
    this.setWordSlow(addr, low >>> 0, high >>> 0, 8);
  }

  /**
   * A word outside the heap (a HeapFault), on a page without bytes, on a page this heap does not
   * use alone, or across two pages.
   */
  private getWordSlow(addr: number, length: 4 | 8): number {
    this.check(addr, length);
    let low = 0;
    let high = 0;
    for (let k = 3; k >= 0; k--) {
      low = low * 256 + this.byteAt(addr + k);
      if (length === 8) high = high * 256 + this.byteAt(addr + 4 + k);
    }
    return low + high * 2 ** 32;
  }

  private setWordSlow(addr: number, low: number, high: number, length: 4 | 8): void {
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

  private byteAt(addr: number): number {
    const slot = this.readSlots[addr >>> PAGE_SHIFT]!;
    return slot >= 0 ? this.store.bytes[startOf(slot) | (addr & PAGE_MASK)]! : this.values[addr >>> PAGE_SHIFT]!;
  }

  // --- bulk access, a page at a time ------------------------------------------------------

  /** A copy of `length` bytes at `addr`. */
  read(addr: number, length: number): Uint8Array {
    this.check(addr, length);
    const out = new Uint8Array(length);
    for (let k = 0; k < length; ) {
      const at = addr + k;
      const n = chunk(at, length - k);
      const slot = this.readSlots[at >>> PAGE_SHIFT]!;
      const value = this.values[at >>> PAGE_SHIFT]!;
      const start = startOf(slot) | (at & PAGE_MASK);
      // A new array holds zeros already: a page never written costs nothing here either.
      if (slot >= 0) out.set(this.store.bytes.subarray(start, start + n), k);
      else if (value !== 0) out.fill(value, k, k + n);
      k += n;
    }
    return out;
  }

  write(addr: number, bytes: Uint8Array): void {
    this.check(addr, bytes.length);
    for (let k = 0; k < bytes.length; ) {
      const at = addr + k;
      const n = chunk(at, bytes.length - k);
      const slot = this.ownSlot(at >>> PAGE_SHIFT);
      this.store.bytes.set(bytes.subarray(k, k + n), startOf(slot) | (at & PAGE_MASK));
      k += n;
    }
  }

  fill(addr: number, length: number, value: number): void {
    this.check(addr, length);
    this.fillRange(addr, addr + length, value & 0xff);
  }

  /**
   * memmove: overlapping ranges are copied as if through a temporary buffer. A row of source
   * pages without bytes that hold one value is copied as one fill, so whole destination pages
   * take that value without bytes.
   */
  copy(to: number, from: number, length: number): void {
    this.check(from, length);
    this.check(to, length);
    if (to === from) return;
    // Run by run, in the order that reads every source byte before it is overwritten: upwards
    // when the destination is below the source, else downwards.
    if (to < from) {
      for (let k = 0; k < length; ) {
        const n = this.runUp(from + k, length - k);
        this.copyRun(to + k, from + k, n, true);
        k += n;
      }
    } else {
      for (let k = length; k > 0; ) {
        const n = this.runDown(from + k, k);
        k -= n;
        this.copyRun(to + k, from + k, n, false);
      }
    }
  }

  /** True when the two ranges hold the same bytes; compares in bulk, not byte by byte in a loop of ours. */
  equals(addr: number, expected: Uint8Array): boolean {
    if (!this.contains(addr, expected.length)) return false;
    for (let k = 0; k < expected.length; ) {
      const at = addr + k;
      const n = chunk(at, expected.length - k);
      const slot = this.readSlots[at >>> PAGE_SHIFT]!;
      const start = startOf(slot) | (at & PAGE_MASK);
      const same =
        slot >= 0
          ? bytesEqual(this.store.bytes.subarray(start, start + n), expected.subarray(k, k + n))
          : isFilled(expected, k, k + n, this.values[at >>> PAGE_SHIFT]!);
      if (!same) return false;
      k += n;
    }
    return true;
  }

  /**
   * True when all `length` bytes at `addr` equal `byte` (mdriver's realloc check against its fill
   * pattern): a page without bytes in one comparison, a page with bytes 32 bytes per step.
   */
  isFilledWith(addr: number, length: number, byte: number): boolean {
    if (!this.contains(addr, length)) return false;
    const b = byte & 0xff;
    for (let at = addr, end = addr + length; at < end; ) {
      const n = chunk(at, end - at);
      const slot = this.readSlots[at >>> PAGE_SHIFT]!;
      const start = startOf(slot) | (at & PAGE_MASK);
      const same = slot >= 0 ? isFilled(this.store.bytes, start, start + n, b) : this.values[at >>> PAGE_SHIFT] === b;
      if (!same) return false;
      at += n;
    }
    return true;
  }

  // --- snapshots --------------------------------------------------------------------------

  /**
   * The heap's bytes as they are now, in O(pages): the snapshot shares every page with bytes,
   * and this heap copies such a page before it next writes it.
   */
  snapshot(): HeapBytes {
    const count = this.materialised;
    const pageNumbers = new Uint32Array(count);
    const slots = new Int32Array(count);
    let k = 0;
    let written = 0;
    this.store.shared = true;
    this.snapshots++;
    for (let i = 0; i < this.pageCount; i++) {
      const slot = this.readSlots[i]!;
      if (slot < 0) continue;
      pageNumbers[k] = i;
      slots[k++] = slot;
      // A page this heap used alone is new since its last snapshot; from now on it is shared.
      if (this.writeSlots[i]! >= 0) {
        written++;
        this.writeSlots[i] = NONE;
      }
    }
    const values = this.values.slice(0, this.pageCount);
    const table = slots.byteLength + pageNumbers.byteLength + values.byteLength;
    return new HeapBytes(this.store, this.breakAddr, values, pageNumbers, slots, written * PAGE_SIZE + table);
  }

  /**
   * The `length` bytes at `addr` as they are now, in O(pages of the range): the pages with bytes
   * are shared (this heap copies one before it next writes it) until `release`. For a check that a
   * range survived an operation, such as mdriver's that realloc kept the old payload.
   */
  keep(addr: number, length: number): KeptBytes {
    this.check(addr, length);
    const first = addr >>> PAGE_SHIFT;
    const count = length === 0 ? 0 : ((addr + length - 1) >>> PAGE_SHIFT) - first + 1;
    const slots = new Int32Array(count);
    const values = new Uint8Array(count);
    const wasOwn = new Uint8Array(count);
    for (let k = 0; k < count; k++) {
      const i = first + k;
      slots[k] = this.readSlots[i]!;
      values[k] = this.values[i]!;
      if (this.writeSlots[i]! >= 0) {
        wasOwn[k] = 1;
        this.writeSlots[i] = NONE;
      }
    }
    return new KeptBytes(this.store, addr, length, first, slots, values, wasOwn, this.snapshots);
  }

  /** True when the bytes at `addr` are the bytes `kept` holds (as many as it holds). */
  matches(addr: number, kept: KeptBytes): boolean {
    const length = kept.length;
    if (!this.contains(addr, length)) return false;
    for (let k = 0; k < length; ) {
      const from = kept.addr + k;
      const at = addr + k;
      const n = Math.min(chunk(from, length - k), chunk(at, length - k));
      const p = (from >>> PAGE_SHIFT) - kept.firstPage;
      const keptSlot = kept.slots[p]!;
      const slot = this.readSlots[at >>> PAGE_SHIFT]!;
      const value = this.values[at >>> PAGE_SHIFT]!;
      let same: boolean;
      if (keptSlot < 0) {
        const keptValue = kept.values[p]!;
        same = slot < 0 ? value === keptValue : isFilled(this.store.bytes, startOf(slot) | (at & PAGE_MASK), (startOf(slot) | (at & PAGE_MASK)) + n, keptValue);
      } else {
        const keptStart = startOf(keptSlot) | (from & PAGE_MASK);
        const keptRange = kept.store.bytes.subarray(keptStart, keptStart + n);
        if (slot < 0) {
          same = isFilled(keptRange, 0, n, value);
        } else {
          const start = startOf(slot) | (at & PAGE_MASK);
          same = bytesEqual(keptRange, this.store.bytes.subarray(start, start + n));
        }
      }
      if (!same) return false;
      k += n;
    }
    return true;
  }

  /**
   * Lets go of a range `keep` shared: a page this heap used alone and has not written since is
   * its own again; one it has copied since goes back to the store. Unless a snapshot was taken
   * meanwhile (it may share the pages), or the heap was emptied: then the pages stay as they are.
   */
  release(kept: KeptBytes): void {
    if (kept.store !== this.store || kept.epoch !== this.snapshots) return;
    for (let k = 0; k < kept.slots.length; k++) {
      if (!kept.wasOwn[k]) continue;
      const i = kept.firstPage + k;
      const slot = kept.slots[k]!;
      if (i >= this.pageCount) continue;
      if (this.readSlots[i] === slot && this.writeSlots[i] === NONE) this.writeSlots[i] = slot;
      else if (this.readSlots[i] !== slot) this.store.give(slot);
    }
  }

  /** Puts the heap back to a snapshot's bytes and size, sharing its pages. */
  load(snapshot: HeapBytes): void {
    if (snapshot.size > this.maxHeap) throw new RangeError(`a snapshot of ${snapshot.size} bytes does not fit a heap of at most ${this.maxHeap}`);
    this.clear();
    this.store = snapshot.store;
    this.breakAddr = snapshot.size;
    this.growTables(Math.ceil(snapshot.size / PAGE_SIZE));
    this.values.set(snapshot.values);
    for (let k = 0; k < snapshot.slots.length; k++) this.readSlots[snapshot.pageNumbers[k]!] = snapshot.slots[k]!;
    this.materialised = snapshot.slots.length;
  }

  // --- pages ------------------------------------------------------------------------------

  private check(addr: number, length: number): void {
    if (!this.contains(addr, length)) {
      throw new HeapFault(
        `access of ${length} byte${length === 1 ? '' : 's'} at ${hex(addr)} is outside the heap [0x0, ${hex(this.breakAddr)})`,
        addr,
      );
    }
  }

  /** Makes the tables cover `count` pages; the new ones hold zeros and no bytes. */
  private growTables(count: number): void {
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
  private clear(): void {
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
  private ownSlot(i: number): number {
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
  private setUniform(i: number, value: number): void {
    const own = this.writeSlots[i]!;
    if (own >= 0) this.store.give(own);
    if (this.readSlots[i]! >= 0) this.materialised--;
    this.readSlots[i] = NONE;
    this.writeSlots[i] = NONE;
    this.values[i] = value;
  }

  private fillRange(start: number, end: number, value: number): void {
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
  private runUp(at: number, limit: number): number {
    let n = chunk(at, limit);
    const value = this.readSlots[at >>> PAGE_SHIFT]! >= 0 ? NONE : this.values[at >>> PAGE_SHIFT]!;
    while (value >= 0 && n < limit && this.readSlots[(at + n) >>> PAGE_SHIFT]! < 0 && this.values[(at + n) >>> PAGE_SHIFT] === value) n += chunk(at + n, limit - n);
    return n;
  }

  /** The same as `runUp` for the `limit` bytes below `end`, going down. */
  private runDown(end: number, limit: number): number {
    let n = chunkBelow(end, limit);
    const value = this.readSlots[(end - 1) >>> PAGE_SHIFT]! >= 0 ? NONE : this.values[(end - 1) >>> PAGE_SHIFT]!;
    while (value >= 0 && n < limit && this.readSlots[(end - n - 1) >>> PAGE_SHIFT]! < 0 && this.values[(end - n - 1) >>> PAGE_SHIFT] === value) n += chunkBelow(end - n, limit - n);
    return n;
  }

  /**
   * Copies a run: one of pages without bytes as a fill, one within a page with bytes into at
   * most two destination pages, in the direction `copy` goes.
   */
  private copyRun(to: number, from: number, n: number, up: boolean): void {
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
  private copyBytes(to: number, from: number, n: number, source: number): void {
    const slot = this.ownSlot(to >>> PAGE_SHIFT);
    const start = startOf(to >>> PAGE_SHIFT === from >>> PAGE_SHIFT ? slot : source) | (from & PAGE_MASK);
    this.store.bytes.copyWithin(startOf(slot) | (to & PAGE_MASK), start, start + n);
  }
}

/** Bytes from `at` to the end of its page, or `remaining` if fewer. */
function chunk(at: number, remaining: number): number {
  return Math.min(remaining, PAGE_SIZE - (at & PAGE_MASK));
}

/** Bytes from the start of the page of `end - 1` up to `end`, or `remaining` if fewer. */
function chunkBelow(end: number, remaining: number): number {
  return Math.min(remaining, ((end - 1) & PAGE_MASK) + 1);
}

/** True when `bytes[start, end)` all equal `byte`, compared 32 bytes per step as eight XOR-ed integer words. */
function isFilled(bytes: Uint8Array, start: number, end: number, byte: number): boolean {
  let i = start;
  while (i < end && ((bytes.byteOffset + i) & 3) !== 0) if (bytes[i++] !== byte) return false;
  // A range that ends before a 4-byte boundary is checked already (and has no words to view).
  if (i >= end) return true;
  const words = (end - i) >>> 2;
  const w = new Int32Array(bytes.buffer, bytes.byteOffset + i, words);
  const p = (byte * 0x01010101) | 0;
  let k = 0;
  for (; k + 8 <= words; k += 8) {
    if ((w[k]! ^ p) | (w[k + 1]! ^ p) | (w[k + 2]! ^ p) | (w[k + 3]! ^ p) | (w[k + 4]! ^ p) | (w[k + 5]! ^ p) | (w[k + 6]! ^ p) | (w[k + 7]! ^ p)) return false;
  }
  for (; k < words; k++) if (w[k] !== p) return false;
  for (i += words * 4; i < end; i++) if (bytes[i] !== byte) return false;
  return true;
}

/** Bulk byte comparison: eight 4-byte words per step where the two arrays share an alignment. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  const n = a.length;
  let i = 0;
  if ((a.byteOffset & 3) === (b.byteOffset & 3) && n >= 16) {
    while (i < n && ((a.byteOffset + i) & 3) !== 0) {
      if (a[i] !== b[i]) return false;
      i++;
    }
    const words = (n - i) >>> 2;
    const wa = new Int32Array(a.buffer, a.byteOffset + i, words);
    const wb = new Int32Array(b.buffer, b.byteOffset + i, words);
    let k = 0;
    for (; k + 8 <= words; k += 8) {
      if (
        (wa[k]! ^ wb[k]!) | (wa[k + 1]! ^ wb[k + 1]!) | (wa[k + 2]! ^ wb[k + 2]!) | (wa[k + 3]! ^ wb[k + 3]!) |
        (wa[k + 4]! ^ wb[k + 4]!) | (wa[k + 5]! ^ wb[k + 5]!) | (wa[k + 6]! ^ wb[k + 6]!) | (wa[k + 7]! ^ wb[k + 7]!)
      ) {
        return false;
      }
    }
    for (; k < words; k++) if (wa[k] !== wb[k]) return false;
    i += words * 4;
  }
  for (; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** `0x`-prefixed lowercase hex, at least four digits: the one way the engine prints an address. */
export function hex(addr: number): string {
  if (!Number.isFinite(addr)) return String(addr);
  const digits = Math.trunc(addr).toString(16);
  return (addr < 0 ? '-0x' : '0x') + digits.replace('-', '').padStart(4, '0');
}
