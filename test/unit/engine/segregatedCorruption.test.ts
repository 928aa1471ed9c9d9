// Broken segregated lists: a program writes through a freed pointer over a link, or past a payload
// over a header. The checker names what broke with stable codes (the explicit list's where they
// mean the same, and the class codes); the allocator reports a heap-fault instead of throwing,
// and a cycle never makes anything loop forever.

import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createAllocator, FIT_POLICIES, LIST_ORDERS, type Allocator } from '../../../src/engine/index';
import { assertBrokenLink, fuzzCorruption, issueCodes as codes, poke } from '../support/listCorruption';

/** csapp segregated fits after `a 0 100; a 1 8; f 0`: 12/112 on class 3's list, 140/3968 on class 8's. */
function hole(): Allocator {
  const heap = createAllocator({ preset: 'csapp', freeList: 'segregated' });
  heap.malloc(100);
  heap.malloc(8);
  heap.free(16);
  assert.deepEqual(heap.check(), []);
  return heap;
}

/** csapp simple storage, 128-byte chunks: four 32-byte blocks at 12, 44, 76, 108, all allocated. */
function carved(): Allocator {
  const heap = createAllocator({ preset: 'csapp', freeList: 'simple-segregated', chunkSize: 128 });
  for (let i = 0; i < 4; i++) heap.malloc(24);
  assert.deepEqual(heap.check(), []);
  return heap;
}

describe('segregated free list corruption', () => {
  it('a link from one class\'s list into another\'s: the block is in the wrong class and on two lists', () => {
    const heap = hole();
    assert.equal(poke(heap, 16, 0, 140), 'use-after-free');
    assert.deepEqual(codes(heap), ['free-block-on-two-lists', 'list-ends-mismatch', 'list-prev-mismatch', 'wrong-class']);
  });

  // 110 bytes are a 120-byte block, class 3: the 112-byte node does not fit, so the search follows its link.
  it('a cycle is named, and a search that meets it stops with a heap-fault', () => {
    assertBrokenLink(hole(), 16, 12, 'list-cycle', 110);
  });

  it('a link to an allocated block or outside the heap is named; a search stops with a heap-fault', () => {
    assertBrokenLink(hole(), 16, 124, 'list-link-not-free', 110);
    assertBrokenLink(hole(), 16, 0x7fff_fff0, 'list-link-outside-heap', 110);
  });

  it('simple storage: a class list whose next link leads to an allocated block hands out its head, then refuses', () => {
    const heap = carved();
    heap.free(16);
    heap.free(48); // class 1's list: 44 -> 12
    poke(heap, 48, 0, 76); // 44 -> 76, an allocated block
    assert.ok(codes(heap).includes('list-link-not-free'));
    assert.equal(heap.malloc(24).ptr, 48, 'the head is still a free 32-byte block');
    const r = heap.malloc(24);
    assert.equal(r.problem?.code, 'heap-fault');
    assert.equal(r.ptr, null);
  });

  it('simple storage: a header rewritten to a size no class makes is a carved-size issue', () => {
    const heap = carved();
    heap.free(48);
    // Past block 12's payload (16..40) and its footer: block 44's header says 48 bytes.
    assert.equal(poke(heap, 16, 28, 48), 'write-overflow');
    assert.ok(codes(heap).includes('carved-size'));
  });

  it('random words over links and headers, mixed with ops: every op returns, the checker never throws', () => {
    const options = fc
      .record({
        freeList: fc.constantFrom('segregated' as const, 'simple-segregated' as const),
        order: fc.constantFrom(...LIST_ORDERS),
        policy: fc.constantFrom(...FIT_POLICIES),
        classes: fc.constantFrom([16, 32, 64, 128, 256, 512, 1024, 2048, 4096], [32, 64], [24, 48, 96, 192]),
      })
      .map((s) => ({ preset: 'csapp' as const, maxHeap: 65536, chunkSize: 512, ...s }));
    fuzzCorruption(options, [-4, 0, 4, 8]);
  });
});
