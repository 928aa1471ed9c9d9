// Corrupted heaps: wild writes (through freed or unknown pointers, past a payload's end) mixed with
// valid ops. The engine must report, never throw, never leave the heap (HeapMemory refuses, which
// surfaces as a 'heap-fault' problem) and never loop; the checker names what broke.

import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  COALESCE_MODES,
  FOOTER_MODES,
  HEAP_ISSUE_CODES,
  OP_PROBLEM_CODES,
  POLICIES,
  REALLOC_MODES,
  createAllocator,
  formatChain,
  type Allocator,
  type HeapOptions,
  type OpKind,
  type OpProblemCode,
  type OpResult,
  type RequestSize,
} from '../../../src/engine/index';
import { GEOMETRIES } from './geometries';
import { assertMetricsInRange } from '../support/metricsRange';

// --- what a random run does ----------------------------------------------------------------

/** Who a call is aimed at: a live pointer, a freed one, a live block's header, any address, or nonsense. */
type Target =
  | { readonly kind: 'live'; readonly pick: number }
  | { readonly kind: 'freed'; readonly pick: number }
  | { readonly kind: 'header'; readonly pick: number }
  | { readonly kind: 'anywhere'; readonly at: number }
  | { readonly kind: 'null' }
  | { readonly kind: 'garbage'; readonly value: number };

/** Where a write starts, relative to its target: inside the request, at its end, a little past it, or anywhere. */
type Offset = { readonly kind: 'inside' | 'end' | 'past' | 'raw'; readonly n: number };

/** What a wild write stores: random bytes, one repeated byte, or one header-sized word (huge, zero, odd sizes). */
type Bytes =
  | { readonly kind: 'random'; readonly seed: number; readonly length: number }
  | { readonly kind: 'repeat'; readonly byte: number; readonly length: number }
  | { readonly kind: 'word'; readonly value: number; readonly width: 4 | 8 };

type Action =
  | { readonly do: 'malloc'; readonly size: RequestSize }
  | { readonly do: 'calloc'; readonly count: number; readonly size: number }
  | { readonly do: 'realloc'; readonly target: Target; readonly size: RequestSize }
  | { readonly do: 'free'; readonly target: Target }
  | { readonly do: 'write'; readonly target: Target; readonly offset: Offset; readonly bytes: Bytes }
  | { readonly do: 'memset'; readonly target: Target; readonly offset: Offset; readonly length: number; readonly byte: number };

const size: fc.Arbitrary<RequestSize> = fc.oneof(
  { weight: 20, arbitrary: fc.integer({ min: 1, max: 256 }) },
  { weight: 3, arbitrary: fc.integer({ min: 257, max: 20_000 }) },
  { weight: 1, arbitrary: fc.constantFrom<RequestSize>(0, 2 ** 40, 2n ** 64n - 1n) },
);

const target: fc.Arbitrary<Target> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('live' as const), pick: fc.nat(1000) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('freed' as const), pick: fc.nat(1000) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('header' as const), pick: fc.nat(1000) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('anywhere' as const), at: fc.nat() }) },
  { weight: 1, arbitrary: fc.constant<Target>({ kind: 'null' }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('garbage' as const), value: fc.constantFrom(-8, -1, 1.5, Number.NaN, 2 ** 53, 2 ** 31) }) },
);

const offset: fc.Arbitrary<Offset> = fc.record({ kind: fc.constantFrom('inside' as const, 'end' as const, 'past' as const, 'past' as const, 'raw' as const), n: fc.nat() });

/** Words a header might be overwritten with: zero, flags only, small and odd sizes, huge sizes, all ones. */
const HEADER_WORDS = [0, 1, 2, 3, 7, 8, 9, 12, 16, 17, 24, 33, 4096, 4097, 0x7ffffff8, 0x7ffffff9, 0xfffffff8, 0xffffffff, 2 ** 40, 2 ** 53 - 8] as const;

const bytes: fc.Arbitrary<Bytes> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('random' as const), seed: fc.integer({ min: 1, max: 0x7fffffff }), length: fc.integer({ min: 1, max: 40 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('repeat' as const), byte: fc.constantFrom(0x00, 0xff, 0x41, 0x01), length: fc.integer({ min: 1, max: 40 }) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('word' as const), value: fc.constantFrom(...HEADER_WORDS), width: fc.constantFrom(4 as const, 8 as const) }) },
);

/** A live pointer mostly, NULL sometimes: what a correct program passes. */
const liveOrNull: fc.Arbitrary<Target> = fc.oneof(
  { weight: 10, arbitrary: fc.record({ kind: fc.constant('live' as const), pick: fc.nat(1000) }) },
  { weight: 1, arbitrary: fc.constant<Target>({ kind: 'null' }) },
);

/** What a correct program does: allocate, resize and free its own blocks, write inside them. */
const validAction: fc.Arbitrary<Action> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ do: fc.constant('malloc' as const), size }) },
  { weight: 1, arbitrary: fc.record({ do: fc.constant('calloc' as const), count: fc.integer({ min: 0, max: 8 }), size: fc.integer({ min: 0, max: 64 }) }) },
  { weight: 3, arbitrary: fc.record({ do: fc.constant('realloc' as const), target: liveOrNull, size }) },
  { weight: 4, arbitrary: fc.record({ do: fc.constant('free' as const), target: liveOrNull }) },
  {
    weight: 2,
    arbitrary: fc.record({
      do: fc.constant('write' as const),
      target: liveOrNull,
      offset: fc.record({ kind: fc.constant('inside' as const), n: fc.nat() }),
      bytes: fc.record({ kind: fc.constant('random' as const), seed: fc.integer({ min: 1, max: 0x7fffffff }), length: fc.constant(1) }),
    }),
  },
);

/** What a buggy program does: writes through stale, wrong or overrunning pointers; frees what it does not own. */
const wildAction: fc.Arbitrary<Action> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ do: fc.constant('write' as const), target, offset, bytes }) },
  {
    weight: 1,
    arbitrary: fc.record({ do: fc.constant('memset' as const), target, offset, length: fc.integer({ min: 0, max: 64 }), byte: fc.constantFrom(0x00, 0xff, 0x11) }),
  },
  { weight: 1, arbitrary: fc.record({ do: fc.constant('free' as const), target }) },
  { weight: 1, arbitrary: fc.record({ do: fc.constant('realloc' as const), target, size }) },
);

/** A correct prefix builds a heap, a burst mixes in the wild writes, and the program carries on regardless. */
const actions: fc.Arbitrary<Action[]> = fc
  .tuple(
    fc.array(validAction, { maxLength: 60, size: 'max' }),
    fc.array(fc.oneof({ weight: 3, arbitrary: validAction }, { weight: 2, arbitrary: wildAction }), { minLength: 1, maxLength: 16, size: 'max' }),
    fc.array(validAction, { maxLength: 60, size: 'max' }),
  )
  .map(([before, burst, after]) => [...before, ...burst, ...after]);


const KiB = 1024;

const options: fc.Arbitrary<HeapOptions> = fc
  .record({
    preset: fc.constantFrom('csapp' as const, 'default' as const),
    policy: fc.constantFrom(...POLICIES),
    coalesce: fc.constantFrom(...COALESCE_MODES),
    realloc: fc.constantFrom(...REALLOC_MODES),
    footers: fc.constantFrom(...FOOTER_MODES),
    sentinels: fc.boolean(),
    geometry: fc.option(fc.constantFrom(...GEOMETRIES), { nil: null }),
    maxHeap: fc.constantFrom(16 * KiB, 64 * KiB),
    chunkSize: fc.constantFrom(4096, 256),
  })
  .map(({ geometry, ...o }): HeapOptions => ({ ...o, ...(geometry ?? {}), sentinels: o.footers === 'free-only' ? true : o.sentinels }));

// --- running it ----------------------------------------------------------------------------

/** Generous: a healthy op takes microseconds; this only catches a walk gone quadratic or worse. */
const OP_BUDGET_MS = 1000;

function bytesOf(b: Bytes): Uint8Array {
  switch (b.kind) {
    case 'repeat':
      return new Uint8Array(b.length).fill(b.byte);
    case 'word': {
      const out = new Uint8Array(b.width);
      const view = new DataView(out.buffer);
      view.setUint32(0, b.value % 2 ** 32, true);
      if (b.width === 8) view.setUint32(4, Math.floor(b.value / 2 ** 32), true);
      return out;
    }
    case 'random': {
      const out = new Uint8Array(b.length);
      let s = b.seed | 0 || 1;
      for (let i = 0; i < out.length; i++) {
        s ^= s << 13;
        s ^= s >>> 17;
        s ^= s << 5;
        out[i] = s & 0xff;
      }
      return out;
    }
  }
}

/** One allocator under attack, and the pointers it ever returned (so a pointer's status is known without asking it). */
class WildRun {
  readonly allocator: Allocator;
  private readonly returned = new Set<number>();
  private readonly freed: number[] = [];
  private where = 'init';

  constructor(opts: HeapOptions) {
    this.allocator = createAllocator(opts);
  }

  run(actions: readonly Action[]): void {
    actions.forEach((a, i) => {
      this.where = `action ${i + 1} of ${actions.length} (${JSON.stringify(a, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))})`;
      this.act(a);
    });
    // Then free and realloc whatever the driver still believes is live, as a program would at exit.
    const live = [...this.allocator.liveAllocations.keys()];
    live.forEach((ptr, i) => {
      this.where = `drain: realloc/free of live ${ptr}`;
      const r = this.call('realloc', () => this.allocator.realloc(ptr, 1 + ((i * 37) % 300)), ptr);
      this.call('free', () => this.allocator.free(r.ptr ?? ptr), r.ptr ?? ptr);
    });
    this.where = 'drain: malloc after everything';
    this.call('malloc', () => this.allocator.malloc(64), null);
  }

  private live(pick: number): number | null {
    const ptrs = [...this.allocator.liveAllocations.keys()];
    return ptrs.length === 0 ? null : ptrs[pick % ptrs.length]!;
  }

  private resolve(t: Target): number | null {
    const W = this.allocator.config.wordSize;
    switch (t.kind) {
      case 'live':
        return this.live(t.pick);
      case 'freed':
        return this.freed.length === 0 ? this.live(t.pick) : this.freed[t.pick % this.freed.length]!;
      case 'header': {
        const p = this.live(t.pick);
        return p === null ? null : p - W;
      }
      case 'anywhere':
        return this.allocator.heapSize === 0 ? 0 : t.at % this.allocator.heapSize;
      case 'null':
        return null;
      case 'garbage':
        return t.value;
    }
  }

  private offsetFor(ptr: number, o: Offset): number {
    const requested = this.allocator.liveAllocations.get(ptr) ?? 16;
    switch (o.kind) {
      case 'inside':
        return o.n % Math.max(1, requested);
      case 'end':
        return requested;
      case 'past':
        return requested + (o.n % 24);
      case 'raw':
        return o.n % 4096;
    }
  }

  private act(a: Action): void {
    const A = this.allocator;
    switch (a.do) {
      case 'malloc':
        this.call('malloc', () => A.malloc(a.size), null);
        return;
      case 'calloc':
        this.call('calloc', () => A.calloc(a.count, a.size), null);
        return;
      case 'realloc': {
        const ptr = this.resolve(a.target);
        this.call('realloc', () => A.realloc(ptr, a.size), ptr);
        return;
      }
      case 'free': {
        const ptr = this.resolve(a.target);
        this.call('free', () => A.free(ptr), ptr);
        return;
      }
      case 'write':
      case 'memset': {
        const resolved = this.resolve(a.target);
        if (resolved === null) return; // no live block to aim at (or NULL: a segfault, not a heap story)
        const ptr = resolved;
        // Headers and arbitrary addresses are hit exactly; live and freed payloads at an offset.
        const at = (a.target.kind === 'live' || a.target.kind === 'freed') && Number.isSafeInteger(ptr) ? this.offsetFor(ptr, a.offset) : 0;
        const data = a.do === 'write' ? bytesOf(a.bytes) : null;
        const length = data?.length ?? (a.do === 'memset' ? a.length : 0);
        this.call('write', () => (data ? A.write(ptr, at, data) : A.fill(ptr, at, length, (a as { byte: number }).byte)), ptr, { at, length });
        return;
      }
    }
  }

  /** Makes the call and checks that it returned, in time, a well-formed result with a problem the situation allows. */
  private call(op: OpKind, body: () => OpResult, ptr: number | null, write?: { at: number; length: number }): OpResult {
    const A = this.allocator;
    const status = this.statusOf(ptr);
    const liveBefore = new Set(A.liveAllocations.keys());
    const started = performance.now();
    let r: OpResult;
    try {
      r = body();
    } catch (err) {
      assert.fail(`${this.where}: ${op} threw instead of reporting: ${err instanceof Error ? err.stack : String(err)}`);
    }
    const took = performance.now() - started;
    assert.ok(took < OP_BUDGET_MS, `${this.where}: ${op} took ${took.toFixed(0)} ms`);
    this.assertWellFormed(r, op);
    this.assertAllowedProblem(r, op, ptr, status, write);

    if (r.ptr !== null && (op === 'malloc' || op === 'calloc' || op === 'realloc')) this.returned.add(r.ptr);
    for (const p of liveBefore) if (!A.liveAllocations.has(p)) this.freed.push(p);
    this.assertStillAnswers();
    return r;
  }

  private statusOf(ptr: number | null): 'null' | 'live' | 'freed' | 'unknown' {
    if (ptr === null) return 'null';
    if (this.allocator.liveAllocations.has(ptr)) return 'live';
    return this.returned.has(ptr) ? 'freed' : 'unknown';
  }

  private assertWellFormed(r: OpResult, op: OpKind): void {
    const w = this.where;
    const heapSize = this.allocator.heapSize;
    assert.equal(r.op, op, `${w}: result.op`);
    assert.ok(typeof r.requestSize === 'number' && r.requestSize >= 0, `${w}: requestSize ${r.requestSize}`);
    assert.ok(Number.isSafeInteger(r.examined) && r.examined >= 0, `${w}: examined ${r.examined}`);
    assert.ok(Array.isArray(r.events), `${w}: events`);
    if (r.problem !== null) {
      assert.ok((OP_PROBLEM_CODES as readonly string[]).includes(r.problem.code), `${w}: unknown problem code ${r.problem.code}`);
      assert.notEqual(r.problem.code, 'engine-error', `${w}: ENGINE BUG, an internal error escaped: ${r.problem.message}`);
      assert.ok(r.problem.severity === 'error' || r.problem.severity === 'warning', `${w}: severity ${r.problem.severity}`);
      assert.ok(typeof r.problem.message === 'string' && r.problem.message.length > 0, `${w}: empty message`);
    }
    if (op !== 'free' && op !== 'write' && r.ptr !== null) {
      assert.ok(Number.isSafeInteger(r.ptr) && r.ptr >= 0 && r.ptr < heapSize, `${w}: returned ${r.ptr}, outside the heap of ${heapSize} bytes`);
      assert.equal(r.problem?.severity === 'error', false, `${w}: a pointer came back with an error: ${r.problem?.message}`);
    }
    if (r.block !== null) {
      assert.ok(r.block.addr >= 0 && r.block.size >= 0 && r.block.addr + r.block.size <= heapSize, `${w}: block ${JSON.stringify(r.block)} outside the heap of ${heapSize} bytes`);
    }
    assert.ok(heapSize <= this.allocator.config.maxHeap, `${w}: the heap grew past its limit`);
  }

  /** What may go wrong depends on the pointer's status, which the driver knows whatever the heap's bytes say. */
  private assertAllowedProblem(r: OpResult, op: OpKind, ptr: number | null, status: string, write?: { at: number; length: number }): void {
    const code = r.problem?.code ?? null;
    let allowed: (OpProblemCode | null)[];
    if (op === 'write') {
      const at = (ptr ?? 0) + (write?.at ?? 0);
      const valid = [ptr ?? 0, write?.at ?? 0, write?.length ?? 0].every((v) => Number.isSafeInteger(v) && v >= 0);
      if (!valid) allowed = ['invalid-size'];
      else if (!this.allocator.memory.contains(at, write?.length ?? 0)) allowed = ['write-outside-heap'];
      else if (status === 'live') allowed = [null, 'write-past-request', 'write-overflow'];
      else allowed = [status === 'freed' ? 'use-after-free' : 'invalid-pointer'];
    } else if ((op === 'free' || op === 'realloc') && status !== 'null' && status !== 'live') {
      allowed = [status === 'freed' ? (op === 'free' ? 'double-free' : 'use-after-free') : 'invalid-pointer'];
    } else if (op === 'free') {
      allowed = [null, 'heap-fault'];
    } else {
      // malloc, calloc, realloc of NULL or a live pointer: a block, NULL (0 bytes, heap limit), or a refused corrupted heap.
      allowed = [null, 'zero-size', 'heap-limit', 'heap-fault'];
    }
    assert.ok(allowed.includes(code), `${this.where}: ${op} on a ${status} pointer reported ${code ?? 'no problem'} (${r.problem?.message}); allowed: ${allowed.join(', ')}`);
  }

  /** The checker, the walker and the metrics keep answering, with in-heap blocks and finite numbers. */
  private assertStillAnswers(): void {
    const A = this.allocator;
    const w = this.where;
    let issues, walk, metrics;
    try {
      issues = A.check();
      walk = A.walk();
      metrics = A.metrics();
      formatChain(walk, { sentinels: true });
    } catch (err) {
      assert.fail(`${w}: check/walk/metrics threw: ${err instanceof Error ? err.stack : String(err)}`);
    }
    for (const issue of issues) {
      assert.ok((HEAP_ISSUE_CODES as readonly string[]).includes(issue.code), `${w}: unknown issue code ${issue.code}`);
      assert.ok(issue.message.length > 0);
    }
    for (const b of walk.blocks) {
      assert.ok(b.addr >= 0 && b.size > 0 && b.addr + b.size <= walk.heapSize, `${w}: the walk returned a block outside the heap: ${JSON.stringify(b)}`);
    }
    assertMetricsInRange(metrics, w);
    // The block figures are known exactly when the checker accepts the heap (or only the allocator
    // wrote it). Utilisation is another matter: it is the peak payload over the heap's size, a figure
    // of the whole history, so a heap whose payloads once overlapped (more live than the heap holds)
    // keeps it unknown even after the program's writes were undone.
    if (issues.length === 0) {
      assert.notEqual(metrics.freeBlocks, null, `${w}: the checker accepts the heap, yet ${metrics.unknown}`);
      if (metrics.unknown !== null) {
        assert.equal(metrics.utilisation, null, `${w}: ${metrics.unknown}`);
        assert.ok(metrics.peakPayload > metrics.heapSize, `${w}: utilisation unknown though the peak payload ${metrics.peakPayload} fits the heap ${metrics.heapSize}`);
      }
    }
    else assert.equal(metrics.freeBlocks, null, `${w}: the checker finds ${issues[0]!.code}, yet the free blocks are counted`);
  }
}

// --- the property --------------------------------------------------------------------------

const RUNS_PER_POLICY = 400;

describe('corrupted heaps: the engine reports, never throws, never leaves the heap', function () {
  this.timeout(60_000);

  for (const policy of POLICIES) {
    it(`${policy}: random ops mixed with wild writes, then free/realloc of everything live`, () => {
      fc.assert(
        fc.property(
          options.map((o) => ({ ...o, policy })),
          actions,
          (opts, actions) => {
            new WildRun(opts).run(actions);
          },
        ),
        { numRuns: RUNS_PER_POLICY },
      );
    });
  }
});

// --- classic mistakes, one at a time ---------------------------------------------------------

/** A 4-byte little-endian word. */
function word32(value: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value, true);
  return out;
}

const codes = (heap: Allocator) => heap.check().map((i) => [i.code, i.addr]);
const chain = (heap: Allocator) => formatChain(heap.walk(), { sentinels: true });

describe('corrupted heaps: what the checker and the next op say', () => {
  it('a write 8 bytes past a 24-byte payload overwrites its boundary tag and the next header; the checker names both blocks', () => {
    const heap = createAllocator({ preset: 'csapp' });
    const a = heap.malloc(24).ptr!; // block 0x000c, 32 bytes: footer at 0x0028, next header at 0x002c
    const b = heap.malloc(24).ptr!;
    assert.deepEqual([a, b], [0x10, 0x30]);
    const w = heap.write(a, 24, new Uint8Array(8).fill(0x41));
    assert.equal(w.problem?.code, 'write-overflow');
    assert.match(w.problem!.message, /its own boundary tag at 0x0028 and the next block's header at 0x002c/);
    assert.deepEqual(codes(heap), [
      ['header-footer-mismatch', 0x0c],
      ['block-outside-heap', 0x2c], // 0x41414141 bytes: far past the 4112-byte heap
    ]);
    assert.equal(chain(heap), '[P8][A32][?block-outside-heap]');
    // Freeing the overwritten neighbour needs its size: the engine refuses instead of reading past the heap.
    const f = heap.free(b);
    assert.equal(f.problem?.code, 'heap-fault');
    assert.match(f.problem!.message, /the block at 0x002c claims 1094795584 bytes, past the end of the heap/);
    // Freeing the block itself still works: 0x41414141 has the allocated bit set, so nothing merges.
    assert.equal(heap.free(a).problem, null);
    assert.equal(heap.free(a).problem?.code, 'double-free');
  });

  it('a zero over the next header breaks the chain: the walk stops there and malloc and free report a heap fault', () => {
    const heap = createAllocator({ preset: 'csapp' });
    const a = heap.malloc(24).ptr!;
    heap.malloc(24);
    heap.write(a, 24, new Uint8Array(8)); // tag and next header := 0
    assert.deepEqual(codes(heap), [
      ['header-footer-mismatch', 0x0c],
      ['bad-block-size', 0x2c],
    ]);
    const m = heap.malloc(100);
    assert.equal(m.ptr, null);
    assert.equal(m.problem?.code, 'heap-fault');
    assert.match(m.problem!.message, /the header at 0x002c holds size 0/);
    assert.equal(heap.heapSize, 4112, 'a refused malloc does not grow the heap');
  });

  it('a use-after-free write into a free block\'s boundary tag hides it from coalescing', () => {
    const heap = createAllocator({ preset: 'csapp' });
    const a = heap.malloc(24).ptr!;
    const b = heap.malloc(24).ptr!;
    heap.free(a);
    assert.equal(chain(heap), '[P8][F32][A32][F4032][E]');
    const w = heap.write(a, 24, word32(32 | 1)); // a's footer now says "32, allocated"
    assert.equal(w.problem?.code, 'use-after-free');
    assert.deepEqual(codes(heap), [['header-footer-mismatch', 0x0c]]);
    assert.match(heap.check()[0]!.message, /the allocated bits disagree/);
    // free(b) reads the word before its header, believes its neighbour allocated, and merges only forward.
    const f = heap.free(b);
    assert.equal(f.problem, null);
    assert.deepEqual(f.events[1], { type: 'coalesced', addr: 0x2c, size: 4064, withPrev: 0, withNext: 4032 });
    assert.deepEqual(codes(heap), [
      ['header-footer-mismatch', 0x0c],
      ['adjacent-free-blocks', 0x0c],
    ]);
  });

  it('in the free-only layout a 1-byte overflow that clears the prev-allocated bit lets free() swallow a live block', () => {
    const heap = createAllocator({ preset: 'default', footers: 'free-only' });
    const a = heap.malloc(24).ptr!; // block 0x0018, 32 bytes, no footer: the payload owns bytes 0x20..0x37
    const b = heap.malloc(24).ptr!; // block 0x0038, header 32|allocated|prev-allocated = 0x23
    heap.malloc(24);
    assert.deepEqual([a, b], [0x20, 0x40]);
    // The program stores 32 in its last payload word, then writes one byte too many: b's header becomes 0x21.
    assert.equal(heap.write(a, 16, new Uint8Array([32, 0, 0, 0, 0, 0, 0, 0])).problem, null);
    const w = heap.write(a, 24, new Uint8Array([0x21]));
    assert.equal(w.problem?.code, 'write-overflow');
    assert.match(w.problem!.message, /the next block's header at 0x0038/);
    assert.deepEqual(codes(heap), [['prev-allocated-mismatch', 0x38]]);
    // free(b) trusts the bit, reads a's payload word as a boundary tag, and merges a into a free block.
    const f = heap.free(b);
    assert.equal(f.problem, null);
    assert.deepEqual(f.events[1], { type: 'coalesced', addr: 0x18, size: 64, withPrev: 32, withNext: 0 });
    assert.deepEqual(codes(heap), [['live-payload-not-allocated', a]]);
    // The next malloc hands out a's payload a second time.
    assert.equal(heap.malloc(40).ptr, a);
  });

  it('a zeroed epilogue is reported as bad-epilogue; growing the heap writes a fresh one', () => {
    const heap = createAllocator({ preset: 'csapp' });
    const w = heap.write(heap.heapSize - 4, 0, word32(0));
    assert.equal(w.problem?.code, 'invalid-pointer');
    assert.deepEqual(codes(heap), [['bad-epilogue', 0x100c]]);
    const m = heap.malloc(5000);
    assert.equal(m.ptr, 0x10);
    assert.deepEqual(codes(heap), []);
    assert.equal(chain(heap), '[P8][A5008][F4096][E]');
  });

  it('a clobbered prologue is reported as bad-prologue', () => {
    const heap = createAllocator({ preset: 'csapp' });
    heap.write(4, 0, word32(0));
    assert.deepEqual(codes(heap), [['bad-prologue', 4]]);
  });

  it('a huge size in a free header: the walk stops at it and a malloc that picks it faults instead of writing past the heap', () => {
    const heap = createAllocator({ preset: 'csapp' });
    const a = heap.malloc(24).ptr!;
    heap.write(a, 28, word32(0xfffffff8)); // the free tail's header at 0x002c
    assert.deepEqual(codes(heap), [['block-outside-heap', 0x2c]]);
    const m = heap.malloc(100);
    assert.equal(m.ptr, null);
    assert.equal(m.problem?.code, 'heap-fault');
    assert.match(m.problem!.message, /outside the heap \[0x0, 0x1010\)/);
    assert.equal(heap.heapSize, 4112);
    assert.equal(heap.check()[0]?.code, 'block-outside-heap');
  });

  it('the sbrk baseline keeps nothing in the heap: wild writes spoil data, never the allocator', () => {
    const heap = createAllocator({ preset: 'csapp', policy: 'sbrk' });
    const a = heap.malloc(24).ptr!;
    const b = heap.malloc(24).ptr!;
    assert.equal(heap.write(a, 0, new Uint8Array(48).fill(0xff)).problem?.code, 'write-overflow');
    assert.equal(heap.write(0, 0, new Uint8Array(8)).problem, null, '0 is a, a live pointer');
    assert.deepEqual(heap.check(), []);
    assert.ok(heap.memory.equals(b, new Uint8Array(16).fill(0xff)), "a's overflow landed in b");
    assert.equal(heap.free(b).problem, null);
    assert.equal(heap.malloc(8).ptr, 48);
  });
});
