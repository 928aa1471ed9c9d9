// realloc: the in-place variant (shrink, grow into the next or previous free block) and the
// moves it falls back to. Data preservation is checked after every op by the script helper.

import assert from 'node:assert/strict';
import { heapFromScript, lastResult } from './heapScript';

describe('in-place realloc (default preset: 8-byte words, 16-byte alignment, 32-byte minimum block)', () => {
  it('shrinks in place, splitting off the rest, which merges with the free tail', () => {
    const run = heapFromScript({ preset: 'default' }, 'a 0 200\nr 0 50');
    assert.equal(run.chain, '[A80][F4016]');
    const r = lastResult(run);
    assert.equal(r.ptr, 32, 'the pointer does not move');
    assert.deepEqual(r.events, [
      { type: 'resized-in-place', addr: 24, oldSize: 224, newSize: 80, how: 'shrink' },
      { type: 'coalesced', addr: 104, size: 4016, withPrev: 0, withNext: 3872 },
    ]);
  });

  it('keeps the block when the leftover would be smaller than a block', () => {
    const run = heapFromScript({ preset: 'default' }, 'a 0 200\nr 0 190');
    assert.equal(run.chain, '[A224][F3872]');
    assert.deepEqual(lastResult(run).events[0], {
      type: 'resized-in-place', addr: 24, oldSize: 224, newSize: 224, how: 'same',
    });
  });

  it('grows into a free next block without moving the data', () => {
    const run = heapFromScript({ preset: 'default' }, 'a 0 100\nr 0 300');
    assert.equal(run.chain, '[A320][F3776]');
    assert.equal(lastResult(run).ptr, 32);
    assert.equal(lastResult(run).examined, 0, 'no fit search');
  });

  it('grows into a free previous block, moving the data down', () => {
    const run = heapFromScript({ preset: 'default' }, 'a 0 100\na 1 100\na 2 100\nf 0\nr 1 200');
    assert.equal(run.chain, '[A224][F32][A128][F3712]');
    const r = lastResult(run);
    assert.equal(r.ptr, 32);
    assert.deepEqual(r.events, [
      { type: 'resized-in-place', addr: 24, oldSize: 128, newSize: 224, how: 'grow-prev' },
      { type: 'moved', fromPtr: 160, toPtr: 32, copied: 112 },
    ]);
  });

  it('moves the block when no neighbour is free', () => {
    const run = heapFromScript({ preset: 'default' }, 'a 0 100\na 1 100\nr 0 200');
    assert.equal(run.chain, '[F128][A128][A224][F3616]');
    assert.equal(lastResult(run).ptr, 288);
  });

  it('works on the csapp layout too when asked for', () => {
    const run = heapFromScript({ preset: 'csapp', realloc: 'in-place' }, 'a 0 100\nr 0 300');
    assert.equal(run.chain, '[A312][F3784]');
    assert.equal(lastResult(run).ptr, 16);
  });
});

describe('realloc edge cases (every variant)', () => {
  for (const realloc of ['naive', 'in-place'] as const) {
    it(`${realloc}: realloc(NULL, n) is malloc(n); realloc(p, 0) frees p and returns NULL`, () => {
      const run = heapFromScript({ preset: 'csapp', realloc }, 'r 0 24\nr 0 0');
      assert.equal(run.results[0]!.ptr, 16);
      assert.equal(run.results[1]!.ptr, null);
      assert.equal(run.results[1]!.problem, null, 'realloc(p, 0) is legal');
      assert.equal(run.chain, '[F4096]');
    });

    it(`${realloc}: a realloc that cannot grow returns NULL and keeps the old block and its data`, () => {
      const run = heapFromScript({ preset: 'csapp', realloc, maxHeap: 8192 }, 'a 0 100\na 1 8\nr 0 8000');
      const r = lastResult(run);
      assert.equal(r.ptr, null);
      assert.equal(r.problem?.code, 'heap-limit');
      assert.equal(run.ptr(0), 16);
      assert.deepEqual(run.allocator.liveAllocations.get(16), 100);
    });
  }
});
