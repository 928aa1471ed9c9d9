// The read model's story of a buddy system run, in its own terms: order lists looked at, the
// halves a split put on their lists, the arena doubling, and buddies merging.

import assert from 'node:assert/strict';
import { parseRep, replaySource, runEngine } from '../../../src/trace/index';

describe('the buddy system\'s story', () => {
  // csapp: two 128-byte blocks from the 4 KiB arena; the first freed; 5000 bytes need an 8 KiB block
  // (the split arena doubles twice); then the second and the big one freed.
  const trace = parseRep('0\n3\n6\n1\na 0 100\na 1 100\nf 0\na 2 5000\nf 1\nf 2\n');
  const run = runEngine(trace, { overrides: { preset: 'csapp', freeList: 'buddy' } });
  const story = (i: number) => replaySource(run).opAt(i).story;

  it('names the buddy system as what places blocks', () => {
    assert.equal(replaySource(run).label, 'buddy system');
  });

  it('a malloc: the order lists looked at, the block taken and the upper halves split off', () => {
    assert.equal(story(0), 'The buddy system looked at 6 order lists and took the 4096-byte block at 0x000c; halving it down to 128 bytes put 3968 bytes of upper halves on their lists. The program gets 0x0010.');
    assert.equal(story(1), 'The buddy system looked at 1 order list and took the 128-byte block at 0x008c. The program gets 0x0090.');
    assert.deepEqual([...replaySource(run).opAt(0).examined], [], 'it examined lists, so no block is underlined');
  });

  it('a malloc that grows the arena', () => {
    assert.equal(story(3), 'No order list held a block of 8192 bytes or more, so the arena grew by doubling, 12288 bytes, and its new 8192-byte block at 0x200c was taken. The program gets 0x2010.');
  });

  it('a free: no merge while the buddy is allocated; merges up the tree while it is free', () => {
    assert.equal(story(2), "The 128-byte block at 0x000c became free; the block went to the head of its order's list.");
    assert.equal(story(4), 'The 128-byte block at 0x008c became free and merged with its free buddy, and each merged block with its own, into one 8192-byte block; the merged block went to the head of its order\'s list.');
    assert.equal(story(5), 'The 8192-byte block at 0x200c became free and merged with its free buddy into one 16384-byte block; the merged block went to the head of its order\'s list.');
  });
});
