// Block layouts other than the textbook's: 8-byte words, 16-byte alignment, footers only in free
// blocks (the prev-allocated bit), no sentinels. Payloads stay aligned and the checker stays quiet.

import assert from 'node:assert/strict';
import { allocatedOfWord, BlockLayout, createAllocator, decodeWord, flagsOfWord, HeapMemory, prevAllocatedOfWord, resolveConfig, sizeOfWord } from '../../../src/engine/index';
import { heapFromScript } from './heapScript';

function word32(run: ReturnType<typeof heapFromScript>, addr: number): number {
  const bytes = run.allocator.read(addr, 4)!;
  return new DataView(bytes.buffer).getUint32(0, true);
}

describe('the word decoder', () => {
  it('a header 32|1 is a 32-byte allocated block; 48|2 a free one after an allocated one', () => {
    assert.deepEqual(decodeWord(33), { size: 32, allocated: true, prevAllocated: false });
    assert.deepEqual(decodeWord(50), { size: 48, allocated: false, prevAllocated: true });
    assert.equal(flagsOfWord(51), 3);
  });

  it('the epilogue 0|1 is an allocated block of size 0', () => {
    assert.equal(sizeOfWord(1), 0);
    assert.ok(allocatedOfWord(1));
  });

  it('an 8-byte word beyond 2^32 keeps its high bits: arithmetic, not a 32-bit mask', () => {
    const size = 2 ** 40 + 4096;
    assert.equal(sizeOfWord(size + 3), size);
    assert.ok(allocatedOfWord(size + 3) && prevAllocatedOfWord(size + 3));
    assert.ok(!allocatedOfWord(size));
  });

  it('agrees with the layout reading a real heap: every block of a walk decodes to its size and status', () => {
    const run = heapFromScript({ preset: 'default' }, 'a 0 24\na 1 100\nf 0\na 2 5');
    for (const block of run.allocator.walk().blocks) {
      assert.ok(block.header !== null, 'an implicit list block has a header');
      assert.equal(sizeOfWord(block.header), block.size, `the header at ${block.addr}`);
      assert.equal(allocatedOfWord(block.header), block.status === 'allocated', `the allocated bit at ${block.addr}`);
      if (block.footer !== null) assert.equal(sizeOfWord(block.footer), block.size, `the footer of ${block.addr}`);
    }
  });
});

describe('block layouts', () => {
  it('default preset: 8-byte prologue words, first payload at 32, 4128-byte initial heap', () => {
    const heap = createAllocator({ preset: 'default' });
    assert.equal(heap.heapSize, 32 + 4096);
    const walk = heap.walk();
    assert.deepEqual(walk.prologue, { addr: 8, size: 16, header: 17, footer: 17 });
    assert.equal(walk.blocks[0]?.payloadAddr, 32);
    const p = heap.malloc(1);
    assert.equal(p.ptr, 32);
    assert.equal(p.block?.size, 32, 'the minimum block: header, footer, 16-byte aligned payload');
    assert.equal(heap.malloc(24).block?.size, 48);
    assert.deepEqual(Array.from(heap.read(24, 8)!), [33, 0, 0, 0, 0, 0, 0, 0], '64-bit little-endian header 32|1');
  });

  for (const [wordSize, alignment, first, minBlock] of [
    [4, 8, 12, 16],
    [4, 16, 28, 16],
    [8, 8, 16, 24],
    [8, 16, 24, 32],
  ] as const) {
    it(`${wordSize}-byte words, ${alignment}-byte alignment: first block at ${first}, minimum block ${minBlock}`, () => {
      const { config, problems } = resolveConfig({ preset: 'csapp', wordSize, alignment });
      assert.deepEqual(problems, []);
      const layout = new BlockLayout(new HeapMemory(config.maxHeap), config);
      assert.equal(layout.firstBlockAddr, first);
      assert.equal(layout.minBlockSize, minBlock);
      const run = heapFromScript({ preset: 'csapp', wordSize, alignment }, 'a 0 1\na 1 13\na 2 100\nf 1\na 3 5');
      for (const r of run.results) if (r.ptr !== null) assert.equal(r.ptr % alignment, 0, `payload ${r.ptr} aligned`);
    });
  }

  it('footers only in free blocks: allocated blocks drop the footer and the next header keeps a prev-allocated bit', () => {
    const run = heapFromScript({ preset: 'csapp', footers: 'free-only' }, 'a 0 12\na 1 12');
    assert.equal(run.chain, '[A16][A16][F4064]', 'a 12-byte request fits a 16-byte block (24 with footers everywhere)');
    assert.equal(word32(run, 12), 16 | 1 | 2, 'block 0: allocated, previous (the prologue) allocated');
    assert.equal(word32(run, 28), 16 | 1 | 2, 'block 1: allocated, previous allocated');
    assert.equal(word32(run, 44), 4064 | 2, 'free tail: previous allocated');
    const freed = heapFromScript({ preset: 'csapp', footers: 'free-only' }, 'a 0 12\na 1 12\nf 0');
    assert.equal(word32(freed, 12), 16 | 2, 'freed block 0: header 16, previous allocated');
    assert.equal(word32(freed, 24), 16, 'and now a footer');
    assert.equal(word32(freed, 28), 16 | 1, 'block 1 learns its previous block is free');
  });

  it('footers only in free blocks: coalescing reads the footer only when the bit says free', () => {
    const run = heapFromScript({ preset: 'csapp', footers: 'free-only' }, 'a 0 12\na 1 12\na 2 12\nf 0\nf 2\nf 1');
    assert.equal(run.chain, '[F4096]');
  });

  it('footers only in free blocks need sentinels', () => {
    const { problems } = resolveConfig({ preset: 'csapp', footers: 'free-only', sentinels: false });
    assert.equal(problems.length, 1);
    assert.match(problems[0]!.message, /epilogue/);
  });

  it('without sentinels the chain runs from the pad to the break', () => {
    const heap = createAllocator({ preset: 'csapp', sentinels: false });
    const walk = heap.walk();
    assert.equal(walk.prologue, null);
    assert.equal(walk.epilogue, null);
    assert.equal(heap.heapSize, 4 + 4096);
    assert.equal(heap.malloc(8).ptr, 8);
  });
});
