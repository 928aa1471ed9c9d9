// Placement policies on the csapp layout: the same holes, four different choices.

import assert from 'node:assert/strict';
import type { Policy } from '../../../src/engine/index';
import { heapFromScript, lastResult } from './heapScript';

// Holes of 112, 48 and 208 bytes between 16-byte blocks, then the 3680-byte free tail:
// [F112][A16][F48][A16][F208][A16][F3680]
const HOLES = `
  a 0 100
  a 1 8
  a 2 40
  a 3 8
  a 4 200
  a 5 8
  f 0
  f 2
  f 4
`;

function place(policy: Policy, request: number) {
  const run = heapFromScript({ preset: 'csapp', policy }, `${HOLES}\na 6 ${request}`);
  return { chain: run.chain, result: lastResult(run) };
}

describe('placement policies', () => {
  it('the holes are laid out as expected', () => {
    assert.equal(heapFromScript({ preset: 'csapp' }, HOLES).chain, '[F112][A16][F48][A16][F208][A16][F3680]');
  });

  it('first fit takes the lowest-address hole that fits and splits it', () => {
    const { chain, result } = place('first', 32); // a 40-byte block
    assert.equal(chain, '[A40][F72][A16][F48][A16][F208][A16][F3680]');
    assert.equal(result.ptr, 16);
    assert.equal(result.examined, 1);
  });

  it('best fit takes the smallest hole that fits; an 8-byte leftover is too small to split', () => {
    const { chain, result } = place('best', 32);
    assert.equal(chain, '[F112][A16][A48][A16][F208][A16][F3680]');
    assert.equal(result.examined, 7, 'no exact fit: best fit visits every block');
    assert.deepEqual(result.events, [{ type: 'placed', addr: 140, size: 48, asize: 40, remainder: 0 }]);
  });

  it('best fit stops at an exact fit', () => {
    const { chain, result } = place('best', 40); // a 48-byte block: the 48-byte hole, third block
    assert.equal(chain, '[F112][A16][A48][A16][F208][A16][F3680]');
    assert.equal(result.examined, 3);
  });

  it('worst fit takes the largest hole and visits every block', () => {
    const { chain, result } = place('worst', 32);
    assert.equal(chain, '[F112][A16][F48][A16][F208][A16][A40][F3640]');
    assert.equal(result.examined, 7);
  });

  it('next fit searches from the rover (the last block placed), not from the start', () => {
    const { chain, result } = place('next', 32);
    assert.equal(chain, '[F112][A16][F48][A16][F208][A16][A40][F3640]');
    assert.equal(result.examined, 2, 'from the rover at block 5: [A16] then the tail');
  });

  it('next fit wraps around to the start when nothing fits after the rover', () => {
    // Fill the tail so only the holes remain, leaving the rover on the last block.
    const run = heapFromScript({ preset: 'csapp', policy: 'next' }, `${HOLES}\na 7 3672\na 6 100`);
    assert.equal(run.results[9]!.examined, 2, 'the tail was found from the rover');
    assert.equal(run.chain, '[A112][A16][F48][A16][F208][A16][A3680]');
    assert.equal(lastResult(run).examined, 2, 'the rover block, then from the start: the 112-byte hole');
    assert.equal(run.allocator.rover, 12, 'the rover points at the chosen block');
  });

  it('ties go to the lowest address for best and worst fit', () => {
    const twins = 'a 0 40\na 1 8\na 2 40\na 3 3976\nf 0\nf 2'; // two 48-byte holes, no free tail
    for (const policy of ['best', 'worst'] as const) {
      const run = heapFromScript({ preset: 'csapp', policy }, `${twins}\na 4 40`);
      assert.equal(run.chain, '[A48][A16][F48][A3984]', policy);
      assert.equal(lastResult(run).ptr, 16);
    }
  });

  it('a remainder of exactly the minimum split size is split off', () => {
    // 112-byte hole, 96-byte block requested: 16 bytes remain, which is a valid free block.
    const run = heapFromScript({ preset: 'csapp' }, `${HOLES}\na 6 88`);
    assert.equal(run.chain, '[A96][F16][A16][F48][A16][F208][A16][F3680]');
  });

  it('a larger minSplit keeps small remainders inside the block', () => {
    const run = heapFromScript({ preset: 'csapp', minSplit: 32 }, `${HOLES}\na 6 88`);
    assert.equal(run.chain, '[A112][A16][F48][A16][F208][A16][F3680]');
    assert.deepEqual(lastResult(run).events, [{ type: 'placed', addr: 12, size: 112, asize: 96, remainder: 0 }]);
  });

  it('grows the heap by max(block, CHUNKSIZE) when nothing fits, and by the block when it is bigger', () => {
    const small = heapFromScript({ preset: 'csapp' }, 'a 0 4088\na 1 100');
    assert.equal(small.allocator.heapSize, 4112 + 4096);
    const big = heapFromScript({ preset: 'csapp' }, 'a 0 4088\na 1 10000');
    assert.equal(big.allocator.heapSize, 4112 + 10008);
    assert.equal(big.chain, '[A4096][A10008]');
  });

  it('a custom chunk size changes how the heap grows', () => {
    const run = heapFromScript({ preset: 'csapp', chunkSize: 1024 }, 'a 0 1000\na 1 100');
    assert.equal(run.allocator.heapSize, 16 + 1024 + 1024);
    assert.equal(run.chain, '[A1008][A112][F928]');
  });
});
