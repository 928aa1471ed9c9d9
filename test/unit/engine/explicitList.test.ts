// The explicit free list, scenario by scenario: a script in, the block chain and the list order
// out. The csapp LIFO rules of docs/engine.md ("The explicit free list") one at a time, then each
// insertion order and each placement policy over the list.

import assert from 'node:assert/strict';
import { ExplicitAllocator, NULL_LINK, type HeapOptions } from '../../../src/engine/index';
import { heapFromScript, lastResult, type HeapRun } from './heapScript';

const csapp = (order: 'lifo' | 'fifo' | 'address', more: HeapOptions = {}): HeapOptions => ({ preset: 'csapp', freeList: 'explicit', order, ...more });

/** The free list in list order, each node as `addr/size`, e.g. `44/4064`. */
function listOrder(run: HeapRun): string {
  const a = run.allocator;
  assert.ok(a instanceof ExplicitAllocator, 'an explicit free list');
  return a.list
    .nodes()
    .map((addr) => `${addr}/${a.layout.sizeAt(addr)}`)
    .join(' -> ');
}

// Blocks of a csapp heap after `a 0 100; a 1 8; a 2 200; a 3 8`: 12/112, 124/16, 140/208, 348/16, then the 3744-byte rest at 364.
const FOUR = 'a 0 100\na 1 8\na 2 200\na 3 8';

describe('explicit free list', () => {
  describe('the csapp preset, LIFO: the common rules', () => {
    it('a fresh heap is one free block, the whole list; its links are the null link 0', () => {
      const run = heapFromScript(csapp('lifo'), '');
      assert.equal(run.chain, '[F4096]');
      assert.equal(listOrder(run), '12/4096');
      const a = run.allocator as ExplicitAllocator;
      assert.equal(a.layout.nextLinkAt(12), NULL_LINK);
      assert.equal(a.layout.prevLinkAt(12), NULL_LINK);
      assert.deepEqual(a.listEnds, { head: 12, tail: 12, rover: 0 });
    });

    it('the block a malloc takes leaves the list and the split remainder goes to the head', () => {
      const run = heapFromScript(csapp('lifo'), `${FOUR}\nf 0\na 4 24`);
      assert.equal(run.chain, '[A32][F80][A16][A208][A16][F3744]');
      assert.equal(listOrder(run), '44/80 -> 364/3744');
    });

    it('a freed block with no free neighbour goes to the head', () => {
      const run = heapFromScript(csapp('lifo'), `${FOUR}\nf 0\nf 2`);
      assert.equal(listOrder(run), '140/208 -> 12/112 -> 364/3744');
    });

    it('a freed block is coalesced first: its free neighbours leave the list and the merged block goes to the head', () => {
      const run = heapFromScript(csapp('lifo'), `${FOUR}\nf 0\nf 2\nf 1`);
      assert.equal(run.chain, '[F336][A16][F3744]');
      assert.equal(listOrder(run), '12/336 -> 364/3744');
      const next = heapFromScript(csapp('lifo'), `${FOUR}\nf 2\nf 0\nf 3`);
      assert.equal(next.chain, '[F112][A16][F3968]');
      assert.equal(listOrder(next), '140/3968 -> 12/112');
    });

    it('a new chunk is coalesced with a free last block and goes to the head (then a malloc takes it)', () => {
      const run = heapFromScript(csapp('lifo'), 'a 0 100\nf 0\na 1 8\nf 1\na 2 2000\na 3 2000\na 4 8\nf 2\na 5 4072');
      // Before the last malloc: [F2008 at 12][A2008][A16][F64 at 4044]; no fit for 4080, so the heap grows by 4096
      // and the new chunk merges with the free last block: one 4160-byte block, at the head, split for 4080.
      assert.equal(run.chain, '[F2008][A2008][A16][A4080][F80]');
      assert.equal(listOrder(run), '8124/80 -> 12/2008');
      assert.ok(lastResult(run).events.some((e) => e.type === 'extended'));
    });

    it('first fit walks from the head and counts the list nodes it visits', () => {
      const run = heapFromScript(csapp('lifo'), `${FOUR}\nf 0\nf 2\na 4 50`);
      assert.equal(lastResult(run).ptr, 144, 'the block freed last, at the head');
      assert.equal(lastResult(run).examined, 1);
      const far = heapFromScript(csapp('lifo'), `${FOUR}\nf 0\nf 2\na 4 300`);
      assert.equal(lastResult(far).ptr, 368);
      assert.equal(lastResult(far).examined, 3, 'all three list nodes, not the seven blocks of the chain');
    });
  });

  describe('insertion orders', () => {
    it('fifo appends at the tail', () => {
      const run = heapFromScript(csapp('fifo'), `${FOUR}\nf 0\nf 2`);
      assert.equal(listOrder(run), '364/3744 -> 12/112 -> 140/208');
      assert.equal(heapFromScript(csapp('fifo'), `${FOUR}\nf 0\nf 2\na 4 50`).results.at(-1)?.ptr, 368);
    });

    it('address keeps the list sorted by address', () => {
      const run = heapFromScript(csapp('address'), `${FOUR}\nf 2\nf 0`);
      assert.equal(listOrder(run), '12/112 -> 140/208 -> 364/3744');
      const taken = heapFromScript(csapp('address'), `${FOUR}\nf 2\nf 0\na 4 50`);
      assert.equal(lastResult(taken).ptr, 16, 'the lowest address that fits, as the implicit list chooses');
      assert.equal(listOrder(taken), '76/48 -> 140/208 -> 364/3744', 'the remainder takes the taken block\'s place');
    });
  });

  describe('every order with every policy, on one heap', () => {
    // Holes of 112 (at 12), 208 (at 140) and 48 (at 364) bytes, freed in the order 140, 12, 364, and the
    // 3680-byte rest at 428. The lists: lifo 364 -> 12 -> 140 -> 428, fifo 428 -> 140 -> 12 -> 364,
    // address 12 -> 140 -> 364 -> 428. Then malloc(40), a 48-byte block.
    const script = 'a 0 100\na 1 8\na 2 200\na 3 8\na 4 40\na 5 8\nf 2\nf 0\nf 4\na 6 40';
    const expected = {
      lifo: { first: [364, 1], next: [364, 1], best: [364, 1], worst: [428, 4] },
      fifo: { first: [428, 1], next: [428, 1], best: [364, 4], worst: [428, 4] },
      address: { first: [12, 1], next: [12, 1], best: [364, 3], worst: [428, 4] },
    } as const;
    for (const order of ['lifo', 'fifo', 'address'] as const) {
      for (const policy of ['first', 'next', 'best', 'worst'] as const) {
        const [block, examined] = expected[order][policy];
        it(`${order}, ${policy} fit: takes the block at ${block} after ${examined} list node${examined === 1 ? '' : 's'}`, () => {
          const last = lastResult(heapFromScript(csapp(order, { policy }), script));
          assert.equal(last.block?.addr, block);
          assert.equal(last.examined, examined);
        });
      }
    }
  });

  describe('placement over the list', () => {
    it('best fit takes the smallest that fits; among equal sizes the earlier node in list order', () => {
      const script = 'a 0 100\na 1 8\na 2 100\na 3 8\nf 0\nf 2\na 4 100';
      assert.equal(lastResult(heapFromScript(csapp('lifo', { policy: 'best' }), script)).ptr, 128 + 16, 'LIFO: the block freed last');
      assert.equal(lastResult(heapFromScript(csapp('address', { policy: 'best' }), script)).ptr, 16, 'address: the lowest address');
      // An exact fit stops the walk.
      assert.equal(lastResult(heapFromScript(csapp('lifo', { policy: 'best' }), script)).examined, 1);
    });

    it('worst fit takes the largest and visits every node', () => {
      const run = heapFromScript(csapp('lifo', { policy: 'worst' }), `${FOUR}\nf 0\nf 2\na 4 50`);
      assert.equal(lastResult(run).ptr, 368);
      assert.equal(lastResult(run).examined, 3);
    });

    it('next fit starts at the rover, which moves to the successor of the node taken', () => {
      const run = heapFromScript(csapp('address', { policy: 'next' }), `${FOUR}\nf 0\nf 2\na 4 24`);
      assert.equal(lastResult(run).ptr, 16);
      const a = run.allocator as ExplicitAllocator;
      assert.equal(a.rover, 140, 'the node after the one taken');
      const again = heapFromScript(csapp('address', { policy: 'next' }), `${FOUR}\nf 0\nf 2\na 4 24\na 5 24`);
      assert.equal(lastResult(again).ptr, 144, 'from the rover, not from the head');
      assert.equal(lastResult(again).examined, 1);
    });
  });

  describe('configuration', () => {
    it('deferred coalescing is refused with a problem on its key', async () => {
      const { resolveConfig } = await import('../../../src/engine/index');
      const { problems } = resolveConfig({ preset: 'csapp', freeList: 'explicit', coalesce: 'deferred' });
      assert.deepEqual(problems.map((p) => [p.key, p.related]), [['coalesce', ['freeList']]]);
      assert.deepEqual(resolveConfig({ preset: 'csapp', freeList: 'sideways' as never }).problems.map((p) => p.key), ['freeList']);
      assert.deepEqual(resolveConfig({ preset: 'csapp', order: 'random' as never }).problems.map((p) => p.key), ['order']);
    });

    it('the minimum block holds a header, two links and a footer', async () => {
      const { resolveConfig } = await import('../../../src/engine/index');
      assert.equal(resolveConfig({ preset: 'default', wordSize: 8, alignment: 8, freeList: 'explicit' }).config.minSplit, 32);
      assert.equal(resolveConfig({ preset: 'default', wordSize: 8, alignment: 8 }).config.minSplit, 24);
      assert.equal(heapFromScript({ preset: 'default', alignment: 8, freeList: 'explicit' }, 'a 0 1').chain.slice(0, 5), '[A32]');
    });

    it('realloc and calloc keep the list whole, in place or moving', () => {
      // realloc 1 takes the freed 208-byte block (remainder to the head) and frees its old 16 bytes;
      // calloc takes 32 of the 48-byte remainder; realloc 5 to 1 byte takes the 16 left; realloc(p, 0) frees.
      const naive = heapFromScript(csapp('lifo'), `${FOUR}\nf 2\nr 1 150\nc 5 3 8\nr 5 1\nr 0 0`);
      assert.equal(naive.chain, '[F128][A160][F32][A16][A16][F3744]');
      assert.equal(listOrder(naive), '12/128 -> 300/32 -> 364/3744');
      // In place: shrink (remainder joins the list), grow into the next block and into the previous one.
      const inPlace = heapFromScript({ preset: 'default', freeList: 'explicit', realloc: 'in-place' }, 'a 0 100\na 1 100\na 2 100\nf 0\nr 1 20\nr 1 200\nr 2 3000');
      assert.equal(inPlace.chain, '[A224][F32][A3024][F816]');
      assert.equal(listOrder(inPlace), '3304/816 -> 248/32');
    });
  });
});
