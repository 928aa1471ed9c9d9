// A trace's parse and replay a slice at a time (what the editor runs between its other work): it
// ends with the run `runEngine` gives, does only a bounded amount of work before it looks at the
// clock, and meanwhile has a partial run that says which ops are not replayed yet.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { POLICIES } from '../../../src/engine/index';
import {
  comparePolicies,
  comparisonOf, policyRow,
  describeLife,
  sourceOf,
  parseHeapScript,
  parseTrace,
  runJson,
  runEngine,
  TraceJob,
  type Replay,
  type TraceConfigLayers,
  type TraceFormat,
  type TraceRun,
  type EngineRun,
} from '../../../src/trace/index';
import { generatedRep } from '../support/generatedTrace';
import { readMalloclab, REFERENCE, requireMalloclab } from '../support/malloclab';

/** Everything a replay recorded, op by op, as plain data. */
function records(replay: Replay) {
  return Array.from({ length: replay.recorded }, (_, i) => replay.step(i));
}

/** The job worked to the end in slices that stop after every `checks` looks at the clock. */
function finish(job: TraceJob, checks = 3): EngineRun {
  let slices = 0;
  for (;;) {
    let looks = 0;
    slices++;
    if (job.work(() => ++looks >= checks)) break;
    assert.ok(slices < 1_000_000, 'the job ends');
  }
  const run = job.run!;
  assert.ok(run.model === 'engine', 'the trace runs on the engine');
  return run;
}

function assertSameRun(run: TraceRun, expected: TraceRun, what: string): void {
  assert.deepEqual(runJson(run), runJson(expected), `${what}: the summary`);
  assert.deepEqual(run.diagnostics, expected.diagnostics, `${what}: the diagnostics`);
  assert.ok(run.model === 'engine' && expected.model === 'engine', `${what}: runs on the engine`);
  assert.deepEqual(records(run.replay), records(expected.replay), `${what}: every op's record`);
}

/** The job's run now (a function, so that the checks on one look do not narrow the next). */
const runOf = (job: TraceJob) => job.run;

/** The hover's lines for the block op `i` belongs to, from the run's read model (null: no block). */
function lifeText(run: TraceRun, i: number): string[] | null {
  const lives = sourceOf(run).lives();
  const k = lives.of(i);
  return k < 0 ? null : describeLife(lives.at(k));
}

const sample = (name: string) => readFileSync(`samples/${name}`, 'utf8');

describe('a trace job, a slice at a time', () => {
  for (const [name, format] of [['first-best-worst.heap', 'heap'], ['coalescing.heap', 'heap'], ['overflow.heap', 'heap'], ['realloc.heap', 'heap'], ['tiny.rep', 'rep']] as const) {
    it(`${name}: ends with the run runEngine gives`, () => {
      const text = sample(name);
      assertSameRun(finish(TraceJob.parse(text, format)), runEngine(parseTrace(text, format)), name);
    });
  }

  it('malformed traces and bad settings end with the same run too', () => {
    const cases: [string, TraceFormat, TraceConfigLayers][] = [
      ['0\n2\n5\n1\na 0 8\nf 0\nf 0\na 1 0\nx 1\n', 'rep', {}],
      ['set maxHeap = 4K\nbig = malloc(8000)\nfree(big)\nfree(big)\n', 'heap', {}],
      ['set wordSize = 4\nset alignment = 16\np = malloc(8)\n', 'heap', {}],
      ['', 'rep', { defaults: { preset: 'csapp', policy: 'best' } }],
    ];
    for (const [text, format, layers] of cases) assertSameRun(finish(TraceJob.parse(text, format, layers), 1), runEngine(parseTrace(text, format), layers), JSON.stringify(text));
  });

  for (const ref of REFERENCE) {
    it(`${ref.trace}: csapp, in slices, the textbook allocator's heap of ${ref.heap} bytes`, function () {
      requireMalloclab(this);
      const text = readMalloclab(ref.trace);
      const layers = { defaults: { preset: 'csapp' as const } };
      const run = finish(TraceJob.parse(text, 'rep', layers), 5);
      assert.equal(run.replay.finalMetrics.heapSize, ref.heap);
      assertSameRun(run, runEngine(parseTrace(text, 'rep'), layers), ref.trace);
    });
  }

  it('told to stop at every look at the clock, it reads a few hundred lines or replays a few hundred ops per slice', () => {
    const job = TraceJob.parse(generatedRep(50_000, 2_000, 7), 'rep');
    let { lines, replayed } = job.progress();
    let slices = 0;
    while (!job.work(() => true)) {
      const p = job.progress();
      if (p.phase === 'parsing') assert.ok(p.lines - lines <= 600, `read ${p.lines - lines} lines in one slice`);
      else assert.ok(p.replayed - replayed <= 200, `replayed ${p.replayed - replayed} ops in one slice`);
      ({ lines, replayed } = p);
      slices++;
    }
    assert.ok(slices > 50_000 / 600 + 50_000 / 200, `${slices} slices`);
  });

  it('while it runs, the run is partial: the trace\'s own problems at once, the replay\'s as ops are replayed', () => {
    // A double free (found by reading) and a NULL at the heap limit (found by replaying) far down.
    const lines = ['set maxHeap = 8K', 'p = malloc(24)', 'free(p)', 'free(p)'];
    for (let k = 0; k < 3000; k++) lines.push(`q${k} = malloc(8)`, `free(q${k})`);
    lines.push('big = malloc(100000)');
    const job = TraceJob.parse(lines.join('\n'), 'heap');
    assert.equal(runOf(job), undefined, 'nothing to show before the text is read');
    while (job.phase === 'parsing') job.work(() => true);
    const partial = job.run!;
    assert.ok(partial.replay.recorded < partial.replay.length, 'partial');
    assert.deepEqual(partial.diagnostics.map((d) => `${d.range.line} ${d.code}`), ['4 double-free']);
    assert.equal(job.run, partial, 'the same run object until more ops are replayed');
    const last = partial.trace.ops.length - 1;
    assert.deepEqual(lifeText(partial, last), ['allocated on line 6005 as 100000 bytes (not replayed yet)', 'still allocated at the end of the trace']);
    let fraction = job.progress().fraction;
    while (!job.work(() => true)) {
      const p = job.progress();
      assert.ok(p.fraction >= fraction, 'the progress never goes back');
      fraction = p.fraction;
    }
    const run = job.run!;
    assert.notEqual(run, partial, 'a new run object once more ops are replayed');
    assert.ok(job.done);
    assert.equal(job.progress().fraction, 1);
    assert.deepEqual(run.diagnostics.map((d) => `${d.range.line} ${d.code}`), ['4 double-free', '6005 heap-limit']);
    // The malloc returned NULL: no block, so no lifetime (a free of it would be free(NULL)).
    assert.equal(lifeText(run, last), null);
    assert.ok(run.model === 'engine' && run.replay.lifetimesDiverged);
  });

  it('another policy on a trace already read, and every policy compared, as the command line does', () => {
    const trace = parseHeapScript(sample('first-best-worst.heap'));
    const layers = { defaults: { preset: 'csapp' as const } };
    const runs = POLICIES.map((policy) => ({ policy, run: finish(TraceJob.replay(trace, { ...layers, overrides: { policy } })) }));
    for (const { policy, run } of runs) assertSameRun(run, runEngine(trace, { ...layers, overrides: { policy } }), policy);
    assert.deepEqual(comparisonOf(trace, 'csapp', runs.map(({ policy, run }) => policyRow(policy, run))), comparePolicies(trace, layers));
  });
});
