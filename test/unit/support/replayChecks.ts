// Test helper for whole-trace replays: op by op on a fresh allocator, every pointer the replay's
// and the checker clean; and a jump to a step (a checkpoint restored, then ops replayed) giving the
// heap a replay from the start gives, blocks and lists alike.

import assert from 'node:assert/strict';
import { allocatorFor, type Allocator } from '../../../src/engine/index';
import { applyOp, type Replay, type Trace } from '../../../src/trace/index';

/** The heap after ops 0..i, replayed from a fresh allocator. */
export function heapFromStart(trace: Trace, run: Replay, i: number): Allocator {
  const heap = allocatorFor(run.config);
  const slots = new Int32Array(trace.names.length).fill(-1);
  for (let k = 0; k <= i; k++) applyOp(heap, trace.ops, k, slots, false);
  return heap;
}

/** At each step of `steps`, `run.heapAt` equals a replay from the start: the walk, what `lists` reads (list order, ends, rovers), and a clean check. */
export function assertJumpsRebuild(trace: Trace, run: Replay, steps: readonly number[], lists: (heap: Allocator) => unknown): void {
  for (const i of steps) {
    const expected = heapFromStart(trace, run, i);
    const at = run.heapAt(i);
    assert.deepEqual(at.walk(), expected.walk(), `op ${i}`);
    assert.deepEqual(lists(at), lists(expected), `the lists at op ${i}`);
    assert.deepEqual(at.check(), []);
  }
}

/** Replays the trace op by op on a fresh allocator: each pointer is the run's, and the checker is clean after each of the first 1000 ops, every 50th after and the last (a full check is O(blocks)). */
export function assertReplayChecked(trace: Trace, run: Replay): void {
  const heap = allocatorFor(run.config);
  const slots = new Int32Array(trace.names.length).fill(-1);
  for (let i = 0; i < trace.ops.length; i++) {
    const r = applyOp(heap, trace.ops, i, slots, false);
    assert.equal(r.ptr, run.step(i).ptr, `op ${i}: the same pointer as the replay`);
    if (i < 1000 || i % 50 === 0 || i === trace.ops.length - 1) assert.deepEqual(heap.check(), [], `op ${i}: the heap checker`);
  }
}
