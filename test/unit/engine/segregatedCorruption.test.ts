// Broken segregated lists: a program writes through a freed pointer over a link, or past a payload
// over a header. The checker names what broke with stable codes (the explicit list's where they
// mean the same, and the class codes); the allocator reports a heap-fault instead of throwing,
// and a cycle never makes anything loop forever.

import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createAllocator, FIT_POLICIES, HEAP_ISSUE_CODES, LIST_ORDERS, type Allocator, type HeapIssueCode, type HeapOptions } from '../../../src/engine/index';

/** Stores a 4-byte little-endian word at `ptr + offset`. */
function poke(heap: Allocator, ptr: number, offset: number, value: number): string | undefined {
  return heap.write(ptr, offset, new Uint8Array(new Uint32Array([value]).buffer)).problem?.code;
}

const codes = (heap: Allocator): HeapIssueCode[] => [...new Set(heap.check().map((i) => i.code))].sort();

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

  it('a cycle is named, and a search that meets it stops with a heap-fault', () => {
    const heap = hole();
    poke(heap, 16, 0, 12);
    assert.ok(codes(heap).includes('list-cycle'));
    // 110 bytes are a 120-byte block, class 3: the 112-byte node does not fit, and its link leads back to it.
    const r = heap.malloc(110);
    assert.equal(r.problem?.code, 'heap-fault');
    assert.equal(r.ptr, null);
  });

  it('a link to an allocated block or outside the heap is named; a search stops with a heap-fault', () => {
    const toAllocated = hole();
    poke(toAllocated, 16, 0, 124);
    assert.ok(codes(toAllocated).includes('list-link-not-free'));
    assert.equal(toAllocated.malloc(110).problem?.code, 'heap-fault');
    const outside = hole();
    poke(outside, 16, 0, 0x7fff_fff0);
    assert.ok(codes(outside).includes('list-link-outside-heap'));
    assert.equal(outside.malloc(110).problem?.code, 'heap-fault');
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
    const op = fc.oneof(
      fc.record({ kind: fc.constant('malloc' as const), n: fc.integer({ min: 1, max: 3000 }) }),
      fc.record({ kind: fc.constant('free' as const), pick: fc.nat() }),
      fc.record({ kind: fc.constant('scribble' as const), pick: fc.nat(), offset: fc.constantFrom(-4, 0, 4, 8), word: fc.oneof(fc.nat({ max: 9000 }), fc.constant(0), fc.nat()) }),
    );
    const settings = fc.record({
      freeList: fc.constantFrom('segregated' as const, 'simple-segregated' as const),
      order: fc.constantFrom(...LIST_ORDERS),
      policy: fc.constantFrom(...FIT_POLICIES),
      classes: fc.constantFrom(undefined, [32, 64], [24, 48, 96, 192]),
    });
    fc.assert(
      fc.property(settings, fc.array(op, { maxLength: 60 }), ({ classes, ...s }, list) => {
        const options: HeapOptions = { preset: 'csapp', maxHeap: 65536, chunkSize: 512, ...s, ...(classes ? { classes } : {}) };
        const heap = createAllocator(options);
        const live: number[] = [];
        const freed: number[] = [];
        for (const o of list) {
          if (o.kind === 'malloc') {
            const r = heap.malloc(o.n);
            if (r.ptr !== null) live.push(r.ptr);
            assert.ok(r.problem === null || ['heap-limit', 'heap-fault', 'engine-error'].includes(r.problem.code), r.problem?.message);
            assert.notEqual(r.problem?.code, 'engine-error', r.problem?.message);
          } else if (o.kind === 'free' && live.length > 0) {
            const [ptr] = live.splice(o.pick % live.length, 1);
            heap.free(ptr!);
            freed.push(ptr!);
          } else if (o.kind === 'scribble' && freed.length > 0) {
            heap.write(freed[o.pick % freed.length]!, o.offset, new Uint8Array(new Uint32Array([o.word]).buffer));
          }
          for (const issue of heap.check()) assert.ok((HEAP_ISSUE_CODES as readonly string[]).includes(issue.code));
          heap.metrics();
        }
      }),
      { numRuns: 300 },
    );
  });
});
