// The binary buddy system, scenario by scenario: a script in, the block chain and the lists of
// each order out. On csapp the arena is 4 KiB from offset 12 (after the pad and the prologue), so
// a block at offset x within the arena has its header at 12 + x. docs/engine.md, "The buddy system".

import assert from 'node:assert/strict';
import { BuddyAllocator, resolveConfig, restoreAllocator, type HeapOptions } from '../../../src/engine/index';
import { heapFromScript, lastResult, type HeapRun } from './heapScript';

const buddy = (more: HeapOptions = {}): HeapOptions => ({ preset: 'csapp', freeList: 'buddy', ...more });

function allocator(run: HeapRun): BuddyAllocator {
  assert.ok(run.allocator instanceof BuddyAllocator, 'a buddy allocator');
  return run.allocator;
}

const formatOf = (a: BuddyAllocator): string => a.tree().map((b) => `${b.offset}/${b.size}${b.status[0]}`).join(' ');

/** Every non-empty order's list, smallest first, as `size: addr -> addr`. */
function lists(run: HeapRun): string {
  const a = allocator(run);
  return a.orderLists
    .filter((l) => l.head !== 0)
    .map((l) => `${l.size}: ${a.list(l.order)!.nodes().join(' -> ')}`)
    .join('; ');
}

describe('binary buddy system', () => {
  describe('a 4 KiB arena on the csapp preset', () => {
    it('a fresh heap is one free 4096-byte block, the whole arena, alone on the 4096 list', () => {
      const run = heapFromScript(buddy(), '');
      assert.equal(run.chain, '[F4096]');
      assert.equal(lists(run), '4096: 12');
      const a = allocator(run);
      assert.equal(a.arenaStart, 12);
      assert.equal(a.arenaSize, 4096);
      assert.equal(a.heapSize, 4112, 'pad, prologue, the arena and the epilogue: the textbook heap after mm_init');
      assert.equal(a.minOrder, 4, 'the smallest block holds a header and two links: 12 bytes, rounded up to 16');
    });

    it('malloc(100) takes a 128-byte block: 4096 splits into 2048, 1024, 512, 256 and 128, each upper half on its list', () => {
      const run = heapFromScript(buddy(), 'a 0 100');
      assert.equal(run.chain, '[A128][F128][F256][F512][F1024][F2048]');
      assert.equal(lists(run), '128: 140; 256: 268; 512: 524; 1024: 1036; 2048: 2060');
      const r = lastResult(run);
      assert.equal(r.ptr, 16);
      assert.deepEqual(r.events, [{ type: 'placed', addr: 12, size: 128, asize: 128, remainder: 3968 }]);
      assert.equal(r.examined, 6, 'the lists of 128 to 4096 bytes, the last one non-empty');
      assert.equal(lastResult(heapFromScript(buddy(), 'a 0 100\na 1 100')).examined, 1, 'the 128 list holds the split\'s upper half');
    });

    it('the rounding is internal fragmentation: block bytes minus requested bytes, and payload padding in the walk', () => {
      const run = heapFromScript(buddy(), 'a 0 100\na 1 1');
      assert.equal(run.chain, '[A128][A16][F16][F32][F64][F256][F512][F1024][F2048]');
      assert.equal(run.allocator.metrics().internalFragmentation, 128 + 16 - 101);
      const [big, small] = run.allocator.walk().blocks;
      assert.equal(big!.payloadSize - 100, 24, 'a 128-byte block offers 124 payload bytes: 24 of padding past the 100 asked for');
      assert.equal(small!.payloadSize, 12, 'a 16-byte block offers 12: one header word, no boundary tag');
      assert.equal(big!.footer, null, 'buddy blocks carry no boundary tag');
    });

    it('freeing both buddies merges them, and the merged block with its own buddy, back to one block', () => {
      const run = heapFromScript(buddy(), 'a 0 100\na 1 100\nf 0');
      assert.equal(run.chain, '[F128][A128][F256][F512][F1024][F2048]', 'the buddy of the first is allocated: no merge');
      assert.equal(lists(run), '128: 12; 256: 268; 512: 524; 1024: 1036; 2048: 2060');
      const both = heapFromScript(buddy(), 'a 0 100\na 1 100\nf 0\nf 1');
      assert.equal(both.chain, '[F4096]');
      assert.equal(lists(both), '4096: 12');
      const merges = lastResult(both).events.filter((e) => e.type === 'coalesced');
      assert.deepEqual(
        merges.map((e) => [e.addr, e.size]),
        [[12, 256], [12, 512], [12, 1024], [12, 2048], [12, 4096]],
      );
      assert.deepEqual(merges[0], { type: 'coalesced', addr: 12, size: 256, withPrev: 128, withNext: 0 }, 'the buddy below the freed block');
    });

    it('a free whose buddy is split does not merge', () => {
      // malloc(50) needs 64 bytes: the free 128 block at 140 splits into 140/64 and 204/64.
      const run = heapFromScript(buddy(), 'a 0 100\na 1 50\nf 0');
      assert.equal(run.chain, '[F128][A64][F64][F256][F512][F1024][F2048]');
      assert.equal(lists(run), '64: 204; 128: 12; 256: 268; 512: 524; 1024: 1036; 2048: 2060');
      assert.equal(lastResult(run).events.some((e) => e.type === 'coalesced'), false);
    });

    it('the tree: each block\'s offset in the arena (a multiple of its size) and its order', () => {
      const run = heapFromScript(buddy(), 'a 0 100\na 1 50');
      assert.deepEqual(
        allocator(run).tree().map((b) => `${b.offset}/${b.order}${b.status === 'free' ? 'F' : 'A'}`),
        ['0/7A', '128/6A', '192/6F', '256/8F', '512/9F', '1024/10F', '2048/11F'],
      );
    });
  });

  describe('the arena doubles when no list has a block big enough', () => {
    it('a whole free arena merges with the new upper half: malloc(5000) gets the doubled arena', () => {
      const run = heapFromScript(buddy(), 'a 0 5000');
      assert.equal(run.chain, '[A8192]');
      assert.equal(run.allocator.heapSize, 8208);
      assert.deepEqual(
        lastResult(run).events.map((e) => e.type),
        ['extended', 'coalesced', 'placed'],
      );
    });

    it('a split arena keeps its lower half: the new upper half is the block taken', () => {
      const run = heapFromScript(buddy(), 'a 0 100\na 1 3000');
      assert.equal(run.chain, '[A128][F128][F256][F512][F1024][F2048][A4096]');
      assert.equal(run.ptr(1), 4112);
      assert.equal(allocator(run).arenaSize, 8192);
      assert.equal(lastResult(run).examined, 1, 'the 4096 list was empty; after growing, no second search');
    });

    it('doubling repeats until the new block is big enough; the free halves on the way join their lists', () => {
      const run = heapFromScript(buddy(), 'a 0 100\na 1 10000');
      assert.equal(run.chain, '[A128][F128][F256][F512][F1024][F2048][F4096][F8192][A16384]');
      assert.equal(allocator(run).arenaSize, 32768);
    });

    it('NULL when the doubled arena would pass maxHeap, and nothing moves', () => {
      const run = heapFromScript(buddy({ maxHeap: 8192 }), 'a 0 100\na 1 5000');
      assert.equal(lastResult(run).ptr, null);
      assert.equal(lastResult(run).problem?.code, 'heap-limit');
      assert.equal(run.allocator.heapSize, 4112);
      assert.equal(run.chain, '[A128][F128][F256][F512][F1024][F2048]');
    });
  });

  describe('list order and coalescing modes', () => {
    // Four 128-byte blocks at 12, 140, 268, 396; the first and third freed (their buddies are allocated).
    const holes = 'a 0 100\na 1 100\na 2 100\na 3 100\nf 0\nf 2';
    it('LIFO (the default, Knuth\'s) takes the block freed last; address order the lowest', () => {
      assert.equal(lists(heapFromScript(buddy(), holes)).split(';')[0], '128: 268 -> 12');
      assert.equal(heapFromScript(buddy(), `${holes}\na 4 100`).ptr(4), 272);
      assert.equal(lists(heapFromScript(buddy({ order: 'address' }), holes)).split(';')[0], '128: 12 -> 268');
      assert.equal(heapFromScript(buddy({ order: 'address' }), `${holes}\na 4 100`).ptr(4), 16);
      assert.equal(heapFromScript(buddy({ order: 'fifo' }), `${holes}\na 4 100`).ptr(4), 16);
    });

    it('coalescing off: freed buddies stay apart, and malloc still splits', () => {
      const run = heapFromScript(buddy({ coalesce: 'off' }), 'a 0 100\na 1 100\nf 0\nf 1');
      assert.equal(run.chain, '[F128][F128][F256][F512][F1024][F2048]');
      assert.equal(lists(run).split(';')[0], '128: 140 -> 12');
      const grown = heapFromScript(buddy({ coalesce: 'off' }), 'a 0 5000');
      assert.equal(grown.chain, '[F4096][F4096][A8192]', 'a new upper half does not merge either: the arena doubles twice');
    });
  });

  describe('realloc', () => {
    it('naive (csapp) always moves: malloc, copy the old payload, free', () => {
      const run = heapFromScript(buddy(), 'a 0 100\nr 0 20');
      assert.equal(run.ptr(0), 144, 'a 32-byte block split from the free 128 at 140');
      assert.equal(run.chain, '[F128][A32][F32][F64][F256][F512][F1024][F2048]', 'the old block\'s buddy is split: no merge');
      assert.deepEqual(lastResult(run).events.map((e) => e.type), ['placed', 'moved', 'freed']);
    });

    it('in-place keeps a block the request fits, and gives back the upper halves it no longer needs', () => {
      const run = heapFromScript(buddy({ realloc: 'in-place' }), 'a 0 1000\nr 0 100');
      assert.equal(run.ptr(0), 16);
      assert.equal(run.chain, '[A128][F128][F256][F512][F1024][F2048]');
      assert.deepEqual(lastResult(run).events, [{ type: 'resized-in-place', addr: 12, oldSize: 1024, newSize: 128, how: 'shrink' }]);
      const grows = heapFromScript(buddy({ realloc: 'in-place' }), 'a 0 100\nr 0 1000');
      assert.equal(grows.chain, '[F1024][A1024][F2048]', 'a request the block does not fit moves, and the old block merges back');
    });
  });

  describe('snapshots', () => {
    it('a snapshot restores the blocks and every list in list order; without the list ends, each order is rebuilt by address', () => {
      const run = heapFromScript(buddy(), 'a 0 100\na 1 100\na 2 100\na 3 100\nf 0\nf 2\na 4 3000');
      const a = allocator(run);
      const snapshot = a.snapshot(false);
      assert.ok(snapshot.bytes !== null, 'the links are in the bytes: always kept');
      const back = restoreAllocator(a.config, snapshot);
      assert.ok(back instanceof BuddyAllocator);
      assert.equal(formatOf(back), formatOf(a));
      assert.equal(lists({ ...run, allocator: back }), lists(run));
      assert.equal(lists(run).split(';')[0], '128: 268 -> 12', 'LIFO: the block freed last first');
      assert.deepEqual(back.check(), []);
      assert.equal(back.malloc(100).ptr, 272, 'and it carries on from there');
      const { orderLists: _ends, ...foreign } = a.snapshot(false);
      const rebuilt = restoreAllocator(a.config, foreign);
      assert.ok(rebuilt instanceof BuddyAllocator);
      assert.equal(rebuilt.list(7)!.nodes().join(' -> '), '12 -> 268');
      assert.deepEqual(rebuilt.check(), []);
    });
  });

  describe('configuration', () => {
    it('the buddy system places by order: only "first" names that; "sbrk" stays the baseline', () => {
      const problems = resolveConfig(buddy({ policy: 'best' })).problems;
      assert.deepEqual(problems.map((p) => [p.key, p.related]), [['policy', ['freeList']]]);
      assert.deepEqual(resolveConfig(buddy({ policy: 'sbrk' })).problems, []);
    });

    it('deferred coalescing, a first block at the null link, and a first arena past maxHeap are refused on their keys', () => {
      assert.deepEqual(resolveConfig(buddy({ coalesce: 'deferred' })).problems.map((p) => p.key), ['coalesce']);
      assert.deepEqual(resolveConfig({ preset: 'default', freeList: 'buddy', alignment: 8, sentinels: false }).problems.map((p) => p.key), ['sentinels']);
      const tooBig = resolveConfig(buddy({ chunkSize: 4104, maxHeap: 8192 })).problems;
      assert.deepEqual(tooBig.map((p) => [p.key, p.related]), [['chunkSize', ['maxHeap', 'freeList']]]);
      assert.match(tooBig[0]!.message, /8192 bytes/);
    });

    it('the first arena is chunkSize rounded up to a power of two; the smallest block follows the word size', () => {
      const run = heapFromScript(buddy({ chunkSize: 3000 }), '');
      assert.equal(run.chain, '[F4096]');
      const wide = heapFromScript({ preset: 'default', freeList: 'buddy', chunkSize: 256 }, 'a 0 1');
      assert.equal(wide.chain, '[A32][F32][F64][F128]', '8-byte words: a header and two links need 24 bytes, so 32');
      assert.equal(allocator(wide).arenaStart, 24);
      assert.equal(wide.ptr(0), 32);
      const bare = heapFromScript(buddy({ sentinels: false }), 'a 0 100');
      assert.equal(bare.ptr(0), 8, 'without sentinels the arena starts after the pad alone');
      assert.equal(bare.allocator.heapSize, 4100);
    });

    it('footers and minSplit do not apply: the same heap whatever they say', () => {
      const a = heapFromScript(buddy({ footers: 'free-only', minSplit: 64 }), 'a 0 100\na 1 1\nf 0');
      assert.equal(a.chain, heapFromScript(buddy(), 'a 0 100\na 1 1\nf 0').chain);
    });
  });
});
