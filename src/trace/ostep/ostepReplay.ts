// A script replayed on OSTEP's model (`set preset = ostep`, docs/ostep.md "In the editor"): each
// malloc an Alloc, each free a Free, on OstepHeap, with every op's result kept and the model's
// state kept every so many ops (more apart as the model holds more chunks, so the copies stay
// about four chunks an op), so any step can be rebuilt by running a few ops again.
// Sliced like the engine's replay (`advance`), so the editor can run it a piece at a time.

import type { HeapMetrics } from '../../engine/results';
import { firstIndex } from '../../shared/bisect';
import { BoundedDiagnostics } from '../diagnostics';
import type { LifetimeAnalysis } from '../lifetimes';
import type { Diagnostic, Trace } from '../model';
import { OstepAddressInUse, OstepHeap, type OstepChunk, type OstepHeapOptions } from './ostepHeap';
import { grouped } from '../figures';

/**
 * The most ops a script runs on OSTEP's model: like malloc.py, each op walks (and a sorted list
 * re-sorts) the whole list, so cost grows with the square of the ops (docs/limits.md).
 */
export const MAX_OSTEP_OPS = 20_000;
/** The fewest ops between two copies of the model's state; a state of c chunks waits c/4 ops. */
const MIN_CHECKPOINT_INTERVAL = 64;
/** The most chunks an op's one-line list shows (a lens); the story shows them all. */
export const LENS_CHUNKS = 12;

/** The list as malloc.py prints it with -c: `Free List [ Size 2 ]: [ addr:1000 sz:3 ][ addr:1008 sz:92 ]`, at most `max` chunks. */
export function ostepListDump(list: readonly OstepChunk[], max = Infinity): string {
  let text = `Free List [ Size ${list.length} ]: `;
  const shown = Math.min(list.length, max);
  for (let k = 0; k < shown; k++) text += `[ addr:${list[k]!.addr} sz:${list[k]!.size} ]`;
  if (shown < list.length) text += ` ... ${list.length - shown} more`;
  return text;
}


/** What became of an op (OstepReplay.status). */
export const OSTEP_STATUS = {
  /** An Alloc that found a chunk, or a Free that returned 0. */
  DONE: 0,
  /** An Alloc that found none (returned -1). */
  FAILED: 1,
  /** A Free of an address no chunk is allocated at (returned -1). */
  INVALID_FREE: 2,
  /** free(NULL), or a free of a pointer whose Alloc failed: nothing to do. */
  NULL_FREE: 3,
  /** realloc, calloc, write or fill: the model has only Alloc and Free. */
  NOT_IN_MODEL: 4,
  /** The op where malloc.py itself stops (an AssertionError). */
  CRASH: 5,
  /** Not run: malloc.py stopped before it, or the script is longer than MAX_OSTEP_OPS. */
  NOT_RUN: 6,
} as const;

interface Checkpoint {
  /** The op this is the state before. */
  readonly at: number;
  readonly heap: OstepHeap;
  readonly slots: Float64Array;
  readonly allocStep: ReadonlyMap<number, number>;
  readonly live: ReadonlyMap<number, number>;
}

/** The model's state after a step: the heap, each slot's chunk address (NaN: none), the step that allocated each chunk and the bytes it asked for. */
export interface OstepState {
  readonly heap: OstepHeap;
  readonly slots: Float64Array;
  readonly allocStep: ReadonlyMap<number, number>;
  /** Chunk address -> bytes requested, for the live chunks. */
  readonly live: ReadonlyMap<number, number>;
}

export class OstepReplay {
  readonly length: number;
  /** The state before the first op. */
  readonly initial: OstepState;
  /** Per op: its status (OSTEP_STATUS), the chunk it took or freed (-1: none), the list elements searched, the bytes it took or freed, the chunk it was cut from, the size of the chunk a free merged into (0: none). */
  readonly status: Uint8Array;
  readonly chunk: Float64Array;
  readonly searched: Float64Array;
  readonly taken: Float64Array;
  readonly cutFrom: Float64Array;
  readonly mergedSize: Float64Array;
  readonly metrics: HeapMetrics[] = [];
  /** Per op: the free list after it as malloc.py prints it, at most LENS_CHUNKS chunks (the one line of a lens). */
  readonly listDumps: string[] = [];
  private readonly checkpoints: Checkpoint[] = [];
  private readonly found = new BoundedDiagnostics();
  private state: { heap: OstepHeap; slots: Float64Array; allocStep: Map<number, number>; live: Map<number, number> };
  private done_ = 0;
  private peak = 0;
  private crashed = false;
  private examinedTotal_ = 0;
  private nullCount_ = 0;

  constructor(
    readonly trace: Trace,
    readonly options: OstepHeapOptions,
  ) {
    const n = trace.ops.length;
    this.length = n;
    this.status = new Uint8Array(n);
    this.chunk = new Float64Array(n);
    this.searched = new Float64Array(n);
    this.taken = new Float64Array(n);
    this.cutFrom = new Float64Array(n);
    this.mergedSize = new Float64Array(n);
    this.state = { heap: new OstepHeap(options), slots: new Float64Array(Math.max(1, trace.names.length)).fill(NaN), allocStep: new Map(), live: new Map() };
    this.initial = this.copyState(0);
  }

  static run(trace: Trace, options: OstepHeapOptions): OstepReplay {
    const replay = new OstepReplay(trace, options);
    replay.advance(Infinity);
    return replay;
  }

  get recorded(): number {
    return this.done_;
  }

  get done(): boolean {
    return this.done_ === this.length;
  }

  /** Every op's record and the checkpoints are kept (there is no totals-only run of the model). */
  get history(): boolean {
    return true;
  }

  /** List elements the Allocs searched, over the ops run. */
  get examinedTotal(): number {
    return this.examinedTotal_;
  }

  /** Allocs that found no chunk. */
  get nullCount(): number {
    return this.nullCount_;
  }

  get diagnostics(): readonly Diagnostic[] {
    return this.found.all();
  }

  /** The model keeps the trace's pointer lifetimes: a failed Alloc leaves its pointer NULL, and a free of it does nothing. */
  get lifetimes(): LifetimeAnalysis {
    return this.trace.lifetimes;
  }

  get lifetimesDiverged(): boolean {
    return false;
  }

  /** Runs up to `maxOps` more ops; returns whether every op has run. */
  advance(maxOps: number): boolean {
    const stop = Math.min(this.length, this.done_ + maxOps);
    while (this.done_ < stop) {
      const i = this.done_;
      const last = this.checkpoints[this.checkpoints.length - 1];
      const chunks = this.state.heap.freeList.length + this.state.heap.allocatedChunks.size;
      if (last === undefined || i - last.at >= Math.max(MIN_CHECKPOINT_INTERVAL, chunks / 4)) this.checkpoints.push(this.copyState(i));
      this.runOp(i, this.state, true);
      this.metrics.push(this.metricsOf(this.state));
      this.listDumps.push(ostepListDump(this.state.heap.freeList, LENS_CHUNKS));
      this.done_++;
    }
    return this.done;
  }

  /** Nothing to warm: a step is a few ops from a checkpoint. */
  warm(): boolean {
    return this.done;
  }

  /** The model after op `i` (-1: before the first), rebuilt from the checkpoint before it. A new state each call. */
  stateAt(i: number): OstepState {
    const target = Math.max(-1, Math.min(i, this.done_ - 1));
    if (target < 0) return this.initial;
    // The last checkpoint at or before the target (the first is before op 0).
    const cp = this.checkpoints[firstIndex(this.checkpoints.length, (k) => this.checkpoints[k]!.at > target) - 1]!;
    const state = { heap: cp.heap.clone(), slots: cp.slots.slice(), allocStep: new Map(cp.allocStep), live: new Map(cp.live) };
    for (let j = cp.at; j <= target; j++) this.runOp(j, state, false);
    return state;
  }

  /** The chunk address slot `slot` held after op `i` (NaN: none). */
  slotAt(i: number, slot: number): number {
    return this.stateAt(i).slots[slot] ?? NaN;
  }

  private copyState(at: number): Checkpoint {
    const s = this.state;
    return { at, heap: s.heap.clone(), slots: s.slots.slice(), allocStep: new Map(s.allocStep), live: new Map(s.live) };
  }

  /** Runs op `i` on `state`; `record` the first time (results and diagnostics), not when rebuilding a step. */
  private runOp(i: number, state: OstepState & { allocStep: Map<number, number>; live: Map<number, number> }, record: boolean): void {
    const ops = this.trace.ops;
    const kind = ops.kind(i);
    let status: number = OSTEP_STATUS.DONE;
    let chunk = -1;
    let searched = 0;
    let taken = 0;
    let cutFrom = -1;
    let mergedSize = 0;
    // Rebuilding a step runs again only what ran the first time.
    const skipped = record ? this.crashed || i >= MAX_OSTEP_OPS : this.status[i] === OSTEP_STATUS.NOT_RUN || this.status[i] === OSTEP_STATUS.CRASH;
    if (skipped) {
      status = OSTEP_STATUS.NOT_RUN;
      if (record && i === MAX_OSTEP_OPS) this.say(i, 'trace-too-long', `OSTEP's model runs at most ${grouped(MAX_OSTEP_OPS)} ops (each walks the whole free list, as malloc.py does); this op and the ones after it do not run.`);
    } else if (kind === 'malloc') {
      const request = ops.requestSize(i);
      // No chunk exceeds the heap: a larger request fails the same way, with exact numbers.
      const size = typeof request === 'bigint' || request > this.options.size ? this.options.size + 1 : request;
      try {
        const result = state.heap.malloc(size);
        searched = result.searched;
        taken = result.size;
        chunk = result.addr;
        cutFrom = result.chunkSize;
        const slot = ops.ptr(i)!;
        if (chunk === -1) {
          status = OSTEP_STATUS.FAILED;
          state.slots[slot] = NaN;
        } else {
          state.slots[slot] = chunk;
          state.allocStep.set(chunk, i);
          state.live.set(chunk, size);
        }
      } catch (err) {
        if (!(err instanceof OstepAddressInUse)) throw err;
        status = OSTEP_STATUS.CRASH;
        chunk = err.addr;
        this.crashed = true;
        if (record) this.say(i, 'model-stopped', `malloc.py stops here with an AssertionError: this Alloc would take a second chunk at address ${err.addr}, where a zero-size Alloc (line ${ops.line(state.allocStep.get(err.addr) ?? i)}) left one in use. The ops after it do not run.`);
      }
    } else if (kind === 'free') {
      const slot = ops.ptr(i);
      const addr = slot === null ? NaN : (state.slots[slot] ?? NaN);
      if (Number.isNaN(addr)) {
        status = OSTEP_STATUS.NULL_FREE;
      } else {
        chunk = addr;
        taken = state.heap.allocatedChunks.get(addr) ?? 0;
        const rc = state.heap.free(addr);
        if (rc === -1) {
          status = OSTEP_STATUS.INVALID_FREE;
        } else {
          state.allocStep.delete(addr);
          state.live.delete(addr);
          if (this.options.coalesce) {
            const holder = state.heap.freeList.find((c) => c.addr <= addr && addr < c.addr + Math.max(1, c.size));
            if (holder && holder.size > taken) mergedSize = holder.size;
          }
        }
      }
    } else {
      status = OSTEP_STATUS.NOT_IN_MODEL;
      if (record) this.say(i, 'not-in-model', `OSTEP's model has only Alloc (malloc) and Free (free); this ${kind} does not run.`);
    }
    if (!record) return;
    this.status[i] = status;
    this.chunk[i] = chunk;
    this.searched[i] = searched;
    this.taken[i] = taken;
    this.cutFrom[i] = cutFrom;
    this.mergedSize[i] = mergedSize;
    this.examinedTotal_ += searched;
    if (status === OSTEP_STATUS.FAILED) this.nullCount_++;
  }

  private say(i: number, code: 'trace-too-long' | 'not-in-model' | 'model-stopped', message: string): void {
    this.found.push({ range: this.trace.ops.range(i), severity: 'error', code, message });
  }

  private metricsOf(state: OstepState): HeapMetrics {
    let livePayload = 0;
    let allocated = 0;
    let allocatedBytes = 0;
    for (const [addr, requested] of state.live) {
      livePayload += requested;
      allocated++;
      allocatedBytes += state.heap.allocatedChunks.get(addr) ?? 0;
    }
    this.peak = Math.max(this.peak, livePayload);
    let freeBytes = 0;
    let largestFree = 0;
    let freeBlocks = 0;
    for (const c of state.heap.freeList) {
      // A zero-size chunk is on malloc.py's list but holds no bytes: not a free block (as in the chain, ostepSource.ts).
      if (c.size > 0) freeBlocks++;
      freeBytes += c.size;
      largestFree = Math.max(largestFree, c.size);
    }
    const size = this.options.size;
    return {
      livePayload,
      peakPayload: this.peak,
      heapSize: size,
      utilisation: size === 0 ? 0 : this.peak / size,
      allocatedBlocks: allocated,
      internalFragmentation: allocatedBytes - livePayload,
      freeBlocks,
      freeBytes,
      largestFree,
      externalFragmentation: freeBytes === 0 ? 0 : 1 - largestFree / freeBytes,
      unknown: null,
    };
  }

  /** The metrics before the first op. */
  get initialMetrics(): HeapMetrics {
    const size = this.options.size;
    return { livePayload: 0, peakPayload: 0, heapSize: size, utilisation: 0, allocatedBlocks: 0, internalFragmentation: 0, freeBlocks: size > 0 ? 1 : 0, freeBytes: size, largestFree: size, externalFragmentation: 0, unknown: null };
  }
}
