// The heap walker: reads the block chain back from the heap's bytes, header by header, the way
// a debugger would. The checker, the metrics, the chain printer and the panel all use it. It
// never throws and always stops: a zero size or a size past the end ends the walk with a reason.

import { grown } from './typedArrays';
import type { BlockLayout } from './layout';
import { allocatedOfWord, sizeOfWord } from './layout';
import { hex } from './memory';
import { BLOCK_STATUSES, type BlockInfo, type HeapColumns, type HeapWalk, type SentinelInfo } from './results';

/** Walks an implicit-list heap from its first block to the epilogue (or the break). */
export function walkImplicitHeap(layout: BlockLayout): HeapWalk {
  return walkFromColumns(walkImplicitColumns(layout));
}

/** The walk as objects, from its columns. */
function walkFromColumns(c: HeapColumns): HeapWalk {
  const blocks: BlockInfo[] = new Array(c.count);
  for (let k = 0; k < c.count; k++) {
    blocks[k] = {
      addr: c.addrs[k]!,
      size: c.sizes[k]!,
      status: BLOCK_STATUSES[c.status[k]!]!,
      payloadAddr: c.payloadAddrs[k]!,
      payloadSize: c.payloadSizes[k]!,
      header: Number.isNaN(c.headers[k]) ? null : c.headers[k]!,
      footer: Number.isNaN(c.footers[k]) ? null : c.footers[k]!,
    };
  }
  return { blocks, prologue: c.prologue, epilogue: c.epilogue, heapSize: c.heapSize, stopped: c.stopped };
}

/** Blocks [first, end) of walked columns (views into them); the sentinels, size and stop the whole walk's. */
export function cutColumns(c: HeapColumns, first: number, end: number): HeapColumns {
  const cut = (a: Float64Array) => a.subarray(first, end);
  return { ...c, count: end - first, addrs: cut(c.addrs), sizes: cut(c.sizes), payloadAddrs: cut(c.payloadAddrs), payloadSizes: cut(c.payloadSizes), headers: cut(c.headers), footers: cut(c.footers), status: c.status.subarray(first, end) };
}

/** Columns for up to `capacity` blocks, grown as needed. */
export class ColumnsBuilder {
  count = 0;
  addrs: Float64Array;
  sizes: Float64Array;
  payloadAddrs: Float64Array;
  payloadSizes: Float64Array;
  headers: Float64Array;
  footers: Float64Array;
  status: Uint8Array;

  constructor(capacity = 64) {
    this.addrs = new Float64Array(capacity);
    this.sizes = new Float64Array(capacity);
    this.payloadAddrs = new Float64Array(capacity);
    this.payloadSizes = new Float64Array(capacity);
    this.headers = new Float64Array(capacity);
    this.footers = new Float64Array(capacity);
    this.status = new Uint8Array(capacity);
  }

  /** Adds a block; `header` and `footer` NaN where there is none. */
  add(addr: number, size: number, status: number, payloadAddr: number, payloadSize: number, header: number, footer: number): void {
    if (this.count === this.addrs.length) this.grow();
    const k = this.count++;
    this.addrs[k] = addr;
    this.sizes[k] = size;
    this.status[k] = status;
    this.payloadAddrs[k] = payloadAddr;
    this.payloadSizes[k] = payloadSize;
    this.headers[k] = header;
    this.footers[k] = footer;
  }

  finish(heapSize: number, prologue: SentinelInfo | null = null, epilogue: SentinelInfo | null = null, stopped: HeapWalk['stopped'] = null): HeapColumns {
    return { count: this.count, addrs: this.addrs, sizes: this.sizes, payloadAddrs: this.payloadAddrs, payloadSizes: this.payloadSizes, headers: this.headers, footers: this.footers, status: this.status, prologue, epilogue, heapSize, stopped };
  }

  private grow(): void {
    const n = this.addrs.length * 2;
    this.addrs = grown(this.addrs, n);
    this.sizes = grown(this.sizes, n);
    this.payloadAddrs = grown(this.payloadAddrs, n);
    this.payloadSizes = grown(this.payloadSizes, n);
    this.headers = grown(this.headers, n);
    this.footers = grown(this.footers, n);
    this.status = grown(this.status, n);
  }
}

const ALLOCATED = BLOCK_STATUSES.indexOf('allocated');
const FREE = BLOCK_STATUSES.indexOf('free');

/** The walk of an implicit-list heap as columns: no object per block. */
export function walkImplicitColumns(layout: BlockLayout, capacity = 64): HeapColumns {
  return walkImplicitWindow(layout, layout.firstBlockAddr, Infinity, capacity);
}

/**
 * The walk's columns for at most `count` blocks from the block at `from` only (a window of the
 * heap: docs/performance.md, "Walking only the window"); the sentinels are the whole heap's.
 */
export function walkImplicitWindow(layout: BlockLayout, from: number, count: number, capacity = 64): HeapColumns {
  const brk = layout.memory.brk;
  const out = new ColumnsBuilder(capacity);
  const prologue = prologueOf(layout);
  const end = layout.sentinels ? brk - layout.wordSize : brk;
  const stopped = walkBlocks(layout, from, end, brk, out, count);
  const epilogue = stopped === null ? epilogueOf(layout, end) : null;
  return out.finish(brk, prologue, epilogue, stopped);
}

// The walk's loop is a function of its own, apart from the sentinels: it runs over 100,000 blocks
// at a jump, and optimised in the middle of its run it was deoptimised again, walk after walk, by
// the code after it (docs/performance.md, "The heap before from the heap after").

/** The prologue's words, when the layout has sentinels and they are in the heap. */
function prologueOf(layout: BlockLayout): SentinelInfo | null {
  const W = layout.wordSize;
  if (!layout.sentinels || !layout.memory.contains(layout.prologueAddr, W) || !layout.memory.contains(layout.firstBlockAddr - W, W)) return null;
  return { addr: layout.prologueAddr, size: layout.prologueSize, header: layout.getWord(layout.prologueAddr), footer: layout.getWord(layout.firstBlockAddr - W) };
}

/** The epilogue at `end`, when the layout has sentinels and it is in the heap. */
function epilogueOf(layout: BlockLayout, end: number): SentinelInfo | null {
  if (!layout.sentinels || !layout.memory.contains(end, layout.wordSize)) return null;
  return { addr: end, size: 0, header: layout.getWord(end), footer: null };
}

/** Adds the blocks from `addr` up to `end` to `out`, until it holds `count`; why the walk stopped short, or null. */
export function walkBlocks(layout: BlockLayout, addr: number, end: number, brk: number, out: ColumnsBuilder, count: number): HeapWalk['stopped'] {
  const W = layout.wordSize;
  while (addr < end && out.count < count) {
    const header = layout.getWord(addr);
    const size = sizeOfWord(header);
    if (size === 0) return { addr, code: 'bad-block-size', message: `the block at ${hex(addr)} has size 0 in its header (${hex(header)}); the chain cannot be followed past it` };
    if (addr + size > end) {
      return addr + size > brk
        ? { addr, code: 'block-outside-heap', message: `the block at ${hex(addr)} claims ${size} bytes, which runs past the heap's end at ${hex(brk)}` }
        : { addr, code: 'heap-size-mismatch', message: `the block at ${hex(addr)} claims ${size} bytes and overlaps the epilogue at ${hex(end)}: block sizes do not add up to the heap` };
    }
    const allocated = allocatedOfWord(header);
    const hasFooter = layout.footerInEveryBlock || (!allocated && layout.footerInFreeBlocks);
    out.add(addr, size, allocated ? ALLOCATED : FREE, addr + W, allocated ? layout.payloadSize(size) : layout.freePayloadSize(size), header, hasFooter ? layout.getWord(addr + size - W) : NaN);
    addr += size;
  }
  return null;
}

/**
 * The header words of the block chain, in order, for a snapshot (restoreAllocator rebuilds the
 * blocks from them). Stops quietly at a corrupted size: such a heap is snapshotted with its bytes.
 */
export function chainHeaderWords(layout: BlockLayout): Uint32Array {
  const end = layout.chainEnd();
  let out = new Uint32Array(64);
  let n = 0;
  for (let addr = layout.firstBlockAddr; addr < end; ) {
    const word = layout.getWord(addr);
    const size = sizeOfWord(word);
    if (size === 0 || addr + size > end || word > 0xffffffff) break;
    if (n === out.length) out = grown(out, n * 2);
    out[n++] = word;
    addr += size;
  }
  return out.slice(0, n);
}
