// The history of a run: checkpoints of the block structure (about 48 bytes an op, amortised, and
// 64 MiB for the whole run: a longer run's checkpoints are sparser), and a cursor, the heap moved
// to the step on show, rebuilt from the nearest checkpoint by a bounded replay, backwards as
// cheaply as forwards (docs/memory.md, "The history of a long trace").

import { firstIndex } from '../shared/bisect';
import type { Allocator } from '../engine/allocator';
import type { FitSearch } from '../engine/fitSearch';
import type { HeapConfig } from '../engine/config';
import { restoreAllocator } from '../engine/index';
import type { DenseSet } from '../engine/denseSet';
import type { AllocatorSnapshot, OpResult } from '../engine/results';
import { applyOp, NO_PTR } from './applyOp';
import { packCheckpoint, packedBytes, PointerSizes, UnpackBuffers, unpackCheckpoint, type PackedArrays } from './checkpointPacking';
import { fillNewPayload } from './driverChecks';
import type { Trace } from './model';
import { OUTCOME, type OpColumns } from './runRecorder';

/** How a run's history is kept and rebuilt. */
export interface HistorySettings {
  /** Checkpoint memory budget, amortised per op (default 48 bytes). */
  readonly checkpointBytesPerOp?: number;
  /**
   * Checkpoint memory budget for the whole run (default CHECKPOINT_BUDGET): a trace longer than
   * it allows at `checkpointBytesPerOp` gets its share per op instead, so sparser checkpoints.
   */
  readonly checkpointBudget?: number;
  /** Fewest ops between checkpoints (default 256). */
  readonly minCheckpointInterval?: number;
  /** mdriver's fill byte per slot, and whether the run filled payloads with them. */
  readonly patterns: Uint8Array;
  readonly fill: boolean;
  /** A slot forgets its pointer after a valid free (see `clearsOnFree`). */
  readonly clearOnFree: boolean;
  /** The trace writes to the heap itself: the cursor must search for fits on real bytes. */
  readonly withBytes: boolean;
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
  /** The heap's snapshot, its blocks and live pairs empty: they are packed. */
  readonly snapshot: AllocatorSnapshot;
  /** The snapshot's blocks and live pairs, and the (slot, pointer) pairs of the slots holding a pointer, packed (checkpointPacking.ts). */
  readonly packed: PackedArrays;
}

const NOTHING = new Uint32Array(0);

/** The default checkpoint budget of a whole run: 48 bytes an op up to about 1.4 million ops. */
export const CHECKPOINT_BUDGET = 64 * 2 ** 20;

export class History {
  private readonly checkpoints: Checkpoint[] = [];
  private nextCheckpoint = 0;
  /** The checkpoint budget per op: `checkpointBytesPerOp`, or the run's share of `checkpointBudget`. */
  private readonly bytesPerOp: number;
  /** The most ops between two checkpoints in a row, less one: the longest replay to a step before the last checkpoint. */
  private widestGap = 0;
  private cursor: Cursor | null = null;
  /** The run's own allocator once the run is done: the first cursor takes it over (nothing else uses it). */
  private spare: Allocator | undefined;
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
  /** The live pointers' sizes, when a checkpoint is packed. */
  private readonly sizes = new PointerSizes();
  /** What a restore unpacks a checkpoint into (the allocator reads it and keeps none of it). */
  private readonly unpacked = new UnpackBuffers();

  constructor(
    private readonly trace: Trace,
    config: HeapConfig,
    private readonly columns: OpColumns,
    private readonly slotCount: number,
    private readonly settings: HistorySettings,
  ) {
    this.recordedFit = settings.withBytes ? null : { findFit: () => this.fitFromRecord() };
    this.cursorConfig = this.recordedFit ? { ...config, search: 'linear' } : config;
    const perOp = settings.checkpointBytesPerOp ?? 48;
    this.bytesPerOp = Math.min(perOp, (settings.checkpointBudget ?? CHECKPOINT_BUDGET) / Math.max(1, trace.ops.length));
  }

  /** Whether a checkpoint is due after op `index`. */
  due(index: number): boolean {
    return index >= this.nextCheckpoint;
  }

  /**
   * Keeps the state after op `index` (-1: the empty heap): the heap's snapshot (with its bytes
   * when `bytes`) and the slots in `held`.
   */
  save(index: number, heap: Allocator, slots: Int32Array, held: DenseSet, bytes: boolean): void {
    const pairs = new Int32Array(2 * held.size);
    for (let k = 0; k < held.size; k++) {
      const slot = held.members[k]!;
      pairs[2 * k] = slot;
      pairs[2 * k + 1] = slots[slot]!;
    }
    // Freed pointers matter only to ops that free or realloc a pointer twice, which only a trace
    // with lifetime errors has.
    const snapshot = heap.snapshot(bytes, !this.settings.clearOnFree);
    const packed = packCheckpoint({ blocks: snapshot.blocks, live: snapshot.live, slots: pairs }, slots, held, this.sizes);
    const cp: Checkpoint = { index, snapshot: { ...snapshot, blocks: NOTHING, live: NOTHING }, packed };
    const last = this.checkpoints[this.checkpoints.length - 1];
    if (last !== undefined) this.widestGap = Math.max(this.widestGap, index - last.index - 1);
    this.checkpoints.push(cp);
    const interval = Math.max(this.settings.minCheckpointInterval ?? 256, Math.ceil(checkpointBytes(cp) / this.bytesPerOp));
    this.nextCheckpoint = index + interval;
  }

  /**
   * The jump cost: the most ops a jump replays from its checkpoint to reach any step up to op
   * `last` (the last op recorded). A jump costs about a microsecond an op replayed (docs/memory.md).
   */
  jumpCost(last: number): number {
    const final = this.checkpoints[this.checkpoints.length - 1];
    return Math.max(this.widestGap, final === undefined ? 0 : last - final.index);
  }

  /** How many checkpoints there are. */
  get checkpointCount(): number {
    return this.checkpoints.length;
  }

  /** The run is done: its allocator may become the cursor's. */
  adopt(heap: Allocator): void {
    this.spare = heap;
  }

  /** Bytes the checkpoints hold. */
  get bytes(): number {
    return this.checkpoints.reduce((sum, c) => sum + checkpointBytes(c), 0);
  }

  /**
   * The heap after op `target` (-1 <= target < ops recorded), rebuilt from the nearest checkpoint;
   * shared and valid until the next call. With `payloads`, mdriver's fill bytes are put back too.
   */
  heapAt(target: number, payloads: boolean): Allocator {
    return this.moveTo(target, payloads).heap;
  }

  /** The full result of the op after `before` (events and message), by running it again from the state before it. */
  detail(before: number): OpResult {
    const cursor = this.moveTo(before, false);
    cursor.heap.setQuiet(false);
    try {
      return this.step(cursor);
    } finally {
      cursor.heap.setQuiet(true);
    }
  }

  /** Pointer held by each slot after op `target` (null = NULL or never assigned). */
  pointersAt(target: number): (number | null)[] {
    return Array.from(this.moveTo(target, false).slots, (p) => (p === NO_PTR ? null : p));
  }

  /**
   * Moves the cursor up to `maxSteps` ops on towards op `last`; returns whether it is there. Run
   * to the end before the first jump, it leaves the cursor's code compiled, so that the first
   * jump costs what any later one does.
   */
  warm(last: number, maxSteps: number): boolean {
    const start = Math.max(this.cursor?.index ?? -1, this.checkpointAtOrBefore(last).index);
    const there = this.moveTo(Math.min(last, start + maxSteps), false).index === last;
    if (!there || this.rewarmed) return there;
    // Once there, back to the checkpoint and on again: a jump restores onto the cursor's own heap,
    // which the first restore (onto the run's) did not, and whose first time cost a jump of 100,000
    // blocks some 50 ms more than later ones (docs/performance.md, "The heap before from the heap after").
    this.rewarmed = true;
    this.cursor = this.restore(this.checkpointAtOrBefore(last), false);
    return this.cursor.index === last;
  }

  /** Whether warm() has restored a second time (see there). */
  private rewarmed = false;

  private moveTo(target: number, payloads: boolean): Cursor {
    const cp = this.checkpointAtOrBefore(target);
    const fill = this.settings.fill && payloads;
    let cursor = this.cursor;
    // From a later checkpoint only if that is cheaper than stepping on: a restore rebuilds every
    // block, at about a tenth of what replaying an op costs (docs/performance.md, "Stepping on big heaps").
    const nearer = cursor !== null && cp.index > cursor.index && cp.index - cursor.index > cp.packed.blockCount / 10;
    if (cursor === null || cursor.index > target || nearer || (fill && !cursor.payloads)) {
      cursor = this.restore(cp, fill);
      this.cursor = cursor;
    }
    while (cursor.index < target) this.step(cursor);
    return cursor;
  }

  /** Runs the op after the cursor's on its heap. */
  private step(cursor: Cursor): OpResult {
    const i = cursor.index + 1;
    this.fitOp = i;
    this.fitCall = 0;
    const result = applyOp(cursor.heap, this.trace.ops, i, cursor.slots, this.settings.clearOnFree);
    if (cursor.payloads) fillNewPayload(cursor.heap, this.trace.ops, i, result, this.settings.patterns);
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
    const outcome = this.columns.outcomes[i]!;
    const call = this.fitCall++;
    // One object, rewritten: the allocator reads it before it searches again.
    const fit = this.recordedFitResult;
    if (call === 0 && outcome & OUTCOME.COALESCED_ALL) {
      fit.addr = null;
      fit.examined = 0;
    } else {
      fit.addr = outcome & (OUTCOME.EXTENDED | OUTCOME.NULL) ? null : this.columns.blockAddr(i);
      fit.examined = this.columns.examined(i);
    }
    return fit;
  }

  private checkpointAtOrBefore(index: number): Checkpoint {
    const cps = this.checkpoints;
    // The last checkpoint at or before `index` (the first one, at the start, always is).
    return cps[Math.max(0, firstIndex(cps.length, (k) => cps[k]!.index > index) - 1)]!;
  }

  private restore(cp: Checkpoint, payloads: boolean): Cursor {
    // The cursor is about to be replaced: the new one takes over its buffers (the first one, the
    // finished run's allocator).
    const old = this.cursor;
    const donor = old?.heap ?? this.spare;
    this.spare = undefined;
    // Stepping only has to reach a state: nothing reads the events of the ops on the way, and
    // nothing reads the cursor's metrics op by op (they are in the columns).
    const arrays = unpackCheckpoint(cp.packed, this.unpacked);
    const heap = restoreAllocator(this.cursorConfig, { ...cp.snapshot, blocks: arrays.blocks, live: arrays.live }, donor, { totalsOnDemand: true, quiet: true, ...(this.recordedFit ? { fitSearch: this.recordedFit } : {}) });
    this.cursor = null;
    const slots = (old?.slots ?? new Int32Array(this.slotCount)).fill(NO_PTR);
    for (let k = 0; k < arrays.slots.length; k += 2) slots[arrays.slots[k]!] = arrays.slots[k + 1]!;
    if (payloads && !cp.snapshot.bytes) {
      // The structure came back without payload bytes: put each live block's pattern back.
      slots.forEach((ptr, slot) => {
        const size = ptr === NO_PTR ? undefined : heap.liveAllocations.get(ptr);
        if (size !== undefined) heap.memory.fill(ptr, size, this.settings.patterns[slot]!);
      });
    }
    // A checkpoint's bytes hold mdriver's patterns only if the run filled payloads: a script's
    // bytes are its own, and its steps must not overwrite them with patterns.
    return { index: cp.index, heap, slots, payloads: payloads || (this.settings.fill && cp.snapshot.bytes !== null) };
  }
}

/**
 * What a checkpoint holds: its arrays and, of the heap's bytes, what the checkpoints before it do
 * not already hold (the bytes' pages are shared; see docs/memory.md).
 */
function checkpointBytes(cp: Checkpoint): number {
  const s = cp.snapshot;
  return packedBytes(cp.packed) + s.freed.byteLength + (s.bytes?.ownBytes ?? 0) + 64;
}
