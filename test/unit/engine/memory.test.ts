// The heap's sparse, paged bytes against an independent model (one plain Uint8Array): seeded
// random sbrk, words at any offset (across page boundaries too), fills, writes, overlapping
// copies, comparisons, snapshots, restores and recycling; then copy-on-write and what a heap
// that is mostly one value really holds.

import assert from 'node:assert/strict';
import { createAllocator, HeapFault, HeapMemory, hex, PAGE_SIZE, type HeapBytes } from '../../../src/engine/index';
import { seededRandom } from '../support/generatedTrace';

const MAX_HEAP = 12 * PAGE_SIZE + 40;

/** The model: the heap's bytes in one plain array, and its break. */
class ModelHeap {
  bytes = new Uint8Array(MAX_HEAP);
  brk = 0;
  get view(): DataView {
    return new DataView(this.bytes.buffer);
  }
  clone(): ModelHeap {
    const m = new ModelHeap();
    m.bytes.set(this.bytes);
    m.brk = this.brk;
    return m;
  }
}

/** Offsets worth trying: anywhere, and near page boundaries (where words straddle two pages). */
function offsetIn(random: () => number, limit: number): number {
  if (limit <= 0) return 0;
  if (random() < 0.5) return Math.floor(random() * limit);
  const page = Math.floor(random() * Math.ceil(limit / PAGE_SIZE + 1));
  return Math.max(0, Math.min(limit - 1, page * PAGE_SIZE - 8 + Math.floor(random() * 16)));
}

/** Lengths worth trying: short ones, a page or more, and whole pages. */
function lengthUpTo(random: () => number, limit: number): number {
  const r = random();
  const n = r < 0.4 ? Math.floor(random() * 16) : r < 0.7 ? Math.floor(random() * 3 * PAGE_SIZE) : PAGE_SIZE * (1 + Math.floor(random() * 3));
  return Math.max(0, Math.min(n, limit));
}

function assertSame(heap: HeapMemory, model: ModelHeap, where: string): void {
  assert.equal(heap.brk, model.brk, `${where}: brk`);
  assert.ok(heap.equals(0, model.bytes.subarray(0, model.brk)), `${where}: the bytes differ from the model`);
  assert.deepEqual(heap.read(0, heap.brk), model.bytes.slice(0, model.brk), `${where}: read(0, brk)`);
}

/** Runs `f`, which should fault (the next comparison with the model checks that it changed nothing). */
function assertFaults(f: () => unknown, where: string): void {
  assert.throws(f, (err) => err instanceof HeapFault, `${where}: expected a HeapFault`);
}

describe('heap memory (sparse pages)', () => {
  // Seeds past 8 take no snapshots: their recycled heaps reuse the pages of a store nothing shares.
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]) {
    const withSnapshots = seed <= 8;
    it(`agrees with a plain byte array, seed ${seed}${withSnapshots ? '' : ', no snapshots'}`, () => {
      const random = seededRandom(seed);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
      let heap = new HeapMemory(MAX_HEAP);
      let model = new ModelHeap();
      const snapshots: { bytes: HeapBytes; model: ModelHeap }[] = [];
      for (let step = 0; step < 1500; step++) {
        const where = `seed ${seed}, step ${step}`;
        const op = random();
        try {
          if (op < 0.08) {
            const incr = pick([0, 1, 7, 8, PAGE_SIZE - 4, PAGE_SIZE, 3 * PAGE_SIZE + 12, -1, MAX_HEAP]);
            const expected = incr < 0 || incr > MAX_HEAP - model.brk ? null : model.brk;
            assert.equal(heap.sbrk(incr), expected, `${where}: sbrk(${incr})`);
            if (expected !== null) model.brk += incr;
          } else if (op < 0.3) {
            const size = pick([4, 8] as const);
            // Now and then past the break, which must fault and change nothing.
            const addr = random() < 0.05 ? model.brk - size + 1 + Math.floor(random() * 8) : offsetIn(random, model.brk - size + 1);
            const value = size === 4 ? Math.floor(random() * 2 ** 32) : Math.floor(random() * 2 ** 53);
            if (addr < 0 || addr + size > model.brk) {
              assertFaults(() => (size === 4 ? heap.setUint32(addr, value) : heap.setUint64(addr, value)), where);
            } else if (size === 4) {
              heap.setUint32(addr, value);
              model.view.setUint32(addr, value, true);
            } else {
              heap.setUint64(addr, value);
              model.view.setBigUint64(addr, BigInt(value), true);
            }
          } else if (op < 0.45) {
            const size = pick([4, 8] as const);
            const addr = random() < 0.05 ? model.brk - size + 1 : offsetIn(random, model.brk - size + 1);
            if (addr < 0 || addr + size > model.brk) {
              assertFaults(() => (size === 4 ? heap.getUint32(addr) : heap.getUint64(addr)), where);
            } else {
              const expected = size === 4 ? model.view.getUint32(addr, true) : Number(model.view.getBigUint64(addr, true));
              assert.equal(size === 4 ? heap.getUint32(addr) : heap.getUint64(addr), expected, `${where}: word at ${addr}`);
            }
          } else if (op < 0.58) {
            const addr = offsetIn(random, model.brk);
            const length = lengthUpTo(random, model.brk - addr);
            const value = pick([0, 0xab, 0x100 + 0x2c, Math.floor(random() * 256)]);
            heap.fill(addr, length, value);
            model.bytes.fill(value & 0xff, addr, addr + length);
          } else if (op < 0.66) {
            const addr = offsetIn(random, model.brk);
            const data = Uint8Array.from({ length: lengthUpTo(random, model.brk - addr) }, () => Math.floor(random() * 256));
            heap.write(addr, data);
            model.bytes.set(data, addr);
          } else if (op < 0.76) {
            const length = lengthUpTo(random, model.brk);
            const from = offsetIn(random, model.brk - length + 1);
            // Overlapping ranges, either way, half the time.
            const to = random() < 0.5 ? Math.max(0, Math.min(model.brk - length, from + Math.floor((random() - 0.5) * 2 * length))) : offsetIn(random, model.brk - length + 1);
            heap.copy(to, from, length);
            model.bytes.copyWithin(to, from, from + length);
          } else if (op < 0.82) {
            const addr = offsetIn(random, model.brk);
            const length = lengthUpTo(random, model.brk - addr);
            const expected = model.bytes.slice(addr, addr + length);
            assert.ok(heap.equals(addr, expected), `${where}: equals(${addr}, ${length} bytes)`);
            if (length > 0) {
              const at = Math.floor(random() * length);
              expected[at] = expected[at]! ^ (1 << Math.floor(random() * 8));
              assert.ok(!heap.equals(addr, expected), `${where}: equals(${addr}) with one bit changed`);
            }
            assert.deepEqual(heap.read(addr, length), model.bytes.slice(addr, addr + length), `${where}: read(${addr}, ${length})`);
          } else if (op < 0.88) {
            const addr = offsetIn(random, model.brk);
            const length = lengthUpTo(random, model.brk - addr);
            const byte = random() < 0.5 ? (model.bytes[addr] ?? 0) : pick([0, 0xab]);
            const expected = model.bytes.subarray(addr, addr + length).every((b) => b === byte);
            assert.equal(heap.isFilledWith(addr, length, byte), expected, `${where}: isFilledWith(${addr}, ${length}, ${byte})`);
          } else if (op < 0.93 && withSnapshots) {
            snapshots.push({ bytes: heap.snapshot(), model: model.clone() });
          } else if (op < 0.97 && snapshots.length > 0) {
            // Back to an earlier snapshot, in this heap, a recycled one or a new one.
            const s = pick(snapshots);
            const how = pick(['load', 'recycle', 'new']);
            if (how === 'recycle') heap = heap.recycle();
            else if (how === 'new') heap = new HeapMemory(MAX_HEAP);
            heap.load(s.bytes);
            model = s.model.clone();
          } else {
            const old = heap;
            heap = heap.recycle();
            assert.equal(old.brk, 0, `${where}: a recycled heap is left empty`);
            assert.equal(heap.brk, 0, `${where}: the new heap starts empty`);
            model = new ModelHeap();
          }
        } catch (err) {
          if (err instanceof assert.AssertionError) throw err;
          throw new Error(`${where}: ${err instanceof Error ? err.message : String(err)}`);
        }
        if (step % 25 === 0) assertSame(heap, model, where);
      }
      assertSame(heap, model, `seed ${seed}, the end`);
      // Nothing done since changed a snapshot.
      for (const [k, s] of snapshots.entries()) {
        const back = new HeapMemory(MAX_HEAP);
        back.load(s.bytes);
        assertSame(back, s.model, `seed ${seed}, snapshot ${k}`);
      }
    });
  }

  it('faults outside [0, brk) and for a negative length, as before', () => {
    const heap = new HeapMemory(4 * PAGE_SIZE);
    heap.sbrk(PAGE_SIZE + 4);
    for (const f of [
      () => heap.getUint32(PAGE_SIZE + 1),
      () => heap.getUint64(PAGE_SIZE - 3),
      () => heap.setUint32(-4, 1),
      () => heap.fill(PAGE_SIZE, 5, 1),
      () => heap.copy(0, PAGE_SIZE, 8),
      () => heap.read(-1, 2),
      () => heap.write(PAGE_SIZE + 4, new Uint8Array(1)),
      () => heap.fill(0, -1, 0),
    ]) {
      assertFaults(f, String(f));
    }
    assert.throws(() => heap.getUint32(PAGE_SIZE + 2), { message: `access of 4 bytes at ${hex(PAGE_SIZE + 2)} is outside the heap [0x0, ${hex(PAGE_SIZE + 4)})` });
    assert.equal(heap.equals(PAGE_SIZE, new Uint8Array(8)), false);
    assert.equal(heap.isFilledWith(PAGE_SIZE, 8, 0), false);
    assert.equal(heap.residentBytes < PAGE_SIZE, true, 'faults materialise nothing');
  });

  it('reads and writes words across a page boundary', () => {
    const heap = new HeapMemory(4 * PAGE_SIZE);
    heap.sbrk(3 * PAGE_SIZE);
    for (let k = 1; k < 8; k++) {
      const addr = 2 * PAGE_SIZE - k;
      heap.setUint64(addr, 0x0123456789abcd + k);
      assert.equal(heap.getUint64(addr), 0x0123456789abcd + k);
      if (k < 4) {
        heap.setUint32(addr, 0xdeadbeef);
        assert.equal(heap.getUint32(addr), 0xdeadbeef);
      }
    }
    // A word in a page of one value, and one half in such a page.
    heap.fill(0, PAGE_SIZE, 0xab);
    assert.equal(heap.getUint32(8), 0xabababab);
    assert.equal(heap.getUint64(PAGE_SIZE - 4), 0xabababab + (heap.getUint32(PAGE_SIZE) * 2 ** 32));
  });
});

describe('heap memory snapshots (copy-on-write)', () => {
  it('a snapshot is unchanged by later writes, and restoring it gives the same bytes', () => {
    const heap = new HeapMemory(16 * PAGE_SIZE);
    heap.sbrk(10 * PAGE_SIZE);
    const random = seededRandom(42);
    const before = Uint8Array.from({ length: 6 * PAGE_SIZE }, () => Math.floor(random() * 256));
    heap.write(PAGE_SIZE, before);
    heap.fill(8 * PAGE_SIZE, PAGE_SIZE, 0x5a);
    const snap = heap.snapshot();
    const expected = heap.read(0, heap.brk);
    // Every kind of write, on every page.
    heap.fill(0, heap.brk, 0x11);
    heap.write(3, new Uint8Array(PAGE_SIZE * 2).fill(7));
    for (let addr = 0; addr + 8 <= heap.brk; addr += PAGE_SIZE / 2) heap.setUint64(addr, addr);
    heap.copy(PAGE_SIZE + 5, 0, 4 * PAGE_SIZE);
    const later = heap.read(0, heap.brk);
    const restored = new HeapMemory(16 * PAGE_SIZE);
    restored.load(snap);
    assert.deepEqual(restored.read(0, restored.brk), expected);
    // And the restored heap's writes change neither the snapshot nor the heap it came from.
    restored.fill(0, restored.brk, 0x22);
    const again = new HeapMemory(16 * PAGE_SIZE);
    again.load(snap);
    assert.deepEqual(again.read(0, again.brk), expected);
    assert.deepEqual(heap.read(0, heap.brk), later);
  });

  it('a snapshot costs its table and the pages written since the last one, not the heap', () => {
    const heap = new HeapMemory(2 ** 30);
    heap.sbrk(2 ** 30);
    heap.fill(0, 2 ** 30, 0xab);
    heap.setUint32(12, 1);
    heap.setUint32(2 ** 29, 2);
    const first = heap.snapshot();
    assert.ok(first.ownBytes < 2 * PAGE_SIZE + 2 ** 30 / PAGE_SIZE + 100, `first snapshot: ${first.ownBytes} bytes`);
    heap.setUint32(16, 3);
    const second = heap.snapshot();
    // The one page copied on write, and the table.
    assert.ok(second.ownBytes < PAGE_SIZE + 2 ** 30 / PAGE_SIZE + 100, `second snapshot: ${second.ownBytes} bytes`);
    const restored = new HeapMemory(2 ** 30);
    restored.load(first);
    assert.equal(restored.getUint32(16), 0xabababab);
    assert.equal(restored.getUint32(12), 1);
  });
});

describe('heap memory: what a heap really holds', () => {
  const GIB = 2 ** 30;
  /** A handful of pages with header and footer words, and the page tables (9 bytes a page). */
  const SMALL = 64 * PAGE_SIZE + (GIB / PAGE_SIZE) * 9;

  for (const fill of ['fill', 'small fill', 'no fill', 'calloc', 'writes'] as const) {
    it(`malloc 1 GB, ${fill}, realloc a bit bigger, free: resident bytes stay small`, () => {
      const heap = createAllocator({ preset: 'default', maxHeap: GIB });
      const p = (fill === 'calloc' ? heap.calloc(1, 1e9) : heap.malloc(1e9)).ptr;
      assert.ok(p !== null);
      if (fill === 'fill') assert.equal(heap.fill(p, 0, 1e9, 0xab).problem, null);
      if (fill === 'small fill') heap.fill(p, 0, 100, 0xab);
      if (fill === 'writes') for (const at of [0, 5e8, 1e9 - 10]) heap.write(p, at, new Uint8Array(10).fill(1));
      const q = heap.realloc(p, 1e9 + 8).ptr;
      assert.ok(q !== null);
      if (fill === 'fill') assert.ok(heap.memory.isFilledWith(q, 1e9, 0xab), 'realloc kept the data');
      const snap = heap.snapshot(true);
      assert.equal(heap.free(q).problem, null);
      assert.deepEqual(heap.check(), []);
      assert.ok(heap.memory.residentBytes < SMALL, `${heap.memory.residentBytes} bytes resident`);
      assert.ok(heap.memory.storeBytes < SMALL, `${heap.memory.storeBytes} bytes in the page store`);
      assert.ok(snap.bytes!.residentBytes < SMALL, `the snapshot: ${snap.bytes!.residentBytes} bytes`);
    });
  }

  it('a realloc that moves a 400 MB block copies pages of one value as fills', () => {
    const heap = createAllocator({ preset: 'csapp', maxHeap: GIB });
    const p = heap.malloc(4e8).ptr!;
    heap.fill(p, 0, 4e8, 0xcd);
    heap.write(p, 12345, new Uint8Array([1, 2, 3]));
    heap.malloc(8);
    const q = heap.realloc(p, 4e8 + 8).ptr!;
    assert.notEqual(q, p);
    assert.deepEqual(Array.from(heap.read(q + 12344, 5)!), [0xcd, 1, 2, 3, 0xcd]);
    assert.ok(heap.memory.isFilledWith(q + 12348, 4e8 - 12348, 0xcd));
    assert.ok(heap.memory.residentBytes < SMALL, `${heap.memory.residentBytes} bytes resident`);
    assert.ok(heap.memory.storeBytes < SMALL, `${heap.memory.storeBytes} bytes in the page store`);
  });
});

describe('heap memory: a range kept for a check (keep, matches, release)', () => {
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    it(`what a range held is what matches says, whatever is written meanwhile, seed ${seed}`, () => {
      const random = seededRandom(1000 + seed);
      const heap = new HeapMemory(MAX_HEAP);
      const model = new ModelHeap();
      heap.sbrk(10 * PAGE_SIZE);
      model.brk = 10 * PAGE_SIZE;
      for (let round = 0; round < 300; round++) {
        // Some bytes, some pages of one value.
        const a = offsetIn(random, model.brk);
        const n = lengthUpTo(random, model.brk - a);
        if (random() < 0.5) {
          const bytes = Uint8Array.from({ length: n }, () => Math.floor(random() * 4));
          heap.write(a, bytes);
          model.bytes.set(bytes, a);
        } else {
          const v = Math.floor(random() * 3);
          heap.fill(a, n, v);
          model.bytes.fill(v, a, a + n);
        }
        // Keep a range, change the heap (perhaps over the range itself), compare a range with it.
        const from = offsetIn(random, model.brk);
        const length = lengthUpTo(random, model.brk - from);
        const kept = heap.keep(from, length);
        const was = model.bytes.slice(from, from + length);
        const to = Math.min(offsetIn(random, model.brk), model.brk - length);
        const moves = random() < 0.5;
        if (moves) {
          heap.copy(to, from, length);
          model.bytes.copyWithin(to, from, from + length);
        }
        const w = offsetIn(random, model.brk);
        const wn = lengthUpTo(random, model.brk - w);
        const wv = Math.floor(random() * 3);
        heap.fill(w, wn, wv);
        model.bytes.fill(wv, w, w + wn);
        const at = moves ? to : from;
        const expected = was.every((b, k) => b === model.bytes[at + k]);
        assert.equal(heap.matches(at, kept), expected, `seed ${seed}, round ${round}: matches at ${hex(at)} of ${length} bytes kept at ${hex(from)}`);
        heap.release(kept);
        assertSame(heap, model, `seed ${seed}, round ${round}`);
      }
    });
  }

  it('keeping and letting go a hundred thousand times: the store stays the size of the heap', () => {
    const heap = new HeapMemory(64 * PAGE_SIZE);
    heap.sbrk(64 * PAGE_SIZE);
    for (let k = 0; k < 64 * PAGE_SIZE; k += 64) heap.setUint32(k, k); // every page has bytes
    const size = heap.storeBytes;
    for (let round = 0; round < 100_000; round++) {
      const at = (round * 4096 + 24) % (60 * PAGE_SIZE);
      const before = heap.getUint32(at);
      const kept = heap.keep(at, 200);
      heap.setUint32(at, round); // writes the kept page: a copy on write
      assert.equal(heap.matches(at, kept), before === round);
      heap.release(kept);
    }
    assert.ok(heap.storeBytes <= 2 * size, `the store grew from ${size} to ${heap.storeBytes} bytes`);
  });

  it('a snapshot taken while a range is kept keeps its pages for good', () => {
    const heap = new HeapMemory(4 * PAGE_SIZE);
    heap.sbrk(4 * PAGE_SIZE);
    heap.write(100, new Uint8Array([1, 2, 3]));
    const kept = heap.keep(100, 3);
    const snap = heap.snapshot();
    heap.write(100, new Uint8Array([9, 9, 9]));
    heap.release(kept);
    const restored = new HeapMemory(4 * PAGE_SIZE);
    restored.load(snap);
    assert.deepEqual(restored.read(100, 3), new Uint8Array([1, 2, 3]));
    assert.deepEqual(heap.read(100, 3), new Uint8Array([9, 9, 9]));
  });
});
