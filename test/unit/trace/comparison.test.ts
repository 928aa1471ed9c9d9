// The one comparison of every policy: its rows are those of five independent runs (on the samples
// and the malloc lab traces), whatever the slices it is replayed in; it stops when its caller
// stops; and a second comparison of the same run is answered from the cache without a replay.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatChain, POLICIES } from '../../../src/engine/index';
import { Comparison, ComparisonCache, formatComparison, parseHeapScript, parseTrace, policyRow, runEngine, type PolicyRow, type Trace, type TraceConfigLayers } from '../../../src/trace/index';
import { generatedRep } from '../support/generatedTrace';
import { readMalloclab, REFERENCE, requireMalloclab } from '../support/malloclab';

const SAMPLES = join(process.cwd(), 'samples');

function sample(name: string): Trace {
  return parseTrace(readFileSync(join(SAMPLES, name), 'utf8'), name.endsWith('.rep') ? 'rep' : 'heap');
}

/** Each policy replayed on its own, as `heap-inspector run --policy P` would, reduced to its row. */
function independentRows(trace: Trace, layers: TraceConfigLayers = {}): PolicyRow[] {
  return POLICIES.map((policy) => policyRow(policy, runEngine(trace, { ...layers, overrides: { ...layers.overrides, policy } })));
}

/** The comparison replayed to the end in slices of `ops` ops, checking that no slice overruns. */
function inSlices(comparison: Comparison, ops: number): Comparison {
  for (let slices = 0; ; slices++) {
    const before = comparison.replayed;
    const done = comparison.advance(ops);
    assert.ok(comparison.replayed - before <= ops, `a slice replays at most ${ops} ops`);
    if (done) return comparison;
    assert.ok(slices < 10_000_000, 'the comparison ends');
  }
}

describe('comparing every policy', () => {
  for (const name of readdirSync(SAMPLES).sort()) {
    it(`${name}: the rows are five independent runs, one policy after another`, () => {
      const trace = sample(name);
      const comparison = Comparison.of(trace, {}, { cache: new ComparisonCache() });
      assert.ok(comparison.advance(Infinity));
      const result = comparison.result()!;
      assert.deepEqual(result.policies, independentRows(trace));
      assert.equal(result.ops, trace.ops.length);
      assert.equal(comparison.replayed, POLICIES.length * trace.ops.length, 'each policy replayed once');
    });
  }

  it('the malloc lab traces: the rows are five independent runs, under both presets', function () {
    requireMalloclab(this);
    this.timeout(120_000);
    for (const { trace: name } of REFERENCE) {
      const trace = parseTrace(readMalloclab(name), 'rep');
      for (const layers of [{}, { overrides: { preset: 'csapp' as const } }]) {
        const comparison = Comparison.of(trace, layers, { cache: new ComparisonCache() });
        comparison.advance(Infinity);
        assert.deepEqual(comparison.result()!.policies, independentRows(trace, layers), `${name} ${JSON.stringify(layers)}`);
        assert.equal(comparison.result()!.preset, layers.overrides?.preset ?? 'default');
      }
    }
  });

  it('a .heap file\'s own settings apply to every policy, and the policy wins over the file\'s', () => {
    const trace = parseHeapScript(['set policy = best', 'set maxHeap = 8K', 'a = malloc(3000)', 'b = malloc(3000)', 'free(a)', 'c = malloc(100)', 'd = malloc(6000)'].join('\n'));
    const comparison = Comparison.of(trace, { defaults: { preset: 'csapp' } }, { cache: new ComparisonCache() });
    comparison.advance(Infinity);
    const rows = comparison.result()!.policies;
    assert.deepEqual(rows, independentRows(trace, { defaults: { preset: 'csapp' } }));
    assert.deepEqual(rows.map((r) => r.policy), [...POLICIES], 'one row per policy, in order');
    assert.ok(rows.every((r) => r.heapSize <= 8192), 'the file\'s max heap holds under every policy');
    assert.ok(rows.some((r) => r.nulls > 0), 'the last malloc fails somewhere under that limit');
  });

  it('slices of any size give the rows of one go, and the progress only moves forward', () => {
    const trace = sample('first-best-worst.heap');
    const whole = Comparison.of(trace, {}, { cache: new ComparisonCache() });
    whole.advance(Infinity);
    for (const ops of [1, 3, 7, 1000]) {
      const sliced = Comparison.of(trace, {}, { cache: new ComparisonCache() });
      let fraction = sliced.progress().fraction;
      const policiesSeen: (string | null)[] = [];
      while (!sliced.advance(ops)) {
        const p = sliced.progress();
        assert.ok(p.fraction >= fraction && p.fraction <= 1, 'the progress never goes back');
        fraction = p.fraction;
        if (policiesSeen.at(-1) !== p.policy) policiesSeen.push(p.policy);
      }
      assert.deepEqual(sliced.result(), whole.result(), `slices of ${ops} ops`);
      assert.equal(sliced.progress().fraction, 1);
      if (ops < trace.ops.length) assert.deepEqual(policiesSeen, [...POLICIES], 'one policy at a time, in order');
    }
  });

  it('with history, every policy\'s run shows the heap at any step as its own run does', () => {
    const trace = sample('coalescing.heap');
    const comparison = inSlices(Comparison.of(trace, {}, { history: true, cache: new ComparisonCache() }), 5);
    const runs = comparison.runs()!;
    assert.deepEqual(runs.map((r) => r.policy), [...POLICIES]);
    for (const { policy, run } of runs) {
      const alone = runEngine(trace, { overrides: { policy } });
      for (let i = -1; i < trace.ops.length; i++) {
        const heap = run.replay.heapAt(i);
        assert.equal(formatChain(heap.walk()), formatChain(alone.replay.heapAt(i).walk()), `${policy} after op ${i}`);
        assert.deepEqual(heap.check(), [], `${policy}: the checker after op ${i}`);
      }
    }
    assert.equal(Comparison.of(trace, {}, { cache: new ComparisonCache() }).runs(), undefined, 'no runs without history');
  });

  it('stops when its caller stops, keeps nothing unfinished, and resumes to the same rows', () => {
    const trace = parseTrace(generatedRep(3000, 100), 'rep');
    const cache = new ComparisonCache();
    const comparison = Comparison.of(trace, {}, { cache });
    assert.equal(comparison.work(() => true), false, 'stopped at the first look at the clock');
    const stoppedAt = comparison.replayed;
    assert.ok(stoppedAt > 0 && stoppedAt < POLICIES.length * trace.ops.length, `stopped part way (${stoppedAt} ops)`);
    assert.equal(comparison.result(), undefined, 'no comparison until every policy is done');
    assert.equal(comparison.replayed, stoppedAt, 'nothing replays while nobody asks');

    const fresh = Comparison.of(trace, {}, { cache });
    assert.ok(!fresh.done, 'a policy stopped part way is not in the cache');

    let looks = 0;
    assert.ok(comparison.work(() => ++looks > 1_000_000));
    assert.deepEqual(comparison.result()!.policies, independentRows(trace));
    assert.equal(comparison.replayed, POLICIES.length * trace.ops.length, 'resumed where it stopped: no op replayed twice');
  });

  it('a second comparison of the same run comes from the cache, without a replay', () => {
    const trace = sample('first-best-worst.heap');
    const cache = new ComparisonCache();
    const first = Comparison.of(trace, {}, { cache });
    first.advance(Infinity);

    const again = Comparison.of(trace, {}, { cache });
    assert.ok(again.done, 'done before any advance');
    assert.ok(again.advance(Infinity));
    assert.equal(again.replayed, 0, 'no op replayed');
    assert.deepEqual(again.result(), first.result());
    assert.equal(formatComparison('t', again.result()!), formatComparison('t', first.result()!));

    const otherLimit = Comparison.of(trace, { overrides: { maxHeap: 4096 } }, { cache });
    assert.ok(!otherLimit.done, 'another configuration is another replay');
    const sameTextReadAgain = Comparison.of(sample('first-best-worst.heap'), {}, { cache });
    assert.ok(!sameTextReadAgain.done, 'the cache is per run: a trace read again is replayed again');

    const withHistory = Comparison.of(trace, {}, { history: true, cache });
    assert.ok(!withHistory.done, 'rows alone cannot show a step: the panel replays with history');
    withHistory.advance(Infinity);
    const rowsAfterHistory = Comparison.of(trace, {}, { cache });
    assert.ok(rowsAfterHistory.done && rowsAfterHistory.replayed === 0, 'runs with history answer for rows');
  });

  it('a known complete run stands for its policy; only the other policies are replayed', () => {
    const trace = sample('realloc.heap');
    const known = runEngine(trace, { overrides: { policy: 'best' } });
    const comparison = Comparison.of(trace, {}, { history: true, known, cache: new ComparisonCache() });
    comparison.advance(Infinity);
    assert.equal(comparison.replayed, (POLICIES.length - 1) * trace.ops.length);
    assert.equal(comparison.runs()!.find((r) => r.policy === 'best')!.run.replay, known.replay, 'the same replay, not a copy');
    assert.deepEqual(comparison.result()!.policies, independentRows(trace));

    const partial = runEngine(parseHeapScript('a = malloc(8)'), { overrides: { policy: 'first' } });
    const other = Comparison.of(trace, {}, { known: partial, cache: new ComparisonCache() });
    other.advance(Infinity);
    assert.equal(other.replayed, POLICIES.length * trace.ops.length, 'a run of another trace stands for nothing');
  });
});
