// The malloc lab's metrics and the fragmentation figures, on heaps whose numbers can be worked by hand.

import assert from 'node:assert/strict';
import { heapFromScript } from './heapScript';

describe('metrics', () => {
  it('one 24-byte request in a fresh csapp heap', () => {
    const m = heapFromScript({ preset: 'csapp' }, 'a 0 24').allocator.metrics();
    assert.deepEqual(m, {
      livePayload: 24,
      peakPayload: 24,
      heapSize: 4112,
      utilisation: 24 / 4112,
      allocatedBlocks: 1,
      internalFragmentation: 32 - 24,
      freeBlocks: 1,
      freeBytes: 4064,
      largestFree: 4064,
      externalFragmentation: 0,
      unknown: null,
    });
  });

  it('holes between live blocks: external fragmentation is 1 - largest free / total free', () => {
    const run = heapFromScript({ preset: 'csapp' }, 'a 0 100\na 1 8\na 2 40\na 3 8\na 4 200\na 5 8\nf 0\nf 2\nf 4');
    assert.equal(run.chain, '[F112][A16][F48][A16][F208][A16][F3680]');
    const m = run.allocator.metrics();
    assert.equal(m.livePayload, 24);
    assert.equal(m.peakPayload, 364);
    assert.equal(m.utilisation, 364 / 4112);
    assert.equal(m.internalFragmentation, 3 * 16 - 24);
    assert.equal(m.freeBlocks, 4);
    assert.equal(m.freeBytes, 112 + 48 + 208 + 3680);
    assert.equal(m.largestFree, 3680);
    assert.equal(m.externalFragmentation, 1 - 3680 / 4048);
  });

  it('realloc counts new - old in the live payload; peak keeps the high-water mark', () => {
    const m = heapFromScript({ preset: 'csapp' }, 'a 0 100\nr 0 50').allocator.metrics();
    assert.equal(m.livePayload, 50);
    assert.equal(m.peakPayload, 100);
  });

  it('free subtracts the requested size; an empty heap has no live payload', () => {
    const m = heapFromScript({ preset: 'csapp' }, 'a 0 100\nf 0').allocator.metrics();
    assert.equal(m.livePayload, 0);
    assert.equal(m.peakPayload, 100);
    assert.equal(m.internalFragmentation, 0);
  });

  it('the sbrk baseline: internal fragmentation is the rounding; freed space is not free space', () => {
    const m = heapFromScript({ preset: 'csapp', policy: 'sbrk' }, 'a 0 5\na 1 9\nf 0').allocator.metrics();
    assert.equal(m.heapSize, 24);
    assert.equal(m.livePayload, 9);
    assert.equal(m.internalFragmentation, 16 - 9);
    assert.equal(m.freeBlocks, 0);
    assert.equal(m.utilisation, 14 / 24);
  });
});
