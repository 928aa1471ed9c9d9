// The student's own allocator run by the harness (harness/driver.c, docs/own-allocator.md): the
// trace's ops encoded for the driver, and the driver's result stream read back, op by op, into a
// recording: each op's pointer, the heap's size, where the allocator's output had got, the heap
// words it changed, the driver's data checks, and a crash or a timeout with the op it hit.
// Pure: the process that compiles and runs the code is src/native/.

import { idLowBytes } from '../idNames';
import { hasIds, type Trace } from '../model';
import { grown } from '../../engine/typedArrays';

/** The op kinds of the driver's op file. */
const KIND = { malloc: 0, free: 1, realloc: 2, calloc: 3, write: 4, fill: 4 } as const; // 4: the driver skips it (a script's write or fill)
const NO_SLOT = 0xffffffff;
const HEADER_BYTES = 32;
const OP_BYTES = 32;

/** What the driver does besides running the ops (harness/driver.c's FLAG_*). */
export const DRIVER_FLAGS = { record: 1, checks: 2, checkheap: 4, speed: 8 } as const;

export interface DriverOptions {
  readonly flags: number;
  /** An op that runs longer than this is stopped and reported (0: no limit). */
  readonly opLimitMs: number;
  /** The heap's limit in bytes (the lab's MAX_HEAP: 20 MiB). */
  readonly maxHeap: number;
}

/** The malloc lab driver's fill byte for each slot: the `.rep` id's low byte, or the script's slot number's. */
export function fillBytes(trace: Trace): Uint8Array {
  return hasIds(trace.format) ? idLowBytes(trace.names, trace.names.length) : Uint8Array.from(trace.names, (_, slot) => slot & 0xff);
}

/** The op file the driver reads (harness/driver.c's `struct header` and `struct op`, little-endian). */
export function encodeOps(trace: Trace, options: DriverOptions): Uint8Array {
  const ops = trace.ops;
  const n = ops.length;
  const bytes = new Uint8Array(HEADER_BYTES + n * OP_BYTES);
  const view = new DataView(bytes.buffer);
  bytes.set([0x48, 0x49, 0x4f, 0x50]); // "HIOP"
  view.setUint32(4, 1, true);
  view.setUint32(8, n, true);
  view.setUint32(12, trace.names.length, true);
  view.setUint32(16, options.flags, true);
  view.setUint32(20, options.opLimitMs, true);
  view.setBigUint64(24, BigInt(options.maxHeap), true);
  const fill = fillBytes(trace);
  for (let i = 0; i < n; i++) {
    const at = HEADER_BYTES + i * OP_BYTES;
    const kind = ops.kind(i);
    const slot = ops.ptr(i);
    view.setUint8(at, KIND[kind]);
    view.setUint8(at + 1, slot === null ? 0 : fill[slot]!);
    view.setUint32(at + 4, slot ?? NO_SLOT, true);
    view.setUint32(at + 8, kind === 'realloc' ? (ops.from(i) ?? NO_SLOT) : NO_SLOT, true);
    view.setUint32(at + 12, ops.line(i), true);
    // The size arguments: malloc's and realloc's size, calloc's count and size (the bytes are 0 already).
    if (kind === 'malloc' || kind === 'realloc') setU64(view, at + 16, ops.requestSize(i));
    if (kind === 'calloc') {
      const op = ops.at(i);
      if (op.kind === 'calloc') {
        setU64(view, at + 16, op.count);
        setU64(view, at + 24, op.size);
      }
    }
  }
  return bytes;
}

/** A little-endian 64-bit field: a number (a safe integer) without a BigInt. */
function setU64(view: DataView, at: number, value: bigint | number): void {
  if (typeof value === 'bigint') {
    view.setBigUint64(at, value, true);
    return;
  }
  view.setUint32(at, value % 2 ** 32, true);
  view.setUint32(at + 4, Math.floor(value / 2 ** 32), true);
}

/** The driver's data checks (harness/driver.c's CHECK_*). */
export const DATA_CHECKS = { 1: 'overwritten', 2: 'realloc-lost', 3: 'calloc-dirty', 4: 'checkheap-failed' } as const;
export type DataCheck = (typeof DATA_CHECKS)[keyof typeof DATA_CHECKS];

/** A payload whose bytes were not what the driver wrote (found before a free or a realloc, or after a realloc or calloc), or the allocator's own mm_checkheap returning false after the op. */
export interface DataViolation {
  readonly op: number;
  readonly check: DataCheck;
  readonly slot: number;
  /** The first byte (from the payload's start) that differs. */
  readonly at: number;
}

/** How the run ended early: a signal (0: the op did not return within the limit; -1: the allocator called exit) during an op (-1: mm_init). */
export interface Crash {
  readonly op: number;
  readonly signal: number;
  /** The faulting address as an offset in the heap, or null when it lies outside it (or the signal has none). */
  readonly heapOffset: number | null;
  /** The faulting address itself (a 64-bit value, exact). */
  readonly address: bigint;
  /** It happened in the heap checker (--checkheap) called after the op, not in the op itself. */
  readonly inChecker: boolean;
}

/**
 * Everything the driver said, as it said it. The words an op changed are in `changeAddrs` (byte
 * offsets of 8-byte words), `changeLo` and `changeHi` (the word's two halves) from
 * `changeStart[i]` to `changeStart[i + 1]`; mm_init's come first, before `changeStart[0]`.
 */
export class OwnRecording {
  pageSize = 0;
  maxHeap = 0;
  /** The heap's first byte's address in the allocator's process (mem_heap_lo()): pointers stored in the heap are read against it. */
  heapBase = 0;
  /** mm_init's result, null until it returned. */
  initOk: boolean | null = null;
  initHeapSize = 0;
  initLogPosition = 0;
  /** Ops that returned (their records are complete). */
  ops = 0;
  /** Per op: the payload offset it returned or freed (-1: NULL), the heap's size after it, the log's length after it. */
  offsets: Float64Array;
  heapSizes: Float64Array;
  logPositions: Float64Array;
  changeStart: Uint32Array;
  changeAddrs = new Uint32Array(1024);
  changeLo = new Uint32Array(1024);
  changeHi = new Uint32Array(1024);
  changes = 0;
  readonly violations: DataViolation[] = [];
  /** Ops during which mem_sbrk refused to grow the heap (past its limit): a NULL from them is the heap's limit. */
  readonly sbrkRefused = new Set<number>();
  /** Ops whose pointer lies outside the heap's region (libc's malloc, a static array, a pointer before the heap): the address itself, exact, as `offsets` cannot hold it. */
  readonly outside = new Map<number, bigint>();
  crash: Crash | null = null;
  /** The driver said it ran every op. */
  ended = false;
  /** Speed mode: the fastest run of the whole trace, in nanoseconds, and its ops. */
  speed: { readonly ns: number; readonly ops: number } | null = null;

  constructor(readonly length: number) {
    this.offsets = new Float64Array(length);
    this.heapSizes = new Float64Array(length);
    this.logPositions = new Float64Array(length);
    this.changeStart = new Uint32Array(length + 1);
  }

  /** Op i's pointer minus mem_heap_lo(), exact, when it lies outside the heap's region (negative before it); null otherwise (`offsets` holds it). */
  outsideOffset(i: number): bigint | null {
    const address = this.outside.get(i);
    return address === undefined ? null : address - BigInt(this.heapBase);
  }

  /** The range of change indices of op `i` (-1: mm_init). */
  changesOf(i: number): [number, number] {
    return i < 0 ? [0, this.changeStart[0]!] : [this.changeStart[i]!, this.changeStart[i + 1]!];
  }

  addChange(addr: number, lo: number, hi: number): void {
    if (this.changes === this.changeAddrs.length) {
      this.changeAddrs = grown(this.changeAddrs, this.changes * 2);
      this.changeLo = grown(this.changeLo, this.changes * 2);
      this.changeHi = grown(this.changeHi, this.changes * 2);
    }
    this.changeAddrs[this.changes] = addr;
    this.changeLo[this.changes] = lo;
    this.changeHi[this.changes] = hi;
    this.changes++;
  }
}

/** Record sizes after their tag byte. */
const RECORD_BYTES: Readonly<Record<string, number>> = { S: 24, I: 17, W: 12, V: 21, F: 4, O: 28, X: 21, E: 4, T: 12 };
const W = 0x57; // 'W'

/** Reads the driver's result stream a chunk at a time into a recording. Never throws on bad input: it stops and says why. */
export class RecordingReader {
  readonly recording: OwnRecording;
  private pending = new Uint8Array(0);
  /** Why the stream could not be read, or null. */
  problem: string | null = null;

  constructor(length: number) {
    this.recording = new OwnRecording(length);
  }

  push(chunk: Uint8Array): void {
    if (this.problem !== null) return;
    const data = this.pending.length === 0 ? chunk : concat(this.pending, chunk);
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    let at = 0;
    const r = this.recording;
    while (at < data.length) {
      const code = data[at]!;
      // The heap's words, most of the stream, first.
      if (code === W && at + 13 <= data.length) {
        r.addChange(view.getUint32(at + 1, true), view.getUint32(at + 5, true), view.getUint32(at + 9, true));
        at += 13;
        continue;
      }
      const tag = String.fromCharCode(code);
      const size = RECORD_BYTES[tag];
      if (size === undefined) {
        this.problem = `the harness wrote an unknown record "${tag}" at byte ${at}`;
        return;
      }
      if (at + 1 + size > data.length) break;
      const p = at + 1;
      const u64 = (o: number) => readU64(view, p + o);
      switch (tag) {
        case 'S':
          r.pageSize = u64(0);
          r.maxHeap = u64(8);
          r.heapBase = u64(16);
          break;
        case 'I':
          r.initOk = data[p] === 1;
          r.initHeapSize = u64(1);
          r.initLogPosition = u64(9);
          r.changeStart[0] = r.changes;
          break;
        case 'W':
          r.addChange(view.getUint32(p, true), view.getUint32(p + 4, true), view.getUint32(p + 8, true));
          break;
        case 'V': {
          const code = data[p + 8]! as keyof typeof DATA_CHECKS;
          r.violations.push({ op: u64(0), check: DATA_CHECKS[code] ?? 'overwritten', slot: view.getUint32(p + 9, true), at: u64(13) });
          break;
        }
        case 'O': {
          const i = view.getUint32(p, true);
          if (i !== r.ops || i >= r.length) {
            this.problem = `the harness reported op ${i} after ${r.ops} ops`;
            return;
          }
          const none = view.getUint32(p + 4, true) === 0xffffffff && view.getUint32(p + 8, true) === 0xffffffff;
          r.offsets[i] = none ? -1 : readU64(view, p + 4);
          if (!none && r.offsets[i]! >= r.maxHeap) r.outside.set(i, BigInt.asUintN(64, BigInt(r.heapBase) + view.getBigUint64(p + 4, true)));
          r.heapSizes[i] = readU64(view, p + 12);
          r.logPositions[i] = readU64(view, p + 20);
          r.ops = i + 1;
          r.changeStart[i + 1] = r.changes;
          break;
        }
        case 'X': {
          const op = view.getBigInt64(p, true);
          // Bit 0: the address is in the heap (an offset); bit 1: in the heap checker.
          const inside = (data[p + 12]! & 1) === 1;
          const address = view.getBigUint64(p + 13, true);
          r.crash = { op: Number(op), signal: view.getInt32(p + 8, true), heapOffset: inside ? Number(address) : null, address: inside ? BigInt(r.heapBase) + address : address, inChecker: (data[p + 12]! & 2) !== 0 };
          break;
        }
        case 'F':
          r.sbrkRefused.add(view.getUint32(p, true));
          break;
        case 'E':
          r.ended = true;
          break;
        case 'T':
          r.speed = { ns: u64(0), ops: view.getUint32(p + 8, true) };
          break;
      }
      at = p + size;
    }
    this.pending = data.slice(at);
  }

  /** The stream ended: bytes left over mean a record was cut off. */
  end(): OwnRecording {
    if (this.pending.length > 0 && this.problem === null && this.recording.crash === null) this.problem = `the harness's output stopped in the middle of a record`;
    // The changes an op made before it crashed belong to it, though it has no record of its own.
    const r = this.recording;
    for (let i = r.ops; i < r.length; i++) r.changeStart[i + 1] = r.changes;
    if (r.initOk === null) r.changeStart[0] = r.changes;
    return r;
  }
}

/** A little-endian 64-bit field below 2^53, as Number(getBigUint64) reads it, without a BigInt. */
function readU64(view: DataView, at: number): number {
  return view.getUint32(at, true) + view.getUint32(at + 4, true) * 2 ** 32;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
