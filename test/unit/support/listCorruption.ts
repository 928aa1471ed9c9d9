// Test helper for corrupted free lists: words written through freed pointers over their links, a
// broken link followed by a search, and a fuzzer mixing ops with such writes. The checker must
// name what broke with a stable code, and nothing may throw or loop.

import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createAllocator, HEAP_ISSUE_CODES, type Allocator, type HeapIssueCode, type HeapOptions, type OpProblemCode } from '../../../src/engine/index';

/** Stores a 4-byte little-endian word at `ptr + offset`; returns the write's problem code. */
export function poke(heap: Allocator, ptr: number, offset: number, value: number): OpProblemCode | undefined {
  return heap.write(ptr, offset, new Uint8Array(new Uint32Array([value]).buffer)).problem?.code;
}

/** The checker's codes, each once, sorted. */
export function issueCodes(heap: Allocator): HeapIssueCode[] {
  return [...new Set(heap.check().map((i) => i.code))].sort();
}

/**
 * The next link of the freed block at `freedPtr` is overwritten with `target`: the checker names
 * `code`, and a malloc of `request` bytes, whose search follows that link, stops with a heap-fault.
 */
export function assertBrokenLink(heap: Allocator, freedPtr: number, target: number, code: HeapIssueCode, request: number): void {
  assert.equal(poke(heap, freedPtr, 0, target), 'use-after-free');
  assert.ok(issueCodes(heap).includes(code), `expected ${code} among ${issueCodes(heap).join(', ')}`);
  const r = heap.malloc(request);
  assert.equal(r.problem?.code, 'heap-fault');
  assert.equal(r.ptr, null);
}

/**
 * Random mallocs and frees mixed with random words written at `offsets` from freed pointers, on
 * heaps `options` draws (csapp words): every op returns a result, a malloc fails only with a
 * heap limit or a heap-fault, and every issue the checker finds has a stable code.
 */
export function fuzzCorruption(options: fc.Arbitrary<HeapOptions>, offsets: readonly number[], numRuns = 300): void {
  const op = fc.oneof(
    fc.record({ kind: fc.constant('malloc' as const), n: fc.integer({ min: 1, max: 3000 }) }),
    fc.record({ kind: fc.constant('free' as const), pick: fc.nat() }),
    fc.record({ kind: fc.constant('scribble' as const), pick: fc.nat(), offset: fc.constantFrom(...offsets), word: fc.oneof(fc.nat({ max: 9000 }), fc.constant(0), fc.nat()) }),
  );
  fc.assert(
    fc.property(options, fc.array(op, { maxLength: 60 }), (o, list) => {
      const heap = createAllocator(o);
      const live: number[] = [];
      const freed: number[] = [];
      for (const step of list) {
        if (step.kind === 'malloc') {
          const r = heap.malloc(step.n);
          if (r.ptr !== null) live.push(r.ptr);
          assert.ok(r.problem === null || r.problem.code === 'heap-limit' || r.problem.code === 'heap-fault', r.problem?.message);
        } else if (step.kind === 'free' && live.length > 0) {
          const [ptr] = live.splice(step.pick % live.length, 1);
          heap.free(ptr!);
          freed.push(ptr!);
        } else if (step.kind === 'scribble' && freed.length > 0) {
          poke(heap, freed[step.pick % freed.length]!, step.offset, step.word);
        }
        for (const issue of heap.check()) assert.ok((HEAP_ISSUE_CODES as readonly string[]).includes(issue.code));
        heap.metrics();
      }
    }),
    { numRuns },
  );
}
