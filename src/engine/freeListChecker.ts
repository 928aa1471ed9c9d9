// The heap checker's half for an explicit free list: walks the links from the head with a bound
// (a cycle ends the walk, never the program) and reports each broken invariant with a stable code
// (docs/engine.md, "The explicit free list"). Never throws.

import type { ListOrder } from './config';
import { NULL_LINK } from './freeList';
import type { BlockLayout } from './layout';
import { HeapFault, hex } from './memory';
import type { FreeListEnds, HeapIssue, HeapWalk } from './results';

/** Links point at free blocks inside the heap, prev and next agree, every free block is on the list once, no cycle, address order holds. */
export function checkFreeList(walk: HeapWalk, layout: BlockLayout, ends: FreeListEnds, order: ListOrder): HeapIssue[] {
  const issues: HeapIssue[] = [];
  const free = freeBlocksOf(walk);
  const { nodes, complete } = walkListLinks(walk, layout, ends, order, free, issues);
  if (!complete) return issues;
  for (const addr of free) {
    if (!nodes.has(addr)) issues.push({ code: 'free-block-not-on-list', addr, message: `the free block at ${hex(addr)} is not on the free list: no malloc can find it` });
  }
  return issues;
}

/** The header addresses of a walk's free blocks. */
export function freeBlocksOf(walk: HeapWalk): Set<number> {
  const free = new Set<number>();
  for (const b of walk.blocks) if (b.status === 'free') free.add(b.addr);
  return free;
}

/** What a walk of one list's links found: its nodes, and whether it reached the null link. */
export interface ListLinksWalk {
  readonly nodes: ReadonlySet<number>;
  readonly complete: boolean;
}

/**
 * Walks one list's links from its head with a bound (a cycle ends the walk), adding to `issues`
 * each broken link, prev link, address order and tail. `head` names where the walk starts, in
 * messages. Never throws.
 */
export function walkListLinks(walk: HeapWalk, layout: BlockLayout, ends: FreeListEnds, order: ListOrder, free: ReadonlySet<number>, issues: HeapIssue[], head = 'the list head'): ListLinksWalk {
  // Past a point where the walk stopped, blocks are unknown, not missing.
  const known = (addr: number): boolean => walk.stopped === null || addr < walk.stopped.addr;
  const onList = new Set<number>();
  const from = (prev: number): string => (prev === NULL_LINK ? head : `the next link of ${hex(prev)}`);
  let prev = NULL_LINK;
  let node = ends.head;
  let complete = false;
  try {
    for (;;) {
      if (node === NULL_LINK) {
        complete = true;
        break;
      }
      if (node < layout.firstBlockAddr || node >= walk.heapSize) {
        issues.push({ code: 'list-link-outside-heap', addr: prev, message: `${from(prev)} holds ${hex(node)}, outside the heap's blocks [${hex(layout.firstBlockAddr)}, ${hex(walk.heapSize)})` });
        break;
      }
      if (onList.has(node)) {
        issues.push({ code: 'list-cycle', addr: node, message: `${from(prev)} leads back to ${hex(node)}: the free list runs in a cycle` });
        break;
      }
      if (!free.has(node)) {
        if (known(node)) issues.push({ code: 'list-link-not-free', addr: node, message: `${from(prev)} holds ${hex(node)}, which is not the header of a free block` });
        break;
      }
      onList.add(node);
      const back = layout.prevLinkAt(node);
      if (back !== prev) {
        issues.push({ code: 'list-prev-mismatch', addr: node, message: `the free block at ${hex(node)} has prev link ${hex(back)}, but the list reaches it from ${prev === NULL_LINK ? 'the head (prev should be 0)' : hex(prev)}` });
      }
      if (order === 'address' && prev !== NULL_LINK && node < prev) {
        issues.push({ code: 'list-address-order', addr: node, message: `the free block at ${hex(node)} follows ${hex(prev)} in an address-ordered list` });
      }
      prev = node;
      node = layout.nextLinkAt(node);
    }
  } catch (err) {
    if (!(err instanceof HeapFault)) throw err;
    issues.push({ code: 'list-link-outside-heap', addr: prev, message: `the links of ${hex(prev)} cannot be read: ${err.message}` });
  }
  if (complete && ends.tail !== prev) {
    issues.push({ code: 'list-ends-mismatch', addr: ends.tail, message: `the list's tail is ${hex(ends.tail)} but its last node is ${hex(prev)}` });
  }
  return { nodes: onList, complete };
}
