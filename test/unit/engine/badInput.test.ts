// Bad calls: each gives a defined result and a clear problem, none throws, none changes the heap.

import assert from 'node:assert/strict';
import { createAllocator, OP_PROBLEM_CODES, type Allocator, type HeapOptions, type OpResult } from '../../../src/engine/index';
import { assertHealthy } from './heapScript';

function unchanged(heap: Allocator, call: (h: Allocator) => OpResult): OpResult {
  const before = { chain: heap.walk(), size: heap.heapSize, live: new Map(heap.liveAllocations) };
  const result = call(heap);
  assert.deepEqual(heap.walk(), before.chain, 'the heap did not change');
  assert.equal(heap.heapSize, before.size);
  assert.deepEqual(new Map(heap.liveAllocations), before.live);
  assertHealthy(heap, 'after a bad call');
  assert.ok(result.problem === null || OP_PROBLEM_CODES.includes(result.problem.code));
  return result;
}

const HEAPS: HeapOptions[] = [{ preset: 'csapp' }, { preset: 'default' }, { preset: 'csapp', policy: 'sbrk' }];

for (const options of HEAPS) {
  describe(`bad input (${JSON.stringify(options)})`, () => {
    it('malloc(0) returns NULL with a warning', () => {
      const r = unchanged(createAllocator(options), (h) => h.malloc(0));
      assert.equal(r.ptr, null);
      assert.equal(r.problem?.code, 'zero-size');
      assert.equal(r.problem?.severity, 'warning');
    });

    it('negative, fractional and non-finite sizes are errors', () => {
      for (const size of [-1, 1.5, NaN, Infinity, -1n, 2n ** 64n, 2 ** 65]) {
        const r = unchanged(createAllocator(options), (h) => h.malloc(size));
        assert.equal(r.ptr, null);
        assert.equal(r.problem?.code, 'invalid-size', String(size));
        assert.equal(r.problem?.severity, 'error');
      }
    });

    it('sizes up to 2^64-1 are legal requests the heap answers with NULL', () => {
      for (const size of [2n ** 64n - 1n, 2n ** 56n + 3n, 2 ** 56, 65 * 2 ** 20, 2 ** 53 + 2]) {
        const heap = createAllocator(options);
        const r = heap.malloc(size);
        assert.equal(r.ptr, null, String(size));
        assert.equal(r.problem?.code, 'heap-limit');
        assert.equal(r.problem?.severity, 'warning');
        assertHealthy(heap, String(size));
      }
    });

    it('calloc whose count x size overflows 64 bits returns NULL', () => {
      const r = unchanged(createAllocator(options), (h) => h.calloc(2 ** 32, 2 ** 32));
      assert.equal(r.ptr, null);
      assert.equal(r.problem?.code, 'calloc-overflow');
      assert.equal(unchanged(createAllocator(options), (h) => h.calloc(0, 8)).problem?.code, 'zero-size');
    });

    it('free and realloc of a pointer never returned are errors that change nothing', () => {
      const heap = createAllocator(options);
      const p = heap.malloc(24).ptr!;
      for (const bad of [p + 8, p - 8, 12345, -16, 2 ** 40]) {
        assert.equal(unchanged(heap, (h) => h.free(bad)).problem?.code, 'invalid-pointer');
        const r = unchanged(heap, (h) => h.realloc(bad, 100));
        assert.equal(r.problem?.code, 'invalid-pointer');
        assert.equal(r.ptr, null);
      }
    });

    it('double free and realloc after free are errors that change nothing', () => {
      const heap = createAllocator(options);
      const p = heap.malloc(24).ptr!;
      heap.malloc(8);
      assert.equal(heap.free(p).problem, null);
      const twice = unchanged(heap, (h) => h.free(p));
      assert.equal(twice.problem?.code, 'double-free');
      assert.match(twice.problem!.message, /already freed/);
      assert.equal(unchanged(heap, (h) => h.realloc(p, 10)).problem?.code, 'use-after-free');
    });

    it('free(NULL) does nothing and is fine', () => {
      const r = unchanged(createAllocator(options), (h) => h.free(null));
      assert.equal(r.problem, null);
    });

    it('a write outside the heap is refused', () => {
      const heap = createAllocator(options);
      const p = heap.malloc(24).ptr!;
      const r = unchanged(heap, (h) => h.write(p, 2 ** 30, new Uint8Array(4)));
      assert.equal(r.problem?.code, 'write-outside-heap');
      assert.equal(unchanged(heap, (h) => h.fill(p, -1, 4, 1)).problem?.code, 'invalid-size');
    });
  });
}

describe('writes past the request', () => {
  it('a write into the padding after the request is a warning', () => {
    const heap = createAllocator({ preset: 'csapp' });
    const p = heap.malloc(20).ptr!; // a 32-byte block: 24 payload bytes
    const r = heap.fill(p, 20, 4, 0x55);
    assert.equal(r.problem?.code, 'write-past-request');
    assert.equal(r.problem?.severity, 'warning');
    assertHealthy(heap, 'padding written');
  });

  it('a write past the payload is an error that names what it overwrites', () => {
    const heap = createAllocator({ preset: 'csapp' });
    const p = heap.malloc(24).ptr!;
    const r = heap.fill(p, 16, 16, 0xab);
    assert.equal(r.problem?.code, 'write-overflow');
    assert.match(r.problem!.message, /8 bytes past the end of the 24-byte payload at 0x0010/);
    assert.match(r.problem!.message, /boundary tag at 0x0028 and the next block's header at 0x002c/);
  });
});
