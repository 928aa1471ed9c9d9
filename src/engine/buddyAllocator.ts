// The binary buddy system (Knuth 2.5; docs/engine.md, "The buddy system"): a power-of-two arena of
// power-of-two blocks, split in halves on malloc and merged with the buddy (offset XOR size) on
// free. Headers in the implicit list's word format and no boundary tags; one free list per order,
// linked through free payloads (freeList.ts), the lists' ends held outside the heap.

import type { AllocatorOptions } from './allocator';
import { AllocatorBase } from './allocatorBase';
import { checkBuddyLists } from './buddyChecker';
import { checkImplicitStructure } from './checker';
import { buddyArenaSize, powerOfTwoAtLeast, type HeapConfig } from './config';
import { FreeList, NULL_LINK } from './freeList';
import { BlockLayout, buddyOffset, decodeWord, MAX_BUDDY_ORDER, orderOf } from './layout';
import { HeapFault, hex } from './memory';
import { problem, type OpRecorder } from './opRecord';
import type { AllocatorSnapshot, FreeListEnds, FreeListNodes, HeapColumns, HeapIssue, HeapWalk } from './results';
import { chainHeaderWords, walkImplicitColumns, walkImplicitHeap } from './walker';

/** One block of the buddy tree: where it sits in the arena, its order and whether it is free. */
export interface BuddyBlock {
  /** The block's header address (from the heap's first byte). */
  readonly addr: number;
  /** Bytes from the arena's start: a multiple of the block's size. */
  readonly offset: number;
  readonly order: number;
  readonly size: number;
  readonly status: 'allocated' | 'free';
}

/** One order's free list, for a reader that draws the lists: its block size and its ends (0: none). */
export interface BuddyOrderList {
  readonly order: number;
  readonly size: number;
  readonly head: number;
  readonly tail: number;
}

export class BuddyAllocator extends AllocatorBase {
  readonly layout: BlockLayout;
  /** The order of the smallest block (docs/engine.md: a header and two links, rounded up to a power of two). */
  readonly minOrder: number;
  /** The free list of each order, indexed by order (those below minOrder stay empty). */
  private readonly lists: FreeList[];

  /**
   * A fresh heap with its first arena as one free block, or the state a snapshot describes.
   * `recycle`: a buddy allocator with the same largest heap that is no longer needed.
   */
  constructor(config: HeapConfig, snapshot?: AllocatorSnapshot, recycle?: BuddyAllocator, options: AllocatorOptions = {}) {
    super(config, recycle?.memory.recycle(), recycle?.ledger, options);
    if (config.policy === 'sbrk') throw new RangeError('the sbrk baseline is SbrkAllocator, not the buddy system');
    const L = (this.layout = new BlockLayout(this.memory, config));
    this.minOrder = orderOf(L.minBlockSize);
    this.lists = Array.from({ length: MAX_BUDDY_ORDER + 1 }, () => new FreeList(L, config.order));
    if (snapshot) {
      this.restore(snapshot);
      return;
    }
    if (recycle) this.ledger.load({ live: new Uint32Array(0), freed: new Uint32Array(0), livePayload: 0, peakPayload: 0 });
    if (config.sentinels) {
      this.memory.sbrk(L.firstBlockAddr + L.wordSize);
      L.writeSentinels();
    } else {
      this.memory.sbrk(L.firstBlockAddr);
    }
    // The first arena; config.ts refuses a configuration where it does not fit. Its events belong to no operation.
    this.addArenaBlock(buddyArenaSize(config), { events: [] });
  }

  // --- the reader's view ------------------------------------------------------------------

  /** The arena's first byte: the first block's header. */
  get arenaStart(): number {
    return this.layout.firstBlockAddr;
  }

  /** The arena's bytes: a power of two (the epilogue, if any, lies just past it). */
  get arenaSize(): number {
    return this.layout.chainEnd() - this.layout.firstBlockAddr;
  }

  /** The free list of `order` (its nodes, ends and links), or undefined outside the orders. */
  list(order: number): FreeList | undefined {
    return order >= this.minOrder ? this.lists[order] : undefined;
  }

  /** Every order's list from the smallest block to the arena, smallest first. */
  get orderLists(): BuddyOrderList[] {
    const out: BuddyOrderList[] = [];
    for (let k = this.minOrder; k <= orderOf(this.arenaSize); k++) {
      const { head, tail } = this.lists[k]!;
      out.push({ order: k, size: 2 ** k, head, tail });
    }
    return out;
  }

  /** Each order's list, smallest blocks first, named by its block size ("32 B"), with the link words as stored. */
  override freeLists(): readonly FreeListNodes[] {
    return this.orderLists.map(({ order, size }) => this.lists[order]!.view(`${size} B`));
  }

  /** The buddy tree's leaves in address order, read from the heap's bytes (a corrupted chain ends early). */
  tree(): BuddyBlock[] {
    const start = this.arenaStart;
    return this.walk().blocks.map((b) => ({ addr: b.addr, offset: b.addr - start, order: orderOf(b.size), size: b.size, status: b.status === 'allocated' ? 'allocated' : 'free' }));
  }

  // --- malloc -------------------------------------------------------------------------------

  /** The block for `requestSize` bytes: the smallest power of two holding a header and the request, at least the smallest block. */
  blockSizeFor(requestSize: number): number {
    return Math.max(this.layout.minBlockSize, powerOfTwoAtLeast(requestSize + this.layout.wordSize));
  }

  protected allocate(requestSize: number, rec: OpRecorder): number | null {
    const size = this.blockSizeFor(requestSize);
    if (size > this.config.maxHeap) {
      rec.problem = this.beyondHeap(rec, requestSize);
      return null;
    }
    const order = orderOf(size);
    const addr = this.findFree(order, rec) ?? this.grow(order, rec);
    if (addr === null) return null;
    this.place(addr, size, rec);
    return this.layout.payloadAddr(addr);
  }

  /**
   * The head of the smallest non-empty list of order `order` or more, up to the arena's; "blocks
   * examined" counts the lists looked at (docs/engine.md, "The buddy system").
   */
  private findFree(order: number, rec: OpRecorder): number | null {
    const top = orderOf(this.arenaSize);
    for (let k = order; k <= top; k++) {
      rec.examined++;
      const head = this.lists[k]!.head;
      if (head !== NULL_LINK) return this.visit(head, k);
    }
    return null;
  }

  /** A list's head as a free block of its order inside the arena, or a corrupted list (a HeapFault). */
  private visit(addr: number, order: number): number {
    const L = this.layout;
    if (addr < L.firstBlockAddr || addr >= L.chainEnd() || L.allocatedAt(addr) || L.sizeAt(addr) !== 2 ** order) {
      throw new HeapFault(`the list of ${2 ** order}-byte blocks links to ${hex(addr)}, which is not a free block of that size`, addr);
    }
    return addr;
  }

  /** Takes the free block at `addr` off its list and splits it in halves down to `size`; each upper half joins its order's list. */
  private place(addr: number, size: number, rec: OpRecorder): void {
    const L = this.layout;
    const total = L.sizeAt(addr);
    this.lists[orderOf(total)]!.remove(addr);
    this.stats.track(total, false, -1);
    this.splitDown(addr, total, size);
    L.writeBlock(addr, size, true, true);
    this.stats.track(size, true, 1);
    this.note.placed(rec, addr, size, size, total - size);
    this.setBlock(rec, addr, size);
  }

  /** Halves the block at `addr` from `from` bytes down to `to`: each upper half becomes a free block on its list. */
  private splitDown(addr: number, from: number, to: number): void {
    const L = this.layout;
    for (let half = from / 2; half >= to; half /= 2) {
      L.writeBlock(addr + half, half, false, true);
      this.stats.track(half, false, 1);
      this.lists[orderOf(half)]!.insert(addr + half);
    }
  }

  /**
   * No list holds a block of `order`: the arena doubles through sbrk (the old arena becomes the
   * lower half) until the newest block, merged with its buddy if that is the whole old arena and
   * free, is big enough. Nothing moves unless every doubling fits under maxHeap. Returns that block.
   */
  private grow(order: number, rec: OpRecorder): number | null {
    const L = this.layout;
    const immediate = this.config.coalesce === 'immediate';
    const first = L.firstBlockAddr;
    let arena = this.arenaSize;
    let whole = immediate && !L.allocatedAt(first) && L.sizeAt(first) === arena;
    let bytes = 0;
    for (;;) {
      bytes += arena;
      const got = whole ? 2 * arena : arena;
      arena *= 2;
      if (got >= 2 ** order) break;
    }
    if (bytes > this.config.maxHeap - this.memory.brk) {
      rec.problem = problem(
        'heap-limit',
        'warning',
        `NULL: no free block of ${2 ** order} bytes, and doubling the arena from ${this.arenaSize} to ${arena} bytes would pass the heap's ${this.config.maxHeap}-byte limit (it is ${this.memory.brk} bytes).`,
      );
      return null;
    }
    let addr = NULL_LINK;
    while (this.arenaSize < arena) addr = this.addArenaBlock(this.arenaSize, rec);
    return addr;
  }

  /** Moves the break by `size` bytes: the new space becomes one free block at the arena's end, settled (merged, listed). */
  private addArenaBlock(size: number, rec: Pick<OpRecorder, 'events'>): number {
    const L = this.layout;
    const oldBreak = this.memory.sbrk(size);
    if (oldBreak === null) throw new RangeError(`sbrk(${size}) failed after the arena's growth was checked`);
    const addr = L.sentinels ? oldBreak - L.wordSize : oldBreak;
    if (L.sentinels) L.writeEpilogue(addr + size, true);
    this.note.extended(rec, addr, size, oldBreak, this.memory.brk);
    return this.settle(addr, size, rec);
  }

  // --- free and merging -----------------------------------------------------------------

  protected release(ptr: number, rec: OpRecorder): void {
    const addr = this.layout.blockAddr(ptr);
    const size = this.blockSizeAt(addr);
    this.stats.track(size, true, -1);
    this.setBlock(rec, addr, size);
    this.note.freed(rec, addr, size);
    this.settle(addr, size, rec);
  }

  /**
   * A block that has become free and is on no list: under immediate coalescing it merges with its
   * buddy while the buddy is free and of its size (Knuth's algorithm S), then the block, merged or
   * not, gets its free header and joins its order's list. Returns where it ended up.
   */
  private settle(addr: number, size: number, rec: Pick<OpRecorder, 'events'>): number {
    const L = this.layout;
    if (this.config.coalesce === 'immediate') {
      const start = L.firstBlockAddr;
      const arena = this.arenaSize;
      while (size < arena) {
        const buddy = start + buddyOffset(addr - start, size);
        if (L.allocatedAt(buddy) || L.sizeAt(buddy) !== size) break;
        this.lists[orderOf(size)]!.remove(buddy);
        this.stats.track(size, false, -1);
        const lower = Math.min(addr, buddy);
        this.note.coalesced(rec, lower, 2 * size, buddy < addr ? size : 0, buddy > addr ? size : 0);
        addr = lower;
        size *= 2;
      }
    }
    L.writeBlock(addr, size, false, true);
    this.stats.track(size, false, 1);
    this.lists[orderOf(size)]!.insert(addr);
    return addr;
  }

  /**
   * The size of the live block at `addr`, if its header can say so: an allocated power of two in
   * the orders, aligned to its size. A HeapFault otherwise (a corrupted header): freeing a block
   * the header calls free would put it on a list twice.
   */
  private blockSizeAt(addr: number): number {
    const L = this.layout;
    const size = L.sizeAt(addr);
    const offset = addr - L.firstBlockAddr;
    if (size < L.minBlockSize || size > this.arenaSize || size !== powerOfTwoAtLeast(size) || offset % size !== 0) {
      throw new HeapFault(`the header at ${hex(addr)} holds size ${size}, which is not a buddy block at offset ${offset} of a ${this.arenaSize}-byte arena`, addr);
    }
    if (!L.allocatedAt(addr)) throw new HeapFault(`the header of the live block at ${hex(addr)} says it is free`, addr);
    return size;
  }

  // --- realloc --------------------------------------------------------------------------

  /** docs/engine.md: `naive` always moves; `in-place` keeps a block the request fits, giving back the upper halves it no longer needs. */
  protected resize(ptr: number, requestSize: number, rec: OpRecorder): number | null {
    const L = this.layout;
    const addr = L.blockAddr(ptr);
    const oldSize = this.blockSizeAt(addr);
    const size = this.blockSizeFor(requestSize);
    if (this.config.realloc === 'in-place' && size <= oldSize) {
      this.stats.track(oldSize, true, -1);
      // A freed upper half never merges: its buddy is the lower half, which holds the block.
      this.splitDown(addr, oldSize, size);
      L.writeBlock(addr, size, true, true);
      this.stats.track(size, true, 1);
      this.emit(rec, { type: 'resized-in-place', addr, oldSize, newSize: size, how: size === oldSize ? 'same' : 'shrink' });
      this.setBlock(rec, addr, size);
      return ptr;
    }
    return this.moveBlock(ptr, requestSize, Math.min(requestSize, L.payloadSize(oldSize)), rec);
  }

  protected payloadCapacity(ptr: number): number {
    return this.layout.payloadSize(this.layout.sizeAt(this.layout.blockAddr(ptr)));
  }

  protected override describeOverflow(payloadEnd: number, from: number, to: number): string {
    const L = this.layout;
    // No boundary tag: the payload ends where the next block's header (or the epilogue) begins.
    const what = payloadEnd >= L.chainEnd() ? `the ${L.sentinels ? 'epilogue' : 'heap end'} at ${hex(payloadEnd)}` : `the next block's header at ${hex(payloadEnd)}`;
    const beyond = to > payloadEnd + L.wordSize ? ` and ${to - Math.max(from, payloadEnd + L.wordSize)} bytes beyond` : '';
    return from < payloadEnd + L.wordSize ? `${what}${beyond}` : super.describeOverflow(payloadEnd, from, to);
  }

  // --- the walk, the checker, snapshots ---------------------------------------------------

  walk(): HeapWalk {
    return walkImplicitHeap(this.layout);
  }

  override walkColumns(): HeapColumns {
    return walkImplicitColumns(this.layout);
  }

  protected checkStructure(walk: HeapWalk): HeapIssue[] {
    return [...checkImplicitStructure(walk, this.layout, this.config), ...checkBuddyLists(walk, this.layout, this.lists, this.minOrder, this.config)];
  }

  protected saveBlocks(): Uint32Array {
    return chainHeaderWords(this.layout);
  }

  /** The links are in the bytes, so a buddy snapshot always keeps them, with every order's list ends. */
  override snapshot(_withBytes: boolean, withFreed = true): AllocatorSnapshot {
    const freeLists: FreeListEnds[] = [];
    for (let k = this.minOrder; k <= MAX_BUDDY_ORDER; k++) {
      const { head, tail } = this.lists[k]!;
      freeLists.push({ head, tail, rover: NULL_LINK });
    }
    return { ...super.snapshot(true, withFreed), orderLists: freeLists };
  }

  private restore(snapshot: AllocatorSnapshot): void {
    this.restoreCommon(snapshot);
    const L = this.layout;
    if (!snapshot.bytes && L.sentinels) L.writeSentinels();
    let addr = L.firstBlockAddr;
    for (const word of snapshot.blocks) {
      const { size, allocated } = decodeWord(word);
      if (!snapshot.bytes) L.writeBlock(addr, size, allocated, true);
      this.stats.track(size, allocated, 1);
      addr += size;
    }
    if (!snapshot.bytes && L.sentinels) L.writeEpilogue(addr, true);
    const ends = snapshot.orderLists;
    if (ends && snapshot.bytes) {
      ends.forEach((e, i) => {
        const list = this.lists[this.minOrder + i];
        if (list) [list.head, list.tail] = [e.head, e.tail];
      });
      return;
    }
    // No links to trust (not a snapshot this class made): each order's free blocks in address order.
    const byOrder = new Map<number, number[]>();
    addr = L.firstBlockAddr;
    for (const word of snapshot.blocks) {
      const { size, allocated } = decodeWord(word);
      if (!allocated) byOrder.set(orderOf(size), [...(byOrder.get(orderOf(size)) ?? []), addr]);
      addr += size;
    }
    for (const [order, addrs] of byOrder) this.lists[order]?.rebuild(addrs);
  }
}
