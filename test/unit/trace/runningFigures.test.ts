// The history's metrics are read from the allocator's running figures after every op, with no
// object made for them (docs/performance.md, "No object per op"): they must be the metrics an
// allocator driven op by op reports, on every op, whether the heap is sound or corrupted by a
// write (then they come from a walk, as before).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { allocatorFor } from '../../../src/engine/index';
import { applyOp, parseHeapScript, parseRep, Replay, traceConfig, type Trace } from '../../../src/trace/index';
import { readMalloclab, requireMalloclab } from '../support/malloclab';

const sample = (name: string) => readFileSync(join(process.cwd(), 'samples', name), 'utf8');

/** Every op's metrics in the replay's history, against a fresh allocator's after the same op. */
function sameMetricsOnEveryOp(trace: Trace, preset: 'csapp' | 'default'): void {
  const { config } = traceConfig(trace, { overrides: { preset } });
  const replay = new Replay(trace, config);
  replay.advance(Infinity);
  const heap = allocatorFor(config);
  const slots = new Int32Array(trace.names.length).fill(-1);
  for (let i = 0; i < trace.ops.length; i++) {
    applyOp(heap, trace.ops, i, slots, false);
    assert.deepEqual(replay.metricsAt(i), heap.metrics(), `metrics after op ${i}`);
  }
}

describe('metrics recorded from the running figures', () => {
  it('a sound heap: every op of a malloc lab trace, under each placement policy', function () {
    requireMalloclab(this);
    const trace = parseRep(readMalloclab('amptjp-bal'));
    for (const preset of ['csapp', 'default'] as const) sameMetricsOnEveryOp(trace, preset);
  });

  it('a heap a write corrupted: the block figures unknown from that op on, and why', () => {
    const trace = parseHeapScript(sample('overflow.heap'));
    sameMetricsOnEveryOp(trace, 'csapp');
    const { config } = traceConfig(trace, { overrides: { preset: 'csapp' } });
    const replay = new Replay(trace, config);
    replay.advance(Infinity);
    const last = replay.metricsAt(trace.ops.length - 1);
    assert.equal(last.freeBlocks, null, 'the blocks cannot be counted');
    assert.match(last.unknown ?? '', /corrupted/);
  });
});
