// The implicit free list allocator with header and boundary tag (CS:APP 3e section 9.9.12),
// generalised: word size, alignment, footers, split rule, chunk size, sentinels, four placement
// policies, three coalescing modes and two realloc variants. All state lives in the heap's bytes
// except next fit's rover, as in the textbook.

import type { AllocatorOptions } from './allocator';
import { ImplicitChain } from './implicitChain';
import { problem, type OpRecorder } from './opRecord';
import type { HeapConfig } from './config';
import { roundUp } from './config';
import { BlockIndex } from './blockIndex';
import { KeptChain } from './keptChain';
import { indexedFitSearch, linearFitSearch, type FitResult, type FitSearch } from './fitSearch';
import { restoreChain } from './chainRestore';
import type { AllocatorSnapshot } from './results';
import { allocatedOfWord, sizeOfWord } from './layout';

export class ImplicitAllocator extends ImplicitChain {
  private readonly fit: FitSearch;
  /** The reference walk: used instead of the index once the program has scribbled on the heap. */
  private readonly walkFit: FitSearch;
  /** The fit index (config.search 'indexed'), kept in step with every block change. */
  private readonly index: BlockIndex | null;
  private roverAddr: number;
  /** A substitute fit search (see AllocatorOptions.fitSearch). */
  protected readonly substitute: FitSearch | null;
  /**
   * Whether a free and a placement may update the totals and the index once for their net effect
   * (docs/performance.md, "At scale"): with an index and `track` not overridden (a linked list
   * must see every block come and go in order).
   */
  private readonly netTracking: boolean;
  /** A merge's block and what it took from each side (see `neighbours`). */
  private readonly merge = { start: 0, size: 0, withPrev: 0, withNext: 0 };

  /**
   * A fresh heap (mm_init), or the state a snapshot describes. `recycle`: an allocator of the same
   * configuration that is no longer needed, whose buffers this one takes over.
   */
  constructor(config: HeapConfig, snapshot?: AllocatorSnapshot, recycle?: ImplicitAllocator, options: AllocatorOptions = {}) {
    super(config, recycle?.memory.recycle(), recycle?.ledger, options);
    this.substitute = options.fitSearch ?? null;
    if (config.policy === 'sbrk') throw new RangeError('the sbrk baseline is SbrkAllocator, not the implicit list');
    const bySize = config.policy === 'best';
    const reusable = recycle?.index && recycle.config.policy === config.policy ? recycle.index : null;
    this.index = config.search === 'indexed' ? (reusable ?? new BlockIndex(config.maxHeap, { bySize, granule: config.alignment, offset: this.layout.firstBlockAddr % config.alignment })) : null;
    if (this.index) this.stats.largestFrom(this.index);
    if (recycle && snapshot === undefined) {
      this.index?.load([], [], [], 0);
      this.ledger.load({ live: new Uint32Array(0), freed: new Uint32Array(0), livePayload: 0, peakPayload: 0 });
    }
    this.walkFit = linearFitSearch(this.layout, config.policy);
    this.fit = this.index ? indexedFitSearch(this.layout, config.policy, this.index) : this.walkFit;
    this.netTracking = this.index !== null && this.track === ImplicitAllocator.prototype.track;
    const L = this.layout;
    this.roverAddr = snapshot?.rover ?? L.firstBlockAddr;
    if (snapshot) {
      this.restore(snapshot);
      return;
    }
    if (config.sentinels) {
      this.memory.sbrk(L.firstBlockAddr + L.wordSize);
      L.writeSentinels();
    } else {
      this.memory.sbrk(L.firstBlockAddr);
    }
    // mm_init's first extend_heap(CHUNKSIZE); its events belong to no operation.
    if (this.growsAtInit) this.extendHeap(config.chunkSize, { events: [] });
  }

  /** Whether mm_init grows the heap by a first chunk (simple segregated storage grows only when a class asks). */
  protected get growsAtInit(): boolean {
    return true;
  }

  override get rover(): number {
    return this.roverAddr;
  }

  private restore(snapshot: AllocatorSnapshot): void {
    this.restoreCommon(snapshot);
    const L = this.layout;
    if (!snapshot.bytes && L.sentinels) L.writeSentinels();
    const n = snapshot.blocks.length;
    this.columnsFor = n + (n >> 3) + 64;
    this.kept = snapshot.bytes ? null : new KeptChain(snapshot.blocks.slice());
    const end = restoreChain(L, snapshot.blocks, !snapshot.bytes, this.stats, this.index);
    if (!snapshot.bytes && L.sentinels) L.writeEpilogue(end.addr, end.prevAllocated);
  }

  // --- malloc -------------------------------------------------------------------------------

  protected allocate(requestSize: number, rec: OpRecorder): number | null {
    const L = this.layout;
    const asize = L.adjustSize(requestSize);
    let found = this.findFit(asize);
    rec.examined += found.examined;
    if (found.addr === null && this.config.coalesce === 'deferred') {
      this.coalesceAll(rec);
      found = this.findFit(asize);
      rec.examined += found.examined;
    }
    let addr = found.addr;
    let total = found.size ?? 0;
    if (addr === null) {
      const grow = Math.max(asize, this.config.chunkSize);
      addr = this.extendHeap(grow, rec);
      if (addr === null) {
        rec.problem =
          asize > this.config.maxHeap
            ? this.beyondHeap(rec, requestSize)
            : problem('heap-limit', 'warning', `NULL: no free block fits ${asize} bytes and growing the heap by ${grow} bytes would pass its ${this.config.maxHeap}-byte limit (it is ${this.memory.brk} bytes).`);
        return null;
      }
      total = 0;
    }
    this.place(addr, asize, rec, total);
    this.roverAddr = addr;
    return L.payloadAddr(addr);
  }

  /** The free block for `asize` bytes; after a wild write the bytes may disagree with the index, so they are walked, as the textbook does. */
  protected findFit(asize: number): FitResult {
    return (this.substitute ?? (this.scribbled ? this.walkFit : this.fit)).findFit(asize, this.roverAddr);
  }

  /**
   * Allocates `asize` bytes at the free block `addr`, splitting off the rest when it is big enough;
   * `known`: the block's size as the fit search read it (0: not read).
   */
  private place(addr: number, asize: number, rec: OpRecorder, known: number): void {
    const L = this.layout;
    const total = known > 0 ? known : L.sizeAt(addr);
    let size: number;
    if (this.netTracking && this.kept === null) {
      size = this.writeAllocated(addr, total, asize, L.prevAllocatedFlag(addr));
      // The free block becomes an allocated one and, split, a free rest: told as one change.
      this.stats.change(1, size, size === total ? -1 : 0, -size);
      this.index!.allocate(addr, total, size);
    } else {
      this.track(addr, total, false, -1);
      size = this.keepAllocated(addr, total, asize, L.prevAllocatedFlag(addr));
    }
    this.note.placed(rec, addr, size, asize, total - size);
    this.setBlock(rec, addr, size);
  }

  /**
   * Moves the break by `bytes` and turns the new space into one free block (the old epilogue
   * becomes its header). Coalesces it with a free last block under immediate coalescing.
   * Returns the (possibly merged) block, or null when sbrk fails.
   */
  private extendHeap(bytes: number, rec: Pick<OpRecorder, 'events'>): number | null {
    const L = this.layout;
    const size = roundUp(bytes, L.alignment);
    const oldBreak = this.memory.sbrk(size);
    if (oldBreak === null) return null;
    let addr: number;
    if (L.sentinels) {
      addr = oldBreak - L.wordSize;
      L.writeBlock(addr, size, false, L.prevAllocatedFlag(addr));
      L.writeEpilogue(addr + size, false);
    } else {
      addr = oldBreak;
      L.writeBlock(addr, size, false, true);
    }
    this.track(addr, size, false, 1);
    this.note.extended(rec, addr, size, oldBreak, this.memory.brk);
    if (this.config.coalesce === 'immediate') addr = this.coalesce(addr, rec);
    this.roverAddr = addr; // docs/engine.md: after the heap grows, the rover points at the new block
    return addr;
  }

  // --- free and coalescing ------------------------------------------------------------------

  protected release(ptr: number, rec: OpRecorder): void {
    if (this.config.coalesce !== 'immediate') this.markFree(ptr, rec);
    else if (this.netTracking && this.kept === null) this.freeAndMerge(ptr, rec);
    else this.coalesce(this.markFree(ptr, rec), rec);
  }

  /**
   * markFree then coalesce, with the same reads and writes, but the totals and the index told
   * only the net change: the freed block is never indexed as free when it is merged at once.
   */
  private freeAndMerge(ptr: number, rec: OpRecorder): void {
    // markFree's writes and coalesce's reads written out, not called: calling them (markFree told
    // not to track, the reads through `neighbours`) cost 2.6% more instructions on the scale run
    // (docs/performance.md, "Engine per-op work").
    const L = this.layout;
    const addr = L.blockAddr(ptr);
    const next = L.nextBlockAddr(addr); // bounds-checks the size before anything is written
    const size = next - addr;
    L.writeBlock(addr, size, false, L.prevAllocatedFlag(addr));
    L.setPrevAllocated(next, false);
    this.setBlock(rec, addr, size);
    this.note.freed(rec, addr, size);
    let start = addr;
    let withNext = 0;
    let withPrev = 0;
    try {
      // Each neighbour's word read once (the header after, the footer before).
      if (next < L.chainEnd()) {
        const word = L.getWord(next);
        if (!allocatedOfWord(word)) withNext = L.nextAfter(next, sizeOfWord(word)) - next;
      }
      start = L.freePrevAddr(addr); // addr itself when the block before is not free
      withPrev = addr - start;
    } catch (err) {
      // A corrupted neighbour: the block stays freed, unmerged, as markFree leaves it.
      this.track(addr, size, true, -1);
      this.track(addr, size, false, 1);
      throw err;
    }
    const total = size + withNext + withPrev;
    this.stats.change(-1, -size, 1 - (withNext > 0 ? 1 : 0) - (withPrev > 0 ? 1 : 0), size);
    this.index!.free(addr, size, start, total, withNext);
    if (total === size) return;
    L.writeBlock(start, total, false, L.prevAllocatedFlag(start));
    this.roverFollowsMerge(start, total);
    this.note.coalesced(rec, start, total, withPrev, withNext);
  }

  /** The block of `ptr` becomes free, unmerged; returns its address. */
  protected markFree(ptr: number, rec: OpRecorder): number {
    const L = this.layout;
    const addr = L.blockAddr(ptr);
    const next = L.nextBlockAddr(addr); // bounds-checks the size before anything is written
    const size = next - addr;
    L.writeBlock(addr, size, false, L.prevAllocatedFlag(addr));
    L.setPrevAllocated(next, false);
    this.track(addr, size, true, -1);
    this.track(addr, size, false, 1);
    this.setBlock(rec, addr, size);
    this.note.freed(rec, addr, size);
    return addr;
  }

  /** Merges the free block at `addr` with free neighbours (the four boundary-tag cases). */
  private coalesce(addr: number, rec: Pick<OpRecorder, 'events'>): number {
    const own = this.layout.sizeAt(addr);
    const m = this.neighbours(addr, own);
    if (m.withNext === 0 && m.withPrev === 0) return addr;
    this.track(addr, own, false, -1);
    if (m.withNext > 0) this.track(addr + own, m.withNext, false, -1);
    if (m.withPrev > 0) this.track(m.start, m.withPrev, false, -1);
    this.track(m.start, m.size, false, 1);
    this.writeMerged(rec);
    return m.start;
  }

  /** The free block at `addr` of `size` bytes and its free neighbours, as `merge` (rewritten by every call). */
  private neighbours(addr: number, size: number): ImplicitAllocator['merge'] {
    const L = this.layout;
    const m = this.merge;
    const next = addr + size;
    m.start = addr;
    m.withNext = next < L.chainEnd() && !L.allocatedAt(next) ? L.nextBlockAddr(next) - next : 0;
    m.withPrev = 0;
    if (L.hasFreePrev(addr)) {
      m.start = L.prevBlockAddr(addr);
      m.withPrev = addr - m.start;
    }
    m.size = size + m.withNext + m.withPrev;
    return m;
  }

  /** Writes the merged block `merge` describes; the rover and the op's events follow. */
  private writeMerged(rec: Pick<OpRecorder, 'events'>): void {
    const { start, size, withPrev, withNext } = this.merge;
    this.layout.writeBlock(start, size, false, this.layout.prevAllocatedFlag(start));
    this.roverFollowsMerge(start, size);
    this.note.coalesced(rec, start, size, withPrev, withNext);
  }

  /** Deferred coalescing: merges every run of adjacent free blocks in one pass. */
  private coalesceAll(rec: OpRecorder): void {
    const L = this.layout;
    const end = L.chainEnd();
    let merges = 0;
    let before = 0;
    let after = 0;
    let addr = L.firstBlockAddr;
    while (addr < end) {
      let next = L.nextBlockAddr(addr);
      if (L.allocatedAt(addr)) {
        addr = next;
        continue;
      }
      before++;
      after++;
      let size = next - addr;
      const firstSize = size;
      while (next < end && !L.allocatedAt(next)) {
        const following = L.nextBlockAddr(next);
        this.track(next, following - next, false, -1);
        size += following - next;
        next = following;
        before++;
        merges++;
      }
      if (size !== firstSize) {
        this.track(addr, firstSize, false, -1);
        this.track(addr, size, false, 1);
        L.writeBlock(addr, size, false, L.prevAllocatedFlag(addr));
        this.roverFollowsMerge(addr, size);
      }
      addr = next;
    }
    this.emit(rec, { type: 'coalesced-all', merges, freeBlocksBefore: before, freeBlocksAfter: after });
  }

  /** A block of `size` bytes at `addr` appeared (+1) or disappeared (-1): the totals and the fit index follow. */
  protected track(addr: number, size: number, allocated: boolean, delta: 1 | -1): void {
    this.stats.track(size, allocated, delta);
    if (this.kept !== null && !this.kept.track(addr, delta)) this.kept = null;
    if (this.index) {
      if (delta > 0) this.index.add(addr, size, allocated);
      else this.index.remove(addr, size);
    }
  }

  /** docs/engine.md ("Definitions pinned down", the rover): when a merge swallows the block the rover points into, the rover moves to the merged block's start. */
  private roverFollowsMerge(start: number, size: number): void {
    if (this.roverAddr > start && this.roverAddr < start + size) this.roverAddr = start;
  }

  // --- realloc ------------------------------------------------------------------------------

  protected resize(ptr: number, requestSize: number, rec: OpRecorder): number | null {
    if (this.config.realloc === 'in-place') {
      const kept = this.resizeInPlace(ptr, requestSize, rec);
      if (kept !== null) return kept;
    }
    return this.moveAndCopy(ptr, requestSize, rec);
  }

  /** malloc a new block while the old is allocated, copy what CS:APP's mm_realloc copies, free the old one. */
  protected moveAndCopy(ptr: number, requestSize: number, rec: OpRecorder): number | null {
    const L = this.layout;
    const oldAddr = L.blockAddr(ptr);
    const oldSize = L.nextBlockAddr(oldAddr) - oldAddr;
    // CS:APP's mm_realloc copies min(size, old block size) bytes from the payload (a few bytes
    // past the old payload's end, harmlessly); the in-place variant copies only the old payload.
    return this.moveBlock(ptr, requestSize, Math.min(requestSize, this.config.realloc === 'naive' ? oldSize : L.payloadSize(oldSize)), rec);
  }

  /** Shrinks in place, or grows into a free next and/or previous block; null when it cannot. */
  private resizeInPlace(ptr: number, requestSize: number, rec: OpRecorder): number | null {
    const L = this.layout;
    const addr = L.blockAddr(ptr);
    const next = L.nextBlockAddr(addr);
    const oldSize = next - addr;
    const asize = L.adjustSize(requestSize);
    const prevAllocated = L.prevAllocatedFlag(addr);

    if (asize <= oldSize) {
      this.track(addr, oldSize, true, -1);
      const size = this.keepAllocated(addr, oldSize, asize, prevAllocated);
      this.emit(rec, { type: 'resized-in-place', addr, oldSize, newSize: size, how: size === oldSize ? 'same' : 'shrink' });
      this.setBlock(rec, addr, size);
      if (size !== oldSize && this.config.coalesce === 'immediate') this.coalesce(addr + size, rec);
      return ptr;
    }

    const nextFree = next < L.chainEnd() && !L.allocatedAt(next);
    const nextSize = nextFree ? L.nextBlockAddr(next) - next : 0;
    if (nextFree && oldSize + nextSize >= asize) {
      const total = oldSize + nextSize;
      this.track(addr, oldSize, true, -1);
      this.track(next, nextSize, false, -1);
      this.roverFollowsMerge(addr, total);
      const size = this.keepAllocated(addr, total, asize, prevAllocated);
      this.emit(rec, { type: 'resized-in-place', addr, oldSize, newSize: size, how: 'grow-next' });
      this.setBlock(rec, addr, size);
      return ptr;
    }

    if (L.hasFreePrev(addr)) {
      const start = L.prevBlockAddr(addr);
      const total = addr - start + oldSize + nextSize;
      if (total >= asize) {
        const to = L.payloadAddr(start);
        const copied = Math.min(requestSize, L.payloadSize(oldSize));
        // Untrack first (an explicit list unlinks free blocks through links the copy overwrites),
        // then move the data before the new block's tags land on the old payload.
        this.track(addr, oldSize, true, -1);
        this.track(start, addr - start, false, -1);
        if (nextSize > 0) this.track(next, nextSize, false, -1);
        this.memory.copy(to, ptr, copied);
        this.roverFollowsMerge(start, total);
        const size = this.keepAllocated(start, total, asize, L.prevAllocatedFlag(start));
        this.emit(rec, { type: 'resized-in-place', addr: start, oldSize, newSize: size, how: 'grow-prev' });
        this.emit(rec, { type: 'moved', fromPtr: ptr, toPtr: to, copied });
        this.setBlock(rec, start, size);
        return to;
      }
    }
    return null;
  }

  /**
   * Writes an allocated block of `asize` at `addr` out of `total` bytes, splitting off a free rest
   * if big enough. The caller has already untracked whatever blocks made up those bytes.
   */
  private keepAllocated(addr: number, total: number, asize: number, prevAllocated: boolean): number {
    const size = this.writeAllocated(addr, total, asize, prevAllocated);
    this.track(addr, size, true, 1);
    if (size !== total) this.track(addr + size, total - size, false, 1);
    return size;
  }

  /** keepAllocated's writes alone: returns the allocated block's size (`total` when the rest is too small to split off). */
  private writeAllocated(addr: number, total: number, asize: number, prevAllocated: boolean): number {
    const L = this.layout;
    const remainder = total - asize;
    if (remainder >= this.config.minSplit) {
      L.writeBlock(addr, asize, true, prevAllocated);
      L.writeBlock(addr + asize, remainder, false, true);
      L.setPrevAllocated(addr + total, false);
      return asize;
    }
    L.writeBlock(addr, total, true, prevAllocated);
    L.setPrevAllocated(addr + total, true);
    return total;
  }
}
