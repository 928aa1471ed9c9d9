// Replay: runs a trace through an allocator and answers for any step of it, a facade over the run
// recorder (runRecorder.ts), mdriver's checks (driverChecks.ts), the history of checkpoints and the
// cursor (history.ts) and op application (applyOp.ts). "Done" means every op is recorded.

import type { Allocator } from '../engine/allocator';
import type { HeapConfig } from '../engine/config';
import type { HeapMetrics, OpResult } from '../engine/results';
import { allocatorFor } from '../engine/index';
import { clearsOnFree } from './applyOp';
import { DriverChecks } from './driverChecks';
import { History } from './history';
import type { LifetimeAnalysis } from './lifetimes';
import { hasIds, type Diagnostic, type Trace } from './model';
import { OpColumns, RunRecorder, type StepRecord } from './runRecorder';

export { applyOp } from './applyOp';
export { OUTCOME, type StepRecord } from './runRecorder';

export interface ReplayOptions {
  /** mdriver's per-op correctness checks (default true). */
  readonly checks?: boolean;
  /** Fill every new payload with its id's low byte, as mdriver does (default: `.rep` traces). */
  readonly fillPayloads?: boolean;
  /** Checkpoint memory budget, amortised per op (default 48 bytes). */
  readonly checkpointBytesPerOp?: number;
  /**
   * Checkpoint memory budget for the whole replay (default 64 MiB): a longer trace gets sparser
   * checkpoints, and jumps replay more ops (`jumpCost`; docs/memory.md).
   */
  readonly checkpointBudget?: number;
  /** Fewest ops between checkpoints (default 256). */
  readonly minCheckpointInterval?: number;
  /**
   * Keep every op's record and checkpoints (default true), so any step can be shown. Without them
   * a replay keeps its totals only (the final metrics, NULLs, blocks examined, diagnostics, the
   * heap after the last op), for a comparison of policies or a check: about 4 bytes an op instead
   * of about 100 (docs/limits.md).
   */
  readonly history?: boolean;
  /**
   * The ops the replay is of (default: the trace's). More than the trace has yet for a trace still
   * being read (its op table published so far, see `PublishedOpTable`): `advance` must then go no
   * further than the ops there are, and the whole replay keeps no history.
   */
  readonly length?: number;
  /** mdriver's fill byte per slot (default: from the trace's names); a trace still being read fills them in as its slots come. */
  readonly patterns?: Uint8Array;
}

export class Replay {
  readonly length: number;
  /** The empty heap's metrics, before the first op. */
  readonly initialMetrics: HeapMetrics;
  /** Every op's record and checkpoints are kept (see ReplayOptions.history). */
  readonly history: boolean;
  private readonly columns: OpColumns;
  private readonly recorder: RunRecorder;
  /** Checkpoints and the cursor; null without history. */
  private readonly past: History | null;
  private readonly withBytes: boolean;
  private readonly checks: DriverChecks;

  constructor(
    readonly trace: Trace,
    readonly config: HeapConfig,
    options: ReplayOptions = {},
  ) {
    const n = options.length ?? trace.ops.length;
    this.length = n;
    this.history = options.history ?? true;
    if (this.history && n !== trace.ops.length) throw new Error('a replay of a trace still being read keeps no history');
    const slotCount = Math.max(1, trace.names.length);
    const clearOnFree = clearsOnFree(trace);
    const fill = options.fillPayloads ?? hasIds(trace.format);
    this.withBytes = trace.ops.has('write', 'fill');
    const checks = new DriverChecks(trace, config, slotCount, options.checks ?? true, fill, clearOnFree, !this.history, options.patterns);
    this.checks = checks;
    const heap = allocatorFor(config);
    // Without history no op's record outlives the op (the totals are read from it at once): the
    // allocator makes no record, event or block object per op (docs/performance.md, "At scale").
    // With history the recorder reads each op's record at once and keeps none of it: one record
    // is rewritten by every op (events and block included) until the history adopts the heap.
    if (!this.history) heap.setQuiet(true);
    else heap.setRecycling(true);
    this.initialMetrics = heap.metrics();
    this.columns = new OpColumns(n, this.history ? n : 0, this.initialMetrics);
    this.past = this.history
      ? new History(trace, config, this.columns, slotCount, { ...options, patterns: checks.patterns, fill, clearOnFree, withBytes: this.withBytes })
      : null;
    this.recorder = new RunRecorder(trace, heap, this.columns, checks, this.past, slotCount, clearOnFree, this.withBytes);
    this.recorder.start();
  }

  /**
   * The fill bytes handed in (`ReplayOptions.patterns`) now cover more slots; `lowBytes`: each is
   * its slot's low byte (DriverChecks.patternsFilled).
   */
  patternsFilled(lowBytes: boolean): void {
    this.checks.patternsFilled(lowBytes);
  }

  /** Replays a whole trace. */
  static run(trace: Trace, config: HeapConfig, options?: ReplayOptions): Replay {
    const replay = new Replay(trace, config, options);
    replay.advance(Infinity);
    return replay;
  }

  /** Ops replayed so far (all of them once `done`). */
  get recorded(): number {
    return this.recorder.recorded;
  }

  /** Whether every op is recorded. */
  get done(): boolean {
    return this.recorded === this.length;
  }

  /** Sum of blocks examined over the ops replayed. */
  get examinedTotal(): number {
    return this.recorder.examinedTotal;
  }

  /** Allocations that returned NULL for a non-zero request. */
  get nullCount(): number {
    return this.recorder.nullCount;
  }

  /**
   * Problems the replay found so far (the trace's own diagnostics are on the trace): at most
   * FULL_PER_CODE of each code in full, and a counted summary of the rest. The same array until
   * the replay finds another.
   */
  get diagnostics(): readonly Diagnostic[] {
    return this.recorder.problemsFound.all();
  }

  /** Replays up to `maxOps` more ops (for slicing long replays); returns whether every op is recorded. */
  advance(maxOps: number): boolean {
    const stop = Math.min(this.length, this.recorded + maxOps);
    while (this.recorded < stop) this.recorder.next();
    return this.done;
  }

  /**
   * Once every op is recorded: moves the cursor up to `maxSteps` steps on towards the last op
   * (the step the panel opens at), so that the first jump finds the cursor's code already
   * compiled, like any later one; returns whether it is there (always true without history,
   * never before `done`). Call it in slices until it returns true, or not at all.
   */
  warm(maxSteps: number): boolean {
    if (!this.done) return false;
    if (this.past === null) return true;
    return this.past.warm(this.length - 1, maxSteps);
  }

  /** The recorded step `i` (0 <= i < recorded). */
  step(i: number): StepRecord {
    this.requireHistory();
    return this.columns.step(i, this.trace.ops.at(i));
  }

  /** Op `i`'s OUTCOME bits. Cheaper than `step(i).outcome`. */
  outcome(i: number): number {
    this.requireHistory();
    return this.columns.outcomes[i]!;
  }

  /** The heap's size after op `i` (-1: before the first). Cheaper than `metricsAt(i).heapSize`. */
  heapSizeAt(i: number): number {
    if (i < 0) return this.initialMetrics.heapSize;
    this.requireHistory();
    return this.columns.metrics.heapSizeAt(i);
  }

  /** The pointer op `i` returned (or freed, or wrote through); null = NULL. Cheaper than `step(i).ptr`. */
  pointer(i: number): number | null {
    return this.columns.pointer(i);
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
    return this.columns.metrics.at(i);
  }

  /** Metrics after the last op replayed. */
  get finalMetrics(): HeapMetrics {
    // Without history, the run's own heap is still the one that replayed the last op.
    if (!this.history) return this.recorded === 0 ? this.initialMetrics : this.recorder.heap.metrics();
    return this.metricsAt(this.recorded - 1);
  }

  /** Bytes the per-op arrays and checkpoints hold. */
  get memoryBytes(): number {
    const { columns, checkpoints } = this.memory;
    return columns + checkpoints;
  }

  /** `memoryBytes` in its two parts: the per-op columns and the checkpoints. */
  get memory(): { readonly columns: number; readonly checkpoints: number } {
    return { columns: this.columns.byteLength, checkpoints: this.past?.bytes ?? 0 };
  }

  /**
   * The most ops a jump replays from a checkpoint to reach any step recorded so far (0 without
   * history): what sparser checkpoints cost a long trace (docs/memory.md).
   */
  get jumpCost(): number {
    return this.past?.jumpCost(this.recorded - 1) ?? 0;
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
    const target = this.clamp(i);
    // Without history, the run's own heap is the heap after the last op replayed, and the only one.
    if (!this.history && target === this.recorded - 1) return this.recorder.heap;
    return this.requireHistory().heapAt(target, payloads);
  }

  /** The full result of op `i` (events and message), by running it again from the state before it. */
  detail(i: number): OpResult {
    return this.requireHistory().detail(this.clamp(i - 1));
  }

  /** Pointer held by each slot after op `i` (null = NULL or never assigned). */
  pointersAt(i: number): (number | null)[] {
    return this.requireHistory().pointersAt(this.clamp(i));
  }

  /**
   * The pointer lifetimes as this run saw them, for the ops replayed so far: the trace's own
   * analysis while every allocation the trace expects to succeed did; after one returned NULL,
   * the pass run again with the outcomes seen (a free of the NULL is legal, the realloc's old
   * block still allocated). Its diagnostics replace the trace's lifetime diagnostics for the
   * ops replayed (see `runDiagnostics`).
   */
  get lifetimes(): LifetimeAnalysis {
    return this.recorder.lifetimes;
  }

  /** Whether the run's lifetimes differ from the trace's (an allocation returned NULL that the trace expects to succeed). */
  get lifetimesDiverged(): boolean {
    return this.recorder.lifetimesDiverged;
  }

  private clamp(i: number): number {
    return Math.max(-1, Math.min(i, this.recorded - 1));
  }

  private requireHistory(): History {
    if (this.past === null) throw new Error('this replay keeps its totals only (ReplayOptions.history is false): no step of it can be shown');
    return this.past;
  }
}
