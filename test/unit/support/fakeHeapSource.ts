// A second HeapSource beside the replay, the shape an allocator that is not the simulated engine
// has (a student's compiled malloc): per op only what it returned (a payload address), the size
// asked and the heap's bytes afterwards, no engine events. Its blocks are read from the bytes with
// the textbook's layout (4-byte words, 8-byte alignment, a prologue and an epilogue).

import { BLOCK_STATUSES, type HeapMetrics } from '../../../src/engine/index';
import { describeBareOp } from '../../../src/trace/describe';
import { clampStep, HEX_OFFSETS, type BlockLife, type BlockLives, type HeapChain, type HeapEvents, type HeapSource, type HeapState, type LifeEvent, type OpEffect } from '../../../src/trace/heapSource';

/** One op as such an allocator reports it. `ptr`: what malloc returned or free was given (null: NULL). */
export interface FakeStep {
  readonly kind: 'malloc' | 'free';
  readonly size: number;
  readonly ptr: number | null;
  /** The heap's bytes after the op, from its start to the break. */
  readonly bytes: Uint8Array;
}

const W = 4;
const PROLOGUE = { addr: W, size: 2 * W };
const FIRST_BLOCK = PROLOGUE.addr + PROLOGUE.size;
const NO_BLOCKS = new Float64Array(0);

/** A heap's bytes in the textbook's layout: a pad word, the prologue, `blocks` ([size, allocated]) with headers and footers, the epilogue. */
export function textbookBytes(blocks: readonly (readonly [number, boolean])[]): Uint8Array {
  const size = FIRST_BLOCK + blocks.reduce((sum, [s]) => sum + s, 0) + W;
  const view = new DataView(new ArrayBuffer(size));
  const put = (addr: number, word: number) => view.setUint32(addr, word, true);
  put(PROLOGUE.addr, PROLOGUE.size | 1);
  put(PROLOGUE.addr + W, PROLOGUE.size | 1);
  let addr = FIRST_BLOCK;
  for (const [s, allocated] of blocks) {
    put(addr, s | (allocated ? 1 : 0));
    put(addr + s - W, s | (allocated ? 1 : 0));
    addr += s;
  }
  put(addr, 1);
  return new Uint8Array(view.buffer);
}

export class FakeHeapSource implements HeapSource {
  readonly policy = 'student';
  readonly label = 'mm.c';
  readonly preset = 'textbook layout';
  readonly addresses = HEX_OFFSETS;
  private readonly initial: Uint8Array;

  constructor(
    private readonly ops: readonly FakeStep[],
    initial: Uint8Array,
  ) {
    this.initial = initial;
  }

  get steps(): number {
    return this.ops.length;
  }

  get length(): number {
    return this.ops.length;
  }

  chainAt(step: number): HeapChain {
    return this.heapAt(step);
  }

  pointerAt(step: number): number | null {
    const i = clampStep(this, step);
    return i < 0 ? null : this.ops[i]!.ptr;
  }

  blockAt(step: number): number | null {
    return this.opAt(step).block;
  }

  heapSizeAt(step: number): number {
    const i = clampStep(this, step);
    return (i < 0 ? this.initial : this.ops[i]!.bytes).length;
  }

  /** No search is known; NULLs are what malloc returned. */
  totals(): { readonly examined: null; readonly nulls: number } {
    return { examined: null, nulls: this.events().nulls.length };
  }

  /** A life per pointer malloc returned, ended by the free of that pointer; the block size read from its header. */
  lives(): BlockLives {
    const lives: BlockLife[] = [];
    const ofStep = new Int32Array(this.ops.length).fill(-1);
    const open = new Map<number, number>();
    this.ops.forEach((op, i) => {
      if (op.ptr === null) return;
      const view = new DataView(op.bytes.buffer, op.bytes.byteOffset, op.bytes.byteLength);
      const event: LifeEvent = { step: i, line: i + 1, requested: BigInt(op.size), result: { pointer: op.ptr, blockSize: op.kind === 'malloc' ? view.getUint32(op.ptr - W, true) & ~7 : 0, moved: false } };
      if (op.kind === 'malloc') {
        open.set(op.ptr, lives.length);
        ofStep[i] = lives.length;
        lives.push({ slot: lives.length, allocated: event, reallocs: [], freed: null, lastStep: i });
        return;
      }
      const k = open.get(op.ptr);
      if (k === undefined) return;
      open.delete(op.ptr);
      ofStep[i] = k;
      lives[k] = { ...lives[k]!, freed: event, lastStep: i };
    });
    return { count: lives.length, at: (k) => lives[k]!, of: (step) => ofStep[step] ?? -1 };
  }

  /** The live pointers after op `i`, in the order they were handed out, with the sizes asked. */
  private live(i: number): Map<number, number> {
    const live = new Map<number, number>();
    for (let at = 0; at <= i; at++) {
      const op = this.ops[at]!;
      if (op.ptr === null) continue;
      if (op.kind === 'malloc') live.set(op.ptr, op.size);
      else live.delete(op.ptr);
    }
    return live;
  }

  heapAt(step: number): HeapState {
    const i = clampStep(this, step);
    const bytes = i < 0 ? this.initial : this.ops[i]!.bytes;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const word = (addr: number) => view.getUint32(addr, true);
    const blocks: { addr: number; size: number; allocated: boolean }[] = [];
    for (let addr = FIRST_BLOCK; addr + W <= bytes.length && word(addr) >>> 3 !== 0; addr += word(addr) & ~7) {
      blocks.push({ addr, size: word(addr) & ~7, allocated: (word(addr) & 1) === 1 });
    }
    const live = this.live(i);
    const names = [...live.keys()].map((_, k) => `p${k}`);
    const ownerOf = new Map([...live.keys()].map((ptr, k) => [ptr, k]));
    const n = blocks.length;
    const col = (f: (b: (typeof blocks)[number]) => number) => Float64Array.from(blocks, f);
    const allocatedBit = Int8Array.from(blocks, (b) => (b.allocated ? 1 : 0));
    const requested = col((b) => (b.allocated ? (live.get(b.addr + W) ?? 0) : 0));
    const livePayload = [...live.values()].reduce((sum, s) => sum + s, 0);
    const free = blocks.filter((b) => !b.allocated);
    const freeBytes = free.reduce((sum, b) => sum + b.size, 0);
    const largestFree = free.reduce((max, b) => Math.max(max, b.size), 0);
    const metrics: HeapMetrics = {
      livePayload,
      peakPayload: livePayload,
      heapSize: bytes.length,
      utilisation: livePayload / bytes.length,
      allocatedBlocks: n - free.length,
      internalFragmentation: blocks.reduce((sum, b, k) => sum + (b.allocated ? b.size - requested[k]! : 0), 0),
      freeBlocks: free.length,
      freeBytes,
      largestFree,
      externalFragmentation: freeBytes === 0 ? 0 : 1 - largestFree / freeBytes,
      unknown: null,
    };
    return {
      step: i,
      heapSize: bytes.length,
      prologue: PROLOGUE,
      epilogue: FIRST_BLOCK + blocks.reduce((sum, b) => sum + b.size, 0),
      count: n,
      addrs: col((b) => b.addr),
      sizes: col((b) => b.size),
      payloadAddrs: col((b) => b.addr + W),
      payloadSizes: col((b) => b.size - 2 * W),
      states: Uint8Array.from(blocks, (b) => BLOCK_STATUSES.indexOf(b.allocated ? 'allocated' : 'free')),
      requested,
      headers: col((b) => word(b.addr)),
      footers: col((b) => word(b.addr + b.size - W)),
      headerSizes: col((b) => b.size),
      headerAllocated: allocatedBit,
      footerSizes: col((b) => word(b.addr + b.size - W) & ~7),
      footerAllocated: Int8Array.from(blocks, (b) => word(b.addr + b.size - W) & 1),
      owners: Int32Array.from(blocks, (b) => (b.allocated ? (ownerOf.get(b.addr + W) ?? -1) : -1)),
      ownerNames: names,
      allocLines: new Int32Array(n),
      freeLines: new Int32Array(n),
      stopped: null,
      freeLists: [],
      buddyArena: null,
      problems: [],
      metrics,
    };
  }

  summaryAt(step: number): string {
    return this.opAt(step).text;
  }

  opAt(step: number): OpEffect {
    const i = clampStep(this, step);
    if (i < 0) return { step: -1, line: null, text: 'initial heap', story: 'The heap before the first op.', block: null, split: null, merged: null, examined: NO_BLOCKS, grownFrom: null };
    const op = this.ops[i]!;
    const { text, story } = describeBareOp(op.kind, op.size, op.ptr);
    const before = i === 0 ? this.initial.length : this.ops[i - 1]!.bytes.length;
    return {
      step: i,
      line: i + 1,
      text,
      story,
      block: op.ptr === null ? null : op.ptr - W,
      split: null,
      merged: null,
      examined: NO_BLOCKS,
      grownFrom: op.bytes.length > before ? before : null,
    };
  }

  metricsAt(step: number): HeapMetrics {
    return this.heapAt(step).metrics;
  }

  events(): HeapEvents {
    const nulls = this.ops.flatMap((op, i) => (op.kind === 'malloc' && op.ptr === null ? [i] : []));
    const growths = this.ops.flatMap((op, i) => (op.bytes.length > (i === 0 ? this.initial : this.ops[i - 1]!.bytes).length ? [i] : []));
    return { nulls: Int32Array.from(nulls), coalesces: new Int32Array(0), growths: Int32Array.from(growths), problems: new Int32Array(0) };
  }
}

/**
 * A handful of hand-written steps, what the textbook allocator does with `a = malloc(24)`,
 * `b = malloc(100)`, `free(a)`, `c = malloc(5000)`: two mallocs split the first chunk, a free,
 * and a malloc that grows the heap into the free tail.
 */
export function fakeSource(): FakeHeapSource {
  return new FakeHeapSource(
    [
      { kind: 'malloc', size: 24, ptr: 0x10, bytes: textbookBytes([[32, true], [4064, false]]) },
      { kind: 'malloc', size: 100, ptr: 0x30, bytes: textbookBytes([[32, true], [112, true], [3952, false]]) },
      { kind: 'free', size: 0, ptr: 0x10, bytes: textbookBytes([[32, false], [112, true], [3952, false]]) },
      { kind: 'malloc', size: 5000, ptr: 0xa0, bytes: textbookBytes([[32, false], [112, true], [5008, true], [3952, false]]) },
    ],
    textbookBytes([[4096, false]]),
  );
}
