// The allocator interface and the driver-side half every allocator shares: argument checks, the
// ledger of live pointers, calloc, payload writes, and the guard that turns a fault inside an
// operation into a reported problem. Subclasses implement only allocate / release / resize / walk.

import type { FitSearch } from './fitSearch';
import type { HeapConfig } from './config';
import { Ledger } from './ledger';
import { HeapFault, HeapMemory, hex } from './memory';
import {
  BLOCK_STATUSES,
  type HeapColumns,
  type HeapEvent,
  type HeapIssue,
  type HeapMetrics,
  type AllocatorSnapshot,
  type HeapWalk,
  type OpKind,
  type OpProblem,
  type OpProblemCode,
  type OpResult,
  type RequestSize,
  type Severity,
} from './results';
import { ColumnsBuilder } from './walker';
import { checkLivePayloads } from './checker';
import { BlockStats } from './blockStats';
import { metricsFrom, metricsFromWalk, metricsWithoutBlocks } from './metrics';

/** A simulated allocator over a heap of real bytes. No method throws. */
export interface Allocator {
  readonly config: HeapConfig;
  /** The heap's bytes. */
  readonly memory: HeapMemory;
  /** Bytes from the heap's start to the break. */
  readonly heapSize: number;
  /** Next fit's roving pointer (a block address); null for allocators without one. */
  readonly rover: number | null;
  /** Live payload pointers and the bytes requested for each. */
  readonly liveAllocations: ReadonlyMap<number, number>;
  malloc(size: RequestSize): OpResult;
  calloc(count: RequestSize, size: RequestSize): OpResult;
  realloc(ptr: number | null, size: RequestSize): OpResult;
  free(ptr: number | null): OpResult;
  /** Stores bytes at `ptr + offset`, as a C program would: past the payload's end it overwrites what follows. */
  write(ptr: number, offset: number, data: Uint8Array): OpResult;
  /** memset(ptr + offset, byte, length). */
  fill(ptr: number, offset: number, length: number, byte: number): OpResult;
  /** A copy of `length` bytes at `ptr`, or null when the range is not inside the heap. */
  read(ptr: number, length: number): Uint8Array | null;
  /** The block chain read back from memory. */
  walk(): HeapWalk;
  /** The same walk as columns (no object per block), for big heaps. */
  walkColumns(): HeapColumns;
  /** Heap checker: every inconsistency found in memory and against the live pointers. */
  check(): HeapIssue[];
  /** Metrics after the last op, from the allocator's running totals (cheap). */
  metrics(): HeapMetrics;
  /** The same metrics recomputed from a walk of memory (the truth when the heap is corrupted). */
  walkMetrics(): HeapMetrics;
  /**
   * What `restoreAllocator` needs to rebuild this state; the heap's bytes only when `withBytes`
   * (their pages shared copy-on-write: O(pages), not O(bytes));
   * the freed pointers (which only tell a double free from an unknown pointer) unless `withFreed` is false.
   */
  snapshot(withBytes: boolean, withFreed?: boolean): AllocatorSnapshot;
  /**
   * Quiet: op results record no events and no block (the heap changes all the same), for an
   * allocator that replays ops only to reach a state, and makes no garbage doing so: every op
   * returns the same record, valid until the next op.
   */
  setQuiet(quiet: boolean): void;
}

/** How an allocator is built, beyond its configuration. */
export interface AllocatorOptions {
  /**
   * Count the block totals behind `metrics()` from a walk when asked, instead of keeping them up
   * to date op by op: for an allocator that replays many ops between reads of its metrics.
   */
  readonly totalsOnDemand?: boolean;
  /** Start quiet (see `Allocator.setQuiet`). */
  readonly quiet?: boolean;
  /**
   * A fit search to use instead of the allocator's own. For replaying ops whose choices were
   * already recorded: the allocator does everything else itself. No effect on the sbrk baseline.
   */
  readonly fitSearch?: FitSearch;
}

const MAX_REQUEST = 2n ** 64n - 1n;

/** The mutable record an operation fills in; returned as its OpResult. */
export interface OpRecorder {
  op: OpKind;
  requestSize: number;
  ptr: number | null;
  block: { addr: number; size: number } | null;
  examined: number;
  events: HeapEvent[];
  problem: OpProblem | null;
  /** A request beyond 2^53 as the caller wrote it (exact), for messages; unset for smaller ones. */
  requestText?: string;
}

/** The events of an op that has none yet (shared, hence frozen: add events with `emit`). */
const NO_EVENTS = Object.freeze([]) as unknown as HeapEvent[];

/** Adds an event to an op's record (most ops have one or two: no array is made for none). */
function emit(rec: Pick<OpRecorder, 'events'>, event: HeapEvent): void {
  if (rec.events === NO_EVENTS) rec.events = [event];
  else rec.events.push(event);
}

export function problem(code: OpProblemCode, severity: Severity, message: string): OpProblem {
  return { code, severity, message };
}

export abstract class AllocatorBase implements Allocator {
  readonly memory: HeapMemory;
  protected readonly ledger: Ledger;
  /** Running totals of the block chain; every allocator keeps them as its blocks change. */
  protected readonly stats: BlockStats;
  /**
   * Set once the program has written where it should not (past a payload, through a freed or
   * unknown pointer): from then on the heap's bytes may not match the allocator's own records.
   */
  protected scribbled = false;
  /** Op results leave out events and blocks (see setQuiet). */
  protected quiet: boolean;
  private readonly quietRecord = newRecord('malloc');

  /** `memory` and `ledger`: an empty heap and a ledger to use (recycled from an allocator no longer needed), or new ones; `options`: see AllocatorOptions. */
  constructor(
    readonly config: HeapConfig,
    memory?: HeapMemory,
    ledger?: Ledger,
    options: AllocatorOptions = {},
  ) {
    this.memory = memory ?? new HeapMemory(config.maxHeap);
    this.ledger = ledger ?? new Ledger();
    // Modes are set here, once, rather than switched later: a long replay's optimised code then
    // sees the same fields change the same way in every allocator.
    this.stats = new BlockStats(options.totalsOnDemand ? () => this.walk() : null);
    this.quiet = options.quiet ?? false;
  }

  get heapSize(): number {
    return this.memory.brk;
  }

  get rover(): number | null {
    return null;
  }

  setQuiet(quiet: boolean): void {
    this.quiet = quiet;
  }

  /** A fresh record for an op; a quiet allocator rewrites one record, valid until its next op. */
  private begin(op: OpKind): OpRecorder {
    if (!this.quiet) return newRecord(op);
    const rec = this.quietRecord;
    rec.op = op;
    rec.requestSize = 0;
    rec.ptr = null;
    rec.block = null;
    rec.examined = 0;
    rec.events = NO_EVENTS;
    rec.problem = null;
    rec.requestText = undefined;
    return rec;
  }

  /** Adds an event to an op's record, unless quiet. */
  protected emit(rec: Pick<OpRecorder, 'events'>, event: HeapEvent): void {
    if (!this.quiet) emit(rec, event);
  }

  /** The block an op returned, resized or freed, unless quiet. */
  protected setBlock(rec: OpRecorder, addr: number, size: number): void {
    if (!this.quiet) rec.block = { addr, size };
  }

  get liveAllocations(): ReadonlyMap<number, number> {
    return this.ledger.allocations;
  }

  // --- what each allocator implements ------------------------------------------------------

  /** Finds or makes a block for `requestSize` (> 0) bytes; returns its payload or null (and may set a problem). */
  protected abstract allocate(requestSize: number, rec: OpRecorder): number | null;
  /** Frees the live payload `ptr`. */
  protected abstract release(ptr: number, rec: OpRecorder): void;
  /** Resizes the live payload `ptr` to `requestSize` (> 0) bytes; returns the new payload or null. */
  protected abstract resize(ptr: number, requestSize: number, rec: OpRecorder): number | null;
  /** Payload bytes available at the live payload `ptr`, read from the heap where the layout allows. */
  protected abstract payloadCapacity(ptr: number): number;
  abstract walk(): HeapWalk;

  walkColumns(): HeapColumns {
    const walk = this.walk();
    const out = new ColumnsBuilder(Math.max(1, walk.blocks.length));
    for (const b of walk.blocks) out.add(b.addr, b.size, BLOCK_STATUSES.indexOf(b.status), b.payloadAddr, b.payloadSize, b.header ?? NaN, b.footer ?? NaN);
    return out.finish(walk.heapSize, walk.prologue, walk.epilogue, walk.stopped);
  }
  /** Structural checks of this allocator's memory (sentinels, tags, sizes). */
  protected abstract checkStructure(walk: HeapWalk): HeapIssue[];
  /** The block structure for a snapshot. */
  protected abstract saveBlocks(): Uint32Array;

  snapshot(withBytes: boolean, withFreed = true): AllocatorSnapshot {
    return {
      heapSize: this.memory.brk,
      rover: this.rover,
      blocks: this.saveBlocks(),
      ...this.ledger.save(withFreed),
      bytes: withBytes ? this.memory.snapshot() : null,
    };
  }

  /** Puts the ledger and the break back from a snapshot; subclasses rebuild their blocks. */
  protected restoreCommon(snapshot: AllocatorSnapshot): void {
    if (snapshot.bytes) this.memory.load(snapshot.bytes);
    else this.memory.sbrk(snapshot.heapSize);
    this.scribbled = snapshot.bytes !== null;
    this.ledger.load(snapshot);
  }

  // --- the operations -------------------------------------------------------------------

  malloc(size: RequestSize): OpResult {
    return this.run('malloc', this.mallocOp, size, undefined);
  }

  calloc(count: RequestSize, size: RequestSize): OpResult {
    return this.run('calloc', this.callocOp, count, size);
  }

  realloc(ptr: number | null, size: RequestSize): OpResult {
    return this.run('realloc', this.reallocOp, ptr, size);
  }

  free(ptr: number | null): OpResult {
    return this.run('free', this.freeOp, ptr, undefined);
  }

  write(ptr: number, offset: number, data: Uint8Array): OpResult {
    return this.run('write', this.writeOp, ptr, { offset, data });
  }

  fill(ptr: number, offset: number, length: number, byte: number): OpResult {
    return this.run('write', this.fillOp, ptr, { offset, length, byte });
  }

  /**
   * Runs an op's body on its record; a throw (a corrupted heap, or an engine bug) becomes the op's
   * problem. The body is a method, not a closure: a replay makes no function object per op.
   */
  private run<A, B>(op: OpKind, body: (this: this, rec: OpRecorder, a: A, b: B) => void, a: A, b: B): OpResult {
    const rec = this.begin(op);
    try {
      body.call(this, rec, a, b);
    } catch (err) {
      fault(rec, err);
    }
    return rec;
  }

  private mallocOp(rec: OpRecorder, size: RequestSize): void {
    const n = this.requestSize(size, rec, 'malloc');
    if (n !== null) rec.ptr = this.allocateFor(n, rec, 'malloc', size);
  }

  private callocOp(rec: OpRecorder, count: RequestSize, size: RequestSize): void {
    const c = this.requestSize(count, rec, 'calloc count');
    const s = c === null ? null : this.requestSize(size, rec, 'calloc size');
    if (c === null || s === null) return;
    const total = BigInt(count) * BigInt(size);
    if (total > MAX_REQUEST) {
      rec.problem = problem(
        'calloc-overflow',
        'warning',
        `calloc(${count}, ${size}) returned NULL: ${count} x ${size} bytes does not fit in a 64-bit size_t.`,
      );
      return;
    }
    const n = Number(total);
    rec.requestText = String(total);
    const ptr = this.allocateFor(n, rec, 'calloc', count, size);
    if (ptr !== null) {
      // calloc must zero: the block may be recycled memory still holding old bytes.
      this.memory.fill(ptr, n, 0);
      this.emit(rec, { type: 'zeroed', ptr, length: n });
    }
    rec.ptr = ptr;
  }

  private reallocOp(rec: OpRecorder, ptr: number | null, size: RequestSize): void {
    const n = this.requestSize(size, rec, 'realloc');
    if (n === null) return;
    if (ptr === null) {
      rec.ptr = this.allocateFor(n, rec, 'realloc', 'NULL', size);
      return;
    }
    if (!this.requireLive(ptr, rec, 'realloc')) return;
    if (n === 0) {
      // realloc(p, 0) frees p and returns NULL, as CS:APP's mm_realloc does.
      this.release(ptr, rec);
      this.ledger.release(ptr);
      return;
    }
    const moved = this.resize(ptr, n, rec);
    if (moved === null) {
      rec.problem ??= problem('heap-limit', 'warning', `realloc(${hex(ptr)}, ${String(size)}) returned NULL: the heap cannot grow enough; the old block is still allocated.`);
      return;
    }
    this.ledger.release(ptr);
    this.ledger.allocate(moved, n);
    rec.ptr = moved;
  }

  private freeOp(rec: OpRecorder, ptr: number | null): void {
    rec.ptr = ptr;
    if (ptr === null) return; // free(NULL) does nothing.
    if (!this.requireLive(ptr, rec, 'free')) return;
    // The ledger follows memory: a free that faults before freeing leaves the pointer live.
    this.release(ptr, rec);
    this.ledger.release(ptr);
  }

  private writeOp(rec: OpRecorder, ptr: number, w: { offset: number; data: Uint8Array }): void {
    rec.ptr = ptr;
    if (this.checkWrite(ptr, w.offset, w.data.length, rec)) this.memory.write(ptr + w.offset, w.data);
  }

  private fillOp(rec: OpRecorder, ptr: number, f: { offset: number; length: number; byte: number }): void {
    rec.ptr = ptr;
    if (this.checkWrite(ptr, f.offset, f.length, rec)) this.memory.fill(ptr + f.offset, f.length, f.byte);
  }

  read(ptr: number, length: number): Uint8Array | null {
    if (!Number.isSafeInteger(ptr) || !Number.isSafeInteger(length) || !this.memory.contains(ptr, length)) return null;
    return this.memory.read(ptr, length);
  }

  check(): HeapIssue[] {
    return this.checkWalk(this.walk());
  }

  private checkWalk(walk: HeapWalk): HeapIssue[] {
    return [...this.checkStructure(walk), ...checkLivePayloads(walk, this.ledger.allocations, this.config.alignment)];
  }

  /**
   * The running totals are the allocator's own account of its blocks, true as long as only the
   * allocator writes the heap. Once the program has written where it should not, the blocks are
   * read from memory instead, and only while the checker accepts them (see HeapMetrics).
   */
  metrics(): HeapMetrics {
    if (this.scribbled) return this.walkMetrics();
    return metricsFrom(this.stats.current(), this.memory.brk, this.ledger.livePayload, this.ledger.peakPayload);
  }

  walkMetrics(): HeapMetrics {
    const { livePayload, peakPayload } = this.ledger;
    let walk: HeapWalk;
    let issues: HeapIssue[];
    try {
      walk = this.walk();
      issues = this.checkWalk(walk);
    } catch (err) {
      if (!(err instanceof HeapFault)) throw err;
      return metricsWithoutBlocks(this.memory.brk, livePayload, peakPayload, `the heap is corrupted (${err.message}), so its blocks cannot be counted`);
    }
    if (issues.length > 0) {
      return metricsWithoutBlocks(this.memory.brk, livePayload, peakPayload, `the heap is corrupted (${issues[0]!.message}), so its blocks cannot be counted`);
    }
    return metricsFromWalk(walk, livePayload, peakPayload);
  }

  // --- shared machinery -------------------------------------------------------------------

  /** Allocates for a checked size, recording NULL results as problems and the block in the ledger. */
  private allocateFor(n: number, rec: OpRecorder, fn: OpKind, a: RequestSize | 'NULL', b?: RequestSize): number | null {
    rec.requestSize = n;
    if (n === 0) {
      rec.problem = problem('zero-size', 'warning', `${callText(fn, a, b)} returned NULL: a request for 0 bytes gets no block.`);
      return null;
    }
    const ptr = this.allocate(n, rec);
    if (ptr === null) {
      rec.problem ??= problem('heap-limit', 'warning', `${callText(fn, a, b)} returned NULL: the heap cannot grow past ${this.config.maxHeap} bytes.`);
      return null;
    }
    this.ledger.allocate(ptr, n);
    return ptr;
  }

  /** A request size as an exact-enough number, or null with an invalid-size problem. */
  private requestSize(size: RequestSize, rec: OpRecorder, what: string): number | null {
    // 2^64 - 1 is not a double: every integral double below 2^64 is a legal size_t.
    const ok = typeof size === 'bigint' ? size >= 0n && size <= MAX_REQUEST : Number.isInteger(size) && size >= 0 && size < 2 ** 64;
    if (!ok) {
      rec.problem = problem('invalid-size', 'error', `${what} size ${String(size)} is not a byte count from 0 to 2^64-1.`);
      return null;
    }
    const n = Number(size);
    rec.requestSize = n;
    // A size past 2^53 is not exact as a number: messages quote the original.
    if (typeof size === 'bigint') rec.requestText = String(size);
    return n;
  }

  private requireLive(ptr: number, rec: OpRecorder, call: 'free' | 'realloc'): boolean {
    const status = this.ledger.status(ptr);
    if (status === 'live') return true;
    if (status === 'freed') {
      rec.problem =
        call === 'free'
          ? problem('double-free', 'error', `Double free: ${hex(ptr)} was already freed. Nothing was done.`)
          : problem('use-after-free', 'error', `realloc of ${hex(ptr)}, which was already freed. Nothing was done.`);
    } else {
      rec.problem = problem(
        'invalid-pointer',
        'error',
        `${call}(${hex(ptr)}): that pointer was never returned by malloc, calloc or realloc. Nothing was done.`,
      );
    }
    rec.ptr = call === 'free' ? ptr : null;
    return false;
  }

  /** Validates a payload write; returns whether to perform it. Problems are recorded either way. */
  private checkWrite(ptr: number, offset: number, length: number, rec: OpRecorder): boolean {
    if (![ptr, offset, length].every((v) => Number.isSafeInteger(v) && v >= 0)) {
      rec.problem = problem('invalid-size', 'error', `write at ${String(ptr)} + ${String(offset)} of ${String(length)} bytes: offsets and lengths must be whole, non-negative numbers.`);
      return false;
    }
    const at = ptr + offset;
    if (!this.memory.contains(at, length)) {
      rec.problem = problem(
        'write-outside-heap',
        'error',
        `write of ${length} bytes at ${hex(at)} is outside the heap [0x0000, ${hex(this.memory.brk)}): a real program would crash here. Nothing was written.`,
      );
      return false;
    }
    const status = this.ledger.status(ptr);
    if (status !== 'live') {
      // Performed anyway, as in C: writing into freed memory is how free lists get corrupted.
      rec.problem =
        status === 'freed'
          ? problem('use-after-free', 'error', `write to ${hex(ptr)} after it was freed: the bytes land in a free block and may overwrite its boundary tag.`)
          : problem('invalid-pointer', 'error', `write to ${hex(ptr)}, which is not a pointer returned by malloc: the bytes land wherever that is.`);
    } else {
      const requested = this.ledger.requestSize(ptr) ?? 0;
      const end = offset + length;
      if (end > requested) {
        let capacity = requested;
        try {
          capacity = this.payloadCapacity(ptr);
        } catch (err) {
          if (!(err instanceof HeapFault)) throw err;
        }
        rec.problem =
          end > capacity
            ? problem(
                'write-overflow',
                'error',
                `write runs ${end - capacity} byte${end - capacity === 1 ? '' : 's'} past the end of the ${capacity}-byte payload at ${hex(ptr)} (${requested} requested): it overwrites ${this.describeOverflow(ptr + capacity, ptr + Math.max(offset, capacity), ptr + end)}.`,
              )
            : problem(
                'write-past-request',
                'warning',
                `write reaches byte ${end} of the ${requested} bytes requested at ${hex(ptr)}: it fits in the block's padding, but the program only asked for ${requested}.`,
              );
      }
    }
    const code = rec.problem?.code;
    if (code === 'write-overflow' || code === 'use-after-free' || code === 'invalid-pointer') this.scribbled = true;
    this.emit(rec, { type: 'wrote', addr: at, length });
    return true;
  }

  /** The NULL message for a request no heap of this size could ever hold. */
  protected beyondHeap(rec: OpRecorder, requestSize: number): OpProblem {
    return problem('heap-limit', 'warning', `NULL: ${rec.requestText ?? requestSize} bytes is more than the whole ${this.config.maxHeap}-byte heap could ever hold.`);
  }

  /** Words what the bytes [from, to) past a payload's end (which is at `payloadEnd`) overwrite. */
  protected describeOverflow(_payloadEnd: number, from: number, to: number): string {
    return `${to - from} byte${to - from === 1 ? '' : 's'} at ${hex(from)}`;
  }
}

/** How a NULL message quotes the call, e.g. `calloc(4, 8)`. */
function callText(fn: OpKind, a: RequestSize | 'NULL', b?: RequestSize): string {
  return `${fn}(${String(a)}${b === undefined ? '' : `, ${String(b)}`})`;
}

function newRecord(op: OpKind): OpRecorder {
  return { op, requestSize: 0, ptr: null, block: null, examined: 0, events: NO_EVENTS, problem: null };
}

/** An op that threw: a corrupted heap the walk ran into, or a bug in the engine. */
function fault(rec: OpRecorder, err: unknown): void {
  if (rec.op !== 'free' && rec.op !== 'write') rec.ptr = null;
  rec.problem =
    err instanceof HeapFault
      ? problem('heap-fault', 'error', `The heap is corrupted: ${err.message}. The ${rec.op} could not finish.`)
      : problem('engine-error', 'error', `Internal engine error during ${rec.op}: ${err instanceof Error ? err.message : String(err)}`);
}
