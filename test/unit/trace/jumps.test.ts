// Jumping to a step: the heap the replay rebuilds at step i (from a checkpoint, its allocator
// taking each op's fit from the record instead of searching) is the heap a plain run of the first
// i + 1 ops leaves, block for block, with the same live pointers, rover and metrics; running op i
// again from there gives the result the run recorded; and the metrics recorded for op i are the
// plain run's. Checked at steps visited in random
// order (forwards, backwards, far and near), for every policy and mode, on generated traces that
// run out of heap, and on the malloc lab traces.

import assert from 'node:assert/strict';
import { allocatorFor, COALESCE_MODES, POLICIES, REALLOC_MODES, type HeapConfig } from '../../../src/engine/index';
import { applyOp } from '../../../src/trace/replay';
import { parseRep, Replay, traceConfig, type Trace } from '../../../src/trace/index';
import { readMalloclab, REFERENCE, requireMalloclab } from '../support/malloclab';
import { seededRandom as rng } from '../support/generatedTrace';
import { heapState as state } from '../support/heapState';

/** A .rep trace: mallocs, frees and reallocs of mixed sizes, some big enough to hit a small heap's limit. */
function generated(ops: number, seed: number): string {
  const random = rng(seed);
  const lines: string[] = [];
  const live: number[] = [];
  let next = 0;
  const size = () => (random() < 0.9 ? 1 + Math.floor(random() * 300) : 1000 + Math.floor(random() * 20_000));
  while (lines.length < ops) {
    const r = random();
    if (live.length > 0 && r < 0.4) {
      const k = Math.floor(random() * live.length);
      lines.push(`f ${live[k]}`);
      live.splice(k, 1);
    } else if (live.length > 0 && r < 0.55) {
      lines.push(`r ${live[Math.floor(random() * live.length)]} ${size()}`);
    } else {
      live.push(next);
      lines.push(`a ${next++} ${size()}`);
    }
  }
  return ['0', String(next), String(lines.length), '1', ...lines].join('\n') + '\n';
}

function essentials(r: ReturnType<Replay['detail']>) {
  return { ptr: r.ptr, block: r.block, examined: r.examined, events: r.events, problem: r.problem?.code ?? null };
}

/** Runs the trace op by op on a fresh allocator, then visits sampled steps of the replay in random order. */
function checkJumps(trace: Trace, config: HeapConfig, samples: number, seed: number, context: string): void {
  const replay = Replay.run(trace, config, { minCheckpointInterval: 64, checkpointBytesPerOp: 8 });
  const random = rng(seed);
  const n = trace.ops.length;
  const wanted = new Set<number>([-1, 0, n - 1]);
  while (wanted.size < Math.min(samples, n + 1)) wanted.add(Math.floor(random() * (n + 1)) - 1);
  // The plain run keeps the state after every sampled step and after the step before it, so
  // "one step back" below is checked against the plain run too, never against the replay itself.
  const kept = (i: number) => wanted.has(i) || wanted.has(i + 1);
  const expected = new Map<number, { state: ReturnType<typeof state>; result: ReturnType<typeof essentials> | null }>();
  const heap = allocatorFor(config);
  const slots = new Int32Array(Math.max(1, trace.names.length)).fill(-1);
  if (kept(-1)) expected.set(-1, { state: state(heap), result: null });
  for (let i = 0; i < n; i++) {
    const result = applyOp(heap, trace.ops, i, slots, true);
    if (kept(i)) expected.set(i, { state: state(heap), result: essentials(result) });
  }
  const order = [...wanted].sort(() => random() - 0.5);
  for (const i of order) {
    const want = expected.get(i)!;
    assert.deepEqual(state(replay.heapAt(i)), want.state, `${context}: the heap after op ${i}`);
    if (i >= 0) {
      assert.deepEqual(essentials(replay.detail(i)), want.result, `${context}: op ${i} run again`);
      // The recorded metrics (kept as steps) and what the op grew the heap by (the step in its size).
      const step = replay.step(i);
      assert.deepEqual(step.metrics, want.state.metrics, `${context}: the metrics recorded after op ${i}`);
      const grown = want.result!.events.reduce((sum, e) => sum + (e.type === 'extended' ? e.size : 0), 0);
      assert.equal(step.grownBy, grown, `${context}: what op ${i} grew the heap by`);
    }
    if (i >= 0) assert.deepEqual(state(replay.heapAt(i - 1)), expected.get(i - 1)!.state, `${context}: one step back from ${i}`);
  }
}

describe('jumping to any step', () => {
  for (const preset of ['csapp', 'default'] as const) {
    it(`${preset} preset: every policy, coalescing and realloc mode, on traces that also run out of heap`, () => {
      let seed = 1;
      for (const policy of POLICIES) {
        for (const coalesce of COALESCE_MODES) {
          for (const realloc of REALLOC_MODES) {
            const trace = parseRep(generated(1500, seed++));
            const { config } = traceConfig(trace, { overrides: { preset, policy, coalesce, realloc, maxHeap: 96 * 1024 } });
            checkJumps(trace, config, 40, seed, `${policy} fit, ${coalesce} coalescing, ${realloc} realloc`);
          }
        }
      }
    });
  }

  it('the malloc lab traces, every policy, csapp preset', function () {
    requireMalloclab(this);
    this.timeout(120_000);
    for (const { trace: name } of REFERENCE) {
      const trace = parseRep(readMalloclab(name));
      for (const policy of POLICIES) {
        const { config } = traceConfig(trace, { overrides: { preset: 'csapp', policy } });
        checkJumps(trace, config, 12, name.length, `${name}, ${policy} fit`);
      }
    }
  });
});
