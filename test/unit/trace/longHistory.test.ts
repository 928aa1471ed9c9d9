// The history of a long trace (docs/memory.md, "The history of a long trace"): a run's
// checkpoints keep within the whole run's budget, sparser when the trace is longer than the budget
// allows at the per-op rate, and state their jump cost; every step rebuilt from the sparse
// checkpoints is the step the dense history rebuilds, block for block, with the same pointers,
// record and op run again. A budget made small for the test stands in for ten million ops.

import assert from 'node:assert/strict';
import { parseRep, Replay, traceConfig, type Trace } from '../../../src/trace/index';
import { generatedRep, seededRandom } from '../support/generatedTrace';
import { heapState as state } from '../support/heapState';

const OPS = 200_000;

describe('the history of a long trace', function () {
  this.timeout(120_000);
  let trace: Trace;
  before(() => (trace = parseRep(generatedRep(OPS, 3_000, 17))));

  const run = (budget: number, policy: 'first' | 'best' = 'first') => {
    const { config } = traceConfig(trace, { overrides: { preset: 'csapp', policy } });
    return Replay.run(trace, config, { checkpointBudget: budget });
  };

  it('keeps 48 bytes an op while the whole budget allows it: a short trace is not made sparser by the default budget', () => {
    const unbounded = run(Infinity);
    const byDefault = Replay.run(trace, traceConfig(trace, { overrides: { preset: 'csapp' } }).config);
    assert.equal(byDefault.memory.checkpoints, unbounded.memory.checkpoints);
    assert.equal(byDefault.jumpCost, unbounded.jumpCost);
    assert.ok(unbounded.memory.checkpoints <= 48 * OPS * 1.05, `${unbounded.memory.checkpoints} bytes of checkpoints`);
  });

  for (const policy of ['first', 'best'] as const) {
    it(`${policy} fit: a budget of 4 bytes an op keeps the checkpoints within it, at a stated jump cost, and every step rebuilds exactly`, () => {
      const budget = 4 * OPS;
      const dense = run(Infinity, policy);
      const sparse = run(budget, policy);
      // Within the budget, but for the last checkpoint, which no interval after it pays for.
      assert.ok(sparse.memory.checkpoints <= budget * 1.1, `${sparse.memory.checkpoints} bytes of checkpoints for a budget of ${budget}`);
      assert.ok(sparse.memory.checkpoints < dense.memory.checkpoints / 4, 'sparser than the dense history');
      assert.ok(sparse.jumpCost > 4 * dense.jumpCost, `jump cost ${sparse.jumpCost} ops against ${dense.jumpCost}`);
      assert.ok(sparse.jumpCost < OPS / 4, `jump cost ${sparse.jumpCost} ops`);
      assert.equal(sparse.memory.columns, dense.memory.columns, 'the per-op record is the same');

      const random = seededRandom(policy.length);
      const steps = new Set<number>([-1, 0, OPS - 1, OPS - 2]);
      while (steps.size < 60) steps.add(Math.floor(random() * (OPS + 1)) - 1);
      // Random order: forwards, backwards, far and near, across the wide gaps between checkpoints.
      for (const i of [...steps].sort(() => random() - 0.5)) {
        assert.deepEqual(state(sparse.heapAt(i)), state(dense.heapAt(i)), `the heap after op ${i}`);
        assert.deepEqual(sparse.pointersAt(i), dense.pointersAt(i), `the pointers after op ${i}`);
        if (i < 0) continue;
        assert.deepEqual(sparse.step(i), dense.step(i), `op ${i}'s record`);
        const again = (r: Replay) => {
          const d = r.detail(i);
          return { ptr: d.ptr, block: d.block, examined: d.examined, events: d.events, problem: d.problem?.code ?? null };
        };
        assert.deepEqual(again(sparse), again(dense), `op ${i} run again`);
      }
    });
  }
});
