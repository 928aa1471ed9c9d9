// Property tests of the buddy system: random malloc / calloc / realloc / free sequences for every
// list order, both coalescing modes, both realloc modes and a spread of layouts, each op checked
// against an independent model of the buddy system (free offsets per order, in list order, and
// the allocated offsets: no bytes, no walker) that decides which offset each malloc returns and
// how big the heap is, and the heap checker after every op.

import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BuddyAllocator, createAllocator, LIST_ORDERS, minBlockSize, type HeapOptions, type ListOrder, type OpResult } from '../../../src/engine/index';
import { describeOps, heapOps as ops, type Op } from '../support/randomOps';

const LAYOUTS: readonly HeapOptions[] = [
  { preset: 'csapp' },
  { preset: 'default' },
  { preset: 'default', alignment: 8 },
  { preset: 'csapp', sentinels: false },
  { preset: 'default', chunkSize: 512 },
  { preset: 'csapp', maxHeap: 16384 },
];

/**
 * The buddy system as textbooks draw it: per order, the free blocks' offsets in list order, and
 * the allocated blocks' offsets and orders. It knows the rules of docs/engine.md and nothing of
 * the engine's bytes.
 */
class BuddyModel {
  readonly free = new Map<number, number[]>();
  readonly allocated = new Map<number, number>();
  arena: number;

  constructor(
    readonly wordSize: number,
    readonly minSize: number,
    readonly start: number,
    readonly tail: number,
    readonly maxHeap: number,
    readonly order: ListOrder,
    readonly immediate: boolean,
    firstArena: number,
  ) {
    this.arena = firstArena;
    this.insert(firstArena, 0);
  }

  get heapSize(): number {
    return this.start + this.arena + this.tail;
  }

  private listOf(size: number): number[] {
    let list = this.free.get(size);
    if (!list) this.free.set(size, (list = []));
    return list;
  }

  private insert(size: number, offset: number): void {
    const list = this.listOf(size);
    if (this.order === 'lifo') list.unshift(offset);
    else if (this.order === 'fifo') list.push(offset);
    else {
      const at = list.findIndex((o) => o > offset);
      list.splice(at < 0 ? list.length : at, 0, offset);
    }
  }

  private remove(size: number, offset: number): void {
    const list = this.listOf(size);
    list.splice(list.indexOf(offset), 1);
  }

  /** Merges a freed block with its buddy while the buddy is free and whole, then lists it. */
  private settle(size: number, offset: number): void {
    while (this.immediate && size < this.arena) {
      const buddy = offset ^ size;
      if (!this.listOf(size).includes(buddy)) break;
      this.remove(size, buddy);
      offset = Math.min(offset, buddy);
      size *= 2;
    }
    this.insert(size, offset);
  }

  /** The offset malloc returns a block at, or null. */
  malloc(n: number): number | null {
    let size = this.minSize;
    while (size < n + this.wordSize) size *= 2;
    let found: [number, number] | null = null;
    for (let s = size; s <= this.arena && !found; s *= 2) {
      const head = this.listOf(s)[0];
      if (head !== undefined) found = [s, head];
    }
    if (!found) {
      // Double the arena until the newest block (merged with a whole free arena) is big enough.
      let arena = this.arena;
      const whole = this.immediate && this.listOf(arena).includes(0);
      let grown = 0;
      for (;;) {
        grown += arena;
        const got = whole ? 2 * arena : arena;
        arena *= 2;
        if (got >= size) break;
      }
      if (this.heapSize + grown > this.maxHeap) return null;
      while (this.arena < arena) {
        const upper = this.arena;
        this.arena *= 2;
        this.settle(upper, upper);
      }
      // A whole free arena merged with each new half; otherwise the newest upper half is the block.
      found = whole ? [this.arena, 0] : [this.arena / 2, this.arena / 2];
    }
    const [total, offset] = found;
    this.remove(total, offset);
    for (let half = total / 2; half >= size; half /= 2) this.insert(half, offset + half);
    this.allocated.set(offset, size);
    return offset;
  }

  freeAt(offset: number): void {
    const size = this.allocated.get(offset)!;
    this.allocated.delete(offset);
    this.settle(size, offset);
  }

  /** In place: the block keeps its lower part and gives back the upper halves. */
  shrink(offset: number, n: number): boolean {
    let size = this.minSize;
    while (size < n + this.wordSize) size *= 2;
    const old = this.allocated.get(offset)!;
    if (size > old) return false;
    for (let half = old / 2; half >= size; half /= 2) this.insert(half, offset + half);
    this.allocated.set(offset, size);
    return true;
  }

  /** The block chain in address order, as the engine's walk should read it. */
  chain(): string {
    const blocks: [number, string][] = [...this.allocated].map(([o, s]) => [o, `[A${s}]`]);
    for (const [s, list] of this.free) for (const o of list) blocks.push([o, `[F${s}]`]);
    return blocks
      .sort((a, b) => a[0] - b[0])
      .map((b) => b[1])
      .join('');
  }
}

/** The live payloads (pointer -> size and fill byte) in the order they were born, each filled with its own byte as mdriver does. */
class LivePayloads {
  readonly live = new Map<number, { size: number; byte: number }>();
  private order: number[] = [];
  private nextByte = 1;

  constructor(readonly heap: BuddyAllocator) {}

  /** The live pointer an op's `pick` names, or null (NULL) when none is live. */
  pointer(pick: number): number | null {
    return this.order.length === 0 ? null : this.order[pick % this.order.length]!;
  }

  born(ptr: number, n: number): void {
    const byte = this.nextByte++ & 0xff || 7;
    this.heap.fill(ptr, 0, n, byte);
    this.live.set(ptr, { size: n, byte });
    this.order.push(ptr);
  }

  died(ptr: number): void {
    this.live.delete(ptr);
    this.order = this.order.filter((p) => p !== ptr);
  }

  /** realloc kept the first min(old, new) bytes of the payload that was at `from`. */
  assertKept(from: number, to: number, size: number): void {
    const old = this.live.get(from);
    if (old) assert.ok(this.heap.memory.equals(to, new Uint8Array(Math.min(old.size, size)).fill(old.byte)), 'realloc keeps min(old, new) bytes');
  }

  assertBytes(where: string): void {
    for (const [ptr, b] of this.live) assert.ok(this.heap.memory.equals(ptr, new Uint8Array(b.size).fill(b.byte)), `${where}: ${ptr} holds its bytes`);
  }
}

/** The engine and the model side by side, with each live payload's fill byte (mdriver's check). */
class Pair {
  readonly heap: BuddyAllocator;
  readonly model: BuddyModel;
  private readonly payloads: LivePayloads;

  constructor(options: HeapOptions) {
    const heap = createAllocator(options);
    assert.ok(heap instanceof BuddyAllocator);
    this.heap = heap;
    this.payloads = new LivePayloads(heap);
    const c = heap.config;
    const minSize = minBlockSize(c.wordSize, c.alignment, 'buddy');
    let first = minSize;
    while (first < c.chunkSize) first *= 2;
    // The arena starts after the pad (and the prologue): docs/engine.md, "Layouts".
    this.model = new BuddyModel(c.wordSize, minSize, heap.arenaStart, c.sentinels ? c.wordSize : 0, c.maxHeap, c.order, c.coalesce === 'immediate', first);
  }

  private ptrOf(offset: number | null): number | null {
    return offset === null ? null : this.model.start + offset + this.model.wordSize;
  }

  private offsetOf(ptr: number): number {
    return ptr - this.model.start - this.model.wordSize;
  }

  apply(o: Op): OpResult {
    const { heap, model } = this;
    if (o.op === 'malloc' || o.op === 'calloc') {
      const r = o.op === 'malloc' ? heap.malloc(o.size) : heap.calloc(1, o.size);
      assert.equal(r.ptr, o.size === 0 ? null : this.ptrOf(model.malloc(o.size)), 'the offset the model chooses');
      if (r.ptr !== null) this.payloads.born(r.ptr, o.size);
      return r;
    }
    const ptr = this.payloads.pointer(o.pick);
    if (o.op === 'free') {
      const r = heap.free(ptr);
      if (ptr !== null) {
        model.freeAt(this.offsetOf(ptr));
        this.payloads.died(ptr);
      }
      return r;
    }
    const r = heap.realloc(ptr, o.size);
    let expected: number | null;
    if (ptr === null) expected = o.size === 0 ? null : this.ptrOf(model.malloc(o.size));
    else if (o.size === 0) {
      model.freeAt(this.offsetOf(ptr));
      expected = null;
    } else if (heap.config.realloc === 'in-place' && model.shrink(this.offsetOf(ptr), o.size)) expected = ptr;
    else {
      const moved = model.malloc(o.size);
      if (moved !== null) model.freeAt(this.offsetOf(ptr));
      expected = this.ptrOf(moved);
    }
    assert.equal(r.ptr, expected, 'realloc returns what the model says');
    if (r.ptr !== null) {
      if (ptr !== null) {
        this.payloads.assertKept(ptr, r.ptr, o.size);
        this.payloads.died(ptr);
      }
      this.payloads.born(r.ptr, o.size);
    } else if (o.size === 0 && ptr !== null) {
      this.payloads.died(ptr);
    }
    return r;
  }

  assertAgree(where: string): void {
    const { heap, model } = this;
    assert.deepEqual(heap.check(), [], `${where}: the heap checker`);
    assert.equal(heap.heapSize, model.heapSize, `${where}: the heap's size`);
    const chain = heap
      .walk()
      .blocks.map((b) => `[${b.status === 'allocated' ? 'A' : 'F'}${b.size}]`)
      .join('');
    assert.equal(chain, model.chain(), `${where}: the blocks`);
    for (const l of heap.orderLists) {
      const nodes = heap.list(l.order)!.nodes().map((addr) => addr - model.start);
      assert.deepEqual(nodes, model.free.get(l.size) ?? [], `${where}: the ${l.size}-byte list in list order`);
    }
    this.payloads.assertBytes(where);
    assert.deepEqual(heap.metrics(), heap.walkMetrics(), `${where}: running totals vs a walk`);
  }
}

describe('buddy system properties', () => {
  for (const layout of LAYOUTS) {
    for (const order of LIST_ORDERS) {
      for (const coalesce of ['immediate', 'off'] as const) {
        for (const realloc of ['naive', 'in-place'] as const) {
          const options: HeapOptions = { ...layout, freeList: 'buddy', order, coalesce, realloc };
          it(`${JSON.stringify(layout)}, ${order}, coalescing ${coalesce}, ${realloc} realloc: the model and the checker agree after every op`, () => {
            fc.assert(
              fc.property(ops, (list) => {
                const pair = new Pair(options);
                pair.assertAgree('a fresh heap');
                list.forEach((o, i) => {
                  const r = pair.apply(o);
                  assert.ok(r.problem === null || r.problem.severity === 'warning', `op ${i}: ${r.problem?.message}`);
                  pair.assertAgree(`op ${i} of ${describeOps(list)}`);
                });
              }),
              { numRuns: 15 },
            );
          });
        }
      }
    }
  }
});
