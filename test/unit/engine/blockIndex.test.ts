// The fit index on its own, against a plain list of blocks: ranks, first fit from any point, the
// largest and the smallest fitting free block, through long runs of additions and removals (with
// removed nodes revived in place and the tree rebuilt), bulk loads, and corrupted input.

import assert from 'node:assert/strict';
import { BlockIndex } from '../../../src/engine/blockIndex';
import { seededRandom as rng } from '../support/generatedTrace';

interface Block {
  readonly addr: number;
  readonly size: number;
  readonly free: boolean;
}

/** The same questions answered by scanning a sorted list. */
class Reference {
  readonly blocks = new Map<number, Block>();
  private order: Block[] | null = null;

  set(b: Block): void {
    this.blocks.set(b.addr, b);
    this.order = null;
  }

  delete(addr: number): void {
    this.blocks.delete(addr);
    this.order = null;
  }

  sorted(): Block[] {
    this.order ??= [...this.blocks.values()].sort((a, b) => a.addr - b.addr);
    return this.order;
  }

  rank(addr: number): number {
    return this.sorted().filter((b) => b.addr < addr).length;
  }

  firstFit(size: number, from: number): number | null {
    return this.sorted().find((b) => b.free && b.size >= size && b.addr >= from)?.addr ?? null;
  }

  largest(): { addr: number; size: number } | null {
    let best: Block | null = null;
    for (const b of this.sorted()) if (b.free && (best === null || b.size > best.size)) best = b;
    return best && { addr: best.addr, size: best.size };
  }

  smallestAtLeast(size: number): { addr: number; size: number } | null {
    let best: Block | null = null;
    for (const b of this.sorted()) if (b.free && b.size >= size && (best === null || b.size < best.size)) best = b;
    return best && { addr: best.addr, size: best.size };
  }
}

function agree(index: BlockIndex, ref: Reference, random: () => number, context: string): void {
  assert.equal(index.count, ref.blocks.size, `${context}: count`);
  const probe = () => Math.floor(random() * 70_000) * 16;
  for (let k = 0; k < 4; k++) {
    const addr = probe();
    assert.equal(index.rank(addr), ref.rank(addr), `${context}: rank(${addr})`);
    const size = 16 + Math.floor(random() * 600) * 8;
    assert.equal(index.firstFit(size, addr), ref.firstFit(size, addr), `${context}: firstFit(${size}, ${addr})`);
    // From the heap's start: first fit's own question (one descent from the root).
    assert.equal(index.firstFit(size, 0), ref.firstFit(size, 0), `${context}: firstFit(${size}, 0)`);
    assert.deepEqual(index.smallestAtLeast(size), ref.smallestAtLeast(size), `${context}: smallestAtLeast(${size})`);
  }
  assert.deepEqual(index.largest(), ref.largest(), `${context}: largest`);
}

describe('the fit index', () => {
  it('answers like a scan of the block list through 30,000 additions and removals, with rebuilds and bulk loads', () => {
    const random = rng(42);
    const index = new BlockIndex(1 << 30);
    const ref = new Reference();
    const add = (b: Block) => {
      index.add(b.addr, b.size, !b.free);
      ref.set(b);
    };
    const remove = (b: Block) => {
      index.remove(b.addr, b.size);
      ref.delete(b.addr);
    };
    for (let step = 0; step < 30_000; step++) {
      const r = random();
      const existing = [...ref.blocks.values()];
      if (existing.length > 0 && r < 0.35) {
        remove(existing[Math.floor(random() * existing.length)]!);
      } else if (existing.length > 0 && r < 0.6) {
        // A block changes in place (a free, an allocation, a merge): removed, then back at its address.
        const b = existing[Math.floor(random() * existing.length)]!;
        remove(b);
        add({ addr: b.addr, size: 16 + Math.floor(random() * 600) * 8, free: random() < 0.5 });
      } else if (r < 0.9995) {
        const addr = Math.floor(random() * 70_000) * 16;
        if (!ref.blocks.has(addr)) add({ addr, size: 16 + Math.floor(random() * 600) * 8, free: random() < 0.5 });
      } else {
        // A snapshot restored: the same blocks loaded in one pass.
        const blocks = ref.sorted();
        index.load(
          blocks.map((b) => b.addr),
          blocks.map((b) => b.size),
          blocks.map((b) => (b.free ? 0 : 1)),
          blocks.length,
        );
      }
      if (step % 7 === 0) agree(index, ref, random, `step ${step}`);
    }
    agree(index, ref, random, 'end');
  });

  it('answers like a scan when a heap grows to 200,000 blocks (its bits and trees grown on the way) and loses most of them again', () => {
    const index = new BlockIndex(2 ** 30);
    const random = rng(17);
    // A heap growing at its break, as a long-running program's does: each block after the last, a tenth free.
    const live = new Map<number, number>(); // address -> free size (0: allocated)
    for (let k = 0; k < 200_000; k++) {
      const free = random() < 0.1 ? 16 * (1 + Math.floor(random() * 60)) : 0;
      live.set(k * 1024, free);
      index.add(k * 1024, free || 32, free === 0);
    }
    const check = (context: string) => {
      const addrs = [...live.keys()].sort((a, b) => a - b);
      assert.equal(index.count, addrs.length, `${context}: count`);
      let largest: { addr: number; size: number } | null = null;
      let smallest: { addr: number; size: number } | null = null;
      for (const addr of addrs) {
        const free = live.get(addr)!;
        if (free > 0 && (largest === null || free > largest.size)) largest = { addr, size: free };
        if (free >= 500 && (smallest === null || free < smallest.size)) smallest = { addr, size: free };
      }
      // Each free block found from where it starts, at its size; every seventh block's rank.
      addrs.forEach((addr, rank) => {
        const free = live.get(addr)!;
        if (free > 0 && index.firstFit(free, addr) !== addr) assert.fail(`${context}: the free block at ${addr} (${free} bytes) not found from there`);
        if (rank % 7 === 0 && index.rank(addr) !== rank) assert.fail(`${context}: rank(${addr}) is ${index.rank(addr)}, not ${rank}`);
      });
      assert.deepEqual(index.largest(), largest, `${context}: largest`);
      assert.deepEqual(index.smallestAtLeast(500), smallest, `${context}: smallest of at least 500`);
      for (let p = 0; p < 200; p++) {
        const from = Math.floor(random() * 200_000 * 1024);
        const size = 16 * (1 + Math.floor(random() * 60));
        let at = addrs.findIndex((a) => a >= from);
        if (at < 0) at = addrs.length;
        assert.equal(index.rank(from), at, `${context}: rank(${from})`);
        const fit = addrs.slice(at).find((a) => live.get(a)! >= size) ?? null;
        assert.equal(index.firstFit(size, from), fit, `${context}: firstFit(${size}, ${from})`);
      }
    };
    check('grown');
    // Most blocks go, in no order.
    for (const addr of [...live.keys()]) {
      if (random() < 0.9) {
        index.remove(addr, live.get(addr) || 32);
        live.delete(addr);
      }
    }
    check('emptied');
    // Freed and allocated again in place, and new ones between.
    for (let k = 0; k < 50_000; k++) {
      const addr = Math.floor(random() * 200_000) * 1024 + 512;
      if (live.has(addr)) continue;
      const free = random() < 0.5 ? 16 * (1 + Math.floor(random() * 30)) : 0;
      live.set(addr, free);
      index.add(addr, free || 32, free === 0);
    }
    check('filled again');
  });

  it('an emptied index answers nothing, and takes blocks again', () => {
    const index = new BlockIndex(1 << 20);
    for (let k = 0; k < 3000; k++) index.add(16 + k * 32, 32, k % 2 === 0);
    for (let k = 0; k < 3000; k++) index.remove(16 + k * 32, 32);
    assert.equal(index.count, 0);
    assert.equal(index.firstFit(16, 0), null);
    assert.equal(index.largest(), null);
    assert.equal(index.smallestAtLeast(16), null);
    index.add(4096, 64, false);
    assert.equal(index.firstFit(16, 0), 4096);
    assert.equal(index.rank(5000), 1);
  });

  it('ignores what a corrupted heap could claim: blocks past the largest heap, negative or fractional sizes, a block added twice', () => {
    const index = new BlockIndex(1 << 20);
    index.add(1 << 21, 32, false);
    index.add(64, -8, false);
    index.add(64.5, 16, false);
    index.add(96, 2 ** 40, false);
    assert.equal(index.count, 0);
    index.add(128, 48, false);
    index.add(128, 48, false);
    assert.equal(index.count, 1);
    index.remove(128, 48);
    index.remove(128, 48);
    assert.equal(index.count, 0);
    assert.equal(index.smallestAtLeast(16), null);
  });

  it('grows to the highest block: one block at the end of a 1 GiB heap', () => {
    const index = new BlockIndex(2 ** 30);
    index.add(16, 2 ** 30 - 64, false);
    index.add(2 ** 30 - 48, 32, false);
    assert.equal(index.firstFit(32, 1024), 2 ** 30 - 48);
    assert.equal(index.rank(2 ** 30 - 48), 1);
  });
});
