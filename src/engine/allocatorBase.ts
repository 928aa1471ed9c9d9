// The driver-side half every allocator shares: argument checks, the ledger of live pointers,
// calloc, payload writes, metrics, snapshots, and the guard that turns a fault inside an operation
// into a reported problem. Subclasses implement only allocate / release / resize / walk.

import type { Allocator, AllocatorOptions, RunningFigures } from './allocator';
import { BlockStats, type BlockTotals } from './blockStats';
import { checkLivePayloads } from './checker';
import type { HeapConfig } from './config';
import { Ledger } from './ledger';
import { HeapFault, HeapMemory, hex } from './memory';
import { metricsFrom, metricsFromWalk, metricsWithoutBlocks } from './metrics';
import { callText, emit, EventSink, fault, MAX_REQUEST, newRecord, NO_EVENTS, problem, requestSizeOf, requireLive, type OpRecorder } from './opRecord';
import {
  BLOCK_STATUSES,
  type AllocatorSnapshot,
  type ChainOutline,
  type FreeListNodes,
  type HeapColumns,
  type HeapEvent,
  type HeapIssue,
  type HeapMetrics,
  type HeapWalk,
  type OpKind,
  type OpProblem,
  type OpResult,
  type RequestSize,
} from './results';
import { ColumnsBuilder, cutColumns } from './walker';
import { lowerBound } from '../shared/bisect';

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
  /** The one record `runningFigures` rewrites. */
  private figures: { heapSize: number; livePayload: number; peakPayload: number; totals: BlockTotals } | null = null;
  /**
   * Where the ops' commonest events go, and the modes that say how: quiet (op results leave out
   * events and blocks: see setQuiet) and recycling (see `Allocator.setRecycling`). See EventSink.
   */
  protected readonly note = new EventSink();
  /** The one record a quiet or recycling allocator rewrites, and the block and events array a recycling one reuses. */
  private readonly quietRecord = newRecord('malloc');
  private readonly recycledBlock = { addr: 0, size: 0 };
  private readonly recycledEvents: HeapEvent[] = [];

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
    this.note.quiet = options.quiet ?? false;
  }

  get heapSize(): number {
    return this.memory.brk;
  }

  get rover(): number | null {
    return null;
  }

  /** No list: the implicit list walks every block, the sbrk baseline never reuses one. */
  freeLists(): readonly FreeListNodes[] {
    return [];
  }

  setQuiet(quiet: boolean): void {
    this.note.quiet = quiet;
  }

  setRecycling(recycling: boolean): void {
    this.note.recycling = recycling;
  }

  /** A fresh record for an op; a quiet or recycling allocator rewrites one record, valid until its next op. */
  private begin(op: OpKind): OpRecorder {
    // The modes compared with true: V8 tests a field's truth with its generic check, about ten
    // instructions for a true (docs/performance.md, "The replay layer's per-op work (issue 17, eighth pass)").
    const { quiet, recycling } = this.note;
    if (quiet !== true && recycling !== true) return newRecord(op);
    const rec = this.quietRecord;
    rec.op = op;
    rec.requestSize = 0;
    rec.ptr = null;
    rec.block = null;
    rec.examined = 0;
    rec.problem = null;
    rec.requestText = undefined;
    if (quiet === true) {
      rec.events = NO_EVENTS;
    } else {
      // Emptied by popping: V8 keeps an array's room through pop but drops it when the length is set to 0.
      const events = this.recycledEvents;
      while (events.length > 0) events.pop();
      rec.events = events;
      this.note.reset();
    }
    return rec;
  }

  /** Adds an event to an op's record, unless quiet. */
  protected emit(rec: Pick<OpRecorder, 'events'>, event: HeapEvent): void {
    if (this.note.quiet !== true) emit(rec, event);
  }

  /** The block an op returned, resized or freed, unless quiet. */
  protected setBlock(rec: OpRecorder, addr: number, size: number): void {
    if (this.note.quiet === true) return;
    const block = this.note.recycling === true ? this.recycledBlock : { addr, size };
    block.addr = addr;
    block.size = size;
    rec.block = block;
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
  /** None kept here: a frame walks the whole chain (ImplicitAllocator keeps one). */
  outline(): ChainOutline | null {
    return null;
  }

  walkWindow(from: number, count: number): HeapColumns {
    const c = this.walkColumns();
    const k = lowerBound(c.addrs, from, c.count);
    return cutColumns(c, k, Math.min(c.count, k + count));
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
    const n = requestSizeOf(size, rec, 'malloc');
    if (n !== null) rec.ptr = this.allocateFor(n, rec, 'malloc', size);
  }

  private callocOp(rec: OpRecorder, count: RequestSize, size: RequestSize): void {
    const c = requestSizeOf(count, rec, 'calloc count');
    const s = c === null ? null : requestSizeOf(size, rec, 'calloc size');
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
    const n = requestSizeOf(size, rec, 'realloc');
    if (n === null) return;
    if (ptr === null) {
      rec.ptr = this.allocateFor(n, rec, 'realloc', 'NULL', size);
      return;
    }
    if (!requireLive(this.ledger.status(ptr), ptr, rec, 'realloc')) return;
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
    if (!requireLive(this.ledger.status(ptr), ptr, rec, 'free')) return;
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

  runningFigures(): RunningFigures | null {
    if (this.scribbled) return null;
    const f = (this.figures ??= { heapSize: 0, livePayload: 0, peakPayload: 0, totals: this.stats });
    f.heapSize = this.memory.brk;
    f.livePayload = this.ledger.livePayload;
    f.peakPayload = this.ledger.peakPayload;
    f.totals = this.stats.current();
    return f;
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

  /**
   * realloc by moving (CS:APP's mm_realloc): malloc a new block while the old one is still
   * allocated, copy up to `wanted` bytes of the old payload (never past the break), free the old
   * block. The op's block is the new one. Null, with the old block untouched, when malloc fails.
   */
  protected moveBlock(ptr: number, requestSize: number, wanted: number, rec: OpRecorder): number | null {
    const moved = this.allocate(requestSize, rec);
    if (moved === null) return null;
    // The new block's figures, not the object: a recycling allocator rewrites it as it frees the old one.
    const placed = rec.block;
    const addr = placed?.addr ?? 0;
    const size = placed?.size ?? 0;
    const copied = Math.max(0, Math.min(wanted, this.memory.brk - ptr));
    this.memory.copy(moved, ptr, copied);
    this.emit(rec, { type: 'moved', fromPtr: ptr, toPtr: moved, copied });
    this.release(ptr, rec);
    if (placed === null) rec.block = null;
    else this.setBlock(rec, addr, size);
    return moved;
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
