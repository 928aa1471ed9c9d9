// Narrow per-op columns. A delta column holds whole numbers that mostly change by small steps
// between ops (the heap's size, live payload, free blocks and bytes...): one or two bytes an op
// instead of four or eight. Each value is stored as its step from the one before, an exact value
// every 64 ops bounds the work to read one, and the rare step too wide is kept aside. A narrow
// column keeps small values in one or two bytes and the rare wide one aside; a changes column keeps
// only the ops where its value changes (docs/memory.md, "The history of a long trace").

import type { Allocator } from '../engine/allocator';
import type { BlockTotals } from '../engine/blockStats';
import { blockFiguresUnknown, OVERLAP, payloadsOverlapped } from '../engine/metrics';
import type { HeapMetrics } from '../engine/results';
import { grown } from '../engine/typedArrays';
import { lowerBound } from '../shared/bisect';

/** Values between anchors. */
const STRIDE = 64;
const SHIFT = 6;

/** How many bits a narrow or delta column keeps an op's value or step in. */
export type ColumnBits = 8 | 16;

export class DeltaColumn {
  private readonly deltas: Int8Array | Int16Array;
  /** The step is kept aside; steps above `-escape` fit. */
  private readonly escape: number;
  /** The value at every STRIDE-th op. */
  private readonly anchors: Float64Array;
  /** Steps too wide for the column: at which op, and how big. */
  private readonly aside = new AsideValues();
  private last = 0;
  /** Values pushed. */
  length = 0;

  /** `start`: the value before the first op (the first step is from it); `bits`: of each step. */
  constructor(capacity: number, start = 0, bits: ColumnBits = 16) {
    this.last = start;
    this.deltas = bits === 8 ? new Int8Array(capacity) : new Int16Array(capacity);
    this.escape = bits === 8 ? -128 : -32768;
    this.anchors = new Float64Array(Math.ceil(capacity / STRIDE));
  }

  /** Appends the next op's value. */
  push(value: number): void {
    const i = this.length++;
    const step = value - this.last;
    this.last = value;
    if ((i & (STRIDE - 1)) === 0) this.anchors[i >> SHIFT] = value;
    if (step > this.escape && step < -this.escape) {
      this.deltas[i] = step;
      return;
    }
    this.deltas[i] = this.escape;
    this.aside.push(i, step);
  }

  /** Appends the value before again (a step of 0). */
  repeat(): void {
    this.push(this.last);
  }

  /** The value of op `i` (0 <= i < length). */
  at(i: number): number {
    const from = i & ~(STRIDE - 1);
    let value = this.anchors[i >> SHIFT]!;
    const deltas = this.deltas;
    const escape = this.escape;
    let e = -1;
    for (let j = from + 1; j <= i; j++) {
      const d = deltas[j]!;
      if (d !== escape) {
        value += d;
        continue;
      }
      if (e < 0) e = this.aside.firstFrom(j);
      value += this.aside.value(e++);
    }
    return value;
  }

  /** The step from op `i - 1` to op `i` (from `start` for the first). */
  step(i: number): number {
    const d = this.deltas[i]!;
    return d === this.escape ? this.aside.value(this.aside.firstFrom(i)) : d;
  }

  /** Bytes held. */
  get byteLength(): number {
    return this.deltas.byteLength + this.anchors.byteLength + this.aside.byteLength;
  }
}

/** Values kept aside for a few ops of a column, appended in increasing op order. */
class AsideValues {
  private ops = new Int32Array(16);
  private values = new Float64Array(16);
  private count = 0;

  push(op: number, value: number): void {
    if (this.count === this.ops.length) {
      this.ops = grown(this.ops, this.count * 2);
      this.values = grown(this.values, this.count * 2);
    }
    this.ops[this.count] = op;
    this.values[this.count++] = value;
  }

  /** The index of the first value kept for op `op` or a later one. */
  firstFrom(op: number): number {
    return lowerBound(this.ops, op, this.count);
  }

  /** The value at index `k` (from `firstFrom`). */
  value(k: number): number {
    return this.values[k]!;
  }

  /** The value kept for op `op`, or 0 if none was. */
  of(op: number): number {
    const k = this.firstFrom(op);
    return k < this.count && this.ops[k] === op ? this.values[k]! : 0;
  }

  get byteLength(): number {
    return this.ops.byteLength + this.values.byteLength;
  }
}

/**
 * A per-op column of values that mostly fit in one or two bytes (a block's size, the blocks a fit
 * examined, a remainder): the rare wider one, negative or fractional value is kept aside. Ops are
 * set in increasing order, each once.
 */
export class NarrowColumn {
  private readonly narrow: Uint8Array | Uint16Array;
  /** The value is kept aside; those below fit. */
  private readonly escape: number;
  private readonly aside = new AsideValues();

  constructor(capacity: number, bits: ColumnBits) {
    this.narrow = bits === 8 ? new Uint8Array(capacity) : new Uint16Array(capacity);
    this.escape = bits === 8 ? 0xff : 0xffff;
  }

  set(i: number, value: number): void {
    if (value >= 0 && value < this.escape && Number.isInteger(value)) {
      this.narrow[i] = value;
      return;
    }
    this.narrow[i] = this.escape;
    this.aside.push(i, value);
  }

  at(i: number): number {
    const v = this.narrow[i]!;
    return v === this.escape ? this.aside.of(i) : v;
  }

  get byteLength(): number {
    return this.narrow.byteLength + this.aside.byteLength;
  }
}

/**
 * A per-op column of values that seldom change (whether an op's metrics are partly unknown: from
 * the op that corrupted the heap on): only the ops where it changes are kept. Ops are set in
 * increasing order, each once; before the first change the value is 0.
 */
export class ChangesColumn {
  private readonly changes = new AsideValues();
  private last = 0;

  set(i: number, value: number): void {
    if (value === this.last) return;
    this.changes.push(i, value);
    this.last = value;
  }

  at(i: number): number {
    const k = this.changes.firstFrom(i + 1) - 1;
    return k < 0 ? 0 : this.changes.value(k);
  }

  get byteLength(): number {
    return this.changes.byteLength;
  }
}

/** Flags of an op whose metrics are partly unknown (see HeapMetrics). */
const BLOCKS_UNKNOWN = 1;
const UTILISATION_UNKNOWN = 2;

/**
 * The metrics after every op, as delta columns; peak and fragmentation ratios are derived on
 * reading. A figure the engine could not compute soundly (null) is kept as a flag, for the ops
 * that have one, with its column repeating the value before.
 */
export class MetricColumns {
  private readonly heapSize: DeltaColumn;
  private readonly livePayload: DeltaColumn;
  private readonly peakPayload: DeltaColumn;
  private readonly freeBlocks: DeltaColumn;
  private readonly freeBytes: DeltaColumn;
  private readonly largestFree: DeltaColumn;
  private readonly allocatedBlocks: DeltaColumn;
  private readonly allocatedBytes: DeltaColumn;
  /** Flags of the ops with unknown figures (none but after a write corrupted the heap, nearly always). */
  private readonly unknown = new ChangesColumn();
  /** The engine's reason for each kind of unknown figure, as first seen. */
  private readonly reasons: string[] = [];

  /** `initial`: the metrics before the first op (an empty heap: all known). */
  constructor(capacity: number, initial: HeapMetrics) {
    this.heapSize = new DeltaColumn(capacity, initial.heapSize);
    this.livePayload = new DeltaColumn(capacity, initial.livePayload);
    this.peakPayload = new DeltaColumn(capacity, initial.peakPayload);
    // Block counts change by one or two an op: one byte a step.
    this.freeBlocks = new DeltaColumn(capacity, initial.freeBlocks ?? 0, 8);
    this.freeBytes = new DeltaColumn(capacity, initial.freeBytes ?? 0);
    this.largestFree = new DeltaColumn(capacity, initial.largestFree ?? 0);
    this.allocatedBlocks = new DeltaColumn(capacity, initial.allocatedBlocks ?? 0, 8);
    this.allocatedBytes = new DeltaColumn(capacity, (initial.internalFragmentation ?? 0) + initial.livePayload);
  }

  /** Appends the next op's metrics. */
  push(m: HeapMetrics): void {
    const known = m.freeBlocks !== null && m.freeBytes !== null && m.largestFree !== null && m.allocatedBlocks !== null && m.internalFragmentation !== null;
    const blocks = known ? { allocatedBlocks: m.allocatedBlocks, allocatedBytes: m.internalFragmentation + m.livePayload, freeBlocks: m.freeBlocks, freeBytes: m.freeBytes, largestFree: m.largestFree } : null;
    this.append(m.heapSize, m.livePayload, m.peakPayload, blocks, m.utilisation !== null, m.unknown);
  }

  /** Appends the heap's metrics after the next op: from its running figures, making no object, when it has them. */
  pushFrom(heap: Allocator): void {
    const f = heap.runningFigures();
    if (f === null) this.push(heap.metrics());
    else this.append(f.heapSize, f.livePayload, f.peakPayload, f.totals, !payloadsOverlapped(f.peakPayload, f.heapSize), OVERLAP);
  }

  /** Appends an op's figures; `blocks` null: its block figures are unknown; `reason`: why any figure is unknown. */
  private append(heapSize: number, livePayload: number, peakPayload: number, blocks: BlockTotals | null, utilisationKnown: boolean, reason: string | null): void {
    const i = this.heapSize.length;
    this.heapSize.push(heapSize);
    this.livePayload.push(livePayload);
    this.peakPayload.push(peakPayload);
    if (blocks) {
      this.freeBlocks.push(blocks.freeBlocks);
      this.freeBytes.push(blocks.freeBytes);
      this.largestFree.push(blocks.largestFree);
      this.allocatedBlocks.push(blocks.allocatedBlocks);
      this.allocatedBytes.push(blocks.allocatedBytes);
    } else {
      for (const column of [this.freeBlocks, this.freeBytes, this.largestFree, this.allocatedBlocks, this.allocatedBytes]) column.repeat();
    }
    const flags = (blocks ? 0 : BLOCKS_UNKNOWN) | (utilisationKnown ? 0 : UTILISATION_UNKNOWN);
    this.unknown.set(i, flags);
    if (flags !== 0 && this.reasons[flags] === undefined) this.reasons[flags] = reason ?? 'unknown';
  }

  /** The metrics after op `i` (0 <= i < pushed). */
  at(i: number): HeapMetrics {
    const heapSize = this.heapSize.at(i);
    const live = this.livePayload.at(i);
    const peak = this.peakPayload.at(i);
    const flags = this.unknown.at(i);
    const utilisation = flags & UTILISATION_UNKNOWN ? null : heapSize === 0 ? 0 : peak / heapSize;
    if (flags & BLOCKS_UNKNOWN) return blockFiguresUnknown(live, peak, heapSize, utilisation, this.reasons[flags] ?? null);
    const freeBytes = this.freeBytes.at(i);
    const largestFree = this.largestFree.at(i);
    return {
      livePayload: live,
      peakPayload: peak,
      heapSize,
      utilisation,
      allocatedBlocks: this.allocatedBlocks.at(i),
      internalFragmentation: this.allocatedBytes.at(i) - live,
      freeBlocks: this.freeBlocks.at(i),
      freeBytes,
      largestFree,
      externalFragmentation: freeBytes === 0 ? 0 : 1 - largestFree / freeBytes,
      unknown: flags === 0 ? null : (this.reasons[flags] ?? null),
    };
  }

  /** The heap's size after op `i`, without the rest of its metrics. */
  heapSizeAt(i: number): number {
    return this.heapSize.at(i);
  }

  /** What op `i` grew the heap by: the step in its size. */
  grownBy(i: number): number {
    return this.heapSize.step(i);
  }

  get byteLength(): number {
    return [this.heapSize, this.livePayload, this.peakPayload, this.freeBlocks, this.freeBytes, this.largestFree, this.allocatedBlocks, this.allocatedBytes].reduce((sum, c) => sum + c.byteLength, this.unknown.byteLength);
  }
}
