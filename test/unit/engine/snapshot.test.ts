// Snapshots rebuild an allocator's state without replaying its history: the same blocks, header
// and footer words, rover and ledger, so every later op gives the same result.

import assert from 'node:assert/strict';
import { createAllocator, resolveConfig, restoreAllocator, type Allocator, type HeapOptions } from '../../../src/engine/index';

function scramble(heap: Allocator, seed: number, steps: number): void {
  let s = seed;
  const rnd = (n: number) => ((s = (s * 1103515245 + 12345) >>> 0) >>> 8) % n;
  const live: number[] = [];
  for (let k = 0; k < steps; k++) {
    const r = rnd(10);
    if (r < 5 || live.length === 0) {
      const p = heap.malloc(1 + rnd(300)).ptr;
      if (p !== null) live.push(p);
    } else if (r < 8) {
      heap.free(live.splice(rnd(live.length), 1)[0]!);
    } else {
      const i = rnd(live.length);
      const p = heap.realloc(live[i]!, 1 + rnd(600)).ptr;
      if (p !== null) live[i] = p;
    }
  }
}

const CASES: HeapOptions[] = [
  { preset: 'csapp' },
  { preset: 'csapp', policy: 'next' },
  { preset: 'default', policy: 'best', footers: 'free-only' },
  { preset: 'csapp', policy: 'worst', coalesce: 'deferred', sentinels: false },
  { preset: 'csapp', policy: 'sbrk' },
];

describe('allocator snapshots', () => {
  for (const options of CASES) {
    for (const withBytes of [false, true]) {
      it(`restores ${JSON.stringify(options)} ${withBytes ? 'with' : 'without'} bytes, and later ops agree`, () => {
        const original = createAllocator(options);
        scramble(original, 7, 300);
        const snap = original.snapshot(withBytes);
        const copy = restoreAllocator(resolveConfig(options).config, snap);
        assert.deepEqual(copy.walk(), original.walk());
        assert.deepEqual(copy.metrics(), original.metrics());
        assert.deepEqual(copy.check(), []);
        assert.equal(copy.rover, original.rover);
        assert.deepEqual(new Map(copy.liveAllocations), new Map(original.liveAllocations));
        scramble(original, 99, 200);
        scramble(copy, 99, 200);
        assert.deepEqual(copy.walk(), original.walk());
        assert.deepEqual(copy.metrics(), original.metrics());
      });
    }
  }
});
