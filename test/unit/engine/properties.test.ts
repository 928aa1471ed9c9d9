// Property tests: random malloc / calloc / realloc / free / write sequences on every preset, policy,
// coalescing mode, realloc variant, footer layout and geometry, each op checked against an
// independent model of the live payloads (mdriver's checks) as well as the heap's own checker.

import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  COALESCE_MODES,
  FIT_POLICIES,
  FOOTER_MODES,
  REALLOC_MODES,
  createAllocator,
  type Allocator,
  type HeapConfig,
  type HeapOptions,
  type HeapWalk,
  type OpProblemCode,
  type FitPolicy,
  type OpResult,
  type RequestSize,
} from '../../../src/engine/index';
import { GEOMETRIES } from './geometries';

// --- the ops a sequence is made of -------------------------------------------------------

/** How a new payload is filled: random bytes from a seed, or the id's byte as mdriver does. */
type Fill = { readonly kind: 'random'; readonly seed: number } | { readonly kind: 'id' };

/** `pick` chooses a live block by index (modulo the live count); with none live it means NULL. */
type Op =
  | { readonly op: 'malloc'; readonly size: RequestSize; readonly fill: Fill }
  | { readonly op: 'calloc'; readonly count: RequestSize; readonly size: RequestSize; readonly fill: Fill | null }
  | { readonly op: 'realloc'; readonly pick: number | null; readonly size: RequestSize; readonly fill: Fill }
  | { readonly op: 'free'; readonly pick: number | null }
  /** Writes inside the requested bytes. */
  | { readonly op: 'write'; readonly pick: number; readonly at: number; readonly length: number; readonly fill: Fill }
  /** Writes the block's padding, from the requested end to the payload's capacity: legal, a warning. */
  | { readonly op: 'pad'; readonly pick: number; readonly seed: number };

/** Mostly small, sometimes large, sometimes 0, rarely far beyond any heap (NULL). */
const requestSize: fc.Arbitrary<RequestSize> = fc.oneof(
  { weight: 40, arbitrary: fc.integer({ min: 1, max: 256 }) },
  { weight: 4, arbitrary: fc.integer({ min: 257, max: 20_000 }) },
  { weight: 2, arbitrary: fc.constant(0) },
  { weight: 1, arbitrary: fc.constantFrom<RequestSize>(2 ** 40, 2 ** 53 + 2, 2n ** 64n - 1n) },
);

const fill: fc.Arbitrary<Fill> = fc.oneof(
  fc.integer({ min: 1, max: 0x7fffffff }).map((seed): Fill => ({ kind: 'random', seed })),
  fc.constant<Fill>({ kind: 'id' }),
);

const pick = fc.nat({ max: 1000 });

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ op: fc.constant('malloc' as const), size: requestSize, fill }) },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('calloc' as const),
      count: fc.oneof(
        { weight: 10, arbitrary: fc.integer({ min: 0, max: 16 }) },
        { weight: 1, arbitrary: fc.constant<RequestSize>(2n ** 33n) }, // x 2^33 overflows size_t when size >= 2^31
      ),
      size: fc.oneof({ weight: 10, arbitrary: fc.integer({ min: 0, max: 64 }) }, { weight: 1, arbitrary: fc.constant<RequestSize>(2n ** 32n) }),
      fill: fc.option(fill, { nil: null }),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant('realloc' as const),
      // Occasionally realloc(NULL, n); the size is sometimes 0: realloc(p, 0) frees p.
      pick: fc.option(pick, { nil: null, freq: 12 }),
      size: requestSize,
      fill,
    }),
  },
  { weight: 6, arbitrary: fc.record({ op: fc.constant('free' as const), pick: fc.option(pick, { nil: null, freq: 20 }) }) },
  {
    weight: 2,
    arbitrary: fc.record({ op: fc.constant('write' as const), pick, at: fc.nat(), length: fc.nat(), fill }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('pad' as const), pick, seed: fc.integer({ min: 1, max: 0x7fffffff }) }) },
);

// --- an independent model: nothing here asks the engine how a heap is laid out ---------------

const KiB = 1024;

function up(n: number, multiple: number): number {
  return Math.ceil(n / multiple) * multiple;
}

/** The geometry of a configuration, worked out from docs/engine.md, not from layout.ts. */
function geometryOf(c: HeapConfig) {
  const W = c.wordSize;
  const A = c.alignment;
  const implicit = c.policy !== 'sbrk';
  const overhead = !implicit ? 0 : c.footers === 'all' ? 2 * W : W;
  const minBlock = up(2 * W + 1, A);
  const firstBlockAddr = !implicit ? 0 : c.sentinels ? up(up(2 * W, A) + W, A) - W : up(W, A) - W;
  return {
    implicit,
    W,
    A,
    /** Bytes before a payload that belong to its block (the header). */
    header: implicit ? W : 0,
    overhead,
    firstBlockAddr,
    epilogue: implicit && c.sentinels ? W : 0,
    /** The block size that serves `n` bytes (CS:APP's asize; sbrk: n rounded to the alignment). */
    asize: (n: number): number => (implicit ? Math.max(minBlock, up(n + overhead, A)) : up(n, A)),
  };
}
type Geometry = ReturnType<typeof geometryOf>;

/** Deterministic bytes from a seed (xorshift32), so a shrunk counterexample replays exactly. */
function bytesFrom(f: Fill, length: number, id: number): Uint8Array {
  const out = new Uint8Array(length);
  if (f.kind === 'id') return out.fill(id & 0xff);
  let s = f.seed | 0 || 1;
  for (let i = 0; i < length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = s & 0xff;
  }
  return out;
}

/** The request size a call asks for, as the engine counts it (exactness above 2^53 does not matter: those are NULL). */
function bytesOf(size: RequestSize): number {
  return Number(size);
}

interface LiveBlock {
  ptr: number;
  requestSize: number;
  bytes: Uint8Array;
}

/** One allocator plus the model it is judged against: live id -> { ptr, requestSize, bytes }. */
class ModelRun {
  readonly allocator: Allocator;
  readonly config: HeapConfig;
  readonly g: Geometry;
  readonly live = new Map<number, LiveBlock>();
  private nextId = 0;
  private peak = 0;
  /** sbrk: the break the model expects (the sum of requests rounded to the alignment). */
  private sbrkBreak = 0;

  constructor(options: HeapOptions) {
    this.allocator = createAllocator(options);
    this.config = this.allocator.config;
    this.g = geometryOf(this.config);
    const { g, config } = this;
    const chunk = up(config.chunkSize, g.A);
    const empty = g.firstBlockAddr + g.epilogue;
    const expected = g.implicit ? (empty + chunk <= config.maxHeap ? empty + chunk : empty) : 0;
    assert.equal(this.allocator.heapSize, expected, 'the fresh heap: pad, sentinels and one chunk');
    this.assertConsistent('after init');
  }

  run(ops: readonly Op[]): void {
    ops.forEach((o, i) => {
      this.step(o, `step ${i + 1} of ${ops.length} (${describeOp(o)})`);
    });
  }

  private liveId(pick: number | null): number | null {
    if (pick === null || this.live.size === 0) return null;
    const ids = [...this.live.keys()];
    return ids[pick % ids.length]!;
  }

  private step(o: Op, where: string): void {
    const a = this.allocator;
    const before = a.heapSize;
    switch (o.op) {
      case 'malloc': {
        const n = bytesOf(o.size);
        this.expectAllocation(a.malloc(o.size), n, before, where, (ptr, id) => this.fillNew(ptr, id, n, o.fill));
        break;
      }
      case 'calloc': {
        const total = BigInt(o.count) * BigInt(o.size);
        const r = a.calloc(o.count, o.size);
        if (total > 2n ** 64n - 1n) {
          this.expectNull(r, 'calloc-overflow', before, where);
          break;
        }
        const n = Number(total);
        this.expectAllocation(r, n, before, where, (ptr, id) => {
          assert.ok(a.memory.equals(ptr, new Uint8Array(n)), `${where}: calloc did not zero ${n} bytes at ${ptr}`);
          if (o.fill === null) this.live.set(id, { ptr, requestSize: n, bytes: new Uint8Array(n) });
          else this.fillNew(ptr, id, n, o.fill);
        });
        break;
      }
      case 'realloc': {
        const n = bytesOf(o.size);
        const id = this.liveId(o.pick);
        if (id === null) {
          this.expectAllocation(a.realloc(null, o.size), n, before, where, (ptr, newId) => this.fillNew(ptr, newId, n, o.fill));
          break;
        }
        const old = this.live.get(id)!;
        const r = a.realloc(old.ptr, o.size);
        assert.equal(r.op, 'realloc');
        if (n === 0) {
          // realloc(p, 0) frees p and returns NULL.
          assert.equal(r.ptr, null, `${where}: realloc(p, 0) returns NULL`);
          assert.equal(r.problem, null, `${where}: realloc(p, 0) is not a problem`);
          assert.equal(a.heapSize, before, `${where}: a free never moves the break`);
          this.live.delete(id);
          break;
        }
        if (r.ptr === null) {
          this.expectNull(r, 'heap-limit', before, where);
          this.assertNullJustified(n, where);
          break; // the model is unchanged: the old block must still be live and intact
        }
        assert.equal(r.problem, null, `${where}: a successful realloc reports no problem`);
        this.assertFreshPointer(r.ptr, n, before, where);
        const kept = Math.min(old.requestSize, n);
        assert.ok(
          a.memory.equals(r.ptr, old.bytes.subarray(0, kept)),
          `${where}: realloc from ${old.ptr} to ${r.ptr} did not preserve the first ${kept} bytes`,
        );
        const bytes = new Uint8Array(n);
        bytes.set(old.bytes.subarray(0, kept));
        if (n > kept) {
          const tail = bytesFrom(o.fill, n - kept, id);
          assert.equal(a.write(r.ptr, kept, tail).problem, null);
          bytes.set(tail, kept);
        }
        this.live.set(id, { ptr: r.ptr, requestSize: n, bytes });
        break;
      }
      case 'free': {
        const id = this.liveId(o.pick);
        const ptr = id === null ? null : this.live.get(id)!.ptr;
        const r = a.free(ptr);
        assert.equal(r.problem, null, `${where}: free of a live pointer (or NULL) is not a problem`);
        assert.equal(a.heapSize, before, `${where}: free never moves the break`);
        if (id !== null) this.live.delete(id);
        break;
      }
      case 'write': {
        const id = this.liveId(o.pick);
        if (id === null) return;
        const block = this.live.get(id)!;
        const at = o.at % block.requestSize;
        const length = 1 + (o.length % (block.requestSize - at));
        const data = bytesFrom(o.fill, length, id);
        const r = a.write(block.ptr, at, data);
        assert.equal(r.problem, null, `${where}: a write inside the request is not a problem`);
        block.bytes.set(data, at);
        break;
      }
      case 'pad': {
        const id = this.liveId(o.pick);
        if (id === null) return;
        const block = this.live.get(id)!;
        const capacity = this.capacityOf(block);
        if (capacity <= block.requestSize) return;
        const r = a.write(block.ptr, block.requestSize, bytesFrom({ kind: 'random', seed: o.seed }, capacity - block.requestSize, id));
        assert.equal(r.problem?.code, 'write-past-request', `${where}: a write into the block's padding is a warning, not an overflow`);
        assert.equal(r.problem?.severity, 'warning');
        break;
      }
    }
    this.assertConsistent(where);
  }

  /** The payload bytes the block really offers: block size minus header and (with footers "all") footer. */
  private capacityOf(block: LiveBlock): number {
    if (!this.g.implicit) return up(block.requestSize, this.g.A);
    const b = this.allocator.walk().blocks.find((x) => x.addr === block.ptr - this.g.W);
    assert.ok(b, `no block for the live payload ${block.ptr}`);
    return b.size - this.g.overhead;
  }

  private fillNew(ptr: number, id: number, n: number, f: Fill): void {
    const bytes = bytesFrom(f, n, id);
    const r = this.allocator.write(ptr, 0, bytes);
    assert.equal(r.problem, null, `filling a fresh ${n}-byte payload at ${ptr} is not a problem`);
    this.live.set(id, { ptr, requestSize: n, bytes });
  }

  /** malloc, calloc, realloc(NULL, n): NULL for 0 bytes, NULL (justified) at the heap limit, else a fresh payload. */
  private expectAllocation(r: OpResult, n: number, before: number, where: string, onSuccess: (ptr: number, id: number) => void): void {
    if (n === 0) {
      this.expectNull(r, 'zero-size', before, where);
      return;
    }
    if (r.ptr === null) {
      this.expectNull(r, 'heap-limit', before, where);
      this.assertNullJustified(n, where);
      return;
    }
    assert.equal(r.problem, null, `${where}: a successful allocation reports no problem (got ${r.problem?.message})`);
    this.assertFreshPointer(r.ptr, n, before, where);
    onSuccess(r.ptr, this.nextId++);
  }

  private expectNull(r: OpResult, code: OpProblemCode, before: number, where: string): void {
    assert.equal(r.ptr, null, `${where}: expected NULL`);
    assert.equal(r.problem?.code, code, `${where}: expected a ${code} problem`);
    assert.equal(this.allocator.heapSize, before, `${where}: a NULL result leaves the break where it was`);
  }

  /** A new payload: aligned, inside the heap, and the heap grew by nothing or by exactly one extension. */
  private assertFreshPointer(ptr: number, n: number, before: number, where: string): void {
    const { g, config } = this;
    const heapSize = this.allocator.heapSize;
    assert.ok(Number.isSafeInteger(ptr) && ptr >= 0 && ptr < heapSize && ptr + n <= heapSize, `${where}: ${ptr} (+${n}) is not inside the heap of ${heapSize} bytes`);
    assert.equal(ptr % config.alignment, 0, `${where}: ${ptr} is not aligned to ${config.alignment}`);
    if (!g.implicit) {
      // sbrk: the old break is the new payload; the break moves by the request rounded to the alignment.
      assert.equal(ptr, before, `${where}: sbrk returns the old break`);
      this.sbrkBreak += g.asize(n);
      assert.equal(heapSize, this.sbrkBreak, `${where}: the sbrk heap is the sum of the requests rounded to ${g.A}`);
    } else if (heapSize !== before) {
      const grow = up(Math.max(g.asize(n), config.chunkSize), g.A);
      assert.equal(heapSize - before, grow, `${where}: no fit grows the heap by max(block size, chunk size) = ${grow}`);
    }
  }

  /** NULL at the heap limit is honest: no free block fits and the heap cannot grow enough. */
  private assertNullJustified(n: number, where: string): void {
    const { g, config } = this;
    const heapSize = this.allocator.heapSize;
    const asize = g.asize(n);
    if (!g.implicit) {
      assert.ok(asize > config.maxHeap - heapSize, `${where}: sbrk(${asize}) returned NULL with ${config.maxHeap - heapSize} bytes left below the limit`);
      return;
    }
    const fits = this.allocator.walk().blocks.find((b) => b.status === 'free' && b.size >= asize);
    assert.equal(fits, undefined, `${where}: NULL although the free block at ${fits?.addr} (${fits?.size} bytes) fits ${asize}`);
    const grow = up(Math.max(asize, config.chunkSize), g.A);
    assert.ok(heapSize + grow > config.maxHeap, `${where}: NULL although growing ${heapSize} by ${grow} stays within ${config.maxHeap}`);
  }

  /** Everything mdriver checks after every op, and the heap accounting, against the model. */
  assertConsistent(where: string): void {
    const { allocator: a, g } = this;
    assert.deepEqual(a.check(), [], `${where}: the heap checker found problems`);
    const heapSize = a.heapSize;
    const sorted = [...this.live.values()].sort((x, y) => x.ptr - y.ptr);
    let liveBytes = 0;
    let end = -Infinity; // end of the previous live payload
    for (const b of sorted) {
      assert.ok(b.ptr >= 0 && b.ptr < heapSize && b.ptr + b.requestSize <= heapSize, `${where}: the payload ${b.ptr} (+${b.requestSize}) lies outside the heap of ${heapSize} bytes`);
      assert.equal(b.ptr % g.A, 0, `${where}: the payload ${b.ptr} is not aligned to ${g.A}`);
      // Neither the payload nor its header may overlap the previous payload.
      assert.ok(b.ptr - g.header >= end, `${where}: the payload ${b.ptr} (header ${b.ptr - g.header}) overlaps the payload ending at ${end}`);
      end = b.ptr + b.requestSize;
      assert.ok(a.memory.equals(b.ptr, b.bytes), `${where}: the ${b.requestSize}-byte payload at ${b.ptr} does not hold what was written`);
      liveBytes += b.requestSize;
    }
    this.peak = Math.max(this.peak, liveBytes);

    assert.deepEqual(new Map(a.liveAllocations), new Map(sorted.map((b) => [b.ptr, b.requestSize])), `${where}: the allocator's live pointers`);
    const m = a.metrics();
    assert.equal(m.livePayload, liveBytes, `${where}: live payload`);
    assert.equal(m.peakPayload, this.peak, `${where}: peak payload`);
    assert.equal(m.heapSize, heapSize, `${where}: metrics heap size`);
    assert.equal(m.allocatedBlocks, this.live.size, `${where}: allocated blocks`);
    assert.equal(m.utilisation, heapSize === 0 ? 0 : this.peak / heapSize, `${where}: utilisation`);

    this.assertAccounting(a.walk(), where);
  }

  /** The walk covers the heap exactly, and its allocated blocks are exactly the model's live payloads. */
  private assertAccounting(walk: HeapWalk, where: string): void {
    const { g, config } = this;
    const heapSize = this.allocator.heapSize;
    assert.equal(walk.stopped, null, `${where}: the walk stopped early`);
    assert.equal(walk.heapSize, heapSize);
    let addr = g.firstBlockAddr;
    let allocated = 0;
    for (const b of walk.blocks) {
      assert.equal(b.addr, addr, `${where}: blocks lie end to end (expected a block at ${addr})`);
      addr += b.size;
      if (b.status !== 'allocated') continue;
      allocated++;
      const requestSize = this.allocator.liveAllocations.get(b.payloadAddr);
      assert.ok(requestSize !== undefined, `${where}: the allocated block at ${b.addr} is no live payload of the model (a leak)`);
      const asize = g.asize(requestSize);
      if (g.implicit) {
        // Placement splits off any remainder of at least minSplit bytes.
        assert.ok(b.size >= asize && b.size < asize + config.minSplit, `${where}: the block at ${b.addr} is ${b.size} bytes for a ${asize}-byte need (minSplit ${config.minSplit})`);
      } else {
        assert.equal(b.size, asize, `${where}: the sbrk region at ${b.addr}`);
      }
    }
    assert.equal(allocated, this.live.size, `${where}: allocated blocks in the walk vs live payloads`);
    // Pad + prologue, the blocks, and the epilogue add up to the heap.
    assert.equal(addr + g.epilogue, heapSize, `${where}: ${g.firstBlockAddr} + block sizes + ${g.epilogue} should be the heap size`);
    if (g.implicit) {
      assert.equal(walk.prologue !== null, config.sentinels, `${where}: prologue present iff sentinels`);
      assert.equal(walk.epilogue !== null, config.sentinels, `${where}: epilogue present iff sentinels`);
      const rover = this.allocator.rover;
      if (walk.blocks.length > 0) assert.ok(walk.blocks.some((b) => b.addr === rover), `${where}: the rover ${rover} is not the start of a block`);
    }
  }
}

function describeOp(o: Op): string {
  switch (o.op) {
    case 'malloc':
      return `malloc(${o.size})`;
    case 'calloc':
      return `calloc(${o.count}, ${o.size})`;
    case 'realloc':
      return `realloc(#${o.pick ?? 'NULL'}, ${o.size})`;
    case 'free':
      return `free(#${o.pick ?? 'NULL'})`;
    case 'write':
      return `write(#${o.pick}, ${o.at}, ${o.length})`;
    case 'pad':
      return `pad(#${o.pick})`;
  }
}

// --- a second model: the textbook algorithm on a list of block sizes --------------------------

interface ModelBlock {
  addr: number;
  size: number;
  free: boolean;
}

/**
 * The implicit list as an array of { size, free } with the placement, split, coalescing and rover
 * rules of docs/engine.md ("Presets", "Definitions pinned down"), and naive realloc: where every block must land
 * and how many blocks each search visits, worked out without touching memory.
 */
class BlockListModel {
  private blocks: ModelBlock[] = [];
  heapSize: number;
  rover: number;
  private readonly g: Geometry;

  constructor(private readonly c: HeapConfig) {
    this.g = geometryOf(c);
    this.heapSize = this.g.firstBlockAddr + this.g.epilogue;
    this.rover = this.g.firstBlockAddr;
    this.extend(c.chunkSize);
  }

  /** `[A32][F4064]`: the blocks from the first to the last. */
  get chain(): string {
    return chainOf(this.blocks.map((b) => ({ size: b.size, free: b.free })));
  }

  malloc(n: number): { ptr: number | null; examined: number } {
    if (n === 0) return { ptr: null, examined: 0 };
    return this.allocate(n);
  }

  free(ptr: number): void {
    const i = this.blocks.findIndex((b) => b.addr === ptr - this.g.W);
    assert.ok(i >= 0 && !this.blocks[i]!.free, `model: free of ${ptr}, which is no allocated block`);
    this.blocks[i]!.free = true;
    if (this.c.coalesce === 'immediate') this.coalesce(i);
  }

  /** CS:APP's mm_realloc: malloc the new block while the old one is allocated, then free the old. */
  realloc(ptr: number | null, n: number): { ptr: number | null; examined: number } {
    if (ptr === null) return this.malloc(n);
    if (n === 0) {
      this.free(ptr);
      return { ptr: null, examined: 0 };
    }
    const moved = this.allocate(n);
    if (moved.ptr !== null) this.free(ptr);
    return moved;
  }

  private allocate(n: number): { ptr: number | null; examined: number } {
    const asize = this.g.asize(n);
    let found = this.findFit(asize);
    let examined = found.examined;
    if (found.index === null && this.c.coalesce === 'deferred') {
      this.coalesceAll();
      found = this.findFit(asize);
      examined += found.examined;
    }
    let i = found.index;
    if (i === null) {
      i = this.extend(Math.max(asize, this.c.chunkSize));
      if (i === null) return { ptr: null, examined };
    }
    const block = this.blocks[i]!;
    if (block.size - asize >= this.c.minSplit) {
      this.blocks.splice(i + 1, 0, { addr: block.addr + asize, size: block.size - asize, free: true });
      block.size = asize;
    }
    block.free = false;
    this.rover = block.addr;
    return { ptr: block.addr + this.g.W, examined };
  }

  private findFit(asize: number): { index: number | null; examined: number } {
    const fits = (b: ModelBlock) => b.free && b.size >= asize;
    const scan = (from: number, to: number) => {
      for (let i = from; i < to; i++) if (fits(this.blocks[i]!)) return { index: i, examined: i - from + 1 };
      return { index: null, examined: to - from };
    };
    const n = this.blocks.length;
    switch (this.c.policy) {
      case 'first':
      case 'sbrk':
        return scan(0, n);
      case 'next': {
        // From the rover to the end, then from the start up to the rover.
        const start = Math.max(0, this.blocks.findIndex((b) => b.addr === this.rover));
        const tail = scan(start, n);
        if (tail.index !== null || start === 0) return tail;
        const head = scan(0, start);
        return { index: head.index, examined: tail.examined + head.examined };
      }
      case 'best': {
        let best: number | null = null;
        for (let i = 0; i < n; i++) {
          const b = this.blocks[i]!;
          if (fits(b) && (best === null || b.size < this.blocks[best]!.size)) best = i;
          if (best === i && b.size === asize) return { index: i, examined: i + 1 }; // an exact fit ends the search
        }
        return { index: best, examined: n };
      }
      case 'worst': {
        let worst: number | null = null;
        for (let i = 0; i < n; i++) {
          const b = this.blocks[i]!;
          if (fits(b) && (worst === null || b.size > this.blocks[worst]!.size)) worst = i;
        }
        return { index: worst, examined: n };
      }
    }
  }

  /** The break moves by the rounded size; the new block merges with a free last block only under immediate coalescing. */
  private extend(bytes: number): number | null {
    const size = up(bytes, this.g.A);
    if (this.heapSize + size > this.c.maxHeap) return null;
    this.blocks.push({ addr: this.heapSize - this.g.epilogue, size, free: true });
    this.heapSize += size;
    let i = this.blocks.length - 1;
    if (this.c.coalesce === 'immediate') i = this.coalesce(i);
    this.rover = this.blocks[i]!.addr;
    return i;
  }

  /** Merges the free block i with a free next and a free previous block; returns the merged block's index. */
  private coalesce(i: number): number {
    let start = i;
    let end = i + 1;
    if (this.blocks[end]?.free) end++;
    if (start > 0 && this.blocks[start - 1]!.free) start--;
    return this.merge(start, end);
  }

  /** Deferred coalescing: every run of adjacent free blocks becomes one. */
  private coalesceAll(): void {
    for (let i = 0; i < this.blocks.length; i++) {
      if (!this.blocks[i]!.free) continue;
      let end = i + 1;
      while (this.blocks[end]?.free) end++;
      this.merge(i, end);
    }
  }

  /** Blocks [start, end) become one free block; the rover follows a merge that swallows the block it points at. */
  private merge(start: number, end: number): number {
    if (end - start < 2) return start;
    const first = this.blocks[start]!;
    const size = this.blocks.slice(start, end).reduce((sum, b) => sum + b.size, 0);
    this.blocks.splice(start, end - start, { addr: first.addr, size, free: true });
    if (this.rover > first.addr && this.rover < first.addr + size) this.rover = first.addr;
    return start;
  }
}

function chainOf(blocks: readonly { size: number; free: boolean }[]): string {
  return blocks.map((b) => `[${b.free ? 'F' : 'A'}${b.size}]`).join('');
}

/** Runs the ops on the engine and on the block-list model; the returned pointers, searches and chains must agree. */
function runAgainstBlockList(options: HeapOptions, sequence: readonly Op[]): void {
  const allocator = createAllocator(options);
  const config = allocator.config;
  const model = new BlockListModel(config);
  const live = new Map<number, number>(); // id -> ptr
  let nextId = 0;
  const livePtr = (p: number | null): [number, number] | null => {
    if (p === null || live.size === 0) return null;
    const entries = [...live.entries()];
    return entries[p % entries.length]!;
  };
  const engineChain = () => {
    const walk = allocator.walk();
    assert.equal(walk.stopped, null);
    return chainOf(walk.blocks.map((b) => ({ size: b.size, free: b.status === 'free' })));
  };
  assert.equal(engineChain(), model.chain, 'after init');
  sequence.forEach((o, step) => {
    const where = `step ${step + 1} of ${sequence.length} (${describeOp(o)})`;
    let got: OpResult | null = null;
    let want: { ptr: number | null; examined: number } | null = null;
    let id: number | null = null;
    switch (o.op) {
      case 'malloc':
      case 'calloc': {
        const n = o.op === 'malloc' ? BigInt(o.size) : BigInt(o.count) * BigInt(o.size);
        got = o.op === 'malloc' ? allocator.malloc(o.size) : allocator.calloc(o.count, o.size);
        // calloc's count x size past 2^64 - 1 is NULL before any search.
        want = n > 2n ** 64n - 1n ? { ptr: null, examined: 0 } : model.malloc(Number(n));
        id = nextId++;
        break;
      }
      case 'realloc': {
        const target = livePtr(o.pick);
        got = allocator.realloc(target?.[1] ?? null, o.size);
        want = model.realloc(target?.[1] ?? null, bytesOf(o.size));
        if (target !== null) live.delete(target[0]);
        id = target?.[0] ?? nextId++;
        if (want.ptr === null && target !== null && bytesOf(o.size) !== 0) live.set(target[0], target[1]); // NULL: the old block stays
        break;
      }
      case 'free': {
        const target = livePtr(o.pick);
        got = allocator.free(target?.[1] ?? null);
        if (target !== null) {
          model.free(target[1]);
          live.delete(target[0]);
        }
        break;
      }
      case 'write':
      case 'pad':
        return;
    }
    if (want !== null) {
      assert.equal(got.ptr, want.ptr, `${where}: returned pointer`);
      assert.equal(got.examined, want.examined, `${where}: blocks examined`);
      if (want.ptr !== null && id !== null) live.set(id, want.ptr);
    }
    assert.equal(allocator.heapSize, model.heapSize, `${where}: heap size`);
    assert.equal(engineChain(), model.chain, `${where}: block chain`);
    if (config.policy === 'next') assert.equal(allocator.rover, model.rover, `${where}: next fit's rover`);
  });
}

// --- configurations ------------------------------------------------------------------------


/** Everything a preset lets you vary, for one policy. Half the runs keep the preset's own geometry. */
function implicitOptions(preset: 'csapp' | 'default', policy: FitPolicy): fc.Arbitrary<HeapOptions> {
  return fc
    .record({
      coalesce: fc.constantFrom(...COALESCE_MODES),
      realloc: fc.constantFrom(...REALLOC_MODES),
      footers: fc.constantFrom(...FOOTER_MODES),
      sentinels: fc.boolean(),
      geometry: fc.option(fc.constantFrom(...GEOMETRIES), { nil: null, freq: 2 }),
      // Small heaps reach NULL at the limit; the preset's own limit now and then.
      maxHeap: fc.constantFrom<number | undefined>(16 * KiB, 64 * KiB, 64 * KiB, undefined),
      chunkSize: fc.constantFrom(4096, 4096, 4096, 256),
      wideSplit: fc.boolean(),
    })
    .map(({ geometry, wideSplit, footers, sentinels, ...rest }): HeapOptions => {
      const W = geometry?.wordSize ?? (preset === 'csapp' ? 4 : 8);
      const A = geometry?.alignment ?? (preset === 'csapp' ? 8 : 16);
      return {
        preset,
        policy,
        ...rest,
        ...(geometry ?? {}),
        footers,
        // footers "free-only" needs the epilogue to carry the last block's allocated bit.
        sentinels: footers === 'free-only' ? true : sentinels,
        // Sometimes split only when the rest is at least two minimum blocks.
        ...(wideSplit ? { minSplit: 2 * up(2 * W + 1, A) } : {}),
      };
    });
}

/** The sbrk baseline is a policy on either preset; it ignores every field but alignment and maxHeap. */
const sbrkOptions: fc.Arbitrary<HeapOptions> = fc.record({
  preset: fc.constantFrom('csapp' as const, 'default' as const),
  policy: fc.constant('sbrk' as const),
  alignment: fc.constantFrom(8 as const, 16 as const),
  maxHeap: fc.constantFrom<number | undefined>(16 * KiB, 64 * KiB, undefined),
});

// Sequence lengths and run counts: ~1,000 sequences per preset and policy, the file in ~15 s.
const ops = fc.array(op, { minLength: 1, maxLength: 150, size: 'max' });
const RUNS_PER_POLICY = 1000;
const DIFFERENTIAL_RUNS = 1000;

describe('engine properties: random op sequences against an independent model', function () {
  this.timeout(60_000);

  for (const preset of ['csapp', 'default'] as const) {
    for (const policy of FIT_POLICIES) {
      it(`${preset} preset, ${policy} fit (any coalescing, realloc, footers, geometry, small heaps)`, () => {
        fc.assert(
          fc.property(implicitOptions(preset, policy), ops, (options, sequence) => {
            new ModelRun(options).run(sequence);
          }),
          { numRuns: RUNS_PER_POLICY },
        );
      });
    }
  }

  for (const preset of ['csapp', 'default'] as const) {
    for (const policy of FIT_POLICIES) {
      it(`${preset} preset, ${policy} fit, naive realloc: places every block where a block-list model of the textbook algorithm does`, () => {
        const naive = implicitOptions(preset, policy).map((options): HeapOptions => ({ ...options, realloc: 'naive' }));
        fc.assert(fc.property(naive, ops, runAgainstBlockList), { numRuns: DIFFERENTIAL_RUNS });
      });
    }
  }

  it('sbrk baseline: every request moves the break, nothing is reused', () => {
    fc.assert(
      fc.property(sbrkOptions, ops, (options, sequence) => {
        new ModelRun(options).run(sequence);
      }),
      { numRuns: RUNS_PER_POLICY },
    );
  });
});
