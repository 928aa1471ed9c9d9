// The heap walker: reads the block chain back from the heap's bytes, header by header, the way
// a debugger would. The checker, the metrics, the chain printer and the panel all use it. It
// never throws and always stops: a zero size or a size past the end ends the walk with a reason.

import type { BlockLayout } from './layout';
import { ALLOCATED_BIT } from './layout';
import { hex } from './memory';
import type { BlockInfo, HeapWalk, SentinelInfo } from './results';

/** Walks an implicit-list heap from its first block to the epilogue (or the break). */
export function walkImplicitHeap(layout: BlockLayout): HeapWalk {
  const memory = layout.memory;
  const W = layout.wordSize;
  const brk = memory.brk;
  const readable = (addr: number): boolean => memory.contains(addr, W);
  const blocks: BlockInfo[] = [];

  let prologue: SentinelInfo | null = null;
  let epilogue: SentinelInfo | null = null;
  if (layout.sentinels && readable(layout.prologueAddr) && readable(layout.firstBlockAddr - W)) {
    prologue = {
      addr: layout.prologueAddr,
      size: layout.prologueSize,
      header: layout.getWord(layout.prologueAddr),
      footer: layout.getWord(layout.firstBlockAddr - W),
    };
  }
  const end = layout.sentinels ? brk - W : brk;
  let addr = layout.firstBlockAddr;
  let stopped: HeapWalk['stopped'] = null;
  while (addr < end) {
    const header = layout.getWord(addr);
    const size = header - (header % 8);
    if (size === 0) {
      stopped = { addr, code: 'bad-block-size', message: `the block at ${hex(addr)} has size 0 in its header (${hex(header)}); the chain cannot be followed past it` };
      break;
    }
    if (addr + size > end) {
      stopped =
        addr + size > brk
          ? { addr, code: 'block-outside-heap', message: `the block at ${hex(addr)} claims ${size} bytes, which runs past the heap's end at ${hex(brk)}` }
          : { addr, code: 'heap-size-mismatch', message: `the block at ${hex(addr)} claims ${size} bytes and overlaps the epilogue at ${hex(end)}: block sizes do not add up to the heap` };
      break;
    }
    const allocated = (header & ALLOCATED_BIT) !== 0;
    const hasFooter = layout.footerInEveryBlock || !allocated;
    blocks.push({
      addr,
      size,
      status: allocated ? 'allocated' : 'free',
      payloadAddr: addr + W,
      payloadSize: allocated ? layout.payloadSize(size) : size - 2 * W,
      header,
      footer: hasFooter ? layout.getWord(addr + size - W) : null,
    });
    addr += size;
  }
  if (layout.sentinels && stopped === null && readable(end)) {
    epilogue = { addr: end, size: 0, header: layout.getWord(end), footer: null };
  }
  return { blocks, prologue, epilogue, heapSize: brk, stopped };
}
