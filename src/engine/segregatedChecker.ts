// The heap checker's half for segregated free lists: each class's list walked as an explicit
// list's is (freeListChecker.ts), then the invariants across classes: every free block on exactly
// one list, the list of its class, and simple storage's block sizes (docs/engine.md,
// "Segregated free lists"). Never throws.

import { sizeClassOf, type HeapConfig } from './config';
import { checkListLinks, freeBlocks } from './freeListChecker';
import type { BlockLayout } from './layout';
import { hex } from './memory';
import type { HeapIssue, HeapWalk, SizeClassList } from './results';

/** How a class is named in a sentence: `class 2 (33 to 64 bytes)`, `class 9 (over 4096 bytes)`. */
export function className(c: number, cls: Pick<SizeClassList, 'min' | 'max'>): string {
  return `class ${c} (${cls.max === null ? `${cls.min} bytes and up` : `${cls.min} to ${cls.max} bytes`})`;
}

/** Each class's links, every free block on exactly one list and on its class's, and (simple storage) every block of a class's size. */
export function checkSegregatedLists(walk: HeapWalk, layout: BlockLayout, classes: readonly SizeClassList[], config: HeapConfig): HeapIssue[] {
  const issues: HeapIssue[] = [];
  const free = freeBlocks(walk);
  const sizes = new Map<number, number>();
  for (const b of walk.blocks) if (b.status === 'free') sizes.set(b.addr, b.size);
  const bounds = config.classes;
  const nameOf = (c: number): string => className(c, classes[c] ?? { min: 0, max: null });
  /** The class each node was first found on. */
  const listOf = new Map<number, number>();
  let complete = true;
  classes.forEach((ends, c) => {
    const name = nameOf(c);
    const links = checkListLinks(walk, layout, ends, config.order, free, issues, { head: `the head of ${name}`, tail: `the tail of ${name}`, list: `the list of ${name}` });
    complete &&= links.complete;
    for (const node of links.nodes) {
      const other = listOf.get(node);
      if (other !== undefined) {
        issues.push({ code: 'free-block-on-two-lists', addr: node, message: `the free block at ${hex(node)} is on the lists of ${nameOf(other)} and ${name}` });
        continue;
      }
      listOf.set(node, c);
      const size = sizes.get(node)!;
      const belongs = sizeClassOf(bounds, size);
      if (belongs !== c) {
        issues.push({ code: 'wrong-class', addr: node, message: `the free block at ${hex(node)} has ${size} bytes, which belong in ${nameOf(belongs)}, but it is on the list of ${name}` });
      }
    }
  });
  // A list that broke off leaves its later nodes unknown, not missing.
  if (complete) {
    for (const addr of free) {
      if (!listOf.has(addr)) {
        issues.push({ code: 'free-block-not-on-list', addr, message: `the free block at ${hex(addr)} is on no class's list (it belongs in ${nameOf(sizeClassOf(bounds, sizes.get(addr)!))}): no malloc can find it` });
      }
    }
  }
  if (config.freeList === 'simple-segregated') {
    for (const b of walk.blocks) {
      const c = sizeClassOf(bounds, b.size);
      if (c < bounds.length && b.size !== bounds[c]) {
        issues.push({ code: 'carved-size', addr: b.addr, message: `the block at ${hex(b.addr)} has ${b.size} bytes; simple segregated storage makes only blocks of a class's size (here ${bounds[c]}) or blocks over the last bound (${bounds[bounds.length - 1]})` });
      }
    }
  }
  return issues;
}
