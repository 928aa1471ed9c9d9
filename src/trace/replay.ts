// Replay: runs a trace through an allocator and keeps, for every op, the engine's result and the
// metrics after it in compact typed arrays (about 45 bytes an op: the heap is at most 1 GiB, so
// every figure fits 32 bits, and the metrics are kept as 16-bit steps), plus checkpoints of the
// block structure (about 48 bytes an op, amortised) so the heap at any step is rebuilt by a
// bounded replay, backwards as cheaply as forwards.
// mdriver's checks run on every op: payloads aligned, inside the heap, not overlapping, and realloc
// keeping min(old, new) bytes (compared in bulk).

import type { Allocator } from '../engine/allocator';
import type { FitSearch } from '../engine/fitSearch';
import type { HeapConfig } from '../engine/config';
import { allocatorFor, restoreAllocator } from '../engine/index';
import { DenseSet } from '../engine/denseSet';
import { hex, type KeptBytes } from '../engine/memory';
import { OP_PROBLEM_CODES, type AllocatorSnapshot, type HeapEvent, type HeapMetrics, type OpProblemCode, type OpResult } from '../engine/results';
import { MetricColumns } from './deltaColumn';
import { BoundedDiagnostics } from './diagnostics';
import { alwaysNull, LifetimeTracker, type LifetimeAnalysis } from './lifetimes';
import { LiveRanges } from './liveRanges';
import { slotName, type Diagnostic, type DiagnosticCode, type Trace, type TraceOp, type TraceOpKind } from './model';
import { engineSize } from './numbers';
import type { OpTable } from './opTable';

/** Bits of a step's outcome, from the engine's events. */
export const OUTCOME = {
  SPLIT: 1,
  EXACT: 2,
  /** Placed without splitting, though the block was bigger than needed. */
  WHOLE: 4,
  EXTENDED: 8,
  COALESCED_PREV: 16,
  COALESCED_NEXT: 32,
  COALESCED_ALL: 64,
  FREED: 128,
  IN_PLACE: 256,
  MOVED: 512,
  ZEROED: 1024,
  WROTE: 2048,
  /** malloc, calloc or realloc returned NULL for a non-zero request. */
  NULL: 4096,
  /** mdriver's checks found a violation at this op. */
  VIOLATION: 8192,
} as const;

/** One step of a replay, decoded from the typed arrays. */
export interface StepRecord {
  readonly index: number;
  readonly op: TraceOp;
  /** The pointer returned (or operated on by free and writes); null = NULL. */
  readonly ptr: number | null;
  readonly block: { readonly addr: number; readonly size: number } | null;
  readonly examined: number;
  /** OUTCOME bits. */
  readonly outcome: number;
  /** Bytes split off as a new free block (0: none). */
  readonly remainder: number;
  /** Size of the block a coalesce produced (0: none). */
  readonly mergedSize: number;
  /** Bytes the heap grew by (0: none). */
  readonly grownBy: number;
  readonly problem: OpProblemCode | null;
  readonly metrics: HeapMetrics;
}

export interface ReplayOptions {
  /** mdriver's per-op correctness checks (default true). */
  readonly checks?: boolean;
  /** Fill every new payload with its id's low byte, as mdriver does (default: `.rep` traces). */
  readonly fillPayloads?: boolean;
  /** Checkpoint memory budget, amortised per op (default 48 bytes). */
  readonly checkpointBytesPerOp?: number;
  /** Fewest ops between checkpoints (default 256). */
  readonly minCheckpointInterval?: number;
  /**
   * Keep every op's record and checkpoints (default true), so any step can be shown. Without them
   * a replay keeps its totals only (the final metrics, NULLs, blocks examined, diagnostics, the
   * heap after the last op), for a comparison of policies or a check: about 4 bytes an op instead
   * of about 100 (docs/limits.md).
   */
  readonly history?: boolean;
}

/** The heap being moved to the step on show, with the slots' pointers and whether payloads were filled. */
interface Cursor {
  index: number;
  readonly heap: Allocator;
  readonly slots: Int32Array;
  readonly payloads: boolean;
}

interface Checkpoint {
  /** The state after this op (-1: before the first). */
  readonly index: number;
  readonly snapshot: AllocatorSnapshot;
  /** (slot, pointer) pairs of the slots holding a pointer. */
  readonly slots: Int32Array;
}

const NO_PTR = -1;
const NO_VIOLATIONS: Diagnostic[] = [];
const LIFETIME_ERRORS = new Set<DiagnosticCode>(['unknown-pointer', 'freed-pointer', 'double-free']);

export class Replay {
  readonly length: number;
  /** Ops replayed so far (all of them once `done`). */
  recorded = 0;
  /** Problems the replay found, bounded (see BoundedDiagnostics). */
  private readonly problemsFound = new BoundedDiagnostics();
  /** The empty heap's metrics, before the first op. */
  readonly initialMetrics: HeapMetrics;
  /** Sum of blocks examined over the ops replayed. */
  examinedTotal = 0;
  /** Allocations that returned NULL for a non-zero request. */
  nullCount = 0;

  // Per-op columns.
  private readonly ptrs: Int32Array;
  private readonly blockAddrs: Int32Array;
  private readonly blockSizes: Int32Array;
  private readonly examined: Uint32Array;
  private readonly outcomes: Uint16Array;
  private readonly problems: Uint8Array;
  private readonly remainders: Uint32Array;
  private readonly mergedSizes: Uint32Array;
  /** The metrics after each op, two bytes an op each (they change little from op to op). */
  private readonly metrics: MetricColumns;

  private readonly checkpoints: Checkpoint[] = [];
  private nextCheckpoint = 0;
  private readonly heap: Allocator;
  private readonly slots: Int32Array;
  /** The slots holding a pointer: a checkpoint visits those, not every name the trace ever used. */
  private readonly held: DenseSet;
  private readonly ranges = new LiveRanges();
  private readonly checks: boolean;
  /** Every op's record and checkpoints are kept (see ReplayOptions.history). */
  readonly history: boolean;
  private readonly fill: boolean;
  private readonly clearOnFree: boolean;
  private readonly withBytes: boolean;
  /** mdriver's fill byte per slot: the low byte of the `.rep` id (or of the slot number). */
  private readonly patterns: Uint8Array;
  /**
   * The byte each live payload was filled with, by pointer, for traces with lifetime errors (a
   * dangling id may alias another block). Otherwise a block is filled with the byte of the slot
   * that holds it.
   */
  private readonly livePatterns: Map<number, number> | null;
  private corrupted = false;
  /**
   * The lifetime pass again, with the outcomes this run saw: made at the first allocation that
   * returned NULL where the trace alone says it succeeds (the heap ran out, or was corrupted),
   * and kept up op by op from then on. Until then the trace's own analysis is this run's.
   */
  private runLifetimes: LifetimeTracker | null = null;
  private lifetimesSeen: { recorded: number; analysis: LifetimeAnalysis } | null = null;
  /** The main run's allocator went to the cursor (the run is done: nothing else uses it). */
  private heapGiven = false;
  /** The cursor has been put at the last op once the replay was done (see `advance`). */
  private settled = false;
  private cursor: Cursor | null = null;
  /**
   * How the cursor's allocator finds fits: for a trace that never writes to the heap, the block
   * each op chose is already recorded, so the cursor's allocator (built without the fit index)
   * takes it from the record instead of searching; everything else it does itself.
   */
  private readonly cursorConfig: HeapConfig;
  private readonly recordedFit: FitSearch | null;
  /** The op the cursor is running, and how many fit searches it has made. */
  private fitOp = 0;
  private fitCall = 0;
  private readonly recordedFitResult: { addr: number | null; examined: number } = { addr: null, examined: 0 };

  constructor(
    readonly trace: Trace,
    readonly config: HeapConfig,
    private readonly options: ReplayOptions = {},
  ) {
    const n = trace.ops.length;
    this.length = n;
    this.history = options.history ?? true;
    // The pointers are kept either way: the run's own lifetime pass reads them (see followLifetimes).
    this.ptrs = new Int32Array(n);
    const kept = this.history ? n : 0;
    this.blockAddrs = new Int32Array(kept);
    this.blockSizes = new Int32Array(kept);
    this.examined = new Uint32Array(kept);
    this.outcomes = new Uint16Array(kept);
    this.problems = new Uint8Array(kept);
    this.remainders = new Uint32Array(kept);
    this.mergedSizes = new Uint32Array(kept);
    this.checks = options.checks ?? true;
    this.fill = options.fillPayloads ?? trace.format === 'rep';
    // A slot's pointer after a valid free is read again only by an erroneous op; without such
    // ops it can be forgotten, which keeps checkpoints small.
    this.clearOnFree = !trace.diagnostics.some((d) => LIFETIME_ERRORS.has(d.code));
    this.livePatterns = this.clearOnFree ? null : new Map();
    this.withBytes = trace.ops.has('write', 'fill');
    this.slots = new Int32Array(Math.max(1, trace.names.length)).fill(NO_PTR);
    this.held = new DenseSet(this.slots.length);
    this.patterns = Uint8Array.from({ length: this.slots.length }, (_, slot) => (trace.format === 'rep' ? Number(trace.names[slot]) : slot) & 0xff);
    this.heap = allocatorFor(config);
    this.recordedFit = this.withBytes ? null : { findFit: () => this.fitFromRecord() };
    this.cursorConfig = this.recordedFit ? { ...config, search: 'linear' } : config;
    this.initialMetrics = this.heap.metrics();
    this.metrics = new MetricColumns(kept, this.initialMetrics);
    if (this.history) this.saveCheckpoint(-1);
  }

  /** Replays a whole trace. */
  static run(trace: Trace, config: HeapConfig, options?: ReplayOptions): Replay {
    const replay = new Replay(trace, config, options);
    replay.advance(Infinity);
    return replay;
  }

  get done(): boolean {
    return this.recorded === this.length;
  }

  /**
   * Problems the replay found so far (the trace's own diagnostics are on the trace): at most
   * FULL_PER_CODE of each code in full, and a counted summary of the rest. The same array until
   * the replay finds another.
   */
  get diagnostics(): readonly Diagnostic[] {
    return this.problemsFound.all();
  }

  /**
   * Replays up to `maxOps` more ops (for slicing long replays); returns whether it is done. Once
   * every op is recorded, the calls go on to put the cursor at the last op (the step the panel
   * opens at), `maxOps` steps a call, so that the first jump finds the cursor's code already
   * compiled, like any later one; only then do they return true.
   */
  advance(maxOps: number): boolean {
    const stop = Math.min(this.length, this.recorded + maxOps);
    while (this.recorded < stop) this.replayNext();
    return this.done && (!this.history || this.settle(maxOps));
  }

  /** Moves the cursor up to `maxOps` steps on towards the last op; returns whether it is there. */
  private settle(maxOps: number): boolean {
    if (this.settled) return true;
    const last = this.length - 1;
    const start = Math.max(this.cursor?.index ?? -1, this.checkpointAtOrBefore(last).index);
    this.heapAt(Math.min(last, start + maxOps));
    this.settled = this.cursor!.index === last;
    return this.settled;
  }

  /** The recorded step `i` (0 <= i < recorded). */
  step(i: number): StepRecord {
    this.requireHistory();
    const ptr = this.ptrs[i]!;
    const size = this.blockSizes[i]!;
    const problem = this.problems[i]!;
    return {
      index: i,
      op: this.trace.ops.at(i),
      ptr: ptr === NO_PTR ? null : ptr,
      block: size > 0 ? { addr: this.blockAddrs[i]!, size } : null,
      examined: this.examined[i]!,
      outcome: this.outcomes[i]!,
      remainder: this.remainders[i]!,
      mergedSize: this.mergedSizes[i]!,
      grownBy: this.metrics.grownBy(i),
      problem: problem === 0 ? null : OP_PROBLEM_CODES[problem - 1]!,
      metrics: this.metricsAt(i),
    };
  }

  /** Op `i`'s OUTCOME bits. Cheaper than `step(i).outcome`. */
  outcome(i: number): number {
    this.requireHistory();
    return this.outcomes[i]!;
  }

  /** The heap's size after op `i` (-1: before the first). Cheaper than `metricsAt(i).heapSize`. */
  heapSizeAt(i: number): number {
    if (i < 0) return this.initialMetrics.heapSize;
    this.requireHistory();
    return this.metrics.heapSizeAt(i);
  }

  /** The pointer op `i` returned (or freed, or wrote through); null = NULL. Cheaper than `step(i).ptr`. */
  pointer(i: number): number | null {
    const p = this.ptrs[i]!;
    return p === NO_PTR ? null : p;
  }

  /**
   * Whether the trace writes to the heap itself (a `.heap` script's write and fill). Otherwise
   * only the allocator writes the heap's bytes, and the heap checker has nothing to find.
   */
  get programWrites(): boolean {
    return this.withBytes;
  }

  /** Metrics after op `i`; `i = -1` is the empty heap. */
  metricsAt(i: number): HeapMetrics {
    if (i < 0) return this.initialMetrics;
    this.requireHistory();
    return this.metrics.at(i);
  }

  /** Metrics after the last op replayed. */
  get finalMetrics(): HeapMetrics {
    // Without history, the run's own heap is still the one that replayed the last op.
    if (!this.history) return this.recorded === 0 ? this.initialMetrics : this.heap.metrics();
    return this.metricsAt(this.recorded - 1);
  }

  private requireHistory(): void {
    if (!this.history) throw new Error('this replay keeps its totals only (ReplayOptions.history is false): no step of it can be shown');
  }

  /** Bytes the per-op arrays and checkpoints hold. */
  get memoryBytes(): number {
    const { columns, checkpoints } = this.memory;
    return columns + checkpoints;
  }

  /** `memoryBytes` in its two parts: the per-op columns and the checkpoints. */
  get memory(): { readonly columns: number; readonly checkpoints: number } {
    const columns = [
      this.ptrs, this.blockAddrs, this.blockSizes, this.examined, this.outcomes, this.problems, this.remainders, this.mergedSizes, this.metrics,
    ].reduce((sum, a) => sum + a.byteLength, 0);
    return { columns, checkpoints: this.checkpoints.reduce((sum, c) => sum + checkpointBytes(c), 0) };
  }

  /**
   * The heap as it is after op `i` (`-1`: before the first op), rebuilt from the nearest
   * checkpoint. The allocator returned is shared and valid until the next call: read, don't keep.
   *
   * Every block, header, footer, the ledger and the allocator's state are exact. The payload
   * bytes mdriver's checks write (each `.rep` payload filled with its id's low byte) are put back
   * only with `payloads: true`: nothing the editor shows reads them, and skipping them makes
   * jumps across a big heap cheaper. Bytes a `.heap` script wrote are always there.
   */
  heapAt(i: number, { payloads = false }: { payloads?: boolean } = {}): Allocator {
    const target = Math.max(-1, Math.min(i, this.recorded - 1));
    // Without history, the run's own heap is the heap after the last op replayed, and the only one.
    if (!this.history && target === this.recorded - 1) return this.heap;
    this.requireHistory();
    const cp = this.checkpointAtOrBefore(target);
    const fill = this.fill && payloads;
    let cursor = this.cursor;
    if (cursor === null || cursor.index > target || cp.index > cursor.index || (fill && !cursor.payloads)) {
      cursor = this.restore(cp, fill);
      this.cursor = cursor;
    }
    while (cursor.index < target) this.cursorStep(cursor);
    return cursor.heap;
  }

  /** Runs the op after the cursor's on its heap. */
  private cursorStep(cursor: Cursor): OpResult {
    const i = cursor.index + 1;
    this.fitOp = i;
    this.fitCall = 0;
    const result = applyOp(cursor.heap, this.trace.ops, i, cursor.slots, this.clearOnFree);
    if (cursor.payloads) this.fillNewPayload(cursor.heap, i, result);
    cursor.index = i;
    return result;
  }

  /**
   * The fit the main run found for the op the cursor is running. Under deferred coalescing a
   * failed search is followed by the coalescing pass and a second search; NULL and heap growth
   * follow a search that found nothing. The blocks examined are the op's total, on its last search.
   */
  private fitFromRecord(): { addr: number | null; examined: number } {
    const i = this.fitOp;
    const outcome = this.outcomes[i]!;
    const call = this.fitCall++;
    // One object, rewritten: the allocator reads it before it searches again.
    const fit = this.recordedFitResult;
    if (call === 0 && outcome & OUTCOME.COALESCED_ALL) {
      fit.addr = null;
      fit.examined = 0;
    } else {
      fit.addr = outcome & (OUTCOME.EXTENDED | OUTCOME.NULL) ? null : this.blockAddrs[i]!;
      fit.examined = this.examined[i]!;
    }
    return fit;
  }

  /** The full result of op `i` (events and message), by running it again from the state before it. */
  detail(i: number): OpResult {
    this.heapAt(i - 1);
    const heap = this.cursor!.heap;
    heap.setQuiet(false);
    try {
      return this.cursorStep(this.cursor!);
    } finally {
      heap.setQuiet(true);
    }
  }

  /** Pointer held by each slot after op `i` (null = NULL or never assigned). */
  pointersAt(i: number): (number | null)[] {
    this.heapAt(i);
    return Array.from(this.cursor!.slots, (p) => (p === NO_PTR ? null : p));
  }

  // --- the main run ---------------------------------------------------------------------------

  private replayNext(): void {
    const i = this.recorded;
    const ops = this.trace.ops;
    const kind = ops.kind(i);
    const heap = this.heap;
    const input = inputPointer(ops, i, this.slots);

    // Before a realloc, what its data must look like afterwards: kept, not copied (its pages are
    // shared until the check is done), so a gigabyte's realloc costs a table of pages.
    let keepBytes: KeptBytes | null = null;
    let keepLength = 0;
    if (this.checks && kind === 'realloc' && input !== null && ops.requestSize(i) !== 0) {
      const oldSize = heap.liveAllocations.get(input);
      if (oldSize !== undefined) {
        keepLength = Math.min(oldSize, Number(ops.requestSize(i)));
        if (!this.fill && heap.memory.contains(input, keepLength)) keepBytes = heap.memory.keep(input, keepLength);
      }
    }

    const result = applyOp(heap, ops, i, this.slots, this.clearOnFree);
    const ptr = ops.ptr(i);
    if (ptr !== null) this.noteSlot(ptr);
    const from = kind === 'realloc' ? ops.from(i) : null;
    if (from !== null) this.noteSlot(from);
    let outcome = outcomeBits(result);
    const violations = this.checks ? this.check(i, kind, from, result, input, keepLength, keepBytes) : NO_VIOLATIONS;
    if (keepBytes) heap.memory.release(keepBytes);
    if (violations.length > 0) outcome |= OUTCOME.VIOLATION;
    if (outcome & OUTCOME.NULL) this.nullCount++;
    if (this.fill) {
      const byte = this.fillNewPayload(heap, i, result);
      if (byte !== null) this.livePatterns?.set(result.ptr!, byte);
    }

    this.ptrs[i] = result.ptr ?? NO_PTR;
    this.followLifetimes(i, kind, result);
    this.examinedTotal += result.examined;
    if (this.history) this.record(i, result, outcome);
    this.report(i, kind, result, violations);
    this.recorded = i + 1;
    if (this.history && i >= this.nextCheckpoint) this.saveCheckpoint(i);
  }

  /** Op `i`'s record in the columns, and the metrics after it. */
  private record(i: number, result: OpResult, outcome: number): void {
    this.blockAddrs[i] = result.block?.addr ?? 0;
    this.blockSizes[i] = result.block?.size ?? 0;
    this.examined[i] = result.examined;
    this.outcomes[i] = outcome;
    this.problems[i] = result.problem ? OP_PROBLEM_CODES.indexOf(result.problem.code) + 1 : 0;
    let remainder = 0;
    let merged = 0;
    for (const e of result.events) {
      if (e.type === 'placed') remainder = e.remainder;
      else if (e.type === 'coalesced') merged = e.size;
    }
    this.remainders[i] = remainder;
    this.mergedSizes[i] = merged;
    this.metrics.push(this.heap.metrics());
  }

  /** mdriver's checks of one op's result; returns the violations as diagnostics. */
  private check(i: number, kind: TraceOpKind, from: number | null, result: OpResult, input: number | null, keepLength: number, keepBytes: KeptBytes | null): Diagnostic[] {
    const heap = this.heap;
    if (kind === 'free' || kind === 'realloc') {
      if (input !== null && (!heap.liveAllocations.has(input) || result.ptr === input)) this.ranges.remove(input);
    }
    const ptr = result.ptr;
    if (ptr === null || kind === 'free' || kind === 'write' || kind === 'fill') return NO_VIOLATIONS;
    let found = NO_VIOLATIONS;
    const say = (code: DiagnosticCode, message: string) => {
      if (found === NO_VIOLATIONS) found = [];
      found.push({ range: this.trace.ops.range(i), severity: 'error', code, message });
    };
    const size = result.requestSize;
    if (ptr % this.config.alignment !== 0) say('misaligned-payload', `The payload ${hex(ptr)} is not aligned to ${this.config.alignment} bytes.`);
    if (ptr < 0 || ptr + size > heap.heapSize) say('payload-outside-heap', `The payload ${hex(ptr)} of ${size} bytes does not lie inside the heap [0x0000, ${hex(heap.heapSize)}).`);
    const ranges = this.ranges;
    if (ranges.add(ptr, ptr + size)) say('overlapping-payloads', `The payload ${hex(ptr)}..${hex(ptr + size)} overlaps the live payload ${hex(ranges.clashStart)}..${hex(ranges.clashEnd)}.`);
    if (kind === 'realloc' && keepLength > 0) {
      const byte = input === null ? undefined : this.livePatterns ? this.livePatterns.get(input) : from !== null ? this.patterns[from] : undefined;
      const kept = keepBytes ? heap.memory.matches(ptr, keepBytes) : byte === undefined || heap.memory.isFilledWith(ptr, keepLength, byte);
      if (!kept) say('realloc-lost-data', `realloc did not preserve the first ${keepLength} bytes of the old block's data.`);
    }
    return found;
  }

  /** Turns an op's problem and violations into diagnostics, with the line that allocated the block. */
  private report(i: number, kind: TraceOpKind, result: OpResult, violations: Diagnostic[]): void {
    if (result.problem === null && violations.length === 0) return;
    const range = this.trace.ops.range(i);
    const related = this.allocationOf(i);
    const push = (d: Diagnostic) => this.problemsFound.push(related && d.range.line !== related.range.line ? { ...d, related: [related] } : d);
    const p = result.problem;
    if (p) {
      // A write through a pointer the trace itself got as NULL; a pointer never allocated or already
      // freed was reported when the trace was read.
      const throughNull = (kind === 'write' || kind === 'fill') && result.ptr === null;
      const code = throughNull ? (this.usedInvalid(i) ? null : 'null-pointer') : REPLAY_CODES[p.code];
      if (code !== null) push({ range, severity: p.severity, code, message: p.message });
      if (!throughNull && (kind === 'write' || kind === 'fill') && (p.code === 'write-overflow' || p.code === 'use-after-free' || p.code === 'invalid-pointer') && !this.corrupted) {
        const issues = this.heap.check();
        if (issues.length > 0) {
          this.corrupted = true;
          push({
            range,
            severity: 'error',
            code: 'heap-corrupted',
            message: `This write corrupted the heap: ${issues[0]!.message}${issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? 's' : ''})` : ''}.`,
          });
        }
      }
    }
    for (const v of violations) push(v);
  }

  private allocationOf(i: number): { range: Diagnostic['range']; message: string } | null {
    const run = this.runLifetimes;
    const life = run ? run.lifetimeOf(i) : (this.trace.lifetimes.lifetimeOfOp[i] ?? -1);
    if (life < 0) return null;
    const start = run ? run.startOf(life) : this.trace.lifetimes.lifetimes.start(life);
    return { range: this.trace.ops.range(start), message: 'the block was allocated here' };
  }

  private usedInvalid(i: number): boolean {
    return this.runLifetimes ? this.runLifetimes.usedInvalid(i) : this.trace.lifetimes.invalidUse[i] === 1;
  }

  /**
   * The pointer lifetimes as this run saw them, for the ops replayed so far: the trace's own
   * analysis while every allocation the trace expects to succeed did; after one returned NULL,
   * the pass run again with the outcomes seen (a free of the NULL is legal, the realloc's old
   * block still allocated). Its diagnostics replace the trace's lifetime diagnostics for the
   * ops replayed (see `runDiagnostics`).
   */
  get lifetimes(): LifetimeAnalysis {
    const run = this.runLifetimes;
    if (run === null) return this.trace.lifetimes;
    if (this.lifetimesSeen?.recorded !== this.recorded) this.lifetimesSeen = { recorded: this.recorded, analysis: run.finish() };
    return this.lifetimesSeen.analysis;
  }

  /** Whether the run's lifetimes differ from the trace's (an allocation returned NULL that the trace expects to succeed). */
  get lifetimesDiverged(): boolean {
    return this.runLifetimes !== null;
  }

  /** After op `i`: keeps the run's own lifetime pass going, or starts it when op `i` returned a NULL the trace did not foresee. */
  private followLifetimes(i: number, kind: TraceOpKind, result: OpResult): void {
    if (this.runLifetimes === null) {
      const code = result.problem?.code;
      const unforeseen = result.ptr === null && (kind === 'malloc' || kind === 'calloc' || kind === 'realloc') && (code === 'heap-limit' || code === 'heap-fault' || code === 'engine-error') && !alwaysNull(this.trace.ops, i);
      if (!unforeseen) return;
      const ops = this.trace.ops;
      this.runLifetimes = new LifetimeTracker(ops, (slot) => slotName(this.trace.format, this.trace.names, slot), (j) => this.ptrs[j] === NO_PTR);
    }
    this.runLifetimes.catchUp(i + 1);
  }

  /** mdriver fills every new payload with the low byte of its id; returns the byte, or null when nothing was filled. */
  private fillNewPayload(heap: Allocator, i: number, result: OpResult): number | null {
    const kind = this.trace.ops.kind(i);
    if (result.ptr === null || (kind !== 'malloc' && kind !== 'realloc')) return null;
    const byte = this.patterns[this.trace.ops.ptr(i)!]!;
    heap.memory.fill(result.ptr, result.requestSize, byte);
    return byte;
  }

  // --- checkpoints ----------------------------------------------------------------------------

  /** Keeps the list of held slots in step with what `slot` holds after an op. */
  private noteSlot(slot: number): void {
    if (this.slots[slot] !== NO_PTR) this.held.add(slot);
    else this.held.delete(slot);
  }

  private saveCheckpoint(index: number): void {
    const slots = this.slots;
    const pairs = new Int32Array(2 * this.held.size);
    for (let k = 0; k < this.held.size; k++) {
      const slot = this.held.members[k]!;
      pairs[2 * k] = slot;
      pairs[2 * k + 1] = slots[slot]!;
    }
    // Freed pointers matter only to ops that free or realloc a pointer twice, which only a trace
    // with lifetime errors has.
    const cp: Checkpoint = { index, snapshot: this.heap.snapshot(this.withBytes || this.corrupted, !this.clearOnFree), slots: pairs };
    this.checkpoints.push(cp);
    const perOp = this.options.checkpointBytesPerOp ?? 48;
    const interval = Math.max(this.options.minCheckpointInterval ?? 256, Math.ceil(checkpointBytes(cp) / perOp));
    this.nextCheckpoint = index + interval;
  }

  private checkpointAtOrBefore(index: number): Checkpoint {
    const cps = this.checkpoints;
    let lo = 0;
    let hi = cps.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (cps[mid]!.index <= index) lo = mid;
      else hi = mid - 1;
    }
    return cps[lo]!;
  }

  private restore(cp: Checkpoint, payloads: boolean): Cursor {
    // The cursor is about to be replaced: the new one takes over its buffers.
    const old = this.cursor;
    // The first cursor of a finished replay takes over the main run's allocator, which is done.
    const donor = old?.heap ?? (this.done && !this.heapGiven ? this.heap : undefined);
    if (donor === this.heap) this.heapGiven = true;
    // Stepping only has to reach a state: nothing reads the events of the ops on the way, and
    // nothing reads the cursor's metrics op by op (they are in the columns).
    const heap = restoreAllocator(this.cursorConfig, cp.snapshot, donor, { totalsOnDemand: true, quiet: true, ...(this.recordedFit ? { fitSearch: this.recordedFit } : {}) });
    this.cursor = null;
    const slots = (old?.slots ?? new Int32Array(this.slots.length)).fill(NO_PTR);
    for (let k = 0; k < cp.slots.length; k += 2) slots[cp.slots[k]!] = cp.slots[k + 1]!;
    if (payloads && !cp.snapshot.bytes) {
      // The structure came back without payload bytes: put each live block's pattern back.
      slots.forEach((ptr, slot) => {
        const size = ptr === NO_PTR ? undefined : heap.liveAllocations.get(ptr);
        if (size !== undefined) heap.memory.fill(ptr, size, this.patterns[slot]!);
      });
    }
    // A checkpoint's bytes hold mdriver's patterns only if the run filled payloads: a script's
    // bytes are its own, and its steps must not overwrite them with patterns.
    return { index: cp.index, heap, slots, payloads: payloads || (this.fill && cp.snapshot.bytes !== null) };
  }
}

/** Which engine problems become replay diagnostics (lifetime errors are the trace's own, found statically). */
const REPLAY_CODES: Readonly<Record<OpProblemCode, DiagnosticCode | null>> = {
  'zero-size': null,
  'invalid-pointer': null,
  'double-free': null,
  'use-after-free': null,
  'invalid-size': null,
  'heap-limit': 'heap-limit',
  'calloc-overflow': 'calloc-overflow',
  'write-past-request': 'write-past-request',
  'write-overflow': 'write-overflow',
  'write-outside-heap': 'write-outside-heap',
  'heap-fault': 'heap-corrupted',
  'engine-error': 'heap-corrupted',
};

function inputPointer(ops: OpTable, i: number, slots: Int32Array): number | null {
  const kind = ops.kind(i);
  const slot = kind === 'realloc' ? ops.from(i) : kind === 'malloc' || kind === 'calloc' ? null : ops.ptr(i);
  if (slot === null) return null;
  const p = slots[slot] ?? NO_PTR;
  return p === NO_PTR ? null : p;
}

/** Runs op `i` against an allocator and updates the slots (C semantics: a freed pointer dangles). */
export function applyOp(heap: Allocator, ops: OpTable, i: number, slots: Int32Array, clearOnFree: boolean): OpResult {
  const input = inputPointer(ops, i, slots);
  const kind = ops.kind(i);
  // The slot the op stores into or works on: only free(NULL) has none.
  const ptr = ops.ptr(i);
  let result: OpResult;
  switch (kind) {
    case 'malloc':
      result = heap.malloc(ops.requestSize(i));
      slots[ptr!] = result.ptr ?? NO_PTR;
      return result;
    case 'realloc': {
      const from = ops.from(i);
      // realloc of a name never assigned is an error found when the trace was read; it must not
      // be taken for realloc(NULL, n) and allocate.
      result = input === null && from !== null && !ops.assignedBefore(from, i) ? unknownRealloc() : heap.realloc(input, ops.requestSize(i));
      // The old pointer dangles only when realloc let go of its block (moved it, or freed it for a
      // size of 0); one that returned NULL for a bigger size left the block where it was.
      if (clearOnFree && from !== null && (result.ptr !== null || ops.requestSize(i) === 0)) slots[from] = NO_PTR;
      slots[ptr!] = result.ptr ?? NO_PTR;
      return result;
    }
    case 'free':
      result = heap.free(input);
      if (clearOnFree && ptr !== null) slots[ptr] = NO_PTR;
      return result;
  }
  // calloc, write and fill: the table keeps them whole.
  const op = ops.at(i);
  switch (op.kind) {
    case 'calloc':
      result = heap.calloc(engineSize(op.count), engineSize(op.size));
      slots[op.ptr] = result.ptr ?? NO_PTR;
      return result;
    case 'write':
    case 'fill':
      if (input === null) return nullWrite(op.kind);
      return op.kind === 'write' ? heap.write(input, op.offset, op.bytes) : heap.fill(input, op.offset, op.length, op.byte);
    default:
      throw new Error(`op ${i} is a ${op.kind}, not a ${kind}`);
  }
}

function unknownRealloc(): OpResult {
  return {
    op: 'realloc',
    requestSize: 0,
    ptr: null,
    block: null,
    examined: 0,
    events: [],
    problem: { code: 'invalid-pointer', severity: 'error', message: 'realloc of a pointer that was never assigned. Nothing was done.' },
  };
}

function nullWrite(kind: 'write' | 'fill'): OpResult {
  return {
    op: 'write',
    requestSize: 0,
    ptr: null,
    block: null,
    examined: 0,
    events: [],
    problem: { code: 'invalid-pointer', severity: 'error', message: `${kind} through a NULL pointer: a real program would crash here. Nothing was written.` },
  };
}


function outcomeBits(result: OpResult): number {
  let bits = 0;
  for (const e of result.events as readonly HeapEvent[]) {
    switch (e.type) {
      case 'placed':
        bits |= e.remainder > 0 ? OUTCOME.SPLIT : e.size === e.asize ? OUTCOME.EXACT : OUTCOME.WHOLE;
        break;
      case 'extended':
        bits |= OUTCOME.EXTENDED;
        break;
      case 'coalesced':
        if (e.withPrev > 0) bits |= OUTCOME.COALESCED_PREV;
        if (e.withNext > 0) bits |= OUTCOME.COALESCED_NEXT;
        break;
      case 'coalesced-all':
        bits |= OUTCOME.COALESCED_ALL;
        break;
      case 'freed':
        bits |= OUTCOME.FREED;
        break;
      case 'resized-in-place':
        bits |= OUTCOME.IN_PLACE;
        break;
      case 'moved':
        bits |= OUTCOME.MOVED;
        break;
      case 'zeroed':
        bits |= OUTCOME.ZEROED;
        break;
      case 'wrote':
        bits |= OUTCOME.WROTE;
        break;
    }
  }
  const code = result.problem?.code;
  if (result.ptr === null && (code === 'heap-limit' || code === 'calloc-overflow')) {
    bits |= OUTCOME.NULL;
  }
  return bits;
}

/**
 * What a checkpoint holds: its arrays and, of the heap's bytes, what the checkpoints before it do
 * not already hold (the bytes' pages are shared; see docs/memory.md).
 */
function checkpointBytes(cp: Checkpoint): number {
  const s = cp.snapshot;
  return s.blocks.byteLength + s.live.byteLength + s.freed.byteLength + (s.bytes?.ownBytes ?? 0) + cp.slots.byteLength + 64;
}
