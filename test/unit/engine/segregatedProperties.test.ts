// Property tests of segregated free lists: random malloc / calloc / realloc / free sequences for
// both variants, every insertion order and placement policy and a spread of layouts. Each op is
// checked against an independent model (plain arrays: the blocks in address order and one array
// per class in list order, nothing read from the engine) that says which block each malloc returns
// and how many list nodes it examines; the heap checker runs after every op, and every live
// payload must still hold its bytes.

import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  createAllocator,
  FIT_POLICIES,
  LIST_ORDERS,
  SegregatedAllocator,
  sizeClassOf,
  type Allocator,
  type FitPolicy,
  type HeapConfig,
  type HeapOptions,
  type ListOrder,
} from '../../../src/engine/index';
import { describeOps, heapOps as ops, type Op } from '../support/randomOps';

const LAYOUTS: readonly HeapOptions[] = [
  { preset: 'csapp' },
  { preset: 'default' },
  { preset: 'csapp', footers: 'free-only' },
  { preset: 'csapp', coalesce: 'off' },
  { preset: 'csapp', classes: [24, 48, 96, 200], chunkSize: 512 },
  { preset: 'default', alignment: 8, classes: [32, 40, 64, 1024] },
  { preset: 'csapp', maxHeap: 16384 },
];

interface Block {
  addr: number;
  size: number;
  free: boolean;
}

/** Which block each malloc returns, from arrays alone: the rules of docs/engine.md ("Segregated free lists") written out plainly. */
class ListsModel {
  readonly blocks: Block[] = [];
  readonly lists: number[][];
  readonly rovers: (number | null)[];
  heapSize: number;
  private readonly first: number;
  private readonly minBlock: number;
  private readonly overhead: number;

  constructor(readonly c: HeapConfig, readonly simple: boolean) {
    const W = c.wordSize;
    const A = c.alignment;
    this.first = Math.ceil((Math.ceil((2 * W) / A) * A + W) / A) * A - W;
    this.minBlock = Math.ceil((4 * W) / A) * A;
    this.overhead = c.footers === 'all' ? 2 * W : W;
    this.lists = Array.from({ length: c.classes.length + 1 }, () => []);
    this.rovers = this.lists.map(() => null);
    this.heapSize = this.first + W;
    if (!simple) this.grow(c.chunkSize);
  }

  private classOf(size: number): number {
    return sizeClassOf(this.c.classes, size);
  }

  private sizeAt(addr: number): number {
    return this.blocks.find((b) => b.addr === addr)!.size;
  }

  private insert(addr: number): void {
    const list = this.lists[this.classOf(this.sizeAt(addr))]!;
    const order: ListOrder = this.c.order;
    if (order === 'lifo') list.unshift(addr);
    else if (order === 'fifo') list.push(addr);
    else {
      const at = list.findIndex((n) => n > addr);
      list.splice(at < 0 ? list.length : at, 0, addr);
    }
  }

  private remove(addr: number, size: number): void {
    const c = this.classOf(size);
    const list = this.lists[c]!;
    const at = list.indexOf(addr);
    assert.ok(at >= 0, `model: ${addr} on the list of class ${c}`);
    list.splice(at, 1);
    if (this.rovers[c] === addr) this.rovers[c] = list[at] ?? null;
  }

  /** One list searched with the policy: the chosen node and the nodes visited. */
  private searchList(c: number, asize: number, policy: FitPolicy): { addr: number | null; examined: number } {
    const list = this.lists[c]!;
    const sizes = list.map((a) => this.sizeAt(a));
    if (policy === 'first') {
      const i = sizes.findIndex((s) => s >= asize);
      return i < 0 ? { addr: null, examined: list.length } : { addr: list[i]!, examined: i + 1 };
    }
    if (policy === 'next') {
      const start = Math.max(0, this.rovers[c] === null ? 0 : list.indexOf(this.rovers[c]!));
      const order = [...list.keys()].slice(start).concat([...list.keys()].slice(0, start));
      const k = order.findIndex((i) => sizes[i]! >= asize);
      return k < 0 ? { addr: null, examined: list.length } : { addr: list[order[k]!]!, examined: k + 1 };
    }
    let chosen = -1;
    for (let i = 0; i < list.length; i++) {
      const s = sizes[i]!;
      if (s < asize) continue;
      if (chosen < 0 || (policy === 'best' ? s < sizes[chosen]! : s > sizes[chosen]!)) chosen = i;
      if (policy === 'best' && s === asize) return { addr: list[i]!, examined: i + 1 };
    }
    return { addr: chosen < 0 ? null : list[chosen]!, examined: list.length };
  }

  private search(asize: number): { addr: number | null; examined: number } {
    const policy = this.c.policy as FitPolicy;
    const n = this.c.classes.length;
    const from = this.classOf(asize);
    if (this.simple && from < n) {
      const head = this.lists[from]![0];
      return head === undefined ? { addr: null, examined: 0 } : { addr: head, examined: 1 };
    }
    let examined = 0;
    for (let c = from; c <= n; c++) {
      if (this.lists[c]!.length === 0) continue;
      const found = this.searchList(c, asize, policy);
      examined += found.examined;
      if (found.addr !== null) {
        if (policy === 'next') this.rovers[c] = found.addr;
        return { addr: found.addr, examined };
      }
      if (this.simple) break;
    }
    return { addr: null, examined };
  }

  /** The heap grows by `count` blocks of `size` bytes (one block unless simple storage carves); null past maxHeap. */
  private grow(size: number, count = 1): number | null {
    if (this.heapSize + size * count > this.c.maxHeap) return null;
    const at = this.heapSize - this.c.wordSize;
    this.heapSize += size * count;
    const made = Array.from({ length: count }, (_, k) => ({ addr: at + k * size, size, free: true }));
    this.blocks.push(...made);
    for (const b of this.c.order === 'lifo' ? [...made].reverse() : made) this.insert(b.addr);
    if (this.simple || this.c.coalesce !== 'immediate') return at;
    return this.coalesce(this.blocks.length - 1);
  }

  /** Merges the free block at index `i` with free neighbours; returns the merged block's address. */
  private coalesce(i: number): number {
    const b = this.blocks[i]!;
    const next = this.blocks[i + 1];
    const prev = this.blocks[i - 1];
    const withNext = next?.free === true;
    const withPrev = prev?.free === true;
    if (!withNext && !withPrev) return b.addr;
    this.remove(b.addr, b.size);
    if (withNext) this.remove(next.addr, next.size);
    if (withPrev) this.remove(prev.addr, prev.size);
    const start = withPrev ? prev : b;
    start.size = (withPrev ? prev.size : 0) + b.size + (withNext ? next.size : 0);
    this.blocks.splice(withPrev ? i : i + 1, (withPrev ? 1 : 0) + (withNext ? 1 : 0));
    this.insert(start.addr);
    return start.addr;
  }

  /** malloc: the payload address the model expects (null = NULL) and the nodes examined. */
  malloc(request: number): { ptr: number | null; examined: number } {
    if (request === 0) return { ptr: null, examined: 0 };
    const asize = Math.max(this.minBlock, Math.ceil((request + this.overhead) / this.c.alignment) * this.c.alignment);
    const n = this.c.classes.length;
    const c = this.classOf(asize);
    const want = this.simple ? (this.c.classes[c] ?? asize) : asize;
    const found = this.search(want);
    let addr = found.addr;
    if (addr === null) {
      addr = this.simple ? (c < n ? this.grow(want, Math.max(1, Math.floor(this.c.chunkSize / want))) : this.grow(want)) : this.grow(Math.max(asize, this.c.chunkSize));
      if (addr === null) return { ptr: null, examined: found.examined };
    }
    const i = this.blocks.findIndex((b) => b.addr === addr);
    const b = this.blocks[i]!;
    this.remove(b.addr, b.size);
    b.free = false;
    if (!this.simple && b.size - asize >= this.c.minSplit) {
      const rest = { addr: b.addr + asize, size: b.size - asize, free: true };
      b.size = asize;
      this.blocks.splice(i + 1, 0, rest);
      this.insert(rest.addr);
    }
    return { ptr: addr + this.c.wordSize, examined: found.examined };
  }

  free(ptr: number): void {
    const i = this.blocks.findIndex((b) => b.addr === ptr - this.c.wordSize);
    const b = this.blocks[i]!;
    b.free = true;
    this.insert(b.addr);
    if (!this.simple && this.c.coalesce === 'immediate') this.coalesce(i);
  }

  /** The chain as the engine formats it. */
  chain(): string {
    return this.blocks.map((b) => `[${b.free ? 'F' : 'A'}${b.size}]`).join('');
  }
}

/** Runs the ops on the engine and the model side by side, checking after each. */
function runBoth(options: HeapOptions, list: readonly Op[]): void {
  const heap = createAllocator(options);
  assert.ok(heap instanceof SegregatedAllocator);
  const model = new ListsModel(heap.config, heap.config.freeList === 'simple-segregated');
  const live: { ptr: number; size: number; byte: number }[] = [];
  let nextByte = 1;
  const born = (ptr: number, n: number) => {
    const byte = nextByte++ & 0xff || 7;
    heap.fill(ptr, 0, n, byte);
    live.push({ ptr, size: n, byte });
  };
  list.forEach((o, step) => {
    const where = `op ${step} of ${describeOps(list)}`;
    const target = live.length === 0 || o.op === 'malloc' || o.op === 'calloc' ? null : live[o.pick % live.length]!;
    if (o.op === 'malloc' || o.op === 'calloc') {
      // calloc(1, n) places as malloc(n) does.
      const r = o.op === 'malloc' ? heap.malloc(o.size) : heap.calloc(1, o.size);
      const m = model.malloc(o.size);
      assert.equal(r.ptr, m.ptr, `${where}: the block malloc returns`);
      assert.equal(r.examined, m.examined, `${where}: list nodes examined`);
      if (r.ptr !== null) born(r.ptr, o.size);
    } else if (o.op === 'free') {
      heap.free(target?.ptr ?? null);
      if (target) {
        model.free(target.ptr);
        live.splice(live.indexOf(target), 1);
      }
    } else {
      // naive realloc: malloc the new block while the old is allocated, copy, free the old one.
      const r = heap.realloc(target?.ptr ?? null, o.size);
      if (o.size === 0) {
        if (target) {
          model.free(target.ptr);
          live.splice(live.indexOf(target), 1);
        }
      } else {
        const m = model.malloc(o.size);
        assert.equal(r.ptr, m.ptr, `${where}: the block realloc moves to`);
        if (r.ptr !== null) {
          if (target) {
            assert.ok(heap.memory.equals(r.ptr, new Uint8Array(Math.min(target.size, o.size)).fill(target.byte)), `${where}: realloc keeps the bytes`);
            model.free(target.ptr);
            live.splice(live.indexOf(target), 1);
          }
          born(r.ptr, o.size);
        }
      }
    }
    assert.deepEqual(heap.check(), [], `${where}: the heap checker`);
    assert.equal(heap.walk().blocks.map((b) => `[${b.status === 'free' ? 'F' : 'A'}${b.size}]`).join(''), model.chain(), `${where}: the chain`);
    assert.deepEqual(heap.lists.map((l) => l.nodes()), model.lists, `${where}: every class list in list order`);
    assert.equal(heap.heapSize, model.heapSize, `${where}: the heap size`);
    for (const b of live) assert.ok(heap.memory.equals(b.ptr, new Uint8Array(b.size).fill(b.byte)), `${where}: ${b.ptr} holds its bytes`);
    assert.deepEqual(heap.metrics(), heap.walkMetrics(), `${where}: running totals vs a walk`);
  });
}

describe('segregated free list properties', () => {
  for (const freeList of ['segregated', 'simple-segregated'] as const) {
    for (const layout of LAYOUTS) {
      for (const order of LIST_ORDERS) {
        for (const policy of FIT_POLICIES) {
          const options: HeapOptions = { ...layout, freeList, order, policy, realloc: 'naive' };
          it(`${freeList}, ${JSON.stringify(layout)}, ${order}, ${policy} fit: the model's block and count, the lists and the checker after every op`, () => {
            fc.assert(
              fc.property(ops, (list) => runBoth(options, list)),
              { numRuns: 8 },
            );
          });
        }
      }
    }
  }

  it('in-place realloc keeps the checker clean and the bytes whole (both variants, every order)', () => {
    const settings = fc.record({ freeList: fc.constantFrom('segregated' as const, 'simple-segregated' as const), order: fc.constantFrom(...LIST_ORDERS), policy: fc.constantFrom(...FIT_POLICIES) });
    fc.assert(
      fc.property(settings, ops, (s, list) => {
        const heap: Allocator = createAllocator({ preset: 'csapp', realloc: 'in-place', chunkSize: 512, ...s });
        const live: { ptr: number; size: number; byte: number }[] = [];
        list.forEach((o, step) => {
          const target = live.length === 0 ? null : live[(o.op === 'malloc' || o.op === 'calloc' ? 0 : o.pick) % live.length]!;
          if (o.op === 'malloc' || o.op === 'calloc' || (o.op === 'realloc' && o.size > 0)) {
            const r = o.op === 'realloc' ? heap.realloc(target?.ptr ?? null, o.size) : heap.malloc(o.size);
            if (r.ptr !== null) {
              if (o.op === 'realloc' && target) {
                assert.ok(heap.memory.equals(r.ptr, new Uint8Array(Math.min(target.size, o.size)).fill(target.byte)), `op ${step}: realloc keeps the bytes`);
                live.splice(live.indexOf(target), 1);
              }
              heap.fill(r.ptr, 0, o.size, step & 0xff);
              live.push({ ptr: r.ptr, size: o.size, byte: step & 0xff });
            }
          } else if (target) {
            heap.free(target.ptr);
            live.splice(live.indexOf(target), 1);
          }
          assert.deepEqual(heap.check(), [], `op ${step} of ${describeOps(list)}`);
          for (const b of live) assert.ok(heap.memory.equals(b.ptr, new Uint8Array(b.size).fill(b.byte)), `op ${step}: ${b.ptr} holds its bytes`);
        });
      }),
      { numRuns: 200 },
    );
  });
});
