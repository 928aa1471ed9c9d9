// Simple segregated storage: every class hands out blocks of one size, its bound, whole (no
// splitting) and never merges them (no coalescing); an empty class grows the heap by a chunk
// carved into equal blocks of its size, and a request beyond the last bound gets a block of its
// own, kept on the unbounded class's list once freed (docs/engine.md, "Segregated free lists").

import type { FitPolicy, HeapConfig } from './config';
import { NULL_LINK } from './freeList';
import type { FitSearch } from './fitSearch';
import { HeapFault, hex } from './memory';
import { problem, type OpRecorder } from './opRecord';
import { SegregatedAllocator } from './segregatedAllocator';

export class SimpleSegregatedAllocator extends SegregatedAllocator {
  private declare unmerged: HeapConfig | undefined;

  /** mm_init writes the sentinels only: a chunk belongs to one class, and no class has asked yet. */
  protected override get growsAtInit(): boolean {
    return false;
  }

  /** Free neighbours are the rule here, not a missed merge. */
  protected override get chainRules(): HeapConfig {
    return (this.unmerged ??= { ...this.config, coalesce: 'off' });
  }

  /** The size of the block a request of `asize` bytes (header and footer included) takes: its class's bound, or its own size beyond the last bound. */
  blockSizeFor(asize: number): number {
    return this.config.classes[this.classOf(asize)] ?? asize;
  }

  /** Blocks a chunk for a class of `size`-byte blocks is carved into: as many as fit in chunkSize, at least one. */
  blocksPerChunk(size: number): number {
    return Math.max(1, Math.floor(this.config.chunkSize / size));
  }

  /**
   * A bounded class takes the head of its list (one block examined; none when the list is empty,
   * and the heap grows); the unbounded class is searched with the fit policy like an explicit list.
   */
  override classSearch(policy: FitPolicy, visit?: (addr: number) => void): FitSearch {
    const lists = this.lists;
    const n = this.config.classes.length;
    const large = lists[n]!.search(policy, visit);
    const L = this.layout;
    return {
      findFit: (size) => {
        const c = this.classOf(size);
        if (c === n) return large.findFit(size, lists[n]!.rover);
        const head = lists[c]!.head;
        if (head === NULL_LINK) return { addr: null, examined: 0 };
        if (head < L.firstBlockAddr || head >= L.chainEnd() || L.allocatedAt(head) || L.sizeAt(head) !== size) {
          throw new HeapFault(`the list of class ${c} begins at ${hex(head)}, which is not a free block of ${size} bytes`, head);
        }
        visit?.(head);
        return { addr: head, examined: 1 };
      },
    };
  }

  protected override allocate(requestSize: number, rec: OpRecorder): number | null {
    const L = this.layout;
    const asize = L.adjustSize(requestSize);
    const size = this.blockSizeFor(asize);
    const found = this.findFit(size);
    rec.examined += found.examined;
    let addr = found.addr;
    if (addr === null) {
      const count = this.classOf(size) < this.config.classes.length ? this.blocksPerChunk(size) : 1;
      addr = this.grow(size, count, rec);
      if (addr === null) {
        rec.problem =
          size > this.config.maxHeap
            ? this.beyondHeap(rec, requestSize)
            : problem('heap-limit', 'warning', `NULL: no free ${size}-byte block is left and growing the heap by ${size * count} bytes would pass its ${this.config.maxHeap}-byte limit (it is ${this.memory.brk} bytes).`);
        return null;
      }
    }
    const total = L.sizeAt(addr);
    this.track(addr, total, false, -1);
    L.writeBlock(addr, total, true, L.prevAllocatedFlag(addr));
    L.setPrevAllocated(addr + total, true);
    this.track(addr, total, true, 1);
    this.note.placed(rec, addr, total, asize, 0);
    this.setBlock(rec, addr, total);
    return L.payloadAddr(addr);
  }

  /**
   * Moves the break by `count` blocks of `size` bytes and makes them free blocks that join their
   * class's list as a run in address order (with lifo the lowest address ends up at the head).
   * Returns the first, or null when sbrk fails.
   */
  private grow(size: number, count: number, rec: OpRecorder): number | null {
    const L = this.layout;
    const bytes = size * count;
    const oldBreak = this.memory.sbrk(bytes);
    if (oldBreak === null) return null;
    const first = L.sentinels ? oldBreak - L.wordSize : oldBreak;
    let prevAllocated = L.sentinels ? L.prevAllocatedFlag(first) : true;
    for (let k = 0; k < count; k++) {
      L.writeBlock(first + k * size, size, false, prevAllocated);
      prevAllocated = false;
    }
    if (L.sentinels) L.writeEpilogue(first + bytes, false);
    const lifo = this.config.order === 'lifo';
    for (let k = 0; k < count; k++) this.track(first + (lifo ? count - 1 - k : k) * size, size, false, 1);
    this.note.extended(rec, first, bytes, oldBreak, this.memory.brk);
    return first;
  }

  /** free: the block joins its class's list as it is, never merged. */
  protected override release(ptr: number, rec: OpRecorder): void {
    this.markFree(ptr, rec);
  }

  /** realloc: `in-place` keeps the block whenever the new size fits in it (nothing can be split off); otherwise, and always with `naive`, malloc, copy, free. */
  protected override resize(ptr: number, requestSize: number, rec: OpRecorder): number | null {
    if (this.config.realloc === 'in-place') {
      const L = this.layout;
      const addr = L.blockAddr(ptr);
      const size = L.nextBlockAddr(addr) - addr;
      if (L.adjustSize(requestSize) <= size) {
        this.emit(rec, { type: 'resized-in-place', addr, oldSize: size, newSize: size, how: 'same' });
        this.setBlock(rec, addr, size);
        return ptr;
      }
    }
    return this.moveAndCopy(ptr, requestSize, rec);
  }
}
