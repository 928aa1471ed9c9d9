// The csapp preset is the CS:APP 3e textbook allocator, byte for byte (docs/engine.md, "Presets").

import assert from 'node:assert/strict';
import { createAllocator } from '../../../src/engine/index';
import { assertHealthy, heapFromScript } from './heapScript';

describe('csapp preset: the textbook allocator', () => {
  it('starts with a 16-byte prologue area and one 4096-byte free chunk: 4112 bytes', () => {
    const heap = createAllocator({ preset: 'csapp' });
    assert.equal(heap.heapSize, 4112);
    const walk = heap.walk();
    assert.deepEqual(walk.prologue, { addr: 4, size: 8, header: 0x9, footer: 0x9 });
    assert.deepEqual(walk.epilogue, { addr: 4108, size: 0, header: 0x1, footer: null });
    assert.equal(walk.blocks.length, 1);
    assert.deepEqual(walk.blocks[0], { addr: 12, size: 4096, status: 'free', payloadAddr: 16, payloadSize: 4088, header: 4096, footer: 4096 });
    assertHealthy(heap, 'after init');
  });

  it('lays out the initial heap exactly as mm_init writes it, word by word in little-endian bytes', () => {
    const heap = createAllocator({ preset: 'csapp' });
    const word = (addr: number) => Array.from(heap.read(addr, 4)!);
    assert.deepEqual(word(0), [0, 0, 0, 0], 'alignment padding');
    assert.deepEqual(word(4), [0x09, 0, 0, 0], 'prologue header 8|1');
    assert.deepEqual(word(8), [0x09, 0, 0, 0], 'prologue footer 8|1');
    assert.deepEqual(word(12), [0x00, 0x10, 0, 0], 'free block header 4096|0');
    assert.deepEqual(word(4104), [0x00, 0x10, 0, 0], 'free block footer 4096|0');
    assert.deepEqual(word(4108), [0x01, 0, 0, 0], 'epilogue header 0|1');
  });

  it('rounds requests to blocks as the textbook does: size <= 8 -> 16, else 8 * ceil((size + 8) / 8)', () => {
    for (const [request, block] of [[1, 16], [8, 16], [9, 24], [16, 24], [17, 32], [24, 32], [2040, 2048], [4072, 4080]] as const) {
      const heap = createAllocator({ preset: 'csapp' });
      assert.equal(heap.malloc(request).block?.size, block, `malloc(${request})`);
    }
  });

  it('reproduces the short1-bal worked example op by op', () => {
    const heap = createAllocator({ preset: 'csapp' });
    const a0 = heap.malloc(2040);
    assert.equal(a0.ptr, 16);
    assert.equal(heap.heapSize, 4112);
    assert.deepEqual(a0.events, [{ type: 'placed', addr: 12, size: 2048, asize: 2048, remainder: 2048 }]);

    const a1 = heap.malloc(2040);
    assert.equal(a1.ptr, 2064, 'exact fit in the remaining 2048 bytes');
    assert.deepEqual(a1.events, [{ type: 'placed', addr: 2060, size: 2048, asize: 2048, remainder: 0 }]);
    assert.equal(heap.heapSize, 4112);

    const f1 = heap.free(2064);
    assert.deepEqual(f1.events, [{ type: 'freed', addr: 2060, size: 2048 }], 'no free neighbour: nothing to coalesce');

    const a2 = heap.malloc(48);
    assert.equal(a2.ptr, 2064, 'first fit takes the freed block and splits it');
    assert.deepEqual(a2.events, [{ type: 'placed', addr: 2060, size: 56, asize: 56, remainder: 1992 }]);

    const a3 = heap.malloc(4072);
    assert.equal(a3.ptr, 2120);
    assert.equal(heap.heapSize, 8208, 'no fit: the heap grows by 4096');
    assert.deepEqual(a3.events, [
      { type: 'extended', addr: 4108, size: 4096, oldBreak: 4112, newBreak: 8208 },
      { type: 'coalesced', addr: 2116, size: 6088, withPrev: 1992, withNext: 0 },
      { type: 'placed', addr: 2116, size: 4080, asize: 4080, remainder: 2008 },
    ]);
    assert.equal(a3.examined, 3, 'the search visited all three blocks before growing the heap');
    assertHealthy(heap, 'after the worked example');
  });

  it('writes allocated headers and footers as size|1 and leaves freed payload bytes in place', () => {
    const run = heapFromScript({ preset: 'csapp' }, 'a 0 24\na 1 8\nf 0');
    const heap = run.allocator;
    // Block 0 (32 bytes at 12) is free again: its header and footer say 32|0; its payload still holds 0x00 fill.
    assert.deepEqual(Array.from(heap.read(12, 4)!), [32, 0, 0, 0]);
    assert.deepEqual(Array.from(heap.read(40, 4)!), [32, 0, 0, 0]);
    // Block 1 (16 bytes at 44) is allocated: 16|1 in both words, payload filled with id 1.
    assert.deepEqual(Array.from(heap.read(44, 4)!), [17, 0, 0, 0]);
    assert.deepEqual(Array.from(heap.read(56, 4)!), [17, 0, 0, 0]);
    assert.deepEqual(Array.from(heap.read(48, 8)!), [1, 1, 1, 1, 1, 1, 1, 1]);
    assert.equal(run.chain, '[F32][A16][F4048]');
  });

  it('realloc is the naive one: malloc, copy min(size, old block size), free; never in place', () => {
    const run = heapFromScript({ preset: 'csapp' }, 'a 0 100\nr 0 50');
    const r = run.results[1]!;
    assert.notEqual(r.ptr, 16, 'even a shrink moves the block');
    assert.deepEqual(
      r.events.map((e) => e.type),
      ['placed', 'moved', 'freed'],
    );
    assert.equal(r.ptr, 128, 'the new 64-byte block comes from the free tail after the old one');
    assert.deepEqual(r.events[1], { type: 'moved', fromPtr: 16, toPtr: 128, copied: 50 });
    assert.equal(run.chain, '[F112][A64][F3920]');
    // Growing copies the whole old block size (112 bytes: payload, footer and the next header word).
    const grow = heapFromScript({ preset: 'csapp' }, 'a 0 100\nr 0 500').results[1]!;
    assert.deepEqual(grow.events[1], { type: 'moved', fromPtr: 16, toPtr: 128, copied: 112 });
  });

  it('returns NULL once the heap would pass the 20 MB driver limit', () => {
    const heap = createAllocator({ preset: 'csapp' });
    assert.equal(heap.malloc(10 * 2 ** 20).ptr, 16, 'a 10 MiB block grows the heap by exactly its size');
    const big = heap.malloc(10 * 2 ** 20);
    assert.equal(big.ptr, null);
    assert.equal(big.problem?.code, 'heap-limit');
    const heapBefore = 4112 + (10 * 2 ** 20 + 8);
    assert.equal(heap.heapSize, heapBefore, 'the failed sbrk left the heap as it was');
    assertHealthy(heap, 'after NULL');
  });
});
