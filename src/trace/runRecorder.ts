// The run recorder: replays a trace op by op on the run's own allocator and keeps every op's result
// and the metrics after it in narrow typed columns (about 31 bytes an op: most figures fit one or
// two bytes, metrics are 8- or 16-bit steps), with the problems found and the run's pointer lifetimes.

import type { Allocator } from '../engine/allocator';
import { DenseSet } from '../engine/denseSet';
import { OP_PROBLEM_CODES, type HeapEvent, type HeapMetrics, type OpProblemCode, type OpResult } from '../engine/results';
import { applyDecoded, NO_PTR } from './applyOp';
import { MetricColumns, NarrowColumn } from './deltaColumn';
import { BoundedDiagnostics } from './diagnostics';
import type { DriverChecks } from './driverChecks';
import { alwaysNull, LifetimeTracker, type LifetimeAnalysis } from './lifetimes';
import { slotName, type Diagnostic, type DiagnosticCode, type Trace, type TraceOp, type TraceOpKind } from './model';

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

/**
 * The per-op columns. The pointers are kept for every op (the run's own lifetime pass reads them);
 * the rest only for the `kept` ops of a replay with history (0 otherwise), about 31 bytes an op:
 * a block's address as its distance from the pointer (one byte), sizes and counts in two bytes,
 * with the rare wider value kept aside (docs/memory.md, "The history of a long trace").
 */
export class OpColumns {
  readonly ptrs: Int32Array;
  readonly outcomes: Uint16Array;
  private readonly blockOffsets: NarrowColumn;
  private readonly blockSizes: NarrowColumn;
  private readonly examinedCounts: NarrowColumn;
  private readonly problems: Uint8Array;
  private readonly remainders: NarrowColumn;
  private readonly mergedSizes: NarrowColumn;
  /** The metrics after each op, one or two bytes an op each (they change little from op to op). */
  readonly metrics: MetricColumns;

  constructor(ops: number, kept: number, initialMetrics: HeapMetrics) {
    this.ptrs = new Int32Array(ops);
    this.outcomes = new Uint16Array(kept);
    this.blockOffsets = new NarrowColumn(kept, 8);
    this.blockSizes = new NarrowColumn(kept, 16);
    this.examinedCounts = new NarrowColumn(kept, 16);
    this.problems = new Uint8Array(kept);
    this.remainders = new NarrowColumn(kept, 16);
    this.mergedSizes = new NarrowColumn(kept, 16);
    this.metrics = new MetricColumns(kept, initialMetrics);
  }

  /** Op `i`'s record, and the metrics after it; after its pointer, in op order. */
  record(i: number, result: OpResult, outcome: number, metrics: HeapMetrics): void {
    this.recordOp(i, result, outcome);
    this.metrics.push(metrics);
  }

  /** The same, the metrics read from the heap after the op (no object made for them). */
  recordFrom(i: number, result: OpResult, outcome: number, heap: Allocator): void {
    this.recordOp(i, result, outcome);
    this.metrics.pushFrom(heap);
  }

  private recordOp(i: number, result: OpResult, outcome: number): void {
    const block = result.block;
    // The header lies just before the payload, so the distance fits a byte but for odd ops.
    this.blockOffsets.set(i, block ? (this.pointer(i) ?? 0) - block.addr : 0);
    this.blockSizes.set(i, block?.size ?? 0);
    this.examinedCounts.set(i, result.examined);
    this.outcomes[i] = outcome;
    this.problems[i] = result.problem ? OP_PROBLEM_CODES.indexOf(result.problem.code) + 1 : 0;
    let remainder = 0;
    let merged = 0;
    for (const e of result.events) {
      if (e.type === 'placed') remainder = e.remainder;
      else if (e.type === 'coalesced') merged = e.size;
    }
    this.remainders.set(i, remainder);
    this.mergedSizes.set(i, merged);
  }

  /** The pointer op `i` returned (or freed, or wrote through); null = NULL. */
  pointer(i: number): number | null {
    const p = this.ptrs[i]!;
    return p === NO_PTR ? null : p;
  }

  /** The address of op `i`'s block (0: none). */
  blockAddr(i: number): number {
    return this.blockSizes.at(i) > 0 ? (this.pointer(i) ?? 0) - this.blockOffsets.at(i) : 0;
  }

  /** The blocks op `i`'s fit search examined. */
  examined(i: number): number {
    return this.examinedCounts.at(i);
  }

  /** Op `i`'s record decoded. */
  step(i: number, op: TraceOp): StepRecord {
    const size = this.blockSizes.at(i);
    const problem = this.problems[i]!;
    return {
      index: i,
      op,
      ptr: this.pointer(i),
      block: size > 0 ? { addr: this.blockAddr(i), size } : null,
      examined: this.examined(i),
      outcome: this.outcomes[i]!,
      remainder: this.remainders.at(i),
      mergedSize: this.mergedSizes.at(i),
      grownBy: this.metrics.grownBy(i),
      problem: problem === 0 ? null : OP_PROBLEM_CODES[problem - 1]!,
      metrics: this.metrics.at(i),
    };
  }

  /** Bytes the columns hold. */
  get byteLength(): number {
    return [this.ptrs, this.outcomes, this.blockOffsets, this.blockSizes, this.examinedCounts, this.problems, this.remainders, this.mergedSizes, this.metrics].reduce((sum, a) => sum + a.byteLength, 0);
  }
}

/** Where a recorder's checkpoints go: the history (see history.ts). */
export interface CheckpointSink {
  /** Whether a checkpoint is due after op `index`. */
  due(index: number): boolean;
  /** Keeps the state after op `index` (-1: the empty heap); `bytes`: with the heap's bytes. */
  save(index: number, heap: Allocator, slots: Int32Array, held: DenseSet, bytes: boolean): void;
  /** The run is done: its allocator is free to be reused. */
  adopt(heap: Allocator): void;
}

export class RunRecorder {
  /** Ops replayed so far. */
  recorded = 0;
  /**
   * Sum of blocks examined over the ops replayed, kept as a double from the start: it passes
   * 2^30 on a long trace, where a field that began as a small integer would change its
   * representation mid-run and send the replay's compiled loop back to the interpreter
   * (docs/performance.md, "Start-up and warm-up").
   */
  private readonly sums = new Float64Array(1);
  /** Allocations that returned NULL for a non-zero request. */
  nullCount = 0;
  /** Problems the replay found, bounded (see BoundedDiagnostics). */
  readonly problemsFound = new BoundedDiagnostics();
  private readonly slots: Int32Array;
  /**
   * The slots holding a pointer: a checkpoint visits those, not every name the trace ever used.
   * Null without a history (nothing reads it; its table is as long as the trace has names).
   */
  private readonly held: DenseSet | null;
  private corrupted = false;
  /**
   * The lifetime pass again, with the outcomes this run saw: made at the first allocation that
   * returned NULL where the trace alone says it succeeds (the heap ran out, or was corrupted),
   * and kept up op by op from then on. Until then the trace's own analysis is this run's.
   */
  private runLifetimes: LifetimeTracker | null = null;
  private lifetimesSeen: { recorded: number; analysis: LifetimeAnalysis } | null = null;

  /**
   * `heap`: the run's allocator, empty; `history`: where checkpoints go (null: the replay keeps
   * its totals only); `withBytes`: the trace writes to the heap.
   */
  constructor(
    private readonly trace: Trace,
    readonly heap: Allocator,
    private readonly columns: OpColumns,
    private readonly checks: DriverChecks,
    private readonly history: CheckpointSink | null,
    slotCount: number,
    private readonly clearOnFree: boolean,
    private readonly withBytes: boolean,
  ) {
    this.slots = new Int32Array(slotCount).fill(NO_PTR);
    this.held = history === null ? null : new DenseSet(slotCount);
  }

  /** The empty heap: the first checkpoint, before any op. */
  start(): void {
    this.history?.save(-1, this.heap, this.slots, this.held!, this.withBytes);
  }

  /** Replays and records the next op. Each of the op's columns is read once (docs/performance.md, "At scale"). */
  next(): void {
    const i = this.recorded;
    const ops = this.trace.ops;
    const kind = ops.kind(i);
    const slot = ops.ptr(i);
    const from = kind === 'realloc' ? ops.from(i) : null;
    const heap = this.heap;
    const checks = this.checks;
    // `heldPointer(this.slots, inputSlot(kind, slot, from))` written out: calls V8 left out of
    // line here (docs/performance.md, "At scale").
    const inSlot = kind === 'realloc' ? from : kind === 'malloc' || kind === 'calloc' ? null : slot;
    const held = inSlot === null ? NO_PTR : this.slots[inSlot]!;
    const input = held === NO_PTR ? null : held;
    const keep = checks.before(heap, i, kind, input);

    const result = applyDecoded(heap, ops, i, kind, slot, from, this.slots, this.clearOnFree, input);
    // `history` compared with null, not tested for truth: V8 tests a field's truth with its generic
    // check (false, '', undetectable, numbers, BigInts), which a null or an object runs through
    // (docs/performance.md, "The replay layer's per-op work (issue 17, eighth pass)").
    const history = this.history;
    // The held slots are for checkpoints alone.
    if (history !== null) {
      if (slot !== null) this.noteSlot(slot);
      if (from !== null) this.noteSlot(from);
    }
    const violations = checks.after(heap, i, kind, slot, from, result, input, keep);
    const ptr = result.ptr;
    // Only an op that returned NULL, had a problem or broke a check has more to note than its pointer.
    const noted = ptr === null || result.problem !== null || violations.length > 0;
    if (noted && returnedNull(result)) this.nullCount++;
    this.columns.ptrs[i] = ptr ?? NO_PTR;
    if (this.runLifetimes !== null || ptr === null) this.followLifetimes(i, kind, result);
    this.sums[0]! += result.examined;
    // The outcome bits are the history's alone: a replay without one reads none (docs/performance.md, "At scale").
    if (history !== null) this.columns.recordFrom(i, result, outcomeBits(result) | (violations.length > 0 ? OUTCOME.VIOLATION : 0), heap);
    if (noted) this.report(i, kind, result, violations);
    this.recorded = i + 1;
    if (history !== null && history.due(i)) history.save(i, heap, this.slots, this.held!, this.withBytes || this.corrupted);
    if (history !== null && this.recorded === ops.length) {
      heap.setRecycling(false); // the history's cursor hands results out to keep
      history.adopt(heap);
    }
  }

  /**
   * The pointer lifetimes as this run saw them, for the ops replayed so far (see
   * `Replay.lifetimes`).
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

  /** Keeps the list of held slots in step with what `slot` holds after an op (with a history). */
  private noteSlot(slot: number): void {
    if (this.slots[slot] !== NO_PTR) this.held!.add(slot);
    else this.held!.delete(slot);
  }

  /** Sum of blocks examined over the ops replayed. */
  get examinedTotal(): number {
    return this.sums[0]!;
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

  /** After op `i`: keeps the run's own lifetime pass going, or starts it when op `i` returned a NULL the trace did not foresee. */
  private followLifetimes(i: number, kind: TraceOpKind, result: OpResult): void {
    if (this.runLifetimes === null) {
      const code = result.problem?.code;
      const unforeseen = result.ptr === null && (kind === 'malloc' || kind === 'calloc' || kind === 'realloc') && (code === 'heap-limit' || code === 'heap-fault' || code === 'engine-error') && !alwaysNull(this.trace.ops, i);
      if (!unforeseen) return;
      const trace = this.trace;
      this.runLifetimes = new LifetimeTracker(trace.ops, (slot) => slotName(trace.format, trace.names, slot), (j) => this.columns.ptrs[j] === NO_PTR);
    }
    this.runLifetimes.catchUp(i + 1);
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

/** An op's OUTCOME bits, from the engine's events (VIOLATION is the checks' to add). */
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
  if (returnedNull(result)) bits |= OUTCOME.NULL;
  return bits;
}

/** Whether malloc, calloc or realloc returned NULL for a non-zero request (OUTCOME.NULL). */
function returnedNull(result: OpResult): boolean {
  if (result.ptr !== null) return false;
  const code = result.problem?.code;
  return code === 'heap-limit' || code === 'calloc-overflow';
}
