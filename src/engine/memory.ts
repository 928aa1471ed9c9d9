// The simulated heap's bytes: grown through a break like memlib.c's mem_sbrk, kept sparsely in pages
// that snapshots share copy-on-write (docs/memory.md), and bounds-checked against the break on every
// access, so that a corrupted size raises a HeapFault (the simulated segfault), never a stray access.
// The page store (pageStore.ts) and the page tables (pagedMemory.ts) lie beneath.

import { bytesEqual, isFilled, isFilledWords } from './byteCompare';
import { HeapBytes, KeptBytes } from './heapBytes';
import { PagedMemory } from './pagedMemory';
import { chunk, LITTLE_ENDIAN, NONE, PAGE_MASK, PAGE_SHIFT, PAGE_SIZE, PageStore, startOf } from './pageStore';

export { bytesEqual } from './byteCompare';
export { HeapFault, hex } from './heapFault';
export { HeapBytes, KeptBytes } from './heapBytes';
export { PAGE_SIZE } from './pageStore';

/** A heap of real bytes addressed by offset from its first byte. It grows, never shrinks. */
export class HeapMemory extends PagedMemory {
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

  // --- the word accessors: a word inside the heap and inside a page with bytes in place, in as
  // few steps as V8 will inline; anything else (and every fault) the slow way -----------------

  getUint32(addr: number): number {
    if (addr >= 0 && addr + 4 <= this.breakAddr) {
      const offset = addr & PAGE_MASK;
      const slot = this.readSlots[addr >>> PAGE_SHIFT]!;
      // A 4-byte aligned word lies within its page: one element of the store's words.
      if (slot >= 0 && (offset & 3) === 0 && LITTLE_ENDIAN) return this.store.words[(startOf(slot) | offset) >> 2]! >>> 0;
      if (slot >= 0 && offset <= PAGE_SIZE - 4) return this.store.view.getUint32(startOf(slot) | offset, true);
    }
    return this.getWordSlow(addr, 4);
  }

  setUint32(addr: number, value: number): void {
    if (addr >= 0 && addr + 4 <= this.breakAddr) {
      const offset = addr & PAGE_MASK;
      const slot = this.writeSlots[addr >>> PAGE_SHIFT]!;
      if (slot >= 0 && (offset & 3) === 0 && LITTLE_ENDIAN) {
        this.store.words[(startOf(slot) | offset) >> 2] = value | 0;
        return;
      }
      if (slot >= 0 && offset <= PAGE_SIZE - 4) {
        this.store.view.setUint32(startOf(slot) | offset, value >>> 0, true);
        return;
      }
    }
    this.setWordSlow(addr, value >>> 0, 0, 4);
  }

  /**
   * `setUint32(a, va)` then `setUint32(b, vb)` (b >= a): a block's header and boundary tag, which
   * mostly share a page, found once (docs/performance.md, "Per-op work (issue 17, seventh pass)").
   */
  setUint32Pair(a: number, va: number, b: number, vb: number): void {
    if (a >= 0 && b >= a && b + 4 <= this.breakAddr && ((a | b) & 3) === 0 && a >>> PAGE_SHIFT === b >>> PAGE_SHIFT && LITTLE_ENDIAN) {
      const slot = this.writeSlots[a >>> PAGE_SHIFT]!;
      if (slot >= 0) {
        const words = this.store.words;
        const base = startOf(slot);
        words[(base | (a & PAGE_MASK)) >> 2] = va | 0;
        words[(base | (b & PAGE_MASK)) >> 2] = vb | 0;
        return;
      }
    }
    this.setUint32(a, va);
    this.setUint32(b, vb);
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
    // Within a page this heap writes in place (mdriver's fill of a payload just allocated, as a
    // rule): what `fillRange` would do, in one step.
    const offset = addr & PAGE_MASK;
    const slot = this.writeSlots[addr >>> PAGE_SHIFT]!;
    if (slot >= 0 && offset + length < PAGE_SIZE) {
      const from = startOf(slot) | offset;
      this.store.bytes.fill(value & 0xff, from, from + length);
      return;
    }
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
    // Within a page at both ends, from bytes in place to a page this heap writes in place (a
    // realloc's move, as a rule): what the runs below would do, in one step.
    const toOffset = to & PAGE_MASK;
    const fromOffset = from & PAGE_MASK;
    const slot = this.writeSlots[to >>> PAGE_SHIFT]!;
    const source = this.readSlots[from >>> PAGE_SHIFT]!;
    if (slot >= 0 && source >= 0 && toOffset + length <= PAGE_SIZE && fromOffset + length <= PAGE_SIZE) {
      const start = startOf(source) | fromOffset;
      this.store.bytes.copyWithin(startOf(slot) | toOffset, start, start + length);
      return;
    }
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
    const { bytes, words } = this.store;
    for (let at = addr, end = addr + length; at < end; ) {
      const n = chunk(at, end - at);
      const slot = this.readSlots[at >>> PAGE_SHIFT]!;
      const start = startOf(slot) | (at & PAGE_MASK);
      const same = slot >= 0 ? isFilledWords(bytes, words, start, start + n, b) : this.values[at >>> PAGE_SHIFT] === b;
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

}
