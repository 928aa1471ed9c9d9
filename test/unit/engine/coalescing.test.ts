// Coalescing: the four boundary-tag cases, deferred and disabled coalescing, and next fit's rover.

import assert from 'node:assert/strict';
import { heapFromScript, lastResult } from './heapScript';

// Four 16-byte blocks, then the free tail: [A16][A16][A16][A16][F4032]
const FOUR = 'a 0 8\na 1 8\na 2 8\na 3 8';

describe('immediate coalescing: the four boundary-tag cases', () => {
  it('case 1: neither neighbour free, nothing merges', () => {
    const run = heapFromScript({ preset: 'csapp' }, `${FOUR}\nf 1`);
    assert.equal(run.chain, '[A16][F16][A16][A16][F4032]');
    assert.deepEqual(lastResult(run).events, [{ type: 'freed', addr: 28, size: 16 }]);
  });

  it('case 2: the next block is free, the freed block absorbs it', () => {
    const run = heapFromScript({ preset: 'csapp' }, `${FOUR}\nf 2\nf 1`);
    assert.equal(run.chain, '[A16][F32][A16][F4032]');
    assert.deepEqual(lastResult(run).events[1], { type: 'coalesced', addr: 28, size: 32, withPrev: 0, withNext: 16 });
  });

  it('case 3: the previous block is free, it absorbs the freed block', () => {
    const run = heapFromScript({ preset: 'csapp' }, `${FOUR}\nf 1\nf 2`);
    assert.equal(run.chain, '[A16][F32][A16][F4032]');
    assert.deepEqual(lastResult(run).events[1], { type: 'coalesced', addr: 28, size: 32, withPrev: 16, withNext: 0 });
  });

  it('case 4: both neighbours free, three blocks become one at the lowest address', () => {
    const run = heapFromScript({ preset: 'csapp' }, `${FOUR}\nf 0\nf 2\nf 1`);
    assert.equal(run.chain, '[F48][A16][F4032]');
    assert.deepEqual(lastResult(run).events[1], { type: 'coalesced', addr: 12, size: 48, withPrev: 16, withNext: 16 });
  });

  it('the last block merges with the free tail; the merged footer is rewritten', () => {
    const run = heapFromScript({ preset: 'csapp' }, `${FOUR}\nf 3`);
    assert.equal(run.chain, '[A16][A16][A16][F4048]');
    const [block] = run.allocator.walk().blocks.slice(-1);
    assert.equal(block?.header, 4048);
    assert.equal(block?.footer, 4048);
  });

  it('freeing everything returns the heap to one free block', () => {
    const run = heapFromScript({ preset: 'csapp' }, `${FOUR}\nf 2\nf 0\nf 3\nf 1`);
    assert.equal(run.chain, '[F4096]');
  });

  it('works the same without sentinels (blocks at the heap edges have no neighbour there)', () => {
    const run = heapFromScript({ preset: 'csapp', sentinels: false }, `${FOUR}\nf 0\nf 2\nf 1\nf 3`);
    assert.equal(run.chain, '[F4096]');
    assert.equal(run.allocator.heapSize, 4 + 4096);
  });
});

describe('deferred coalescing', () => {
  // Two freed neighbours and a full heap: [A16][F16][F16][A16][A4032]
  const SPLIT_HOLE = `${FOUR}\na 4 4024\nf 1\nf 2`;

  it('free leaves neighbours unmerged', () => {
    assert.equal(heapFromScript({ preset: 'csapp', coalesce: 'deferred' }, SPLIT_HOLE).chain, '[A16][F16][F16][A16][A4032]');
  });

  it('a failed search merges every free run, then searches again before growing the heap', () => {
    const run = heapFromScript({ preset: 'csapp', coalesce: 'deferred' }, `${SPLIT_HOLE}\na 5 20`);
    assert.equal(run.chain, '[A16][A32][A16][A4032]');
    assert.equal(run.allocator.heapSize, 4112, 'no growth needed');
    const r = lastResult(run);
    assert.deepEqual(r.events[0], { type: 'coalesced-all', merges: 1, freeBlocksBefore: 2, freeBlocksAfter: 1 });
    assert.equal(r.examined, 5 + 2, 'the failed search visited all 5 blocks, the second found the merged block second');
  });

  it('grows the heap when even the merged blocks are too small, without merging the new chunk', () => {
    const run = heapFromScript({ preset: 'csapp', coalesce: 'deferred' }, 'a 0 4000\nf 0\na 1 5000');
    // The free 4096-byte block stays apart from the new 5008-byte chunk.
    assert.equal(run.chain, '[F4096][A5008]');
  });
});

describe('coalescing off', () => {
  it('never merges freed neighbours', () => {
    const run = heapFromScript({ preset: 'csapp', coalesce: 'off' }, `${FOUR}\nf 0\nf 2\nf 1\nf 3`);
    assert.equal(run.chain, '[F16][F16][F16][F16][F4032]');
  });

  it('never merges a new chunk with a free last block', () => {
    const on = heapFromScript({ preset: 'csapp' }, 'a 0 4000\na 1 200');
    assert.equal(on.chain, '[A4008][A208][F3976]');
    const off = heapFromScript({ preset: 'csapp', coalesce: 'off' }, 'a 0 4000\na 1 200');
    assert.equal(off.chain, '[A4008][F88][A208][F3888]');
  });

  it('fails to reuse fragmented space that immediate coalescing would reuse', () => {
    const script = `${FOUR}\na 4 4024\nf 1\nf 2\na 5 20`;
    assert.equal(heapFromScript({ preset: 'csapp' }, script).allocator.heapSize, 4112);
    assert.equal(heapFromScript({ preset: 'csapp', coalesce: 'off' }, script).allocator.heapSize, 8208);
  });
});

describe("next fit's rover", () => {
  it('starts at the first block', () => {
    const run = heapFromScript({ preset: 'csapp', policy: 'next' }, '');
    assert.equal(run.allocator.rover, 12);
  });

  it('points at the chosen block after a successful search', () => {
    const run = heapFromScript({ preset: 'csapp', policy: 'next' }, FOUR);
    assert.equal(run.allocator.rover, 60);
  });

  it('moves to the start of a merged block that swallows the block it points into', () => {
    // The rover is on block 3 (at 60); freeing block 2 then 3 merges 44..end into one block.
    const run = heapFromScript({ preset: 'csapp', policy: 'next' }, `${FOUR}\nf 2\nf 3`);
    assert.equal(run.chain, '[A16][A16][F4064]');
    assert.equal(run.allocator.rover, 44);
    const next = heapFromScript({ preset: 'csapp', policy: 'next' }, `${FOUR}\nf 2\nf 3\na 4 8`);
    assert.equal(lastResult(next).ptr, 48, 'the next search starts at the merged block');
    assert.equal(lastResult(next).examined, 1);
  });

  it('stays put when a merge starts at the block it points to', () => {
    const run = heapFromScript({ preset: 'csapp', policy: 'next' }, `${FOUR}\nf 3`);
    assert.equal(run.allocator.rover, 60);
  });

  it('points at the new block after the heap grows', () => {
    const run = heapFromScript({ preset: 'csapp', policy: 'next' }, 'a 0 4000\na 1 8\na 2 200');
    assert.equal(run.chain, '[A4008][A16][A208][F3960]');
    assert.equal(run.allocator.rover, 4036, 'the new chunk merged with the 72-byte free tail at 4036');
  });

  it('is moved by deferred coalescing too', () => {
    // Rover on the free block at 44; the merge pass folds it into the free block at 28.
    const run = heapFromScript(
      { preset: 'csapp', policy: 'next', coalesce: 'deferred' },
      `${FOUR}\na 4 4024\nf 2\na 5 8\nf 1\nf 5`,
    );
    assert.equal(run.chain, '[A16][F16][F16][A16][A4032]');
    assert.equal(run.allocator.rover, 44);
    const more = heapFromScript(
      { preset: 'csapp', policy: 'next', coalesce: 'deferred' },
      `${FOUR}\na 4 4024\nf 2\na 5 8\nf 1\nf 5\na 6 20`,
    );
    assert.equal(lastResult(more).examined, 5 + 1, 'a full failed pass, then the merged block is the first one visited');
    assert.equal(more.allocator.rover, 28);
    assert.equal(lastResult(more).ptr, 32);
  });
});
