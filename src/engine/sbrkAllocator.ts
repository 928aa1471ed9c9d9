// The simplest malloc (docs/engine.md): every request moves the break by
// the request rounded up to the alignment and returns the old break; there are no headers, free
// does nothing, realloc allocates anew and copies. The baseline every real allocator is measured
// against: one system call per request, and freed memory never comes back.

import { AllocatorBase } from './allocatorBase';
import { problem, type OpRecorder } from './opRecord';
import { roundUp } from './config';
import { allocatedOfWord, sizeOfWord } from './layout';
import { BLOCK_STATUSES, type AllocatorSnapshot, type BlockInfo, type HeapColumns, type HeapIssue, type HeapWalk } from './results';
import { grown } from './typedArrays';
import { ColumnsBuilder } from './walker';
import { lowerBound } from '../shared/bisect';

const ALLOCATED = BLOCK_STATUSES.indexOf('allocated');
const UNREUSABLE = BLOCK_STATUSES.indexOf('unreusable');

export class SbrkAllocator extends AllocatorBase {
  /**
   * Where each request landed, in address order (each one is taken from the break). The baseline
   * keeps nothing in the heap's bytes, so these columns are the only record of the allocations
   * (the walk shows them; freed ones stay as unreusable space). Typed arrays, not an object per
   * region: a replay of millions of requests keeps millions of them.
   */
  private addrs = new Uint32Array(64);
  private sizes = new Uint32Array(64);
  private live = new Uint8Array(64);
  private count = 0;

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
    this.add(oldBreak, size, true);
    this.stats.track(size, true, 1);
    this.note.extended(rec, oldBreak, size, oldBreak, this.memory.brk);
    this.note.placed(rec, oldBreak, size, size, 0);
    this.setBlock(rec, oldBreak, size);
    return oldBreak;
  }

  private add(addr: number, size: number, live: boolean): void {
    const k = this.count;
    if (k === this.addrs.length) {
      this.addrs = grown(this.addrs, 2 * k);
      this.sizes = grown(this.sizes, 2 * k);
      this.live = grown(this.live, 2 * k);
    }
    this.addrs[k] = addr;
    this.sizes[k] = size;
    this.live[k] = live ? 1 : 0;
    this.count = k + 1;
  }

  /** The region that starts at `addr` (the addresses ascend), or -1. */
  private regionAt(addr: number): number {
    const k = lowerBound(this.addrs, addr, this.count);
    return k < this.count && this.addrs[k] === addr ? k : -1;
  }

  protected release(ptr: number, rec: OpRecorder): void {
    const k = this.regionAt(ptr);
    if (k < 0) return;
    const size = this.sizes[k]!;
    this.live[k] = 0;
    this.stats.track(size, true, -1);
    this.setBlock(rec, ptr, size);
    this.note.freed(rec, ptr, size);
  }

  protected resize(ptr: number, requestSize: number, rec: OpRecorder): number | null {
    const oldRequest = this.ledger.requestSize(ptr) ?? 0;
    return this.moveBlock(ptr, requestSize, Math.min(oldRequest, requestSize), rec);
  }

  protected payloadCapacity(ptr: number): number {
    const k = this.regionAt(ptr);
    return k < 0 ? 0 : this.sizes[k]!;
  }

  walk(): HeapWalk {
    const blocks: BlockInfo[] = [];
    for (let k = 0; k < this.count; k++) {
      const addr = this.addrs[k]!;
      const size = this.sizes[k]!;
      blocks.push({ addr, size, status: this.live[k] ? 'allocated' : 'unreusable', payloadAddr: addr, payloadSize: size, header: null, footer: null });
    }
    return { blocks, prologue: null, epilogue: null, heapSize: this.memory.brk, stopped: null };
  }

  walkColumns(): HeapColumns {
    const out = new ColumnsBuilder(Math.max(1, this.count));
    for (let k = 0; k < this.count; k++) {
      const addr = this.addrs[k]!;
      const size = this.sizes[k]!;
      out.add(addr, size, this.live[k] ? ALLOCATED : UNREUSABLE, addr, size, NaN, NaN);
    }
    return out.finish(this.memory.brk, null, null, null);
  }

  protected saveBlocks(): Uint32Array {
    const words = new Uint32Array(this.count);
    for (let k = 0; k < this.count; k++) words[k] = this.sizes[k]! + this.live[k]!;
    return words;
  }

  /** Rebuilds the regions from a snapshot (see Allocator.snapshot). */
  restore(snapshot: AllocatorSnapshot): this {
    this.restoreCommon(snapshot);
    let addr = 0;
    for (const word of snapshot.blocks) {
      const size = sizeOfWord(word);
      const live = allocatedOfWord(word);
      this.add(addr, size, live);
      if (live) this.stats.track(size, true, 1);
      addr += size;
    }
    return this;
  }

  protected checkStructure(): HeapIssue[] {
    return []; // no structure in memory to check; the live payloads are checked by the base
  }
}
