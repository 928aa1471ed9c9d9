// A per-op column of whole numbers that mostly change by small steps between ops (the heap's
// size, live payload, free blocks and bytes...): two bytes an op instead of four or eight. Each
// value is stored as its step from the one before, an exact value every 32 ops bounds the work
// to read one, and the rare step too big for 16 bits is kept aside.

import { blockFiguresUnknown } from '../engine/metrics';
import type { HeapMetrics } from '../engine/results';
import { grown } from '../engine/typedArrays';
import { lowerBound } from '../shared/bisect';

/** Values between anchors. */
const STRIDE = 32;
const SHIFT = 5;
/** The step is kept aside. */
const ESCAPE = -32768;

export class DeltaColumn {
  private readonly deltas: Int16Array;
  /** The value at every STRIDE-th op. */
  private readonly anchors: Float64Array;
  /** Steps too big for 16 bits: at which op, and how big (ops in increasing order). */
  private escapeAt = new Int32Array(16);
  private escapeBy = new Float64Array(16);
  private escapes = 0;
  private last = 0;
  /** Values pushed. */
  length = 0;

  /** `start`: the value before the first op (the first step is from it). */
  constructor(capacity: number, start = 0) {
    this.last = start;
    this.deltas = new Int16Array(capacity);
    this.anchors = new Float64Array(Math.ceil(capacity / STRIDE));
  }

  /** Appends the next op's value. */
  push(value: number): void {
    const i = this.length++;
    const step = value - this.last;
    this.last = value;
    if ((i & (STRIDE - 1)) === 0) this.anchors[i >> SHIFT] = value;
    if (step > ESCAPE && step <= 32767) {
      this.deltas[i] = step;
      return;
    }
    this.deltas[i] = ESCAPE;
    if (this.escapes === this.escapeAt.length) {
      this.escapeAt = grown(this.escapeAt, this.escapes * 2);
      this.escapeBy = grown(this.escapeBy, this.escapes * 2);
    }
    this.escapeAt[this.escapes] = i;
    this.escapeBy[this.escapes++] = step;
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
    let e = -1;
    for (let j = from + 1; j <= i; j++) {
      const d = deltas[j]!;
      if (d !== ESCAPE) {
        value += d;
        continue;
      }
      if (e < 0) e = this.firstEscapeFrom(j);
      value += this.escapeBy[e++]!;
    }
    return value;
  }

  /** The step from op `i - 1` to op `i` (from `start` for the first). */
  step(i: number): number {
    const d = this.deltas[i]!;
    return d === ESCAPE ? this.escapeBy[this.firstEscapeFrom(i)]! : d;
  }

  /** Bytes held. */
  get byteLength(): number {
    return this.deltas.byteLength + this.anchors.byteLength + this.escapeAt.byteLength + this.escapeBy.byteLength;
  }

  /** The first escape at op `i` or later. */
  private firstEscapeFrom(i: number): number {
    return lowerBound(this.escapeAt, i, this.escapes);
  }
}

/** Flags of an op whose metrics are partly unknown (see HeapMetrics). */
const BLOCKS_UNKNOWN = 1;
const UTILISATION_UNKNOWN = 2;

/**
 * The metrics after every op, as delta columns; peak and fragmentation ratios are derived on
 * reading. A figure the engine could not compute soundly (null) is kept as a flag, one byte an
 * op, with its column repeating the value before.
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
  private readonly unknown: Uint8Array;
  /** The engine's reason for each kind of unknown figure, as first seen. */
  private readonly reasons: string[] = [];

  /** `initial`: the metrics before the first op (an empty heap: all known). */
  constructor(capacity: number, initial: HeapMetrics) {
    this.heapSize = new DeltaColumn(capacity, initial.heapSize);
    this.livePayload = new DeltaColumn(capacity, initial.livePayload);
    this.peakPayload = new DeltaColumn(capacity, initial.peakPayload);
    this.freeBlocks = new DeltaColumn(capacity, initial.freeBlocks ?? 0);
    this.freeBytes = new DeltaColumn(capacity, initial.freeBytes ?? 0);
    this.largestFree = new DeltaColumn(capacity, initial.largestFree ?? 0);
    this.allocatedBlocks = new DeltaColumn(capacity, initial.allocatedBlocks ?? 0);
    this.allocatedBytes = new DeltaColumn(capacity, (initial.internalFragmentation ?? 0) + initial.livePayload);
    this.unknown = new Uint8Array(capacity);
  }

  /** Appends the next op's metrics. */
  push(m: HeapMetrics): void {
    const i = this.heapSize.length;
    this.heapSize.push(m.heapSize);
    this.livePayload.push(m.livePayload);
    this.peakPayload.push(m.peakPayload);
    const blocks = m.freeBlocks !== null && m.freeBytes !== null && m.largestFree !== null && m.allocatedBlocks !== null && m.internalFragmentation !== null;
    if (blocks) {
      this.freeBlocks.push(m.freeBlocks);
      this.freeBytes.push(m.freeBytes);
      this.largestFree.push(m.largestFree);
      this.allocatedBlocks.push(m.allocatedBlocks);
      this.allocatedBytes.push(m.internalFragmentation + m.livePayload);
    } else {
      for (const column of [this.freeBlocks, this.freeBytes, this.largestFree, this.allocatedBlocks, this.allocatedBytes]) column.repeat();
    }
    const flags = (blocks ? 0 : BLOCKS_UNKNOWN) | (m.utilisation === null ? UTILISATION_UNKNOWN : 0);
    this.unknown[i] = flags;
    if (flags !== 0 && this.reasons[flags] === undefined) this.reasons[flags] = m.unknown ?? 'unknown';
  }

  /** The metrics after op `i` (0 <= i < pushed). */
  at(i: number): HeapMetrics {
    const heapSize = this.heapSize.at(i);
    const live = this.livePayload.at(i);
    const peak = this.peakPayload.at(i);
    const flags = this.unknown[i]!;
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
