// The sbrk baseline: every malloc moves the break, nothing is ever reused.

import assert from 'node:assert/strict';
import { heapFromScript, lastResult } from './heapScript';

describe('sbrk baseline', () => {
  it('starts empty and moves the break by each request rounded up to the alignment', () => {
    const run = heapFromScript({ preset: 'csapp', policy: 'sbrk' }, 'a 0 5\na 1 9');
    assert.equal(run.results[0]!.ptr, 0, 'the old break: the heap started empty');
    assert.equal(run.results[1]!.ptr, 8);
    assert.equal(run.allocator.heapSize, 24);
    assert.equal(run.chain, '[A8][A16]');
    assert.equal(lastResult(run).examined, 0, 'no search');
  });

  it('free does nothing: freed memory is never handed out again', () => {
    const run = heapFromScript({ preset: 'csapp', policy: 'sbrk' }, 'a 0 5\na 1 9\nf 0\na 2 5');
    assert.equal(lastResult(run).ptr, 24);
    assert.equal(run.chain, '[X8][A16][A8]');
    assert.equal(run.allocator.metrics().freeBlocks, 0, 'nothing is reusable');
  });

  it('realloc allocates anew and copies the old request', () => {
    const run = heapFromScript({ preset: 'csapp', policy: 'sbrk' }, 'a 0 9\nr 0 20');
    assert.equal(lastResult(run).ptr, 16);
    assert.deepEqual(lastResult(run).events.find((e) => e.type === 'moved'), { type: 'moved', fromPtr: 0, toPtr: 16, copied: 9 });
    assert.equal(run.chain, '[X16][A24]');
  });

  it('returns NULL when the break would pass the maximum heap', () => {
    const run = heapFromScript({ preset: 'csapp', policy: 'sbrk', maxHeap: 100 }, 'a 0 64\na 1 64');
    assert.equal(lastResult(run).ptr, null);
    assert.equal(lastResult(run).problem?.code, 'heap-limit');
    assert.equal(run.allocator.heapSize, 64);
  });

  it('rounds to the preset alignment: 16 bytes on the default layout', () => {
    const run = heapFromScript({ preset: 'default', policy: 'sbrk' }, 'a 0 5\na 1 17');
    assert.deepEqual(run.results.map((r) => r.ptr), [0, 16]);
    assert.equal(run.allocator.heapSize, 48);
  });
});
