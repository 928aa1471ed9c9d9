// A corrupted buddy heap: a program writes through a freed pointer over a free block's links, or
// past a payload's end over the next block's header. The checker names what broke with a stable
// code; the allocator reports a problem instead of throwing, and nothing loops forever.

import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BuddyAllocator, createAllocator, HEAP_ISSUE_CODES, LIST_ORDERS, type Allocator, type HeapIssueCode } from '../../../src/engine/index';

/**
 * A csapp buddy heap: malloc(100) three times (12, 140 and 268, each 128 bytes), then the first
 * freed: [F128][A128][A128][F128][F512][F1024][F2048], the 128 list 12 -> 396 (LIFO).
 */
function heap(): Allocator {
  const h = createAllocator({ preset: 'csapp', freeList: 'buddy' });
  for (let k = 0; k < 3; k++) h.malloc(100);
  h.free(16);
  assert.deepEqual(h.check(), []);
  return h;
}

/** Stores a 4-byte little-endian word at `ptr + offset` (through a freed pointer, or past a payload). */
function scribble(h: Allocator, ptr: number, offset: number, value: number, expected: 'use-after-free' | 'write-overflow'): void {
  const r = h.write(ptr, offset, new Uint8Array(new Uint32Array([value]).buffer));
  assert.equal(r.problem?.code, expected);
}

const codes = (h: Allocator): HeapIssueCode[] => [...new Set(h.check().map((i) => i.code))].sort();

describe('buddy system corruption', () => {
  it('a next link pointing back makes a cycle: the checker says so and a malloc that walks the list stops', () => {
    const h = heap();
    scribble(h, 16, 0, 12, 'use-after-free'); // 12 -> 12
    assert.deepEqual(codes(h), ['list-cycle']);
    assert.equal(h.malloc(100).ptr, 16, 'the head is still a free block');
    assert.equal(h.malloc(100).problem?.code, 'heap-fault', 'the head is the block just taken');
  });

  it('a next link to an allocated block is named, and the malloc that meets it gets a heap-fault', () => {
    const h = heap();
    scribble(h, 16, 0, 140, 'use-after-free');
    assert.deepEqual(codes(h), ['list-link-not-free'], 'a list that breaks off says nothing of the blocks it might have reached');
    h.malloc(100); // takes 12, whose next link made 140 the head
    assert.equal(h.malloc(100).problem?.code, 'heap-fault');
  });

  it('a link to a free block of another order: on the wrong list', () => {
    const h = heap();
    scribble(h, 16, 0, 524, 'use-after-free'); // the free 512 block
    assert.deepEqual(codes(h), ['buddy-wrong-list', 'free-block-not-on-list', 'list-ends-mismatch', 'list-prev-mismatch']);
  });

  it('a header overwritten with a size that is no power of two, or one that breaks the alignment', () => {
    const odd = heap();
    scribble(odd, 144, 124, 96 + 1, 'write-overflow'); // the header of the block at 268
    assert.ok(codes(odd).includes('buddy-bad-size'));
    const big = heap();
    scribble(big, 144, 124, 256 + 1, 'write-overflow'); // 268 claims 256 bytes, at offset 256: aligned, but it swallows 396
    assert.ok(codes(big).includes('list-link-not-free'), 'the 128 list still holds 396, now inside an allocated block');
    const zero = heap();
    scribble(zero, 272, 124, 0 + 1, 'write-overflow'); // the free 128 at 396 becomes a zero-size header
    assert.ok(codes(zero).includes('bad-block-size'));
    const shifted = createAllocator({ preset: 'csapp', freeList: 'buddy' });
    shifted.malloc(100);
    shifted.malloc(100);
    scribble(shifted, 16, 124, 256 + 1, 'write-overflow'); // 140 claims 256 bytes at offset 128
    assert.ok(codes(shifted).includes('buddy-misaligned'));
    for (const h of [odd, big, zero, shifted]) for (const issue of h.check()) assert.ok((HEAP_ISSUE_CODES as readonly string[]).includes(issue.code));
  });

  it('an allocated block made to look free beside its free buddy: unmerged buddies', () => {
    const h = heap();
    scribble(h, 16, 124, 128, 'use-after-free'); // the header of 140: 128, free
    assert.ok(codes(h).includes('buddy-unmerged'));
    assert.ok(codes(h).includes('free-block-not-on-list'));
    const r = h.free(144);
    assert.equal(r.problem?.code, 'heap-fault', 'its header says free: freeing it again would list it twice');
    assert.equal(h.liveAllocations.has(144), true, 'a free that faults leaves the pointer live');
  });

  it('random words over links and headers, mixed with ops: every op returns, the checker never throws, no engine error', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('malloc' as const), n: fc.integer({ min: 1, max: 3000 }) }),
      fc.record({ kind: fc.constant('free' as const), pick: fc.nat() }),
      fc.record({ kind: fc.constant('realloc' as const), pick: fc.nat(), n: fc.integer({ min: 1, max: 3000 }) }),
      fc.record({ kind: fc.constant('scribble' as const), pick: fc.nat(), offset: fc.constantFrom(0, 4, 8), word: fc.oneof(fc.nat({ max: 9000 }), fc.constant(0), fc.nat()) }),
      fc.record({ kind: fc.constant('overflow' as const), pick: fc.nat(), word: fc.oneof(fc.nat({ max: 9000 }), fc.constantFrom(16, 33, 64, 129, 4096), fc.nat()) }),
    );
    const settings = fc.record({ order: fc.constantFrom(...LIST_ORDERS), coalesce: fc.constantFrom('immediate' as const, 'off' as const), realloc: fc.constantFrom('naive' as const, 'in-place' as const) });
    fc.assert(
      fc.property(settings, fc.array(op, { maxLength: 60 }), (s, list) => {
        const h = createAllocator({ preset: 'csapp', freeList: 'buddy', maxHeap: 65536, ...s });
        assert.ok(h instanceof BuddyAllocator);
        const live: number[] = [];
        const freed: number[] = [];
        for (const o of list) {
          let code: string | undefined;
          if (o.kind === 'malloc') {
            const r = h.malloc(o.n);
            code = r.problem?.code;
            if (r.ptr !== null) live.push(r.ptr);
          } else if (o.kind === 'free' && live.length > 0) {
            const [ptr] = live.splice(o.pick % live.length, 1);
            code = h.free(ptr!).problem?.code;
            freed.push(ptr!);
          } else if (o.kind === 'realloc' && live.length > 0) {
            const k = o.pick % live.length;
            const r = h.realloc(live[k]!, o.n);
            code = r.problem?.code;
            if (r.ptr !== null) live[k] = r.ptr;
          } else if (o.kind === 'scribble' && freed.length > 0) {
            h.write(freed[o.pick % freed.length]!, o.offset, new Uint8Array(new Uint32Array([o.word]).buffer));
          } else if (o.kind === 'overflow' && live.length > 0) {
            // The word just past the payload: the next block's header (or the epilogue).
            const ptr = live[o.pick % live.length]!;
            const capacity = h.walk().blocks.find((b) => b.payloadAddr === ptr)?.payloadSize ?? 0;
            h.write(ptr, capacity, new Uint8Array(new Uint32Array([o.word]).buffer));
          }
          assert.notEqual(code, 'engine-error');
          for (const issue of h.check()) assert.ok((HEAP_ISSUE_CODES as readonly string[]).includes(issue.code));
          const m = h.metrics();
          assert.ok(m.freeBytes === null || (m.freeBytes >= 0 && m.freeBytes <= h.heapSize));
          h.tree();
          h.orderLists;
        }
      }),
      { numRuns: 300 },
    );
  });
});
