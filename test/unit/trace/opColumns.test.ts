// The per-op history columns are narrow (docs/memory.md, "The history of a long trace"): a block's
// address as its distance from the pointer in a byte, sizes and counts in two bytes, metrics as 8-
// or 16-bit steps, each with the rare wide value kept aside. Read back at random steps, in any
// order, they give every op's record exactly as it was recorded, wide and rare cases included:
// blocks past 64 KiB, a header far from its pointer, thousands of blocks examined, NULL results,
// problems, heaps grown by a gigabyte and metrics a corrupted heap left unknown.

import assert from 'node:assert/strict';
import { metricsFrom, metricsWithoutBlocks } from '../../../src/engine/metrics';
import { OP_PROBLEM_CODES, type HeapEvent, type HeapMetrics, type OpResult } from '../../../src/engine/results';
import { NO_PTR } from '../../../src/trace/applyOp';
import { ChangesColumn, NarrowColumn } from '../../../src/trace/deltaColumn';
import { parseHeapScript, parseRep, Replay, traceConfig } from '../../../src/trace/index';
import { OpColumns, OUTCOME, type StepRecord } from '../../../src/trace/runRecorder';
import { generatedRep, seededRandom } from '../support/generatedTrace';

const EMPTY = metricsFrom({ allocatedBlocks: 0, allocatedBytes: 0, freeBlocks: 0, freeBytes: 0, largestFree: 0 }, 0, 0, 0);
const CORRUPTED = 'the heap is corrupted';

/** What an op recorded, as the wide columns kept it: every figure whole. */
interface Recorded {
  readonly ptr: number | null;
  readonly result: OpResult;
  readonly outcome: number;
  readonly metrics: HeapMetrics;
}

/** A random op's result and metrics, a tenth of them wide or rare in some way. */
function randomOps(n: number, seed: number): Recorded[] {
  const random = seededRandom(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
  const small = () => Math.floor(random() * 2000) * 8;
  const wide = () => pick([65_535, 65_536, 1 << 20, 2 ** 30, 2 ** 31 + 8, 2 ** 40]);
  const rare = () => random() < 0.1;
  const ops: Recorded[] = [];
  let heapSize = 0;
  let live = 0;
  let peak = 0;
  let freeBlocks = 0;
  let allocatedBlocks = 0;
  let corrupted = false;
  for (let i = 0; i < n; i++) {
    const nullResult = random() < 0.03;
    const ptr = nullResult ? null : 16 + Math.floor(random() * 2 ** 26) * 8;
    const offset = rare() ? pick([-8, 255, 256, 1 << 20, 7.5]) : pick([4, 8, 16]);
    const size = nullResult || random() < 0.05 ? 0 : rare() ? wide() : 16 + small();
    const block = size === 0 ? null : { addr: (ptr ?? 0) - offset, size };
    const remainder = random() < 0.4 ? (rare() ? wide() : small()) : 0;
    const merged = random() < 0.3 ? (rare() ? wide() : small()) : 0;
    const events: HeapEvent[] = [];
    if (remainder > 0 || random() < 0.5) events.push({ type: 'placed', addr: block?.addr ?? 0, size: size + remainder, asize: size, remainder });
    if (merged > 0) events.push({ type: 'coalesced', addr: 0, size: merged, withPrev: 1, withNext: 0 });
    const problem = nullResult || random() < 0.02 ? { code: pick(OP_PROBLEM_CODES), severity: 'error' as const, message: 'a problem' } : null;
    const examined = rare() ? pick([65_535, 70_000, 2 ** 32 - 1]) : Math.floor(random() * 300);
    const result: OpResult = { op: 'malloc', requestSize: size, ptr, block, examined, events, problem };
    const outcome = Math.floor(random() * 2 ** 14) | (nullResult ? OUTCOME.NULL : 0);

    if (random() < 0.05) heapSize += rare() ? 2 ** 30 : 4096;
    live = Math.max(0, live + (rare() ? wide() : small()) * (random() < 0.5 ? 1 : -1));
    peak = Math.max(peak, live);
    freeBlocks = Math.max(0, freeBlocks + (rare() ? pick([200, -200]) : Math.floor(random() * 3) - 1));
    allocatedBlocks = Math.max(0, allocatedBlocks + (rare() ? 1000 : Math.floor(random() * 3) - 1));
    // A corrupted heap's block figures are unknown from the op that corrupted it on.
    if (i === Math.floor(n * 0.8)) corrupted = true;
    const freeBytes = freeBlocks * 64;
    const metrics = corrupted
      ? metricsWithoutBlocks(heapSize, live, peak, CORRUPTED)
      : metricsFrom({ allocatedBlocks, allocatedBytes: live + allocatedBlocks * 8, freeBlocks, freeBytes, largestFree: Math.min(freeBytes, 4096) }, heapSize, live, peak);
    ops.push({ ptr, result, outcome, metrics });
  }
  return ops;
}

/** The record the wide columns decoded for op `i`. */
function expected(ops: readonly Recorded[], i: number): Omit<StepRecord, 'op'> {
  const { ptr, result, outcome, metrics } = ops[i]!;
  const placed = result.events.find((e) => e.type === 'placed');
  const merged = result.events.find((e) => e.type === 'coalesced');
  return {
    index: i,
    ptr,
    block: result.block,
    examined: result.examined,
    outcome,
    remainder: placed?.type === 'placed' ? placed.remainder : 0,
    mergedSize: merged?.type === 'coalesced' ? merged.size : 0,
    grownBy: metrics.heapSize - (i === 0 ? 0 : ops[i - 1]!.metrics.heapSize),
    problem: result.problem?.code ?? null,
    metrics,
  };
}

describe('the narrow history columns', () => {
  it('give back every op record exactly, at random steps in any order, wide and rare values included', () => {
    const n = 20_000;
    const ops = randomOps(n, 29);
    const columns = new OpColumns(n, n, EMPTY);
    ops.forEach((op, i) => {
      columns.ptrs[i] = op.ptr ?? NO_PTR;
      columns.record(i, op.result, op.outcome, op.metrics);
    });
    const random = seededRandom(31);
    const steps = [0, 1, 63, 64, 65, n - 1, Math.floor(n * 0.8) - 1, Math.floor(n * 0.8), ...Array.from({ length: 3000 }, () => Math.floor(random() * n))];
    for (const i of steps) {
      const { op: _op, ...record } = columns.step(i, { kind: 'malloc' } as never);
      assert.deepEqual(record, expected(ops, i), `op ${i}`);
      assert.equal(columns.blockAddr(i), ops[i]!.result.block?.addr ?? 0, `op ${i}'s block address`);
      assert.equal(columns.examined(i), ops[i]!.result.examined, `op ${i}'s blocks examined`);
    }
    // Even with a tenth of the ops wide in some figure, less than the 46 bytes an op the wide columns took.
    assert.ok(columns.byteLength / n < 46, `${(columns.byteLength / n).toFixed(1)} bytes an op`);
  });

  it('keep one or two bytes a value, and the wide ones aside', () => {
    const column = new NarrowColumn(10_000, 8);
    const values = Array.from({ length: 10_000 }, (_, i) => (i % 1000 === 7 ? [255, -1, 2 ** 33, 0.5][(i / 1000) % 4 | 0]! : i % 255));
    values.forEach((v, i) => column.set(i, v));
    values.forEach((v, i) => assert.equal(column.at(i), v, `value ${i}`));
    assert.ok(column.byteLength < 10_000 + 16 * 12 + 1, `${column.byteLength} bytes`);
  });

  it('keep only the changes of a value that seldom changes', () => {
    const column = new ChangesColumn();
    const value = (i: number) => (i >= 500 && i < 700 ? 3 : i >= 9000 ? 1 : 0);
    for (let i = 0; i < 10_000; i++) column.set(i, value(i));
    for (let i = 0; i < 10_000; i++) assert.equal(column.at(i), value(i), `op ${i}`);
    assert.ok(column.byteLength <= 16 * 12, `${column.byteLength} bytes`);
  });

  it('give a replay the records, metrics and jumps of the ops it ran, with big blocks and a corrupted heap', () => {
    // Blocks past 64 KiB, a heap grown by megabytes, and a write past a block that corrupts the heap.
    const script = ['set preset = csapp', 'set maxHeap = 1G', 'a = malloc(100000)', 'b = malloc(24)', 'c = malloc(3000000)', 'free(a)', 'd = malloc(70000)', 'free(c)', 'e = malloc(5000000)', 'write(b, 24, "OVERFLOW")', 'f = malloc(16)', 'free(d)', 'g = malloc(40)'].join('\n');
    const trace = parseHeapScript(script);
    const replay = Replay.run(trace, traceConfig(trace).config);
    const blocks = [...Array(trace.ops.length).keys()].map((i) => replay.step(i).block?.size ?? 0);
    assert.ok(blocks.some((s) => s > 65_535), `blocks ${blocks}`);
    assert.ok(replay.metricsAt(trace.ops.length - 1).heapSize > 8_000_000);
    assert.ok(replay.metricsAt(trace.ops.length - 1).unknown !== null, 'the overflow left the block figures unknown');
    for (let i = trace.ops.length - 1; i >= 0; i--) {
      const step = replay.step(i);
      const heap = replay.heapAt(i);
      assert.equal(step.metrics.heapSize, heap.heapSize, `op ${i}'s heap size`);
      if (step.block && step.ptr !== null && step.metrics.unknown === null) assert.equal(heap.liveAllocations.has(step.ptr), trace.ops.kind(i) !== 'free', `op ${i}'s block`);
    }
  });

  it('make the history of a long generated trace about 31 bytes an op', () => {
    const trace = parseRep(generatedRep(100_000, 2_000, 3));
    const replay = Replay.run(trace, traceConfig(trace, { overrides: { preset: 'csapp' } }).config);
    const perOp = replay.memory.columns / trace.ops.length;
    assert.ok(perOp > 26 && perOp < 34, `${perOp.toFixed(1)} bytes an op`);
  });
});
