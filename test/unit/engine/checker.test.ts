// The heap checker on corrupted heaps: each stable code, naming the block concerned, and the
// engine carrying on (badly, as C would) without throwing, reading outside the heap or looping.

import assert from 'node:assert/strict';
import { createAllocator, hex, type Allocator, type HeapIssueCode } from '../../../src/engine/index';
import { checkLivePayloads } from '../../../src/engine/checker';

function codes(heap: Allocator): HeapIssueCode[] {
  return heap.check().map((i) => i.code);
}

/** Stores a little-endian word as a wild C pointer would: through the payload API, unchecked. */
function poke(heap: Allocator, addr: number, value: number): void {
  const bytes = new Uint8Array(heap.config.wordSize);
  new DataView(bytes.buffer).setUint32(0, value, true);
  heap.write(addr, 0, bytes);
}

describe('heap checker', () => {
  it('a write 8 bytes past a 24-byte payload breaks the boundary tag and the next header', () => {
    const heap = createAllocator({ preset: 'csapp' });
    const p = heap.malloc(24).ptr!;
    heap.fill(p, 24, 8, 0xab);
    const issues = heap.check();
    assert.deepEqual(issues.map((i) => i.code), ['header-footer-mismatch', 'block-outside-heap']);
    assert.equal(issues[0]!.addr, 12);
    assert.match(issues[0]!.message, /block at 0x000c says 32 bytes allocated in its header but its boundary tag at 0x0028 holds 0xabababab/);
    assert.equal(issues[1]!.addr, 0x2c);
  });

  it('the engine survives the corrupted heap: later ops report a heap fault instead of throwing', () => {
    const heap = createAllocator({ preset: 'csapp' });
    const p = heap.malloc(24).ptr!;
    const q = heap.malloc(24).ptr!;
    heap.fill(p, 24, 8, 0xab);
    const r = heap.malloc(100);
    assert.equal(r.ptr, null);
    assert.equal(r.problem?.code, 'heap-fault');
    assert.match(r.problem!.message, /heap is corrupted/);
    assert.equal(heap.free(q).problem?.code, 'heap-fault');
    assert.ok(heap.walk().stopped);
  });

  it('a zeroed header stops the walk instead of looping', () => {
    const heap = createAllocator({ preset: 'csapp' });
    const p = heap.malloc(24).ptr!;
    heap.malloc(24);
    heap.fill(p, 24, 8, 0); // footer and next header become 0
    assert.deepEqual(codes(heap), ['header-footer-mismatch', 'bad-block-size']);
    assert.equal(heap.malloc(8).problem?.code, 'heap-fault');
  });

  it('bad-prologue and bad-epilogue', () => {
    const heap = createAllocator({ preset: 'csapp' });
    poke(heap, 4, 0);
    assert.deepEqual(codes(heap), ['bad-prologue']);
    poke(heap, 4, 9);
    poke(heap, 4108, 0);
    assert.deepEqual(codes(heap), ['bad-epilogue']);
  });

  it('a size that is not a multiple of the alignment misaligns the payloads after it', () => {
    const heap = createAllocator({ preset: 'default' });
    heap.malloc(1); // 32-byte block at 24
    const q = heap.malloc(1).ptr!; // 32-byte block at 56, payload 64
    poke(heap, 24, 40 | 1); // block 0 now claims 40 bytes: the next "block" starts at 64
    poke(heap, 64, 24 | 1); // ... and there a forged 24-byte header leads back to 88
    const issues = heap.check();
    const found = new Set(issues.map((i) => i.code));
    for (const code of ['bad-block-size', 'header-footer-mismatch', 'misaligned-payload', 'live-payload-not-allocated'] as const) {
      assert.ok(found.has(code), `${code} in ${issues.map((i) => i.message).join('; ')}`);
    }
    assert.ok(issues.some((i) => i.code === 'live-payload-not-allocated' && i.addr === q));
  });

  it('adjacent free blocks under immediate coalescing', () => {
    const heap = createAllocator({ preset: 'csapp' });
    const p = heap.malloc(8).ptr!;
    const q = heap.malloc(8).ptr!;
    heap.malloc(8);
    heap.free(p);
    poke(heap, q - 4, 16); // clear block 1's allocated bit in header and footer
    poke(heap, q + 8, 16);
    const issues = heap.check();
    assert.deepEqual(issues.map((i) => i.code), ['adjacent-free-blocks', 'live-payload-not-allocated']);
    assert.match(issues[0]!.message, /free blocks at 0x000c \(16 bytes\) and 0x001c \(16 bytes\) are neighbours/);
    assert.match(issues[1]!.message, /the heap marks free: it may be handed out twice/);
  });

  it('adjacent free blocks are expected when coalescing is deferred or off', () => {
    for (const coalesce of ['deferred', 'off'] as const) {
      const heap = createAllocator({ preset: 'csapp', coalesce });
      const p = heap.malloc(8).ptr!;
      const q = heap.malloc(8).ptr!;
      heap.free(p);
      heap.free(q);
      assert.deepEqual(heap.check(), []);
    }
  });

  it('a block overlapping the epilogue: sizes do not add up to the heap', () => {
    const heap = createAllocator({ preset: 'default' });
    poke(heap, 24, 4096 + 8);
    assert.deepEqual(codes(heap), ['heap-size-mismatch']);
    assert.match(heap.check()[0]!.message, /overlaps the epilogue/);
  });

  it('a prev-allocated bit that lies', () => {
    const heap = createAllocator({ preset: 'csapp', footers: 'free-only' });
    const p = heap.malloc(12).ptr!;
    heap.malloc(12);
    poke(heap, p + 12, 16 | 1); // block 1 header without the prev-allocated bit
    assert.deepEqual(codes(heap), ['prev-allocated-mismatch']);
  });

  it('a shrunken header makes a live payload overlap the next block', () => {
    const heap = createAllocator({ preset: 'csapp' });
    const p = heap.malloc(24).ptr!; // block of 32 at 12
    poke(heap, 12, 16 | 1); // header now says 16 bytes
    poke(heap, 24, 16 | 1); // with a matching footer...
    poke(heap, 28, 16 | 1); // and a forged 16-byte block at 28 ending where block 0 ended
    const issues = heap.check();
    assert.ok(issues.some((i) => i.code === 'overlapping-payloads' && i.addr === p), JSON.stringify(issues));
  });

  it('overlapping and out-of-heap live payloads are reported against the live table', () => {
    const heap = createAllocator({ preset: 'csapp' });
    const walk = heap.walk();
    const live = new Map([
      [16, 40],
      [48, 8],
      [8000, 8],
    ]);
    const issues = checkLivePayloads(walk, live, 8);
    const found = issues.map((i) => `${i.code}@${hex(i.addr)}`);
    assert.ok(found.includes('overlapping-payloads@0x0030'), found.join());
    assert.ok(found.includes('payload-outside-heap@0x1f40'), found.join());
  });

  it('never throws on a heap of random bytes', () => {
    const heap = createAllocator({ preset: 'csapp' });
    let seed = 12345;
    const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
    const junk = new Uint8Array(4112);
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < junk.length; i++) junk[i] = random();
      heap.write(0, 0, junk);
      assert.ok(Array.isArray(heap.check()));
      heap.metrics();
      for (const size of [1, 100, 5000]) assert.ok(['heap-fault', 'heap-limit', undefined].includes(heap.malloc(size).problem?.code));
    }
  });
});
