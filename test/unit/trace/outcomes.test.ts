// Diagnostics that depend on whether an allocation returned NULL come from what the replay did,
// not from reading the trace alone (issue 13, finding 1): a realloc that fails leaves the old
// block allocated, and the NULL that malloc(0), a failed malloc or realloc(p, 0) leave behind
// may be freed any number of times.

import assert from 'node:assert/strict';
import { parseHeapScript, parseRep, runEngine, TraceJob, type Trace } from '../../../src/trace/index';

/** The run's problems as `line code`, in line order. */
function problems(trace: Trace): string[] {
  return runEngine(trace).diagnostics.map((d) => `${d.range.line} ${d.code}`);
}

const script = (...lines: string[]) => parseHeapScript(lines.join('\n') + '\n');
const rep = (...ops: string[]) => parseRep(['0', '4', String(ops.length), '1', ...ops].join('\n') + '\n');
// 1 GiB: more than any heap may grow, so realloc and malloc of it return NULL.
const HUGE = 2 ** 30;

describe('diagnostics that depend on an outcome follow the replay', () => {
  it('q = realloc(p, HUGE) returns NULL and leaves p allocated: a later free(p) is legal and frees it', () => {
    const trace = script('p = malloc(24)', `q = realloc(p, ${HUGE})`, 'free(p)', 'free(q)');
    assert.deepEqual(problems(trace), ['2 heap-limit']);
    const run = runEngine(trace);
    assert.equal(run.replay.finalMetrics.allocatedBlocks, 0, 'free(p) freed the block');
    assert.equal(run.replay.heapAt(trace.ops.length - 1).liveAllocations.size, 0);
  });

  it('the trace alone would have called that free a double free', () => {
    const trace = script('p = malloc(24)', `q = realloc(p, ${HUGE})`, 'free(p)');
    assert.ok(trace.diagnostics.some((d) => d.code === 'double-free'), 'read alone, the realloc is taken to succeed');
    assert.ok(!runEngine(trace).diagnostics.some((d) => d.code === 'double-free'));
  });

  it('a real double free after a failed realloc is still one', () => {
    assert.deepEqual(problems(script('p = malloc(24)', `q = realloc(p, ${HUGE})`, 'free(p)', 'free(p)')), ['2 heap-limit', '4 double-free']);
  });

  it('p = realloc(p, 0) frees p and sets it to NULL: free(p) is free(NULL)', () => {
    assert.deepEqual(problems(script('p = malloc(24)', 'p = realloc(p, 0)', 'free(p)', 'free(p)')), []);
  });

  it('the .rep form: "r 0 0" then "f 0" is legal, and the malloc lab driver would accept it', () => {
    const trace = rep('a 0 24', 'r 0 0', 'f 0', 'a 1 8', 'f 1', 'a 2 8', 'f 2', 'a 3 8', 'f 3');
    assert.deepEqual(problems(trace), []);
  });

  it('q = realloc(p, 0) frees p (a later free(p) is a double free) and sets q to NULL', () => {
    assert.deepEqual(problems(script('p = malloc(24)', 'q = realloc(p, 0)', 'free(q)', 'free(p)')), ['4 double-free']);
  });

  it('a malloc that returns NULL at the heap limit may be freed twice: both are free(NULL)', () => {
    assert.deepEqual(problems(script(`p = malloc(${HUGE})`, 'free(p)', 'free(p)')), ['1 heap-limit']);
  });

  it('malloc(0) returns NULL: freeing it twice is legal, reallocating it is a malloc', () => {
    assert.deepEqual(problems(script('p = malloc(0)', 'free(p)', 'free(p)', 'p = realloc(p, 16)', 'free(p)')), ['1 zero-size']);
  });

  it('p = realloc(p, HUGE) returning NULL loses the only pointer to the block: a leak', () => {
    const d = runEngine(script('p = malloc(24)', `p = realloc(p, ${HUGE})`, 'free(p)')).diagnostics;
    assert.deepEqual(d.map((x) => `${x.range.line} ${x.code}`).sort(), ['2 heap-limit', '2 leak']);
    const leak = d.find((x) => x.code === 'leak')!;
    assert.match(leak.message, /returned NULL.*leaked/);
    assert.equal(leak.related?.[0]?.range.line, 1, 'the leaked block was allocated on line 1');
  });

  it('after a failed realloc, overwriting the old pointer leaks the block it still holds', () => {
    assert.deepEqual(problems(script('p = malloc(24)', `q = realloc(p, ${HUGE})`, 'p = malloc(8)')), ['2 heap-limit', '3 leak']);
  });

  it('writing through the NULL a failed realloc returned is a NULL write, reported once', () => {
    assert.deepEqual(problems(script('p = malloc(24)', `q = realloc(p, ${HUGE})`, 'write(q, 0, "x")', 'free(p)')), ['2 heap-limit', '3 null-pointer']);
  });

  it('realloc of a name never assigned is an error and allocates nothing', () => {
    const trace = script('q = realloc(p, 64)', 'free(q)');
    assert.deepEqual(problems(trace), ['1 unknown-pointer']);
    assert.equal(runEngine(trace).replay.step(0).ptr, null);
    assert.equal(runEngine(trace).replay.finalMetrics.heapSize, runEngine(script('free(NULL)')).replay.finalMetrics.heapSize, 'the heap never grew');
  });

  it('the block\'s life keeps the failed realloc and ends where p frees it', () => {
    const trace = script('p = malloc(24)', `q = realloc(p, ${HUGE})`, 'free(p)');
    const run = runEngine(trace);
    const d = run.diagnostics;
    assert.equal(d.length, 1);
    const life = run.replay.lifetimes.lifetimes.at(0);
    assert.deepEqual(life, { slot: 0, start: 0, reallocs: [1], end: 2 }, 'the block stayed with p and p freed it');
  });

  it('a job read a slice at a time gives the same diagnostics; while partial, the ops not replayed keep the trace\'s', () => {
    const lines = ['p = malloc(24)', `q = realloc(p, ${HUGE})`, 'free(p)'];
    for (let k = 0; k < 3000; k++) lines.push(`r${k} = malloc(8)`, `free(r${k})`);
    lines.push('x = malloc(8)', `y = realloc(x, ${HUGE})`, 'free(x)');
    const text = lines.join('\n') + '\n';
    const job = TraceJob.parse(text, 'heap');
    while (job.phase === 'parsing') job.work(() => true);
    job.work(() => true); // one slice of the replay
    let partial = job.run!;
    while (partial.replay.recorded < 10) {
      job.work(() => true);
      partial = job.run!;
    }
    assert.ok(partial.replay.recorded < partial.replay.length);
    // Replayed: the free(p) after the failed realloc is legal. Not replayed yet: the trace's view.
    assert.deepEqual(partial.diagnostics.map((d) => `${d.range.line} ${d.code}`), ['2 heap-limit', `${lines.length} double-free`]);
    while (!job.work(() => false));
    assert.deepEqual(job.run!.diagnostics.map((d) => `${d.range.line} ${d.code}`), ['2 heap-limit', `${lines.length - 1} heap-limit`]);
    assert.deepEqual(job.run!.diagnostics, runEngine(parseHeapScript(text)).diagnostics);
  });
});
