// Broken links in an explicit free list: a program writes through a freed pointer over the next
// or prev word. The checker names what broke with the list's codes; the allocator reports a
// heap-fault instead of throwing, and a cycle in the links never makes anything loop forever.

import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createAllocator, LIST_ORDERS, FIT_POLICIES, type Allocator } from '../../../src/engine/index';
import { assertBrokenLink, fuzzCorruption, issueCodes as codes, poke } from '../support/listCorruption';

/** A csapp heap with blocks 12/112 (#0), 124/16, 140/208 (#2), 348/16 and 364/3744; #0 and #2 freed (LIFO: 140 -> 12 -> 364). */
function holes(): Allocator {
  const heap = createAllocator({ preset: 'csapp', freeList: 'explicit', order: 'lifo' });
  for (const n of [100, 8, 200, 8]) heap.malloc(n);
  heap.free(16);
  heap.free(144);
  assert.deepEqual(heap.check(), []);
  return heap;
}

/** Stores a 4-byte little-endian word through the freed pointer `ptr` at `offset` (0: next link, 4: prev link). */
function scribble(heap: Allocator, ptr: number, offset: number, value: number): void {
  assert.equal(poke(heap, ptr, offset, value), 'use-after-free');
}

describe('explicit free list corruption', () => {
  it('a next link pointing back makes a cycle: the checker says so and a search that finds nothing stops with a heap-fault', () => {
    assertBrokenLink(holes(), 16, 140, 'list-cycle', 10_000); // 140 -> 12 -> 140 -> ...
  });

  it('a next link to an allocated block, or outside the heap, is named', () => {
    assertBrokenLink(holes(), 16, 124, 'list-link-not-free', 5000);
    assertBrokenLink(holes(), 16, 0x7fff_fff0, 'list-link-outside-heap', 5000);
  });

  it('a prev link that disagrees, and a free block the links skip', () => {
    const prev = holes();
    scribble(prev, 16, 4, 0);
    assert.deepEqual(codes(prev), ['list-prev-mismatch']);
    const skipped = holes();
    scribble(skipped, 144, 0, 364);
    assert.deepEqual(codes(skipped), ['free-block-not-on-list', 'list-prev-mismatch']);
  });

  it('random words over the links of freed blocks, mixed with ops: every op returns, the checker never throws', () => {
    const options = fc.record({ order: fc.constantFrom(...LIST_ORDERS), policy: fc.constantFrom(...FIT_POLICIES) }).map((s) => ({ preset: 'csapp' as const, freeList: 'explicit' as const, maxHeap: 65536, ...s }));
    fuzzCorruption(options, [0, 4, 8]);
  });
});
