// Property tests of the explicit free list: random malloc / calloc / realloc / free sequences for
// every insertion order, placement policy and a spread of layouts, each op checked against an
// independent model (a plain map of live payload ranges and their bytes) and the heap checker;
// address-ordered first fit against the implicit list's first fit; and corrupted links, which
// are reported, never thrown, never looped on.

import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  createAllocator,
  ExplicitAllocator,
  FIT_POLICIES,
  formatChain,
  LIST_ORDERS,
  type Allocator,
  type HeapOptions,
  type OpResult,
} from '../../../src/engine/index';

type Op = { readonly op: 'malloc'; readonly size: number } | { readonly op: 'calloc'; readonly size: number } | { readonly op: 'free'; readonly pick: number } | { readonly op: 'realloc'; readonly pick: number; readonly size: number };

const size = fc.oneof({ weight: 12, arbitrary: fc.integer({ min: 1, max: 200 }) }, { weight: 2, arbitrary: fc.integer({ min: 201, max: 6000 }) }, { weight: 1, arbitrary: fc.constant(0) });
const pick = fc.nat({ max: 1000 });
const ops = fc.array(
  fc.oneof(
    { weight: 6, arbitrary: fc.record({ op: fc.constant('malloc' as const), size }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('calloc' as const), size }) },
    { weight: 5, arbitrary: fc.record({ op: fc.constant('free' as const), pick }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('realloc' as const), pick, size }) },
  ),
  { maxLength: 80 },
);

const LAYOUTS: readonly HeapOptions[] = [
  { preset: 'csapp' },
  { preset: 'default' },
  { preset: 'default', alignment: 8 },
  { preset: 'csapp', footers: 'free-only' },
  { preset: 'csapp', coalesce: 'off' },
  { preset: 'default', realloc: 'in-place', chunkSize: 512 },
  { preset: 'csapp', maxHeap: 16384 },
];

/** The independent model: live payloads (pointer -> size and fill byte), nothing read from the engine's walker. */
class Model {
  readonly live = new Map<number, { size: number; byte: number }>();
  private nextByte = 1;
  private order: number[] = [];

  constructor(readonly heap: Allocator) {}

  private pointer(pick: number): number | null {
    return this.order.length === 0 ? null : this.order[pick % this.order.length]!;
  }

  private born(ptr: number, n: number): void {
    const byte = this.nextByte++ & 0xff || 7;
    this.heap.fill(ptr, 0, n, byte);
    this.live.set(ptr, { size: n, byte });
    this.order.push(ptr);
  }

  private died(ptr: number): void {
    this.live.delete(ptr);
    this.order = this.order.filter((p) => p !== ptr);
  }

  apply(o: Op): OpResult {
    const h = this.heap;
    if (o.op === 'malloc' || o.op === 'calloc') {
      const r = o.op === 'malloc' ? h.malloc(o.size) : h.calloc(1, o.size);
      if (r.ptr !== null) this.born(r.ptr, o.size);
      return r;
    }
    const ptr = this.pointer(o.pick);
    if (o.op === 'free') {
      const r = h.free(ptr);
      if (ptr !== null) this.died(ptr);
      return r;
    }
    const old = ptr === null ? null : this.live.get(ptr)!;
    const r = h.realloc(ptr, o.size);
    if (r.ptr !== null) {
      if (old) assert.ok(h.memory.equals(r.ptr, new Uint8Array(Math.min(old.size, o.size)).fill(old.byte)), 'realloc keeps min(old, new) bytes');
      if (ptr !== null) this.died(ptr);
      this.born(r.ptr, o.size);
    } else if (o.size === 0 && ptr !== null) {
      this.died(ptr);
    }
    return r;
  }

  /** mdriver's checks from the model, the checker, and the list holding exactly the free blocks. */
  assertHealthy(where: string): void {
    const h = this.heap;
    assert.deepEqual(h.check(), [], `${where}: the heap checker`);
    assert.deepEqual(new Map(h.liveAllocations), new Map([...this.live].map(([p, b]) => [p, b.size])), `${where}: the live pointers`);
    let end = -1;
    for (const [ptr, b] of [...this.live].sort((x, y) => x[0] - y[0])) {
      assert.equal(ptr % h.config.alignment, 0, `${where}: ${ptr} aligned`);
      assert.ok(ptr > end && ptr + b.size <= h.heapSize, `${where}: ${ptr} (+${b.size}) inside the heap, after ${end}`);
      assert.ok(h.memory.equals(ptr, new Uint8Array(b.size).fill(b.byte)), `${where}: ${ptr} holds its bytes`);
      end = ptr + b.size - 1;
    }
    assert.deepEqual(h.metrics(), h.walkMetrics(), `${where}: running totals vs a walk`);
    if (h instanceof ExplicitAllocator) {
      const nodes = h.list.nodes();
      const free = h.walk().blocks.filter((b) => b.status === 'free').map((b) => b.addr);
      assert.deepEqual([...nodes].sort((x, y) => x - y), free, `${where}: the list holds exactly the free blocks`);
      if (h.config.order === 'address') assert.deepEqual(nodes, free, `${where}: address order`);
    }
  }
}

function describeOps(list: readonly Op[]): string {
  return list.map((o) => (o.op === 'free' ? `free(#${o.pick})` : o.op === 'realloc' ? `realloc(#${o.pick}, ${o.size})` : `${o.op}(${o.size})`)).join(', ');
}

describe('explicit free list properties', () => {
  for (const layout of LAYOUTS) {
    for (const order of LIST_ORDERS) {
      for (const policy of FIT_POLICIES) {
        const options: HeapOptions = { ...layout, freeList: 'explicit', order, policy };
        it(`${JSON.stringify(layout)}, ${order}, ${policy} fit: the model and the checker agree after every op`, () => {
          fc.assert(
            fc.property(ops, (list) => {
              const model = new Model(createAllocator(options));
              list.forEach((o, i) => {
                const r = model.apply(o);
                assert.ok(r.problem === null || r.problem.severity === 'warning', `op ${i}: ${r.problem?.message}`);
                model.assertHealthy(`op ${i} of ${describeOps(list)}`);
              });
            }),
            { numRuns: 12 },
          );
        });
      }
    }
  }

  for (const layout of [{ preset: 'csapp' }, { preset: 'default' }, { preset: 'csapp', footers: 'free-only' }] as const) {
    it(`${layout.preset}${'footers' in layout ? ', footers free-only' : ''}: address-ordered first fit chooses exactly what the implicit list's first fit chooses`, () => {
      fc.assert(
        fc.property(ops, (list) => {
          const implicit = new Model(createAllocator({ ...layout, policy: 'first' }));
          const explicit = new Model(createAllocator({ ...layout, policy: 'first', freeList: 'explicit', order: 'address' }));
          list.forEach((o, i) => {
            const a = implicit.apply(o);
            const b = explicit.apply(o);
            assert.equal(b.ptr, a.ptr, `op ${i} of ${describeOps(list)}`);
            assert.equal(explicit.heap.heapSize, implicit.heap.heapSize);
            assert.equal(formatChain(explicit.heap.walk()), formatChain(implicit.heap.walk()));
          });
          explicit.assertHealthy('the end');
        }),
        { numRuns: 150 },
      );
    });
  }
});
