// The simplest malloc (docs/engine.md): every request moves the break by
// the request rounded up to the alignment and returns the old break; there are no headers, free
// does nothing, realloc allocates anew and copies. The baseline every real allocator is measured
// against: one system call per request, and freed memory never comes back.

import { AllocatorBase, problem, type OpRecorder } from './allocator';
import { roundUp } from './config';
import type { AllocatorSnapshot, BlockInfo, HeapIssue, HeapWalk } from './results';

export class SbrkAllocator extends AllocatorBase {
  /**
   * Where each request landed. The baseline keeps nothing in the heap's bytes, so this list is
   * the only record of the allocations (the walk shows them; freed ones stay as unreusable space).
   */
  private readonly regions: { addr: number; size: number; live: boolean }[] = [];
  private readonly regionIndex = new Map<number, number>();

  protected allocate(requestSize: number, rec: OpRecorder): number | null {
    const size = roundUp(requestSize, this.config.alignment);
    const oldBreak = this.memory.sbrk(size);
    if (oldBreak === null) {
      rec.problem =
        size > this.config.maxHeap
          ? this.beyondHeap(rec, requestSize)
          : problem('heap-limit', 'warning', `NULL: sbrk(${size}) failed: the heap would pass its ${this.config.maxHeap}-byte limit (it is ${this.memory.brk} bytes).`);
      return null;
    }
    this.regionIndex.set(oldBreak, this.regions.length);
    this.regions.push({ addr: oldBreak, size, live: true });
    this.stats.track(size, true, 1);
    this.emit(rec, { type: 'extended', addr: oldBreak, size, oldBreak, newBreak: this.memory.brk });
    this.emit(rec, { type: 'placed', addr: oldBreak, size, asize: size, remainder: 0 });
    this.setBlock(rec, oldBreak, size);
    return oldBreak;
  }

  protected release(ptr: number, rec: OpRecorder): void {
    const region = this.regions[this.regionIndex.get(ptr) ?? -1];
    if (region === undefined) return;
    region.live = false;
    this.stats.track(region.size, true, -1);
    this.setBlock(rec, region.addr, region.size);
    this.emit(rec, { type: 'freed', addr: region.addr, size: region.size });
  }

  protected resize(ptr: number, requestSize: number, rec: OpRecorder): number | null {
    const oldRequest = this.ledger.requestSize(ptr) ?? 0;
    const moved = this.allocate(requestSize, rec);
    if (moved === null) return null;
    const newBlock = rec.block;
    const copied = Math.min(oldRequest, requestSize);
    this.memory.copy(moved, ptr, copied);
    this.emit(rec, { type: 'moved', fromPtr: ptr, toPtr: moved, copied });
    this.release(ptr, rec);
    rec.block = newBlock;
    return moved;
  }

  protected payloadCapacity(ptr: number): number {
    return this.regions[this.regionIndex.get(ptr) ?? -1]?.size ?? 0;
  }

  walk(): HeapWalk {
    const blocks: BlockInfo[] = this.regions.map((r) => ({
      addr: r.addr,
      size: r.size,
      status: r.live ? 'allocated' : 'unreusable',
      payloadAddr: r.addr,
      payloadSize: r.size,
      header: null,
      footer: null,
    }));
    return { blocks, prologue: null, epilogue: null, heapSize: this.memory.brk, stopped: null };
  }

  protected saveBlocks(): Uint32Array {
    return Uint32Array.from(this.regions, (r) => r.size + (r.live ? 1 : 0));
  }

  /** Rebuilds the regions from a snapshot (see Allocator.snapshot). */
  restore(snapshot: AllocatorSnapshot): this {
    this.restoreCommon(snapshot);
    let addr = 0;
    for (const word of snapshot.blocks) {
      const size = word - (word % 8);
      const live = (word & 1) !== 0;
      this.regionIndex.set(addr, this.regions.length);
      this.regions.push({ addr, size, live });
      if (live) this.stats.track(size, true, 1);
      addr += size;
    }
    return this;
  }

  protected checkStructure(): HeapIssue[] {
    return []; // no structure in memory to check; the live payloads are checked by the base
  }
}
