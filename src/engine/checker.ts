// The heap checker (CS:APP's mm_checkheap, TLSF's tlsf_check): walks raw memory with the same
// walker the panel uses and returns every inconsistency with a stable code. Never throws, never
// prints. Tests call it after every operation.

import type { HeapConfig } from './config';
import type { BlockLayout } from './layout';
import { ALLOCATED_BIT, allocatedOfWord, prevAllocatedOfWord, sizeOfWord } from './layout';
import { hex } from './memory';
import type { BlockInfo, HeapIssue, HeapWalk } from './results';

/** Structure checks of an implicit-list heap: sentinels, sizes, boundary tags, coalescing. */
export function checkImplicitStructure(walk: HeapWalk, layout: BlockLayout, config: HeapConfig): HeapIssue[] {
  const issues: HeapIssue[] = [];
  const W = layout.wordSize;
  if (layout.sentinels) {
    const expected = layout.prologueSize + ALLOCATED_BIT;
    const p = walk.prologue;
    if (p === null || p.header !== expected || p.footer !== expected) {
      issues.push({
        code: 'bad-prologue',
        addr: layout.prologueAddr,
        message: `the prologue at ${hex(layout.prologueAddr)} should hold ${hex(expected)} in its header and footer, but holds ${p ? `${hex(p.header)} and ${hex(p.footer ?? 0)}` : 'nothing readable'}`,
      });
    }
  }
  let prevAllocated = true; // the prologue, or the heap's start
  let prevFree: BlockInfo | null = null;
  for (const block of walk.blocks) {
    const allocated = block.status === 'allocated';
    if (block.size % layout.alignment !== 0 || block.size < layout.minBlockSize) {
      issues.push({
        code: 'bad-block-size',
        addr: block.addr,
        message: `the block at ${hex(block.addr)} has size ${block.size}, which is not a multiple of ${layout.alignment} of at least ${layout.minBlockSize} bytes`,
      });
    }
    if (block.payloadAddr % layout.alignment !== 0) {
      issues.push({ code: 'misaligned-payload', addr: block.addr, message: `the payload of the block at ${hex(block.addr)} starts at ${hex(block.payloadAddr)}, not a multiple of ${layout.alignment}` });
    }
    if (block.footer !== null && block.header !== null) {
      const expected = block.size + (allocated ? ALLOCATED_BIT : 0);
      if (block.footer !== expected) {
        issues.push({
          code: 'header-footer-mismatch',
          addr: block.addr,
          message: `the block at ${hex(block.addr)} says ${block.size} bytes ${allocated ? 'allocated' : 'free'} in its header but its boundary tag at ${hex(block.addr + block.size - W)} holds ${hex(block.footer)}${footerHint(block.footer, expected)}`,
        });
      }
    }
    if (layout.prevAllocatedBits && block.header !== null) {
      const bit = prevAllocatedOfWord(block.header);
      if (bit !== prevAllocated) {
        issues.push({
          code: 'prev-allocated-mismatch',
          addr: block.addr,
          message: `the block at ${hex(block.addr)} says the previous block is ${bit ? 'allocated' : 'free'}, but it is ${prevAllocated ? 'allocated' : 'free'}`,
        });
      }
    }
    // Buddy blocks may lie free side by side: only buddies merge (docs/engine.md, "The buddy system").
    if (!allocated && prevFree !== null && config.coalesce === 'immediate' && config.freeList !== 'buddy') {
      issues.push({
        code: 'adjacent-free-blocks',
        addr: prevFree.addr,
        message: `the free blocks at ${hex(prevFree.addr)} (${prevFree.size} bytes) and ${hex(block.addr)} (${block.size} bytes) are neighbours: immediate coalescing should have merged them`,
      });
    }
    prevFree = allocated ? null : block;
    prevAllocated = allocated;
  }
  if (walk.stopped !== null) {
    issues.push({ code: walk.stopped.code, addr: walk.stopped.addr, message: walk.stopped.message });
  } else if (layout.sentinels) {
    const e = walk.epilogue;
    if (e === null || sizeOfWord(e.header) !== 0 || !allocatedOfWord(e.header)) {
      issues.push({
        code: 'bad-epilogue',
        addr: walk.heapSize - W,
        message: `the epilogue at ${hex(walk.heapSize - W)} should be an allocated header of size 0, but holds ${e ? hex(e.header) : 'nothing readable'}`,
      });
    } else if (layout.prevAllocatedBits && prevAllocatedOfWord(e.header) !== prevAllocated) {
      issues.push({
        code: 'prev-allocated-mismatch',
        addr: e.addr,
        message: `the epilogue says the last block is ${prevAllocatedOfWord(e.header) ? 'allocated' : 'free'}, but it is ${prevAllocated ? 'allocated' : 'free'}`,
      });
    }
  }
  return issues;
}

function footerHint(footer: number, expected: number): string {
  if (sizeOfWord(footer) === sizeOfWord(expected)) return ' (the allocated bits disagree)';
  return ' (overwritten? a write past the end of this payload lands there)';
}

/**
 * mdriver's checks of the live payloads against the heap: each is aligned, inside the heap, the
 * payload of an allocated block with room for what was requested, and overlaps no other; and
 * every allocated block belongs to a live pointer.
 */
export function checkLivePayloads(walk: HeapWalk, live: ReadonlyMap<number, number>, alignment: number): HeapIssue[] {
  const issues: HeapIssue[] = [];
  const byPayload = new Map<number, BlockInfo>();
  for (const block of walk.blocks) byPayload.set(block.payloadAddr, block);
  const sorted = [...live.entries()].sort((a, b) => a[0] - b[0]);
  let previous: [number, number] | null = null;
  for (const [ptr, requested] of sorted) {
    if (ptr % alignment !== 0) {
      issues.push({ code: 'misaligned-payload', addr: ptr, message: `the live payload ${hex(ptr)} is not a multiple of ${alignment}` });
    }
    if (ptr < 0 || ptr + requested > walk.heapSize) {
      issues.push({ code: 'payload-outside-heap', addr: ptr, message: `the live payload ${hex(ptr)} of ${requested} bytes does not lie inside the heap [0x0000, ${hex(walk.heapSize)})` });
    }
    const block = byPayload.get(ptr);
    if (block === undefined || block.status !== 'allocated') {
      // When the walk stopped early, blocks past that point are simply unknown.
      if (walk.stopped === null || ptr < walk.stopped.addr) {
        issues.push({
          code: 'live-payload-not-allocated',
          addr: ptr,
          message: block
            ? `the live payload ${hex(ptr)} belongs to a block the heap marks free: it may be handed out twice`
            : `the live payload ${hex(ptr)} is not the start of any block's payload: the block chain no longer knows it`,
        });
      }
    } else if (requested > block.payloadSize) {
      issues.push({
        code: 'overlapping-payloads',
        addr: ptr,
        message: `the live payload ${hex(ptr)} needs ${requested} bytes but its block at ${hex(block.addr)} now offers ${block.payloadSize}: the payload overlaps the next block`,
      });
    }
    if (previous !== null && previous[0] + previous[1] > ptr) {
      issues.push({
        code: 'overlapping-payloads',
        addr: ptr,
        message: `the live payloads ${hex(previous[0])} (${previous[1]} bytes) and ${hex(ptr)} (${requested} bytes) overlap`,
      });
    }
    if (previous === null || ptr + requested > previous[0] + previous[1]) previous = [ptr, requested];
  }
  for (const block of walk.blocks) {
    if (block.status === 'allocated' && !live.has(block.payloadAddr)) {
      issues.push({
        code: 'allocated-block-not-live',
        addr: block.addr,
        message: `the block at ${hex(block.addr)} is marked allocated but no live pointer owns it: its ${block.size} bytes are lost`,
      });
    }
  }
  return issues;
}
