// The heap checker's half for the buddy system (docs/engine.md, "The buddy system"): the arena and
// every block are powers of two, each block sits at a multiple of its size within the arena, no
// two free buddies are left unmerged, and every free block is on its own order's list and no
// other, each list's links sound. Stable codes; never throws.

import type { HeapConfig } from './config';
import { checkListLinks, freeBlocks } from './freeListChecker';
import type { FreeListEnds, HeapIssue, HeapWalk } from './results';
import type { BlockLayout } from './layout';
import { buddyOffset } from './layout';
import { hex } from './memory';

const isPowerOfTwo = (n: number): boolean => n >= 1 && Number.isSafeInteger(n) && 2 ** Math.round(Math.log2(n)) === n;

/** The buddy invariants over a walk of the blocks and the lists of each order (`lists[k]` holds blocks of 2^k bytes). */
export function checkBuddyLists(walk: HeapWalk, layout: BlockLayout, lists: readonly FreeListEnds[], minOrder: number, config: HeapConfig): HeapIssue[] {
  const issues: HeapIssue[] = [];
  const start = layout.firstBlockAddr;
  const arena = layout.chainEnd() - start;
  if (!isPowerOfTwo(arena)) {
    issues.push({ code: 'buddy-arena-size', addr: start, message: `the arena from ${hex(start)} holds ${arena} bytes, which is not a power of two` });
  }
  const freeSizes = new Map<number, number>();
  for (const block of walk.blocks) {
    const offset = block.addr - start;
    if (!isPowerOfTwo(block.size) || block.size < layout.minBlockSize || block.size > arena) {
      issues.push({ code: 'buddy-bad-size', addr: block.addr, message: `the block at ${hex(block.addr)} has size ${block.size}, not a power of two from ${layout.minBlockSize} to the arena's ${arena} bytes` });
    } else if (offset % block.size !== 0) {
      issues.push({ code: 'buddy-misaligned', addr: block.addr, message: `the ${block.size}-byte block at ${hex(block.addr)} starts ${offset} bytes into the arena, not at a multiple of its size` });
    }
    if (block.status === 'free') freeSizes.set(block.addr, block.size);
  }
  if (config.coalesce === 'immediate') {
    for (const [addr, size] of freeSizes) {
      const offset = addr - start;
      if (size >= arena || offset % size !== 0) continue;
      const buddy = start + buddyOffset(offset, size);
      if (buddy > addr && freeSizes.get(buddy) === size) {
        issues.push({ code: 'buddy-unmerged', addr, message: `the free ${size}-byte blocks at ${hex(addr)} and ${hex(buddy)} are buddies: freeing one of them should have merged them into one ${2 * size}-byte block` });
      }
    }
  }
  const free = freeBlocks(walk);
  const seen = new Set<number>();
  let complete = true;
  for (let k = minOrder; k < lists.length; k++) {
    const ends = lists[k]!;
    const size = 2 ** k;
    const links = checkListLinks(walk, layout, ends, config.order, free, issues, { head: `the head of the ${size}-byte list`, tail: `the ${size}-byte list's tail`, list: `the ${size}-byte list` });
    complete &&= links.complete;
    for (const addr of links.nodes) {
      if (freeSizes.get(addr) !== size) {
        issues.push({ code: 'buddy-wrong-list', addr, message: `the free ${freeSizes.get(addr)}-byte block at ${hex(addr)} is on the list of ${size}-byte blocks${seen.has(addr) ? ', and on another list too' : ''}` });
      }
      seen.add(addr);
    }
  }
  if (!complete) return issues;
  for (const addr of free) {
    if (!seen.has(addr)) issues.push({ code: 'free-block-not-on-list', addr, message: `the free ${freeSizes.get(addr)}-byte block at ${hex(addr)} is on no order's list: no malloc can find it` });
  }
  return issues;
}
