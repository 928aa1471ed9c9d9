// Broken links in an explicit free list: a program writes through a freed pointer over the next
// or prev word. The checker names what broke with the list's codes; the allocator reports a
// heap-fault instead of throwing, and a cycle in the links never makes anything loop forever.

import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createAllocator, HEAP_ISSUE_CODES, LIST_ORDERS, FIT_POLICIES, type Allocator, type HeapIssueCode } from '../../../src/engine/index';

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
  const r = heap.write(ptr, offset, new Uint8Array(new Uint32Array([value]).buffer));
  assert.equal(r.problem?.code, 'use-after-free');
}

const codes = (heap: Allocator): HeapIssueCode[] => [...new Set(heap.check().map((i) => i.code))];

describe('explicit free list corruption', () => {
  it('a next link pointing back makes a cycle: the checker says so and a search that finds nothing stops with a heap-fault', () => {
    const heap = holes();
    scribble(heap, 16, 0, 140); // 140 -> 12 -> 140 -> ...
    assert.ok(codes(heap).includes('list-cycle'));
    const r = heap.malloc(10_000);
    assert.equal(r.problem?.code, 'heap-fault');
    assert.equal(r.ptr, null);
  });

  it('a next link to an allocated block, or outside the heap, is named', () => {
    const toAllocated = holes();
    scribble(toAllocated, 16, 0, 124);
    assert.ok(codes(toAllocated).includes('list-link-not-free'));
    assert.equal(toAllocated.malloc(5000).problem?.code, 'heap-fault');
    const outside = holes();
    scribble(outside, 16, 0, 0x7fff_fff0);
    assert.ok(codes(outside).includes('list-link-outside-heap'));
    assert.equal(outside.malloc(5000).problem?.code, 'heap-fault');
  });

  it('a prev link that disagrees, and a free block the links skip', () => {
    const prev = holes();
    scribble(prev, 16, 4, 0);
    assert.deepEqual(codes(prev), ['list-prev-mismatch']);
    const skipped = holes();
    scribble(skipped, 144, 0, 364);
    assert.deepEqual(codes(skipped).sort(), ['free-block-not-on-list', 'list-prev-mismatch']);
  });

  it('random words over the links of freed blocks, mixed with ops: every op returns, the checker never throws', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('malloc' as const), n: fc.integer({ min: 1, max: 3000 }) }),
      fc.record({ kind: fc.constant('free' as const), pick: fc.nat() }),
      fc.record({ kind: fc.constant('scribble' as const), pick: fc.nat(), offset: fc.constantFrom(0, 4, 8), word: fc.oneof(fc.nat({ max: 9000 }), fc.constant(0), fc.nat()) }),
    );
    const settings = fc.record({ order: fc.constantFrom(...LIST_ORDERS), policy: fc.constantFrom(...FIT_POLICIES) });
    fc.assert(
      fc.property(settings, fc.array(op, { maxLength: 60 }), ({ order, policy }, list) => {
        const heap = createAllocator({ preset: 'csapp', freeList: 'explicit', order, policy, maxHeap: 65536 });
        const live: number[] = [];
        const freed: number[] = [];
        for (const o of list) {
          if (o.kind === 'malloc') {
            const r = heap.malloc(o.n);
            if (r.ptr !== null) live.push(r.ptr);
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
