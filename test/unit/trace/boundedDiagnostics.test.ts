// A million copies of one problem are the first ones in full and one counted diagnostic, so a
// hostile trace costs a bounded number of diagnostics (issue 13, finding 6).

import assert from 'node:assert/strict';
import { BoundedDiagnostics, cappedDiagnostics, FULL_PER_CODE, mergeDiagnostics } from '../../../src/trace/diagnostics';
import { grouped } from '../../../src/trace/figures';
import { errorCount, formatRunSummary, lineRange, MAX_TRACE_OPS, parseHeapScript, parseRep, parseRepBytes, runEngine, runJson, runTrace, type Diagnostic } from '../../../src/trace/index';

const problem = (line: number, code: Diagnostic['code'] = 'unknown-pointer', severity: Diagnostic['severity'] = 'error'): Diagnostic => ({ range: lineRange(line, 1, 4), severity, code, message: `problem on line ${line}` });

describe('diagnostics in order', () => {
  const at = (x: Diagnostic) => `${x.range.line}:${x.range.column} ${x.message}`;
  const on = (line: number, column: number, message: string): Diagnostic => ({ range: lineRange(line, column, column + 1), severity: 'error', code: 'unknown-op', message });

  it('one list alone comes back in line order, then column, equal positions in their own order', () => {
    const list = [on(3, 1, 'c'), on(1, 5, 'b'), on(1, 2, 'a'), on(3, 1, 'd')];
    assert.deepEqual(mergeDiagnostics(list).map(at), ['1:2 a', '1:5 b', '3:1 c', '3:1 d']);
  });

  it("lists merged: a problem of the parser before the replay's on the same position, as in the order of the lists", () => {
    const parsed = [on(1, 1, 'parse 1'), on(4, 1, 'parse 4')];
    const config = [on(2, 1, 'config 2')];
    const replayed = [on(1, 1, 'replay 1'), on(4, 1, 'replay 4'), on(9, 1, 'replay 9')];
    assert.deepEqual(mergeDiagnostics(parsed, config, replayed).map(at), ['1:1 parse 1', '1:1 replay 1', '2:1 config 2', '4:1 parse 4', '4:1 replay 4', '9:1 replay 9']);
    assert.deepEqual(mergeDiagnostics([], parsed, []).map(at), parsed.map(at), 'empty lists add nothing');
  });
});

describe('bounded diagnostics', () => {
  it('counts are written with their thousands separated, as toLocaleString writes them in English, without it', () => {
    const samples = [0, -0, 1, -1, 999, 1000, -1000, 12_345, 999_999, 1_000_000, 10_000_000, -123_456_789, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 2 ** 60, 1.5, NaN, Infinity];
    for (let k = 0; k < 16; k++) samples.push(10 ** k - 1, 10 ** k, 7 * 10 ** k + 3);
    for (const n of samples) assert.equal(grouped(n), n.toLocaleString('en-US'), String(n));
  });

  it('keep the first of each code in full and count the rest in one diagnostic on the first line left out', () => {
    const d = new BoundedDiagnostics(3);
    for (let line = 1; line <= 10; line++) d.push(problem(line));
    d.push(problem(11, 'leak', 'warning'));
    const all = d.all();
    assert.deepEqual(all.map((x) => `${x.range.line} ${x.code}`), ['1 unknown-pointer', '2 unknown-pointer', '3 unknown-pointer', '11 leak', '4 unknown-pointer']);
    assert.equal(all[4]!.severity, 'error');
    assert.match(all[4]!.message, /and 7 more "unknown-pointer" problems like the 3 above, from line 4 to line 10/);
    assert.equal(d.count, 11);
    assert.ok(d.has('leak') && !d.has('double-free'));
    assert.equal(d.all(), all, 'the same array until another is pushed');
    d.push(problem(12));
    assert.notEqual(d.all(), all);
    assert.match(d.all()[4]!.message, /and 8 more .* from line 4 to line 12/);
  });

  it('published with a cap: errors first, each severity\'s counted summary before its single problems, the rest counted', () => {
    const d = new BoundedDiagnostics(4);
    for (let line = 1; line <= 10; line++) d.push(problem(2 * line, 'leak', 'warning'));
    for (let line = 1; line <= 10; line++) d.push(problem(2 * line + 1));
    const all = d.all(); // 4 warnings and their summary (6 more), 4 errors and their summary (6 more)
    assert.equal(all.length, 10);
    assert.deepEqual(cappedDiagnostics(all, 10), { shown: all, hidden: 0 }, 'under the cap: all of them');

    const { shown, hidden } = cappedDiagnostics(all, 5);
    const at = (x: Diagnostic) => `${x.range.line} ${x.severity}${x.count === undefined ? '' : ` +${x.count}`}`;
    // Room for four (the fifth is the note): the errors' summary, then the first three errors, in line order.
    assert.deepEqual(shown.map(at), ['3 error', '5 error', '7 error', '11 error +6']);
    // Left out: one error, four warnings and the warnings' summary of six.
    assert.equal(hidden, 1 + 4 + 6);
    // Every problem is still counted, shown or not.
    const counted = (list: readonly Diagnostic[]) => list.reduce((n, x) => n + (x.count ?? 1), 0);
    assert.equal(counted(shown) + hidden, 20);
  });

  it('a .rep trace that frees an unknown id a million times: a thousand and one diagnostics', () => {
    const ops = 1_000_001;
    const text = `0\n6\n${ops}\n1\na 0 8\n${'f 5\n'.repeat(ops - 1)}`;
    const run = runTrace(parseRep(text));
    const unknown = run.diagnostics.filter((d) => d.code === 'unknown-pointer');
    assert.equal(unknown.length, FULL_PER_CODE + 1);
    assert.equal(unknown[0]!.range.line, 6);
    const summary = unknown[FULL_PER_CODE]!;
    assert.equal(summary.range.line, 6 + FULL_PER_CODE);
    assert.match(summary.message, /and 999,000 more "unknown-pointer" problems .* to line 1000005/);
    assert.equal(run.diagnostics.length, FULL_PER_CODE + 1);
    // Counts still count every problem: the summary stands for the ones it does not list.
    assert.equal(summary.count, 999_000);
    assert.equal(errorCount(run.diagnostics), 1_000_000);
    assert.equal(runJson(run).errors, 1_000_000);
    assert.match(formatRunSummary('unknown.rep', run), /problems +1,000,000 errors, 0 warnings/);
  });

  it('a file of a million lines the parser cannot read: the first of each kind, and a count', () => {
    const rep = parseRep(`0\n1\n1000000\n1\n${'x 0 8\n'.repeat(1_000_000)}`);
    const unknownOps = rep.diagnostics.filter((d) => d.code === 'unknown-op');
    assert.equal(unknownOps.length, FULL_PER_CODE + 1);
    assert.match(unknownOps[FULL_PER_CODE]!.message, /and 999,000 more "unknown-op" problems/);
    const heap = parseHeapScript('p = = malloc(8)\n'.repeat(300_000));
    assert.ok(heap.diagnostics.length <= 2 * (FULL_PER_CODE + 1), `${heap.diagnostics.length} diagnostics`);
    assert.ok(heap.diagnostics.some((d) => /and 299,000 more/.test(d.message)));
  });

  it('the replay\'s own problems are bounded too: a malloc that fails a hundred thousand times', () => {
    const lines = ['set maxHeap = 64K', 'big = malloc(8)', 'free(big)'];
    for (let k = 0; k < 100_000; k++) lines.push('p = malloc(1000000)', 'free(p)');
    const run = runEngine(parseHeapScript(lines.join('\n')));
    const nulls = run.diagnostics.filter((d) => d.code === 'heap-limit');
    assert.equal(nulls.length, FULL_PER_CODE + 1);
    assert.equal(run.replay.nullCount, 100_000, 'every NULL is still counted');
    assert.match(nulls[FULL_PER_CODE]!.message, /and 99,000 more "heap-limit" problems/);
    assert.equal(nulls[FULL_PER_CODE]!.severity, 'warning');
  });
});

describe('the longest trace', function () {
  this.timeout(120_000);

  it(`a trace past ${MAX_TRACE_OPS.toLocaleString('en-US')} ops is read up to there, with an error on the first line left out`, () => {
    const ops = MAX_TRACE_OPS + 5;
    const text = `0\n1\n${ops}\n1\na 0 8\n${'r 0 16\n'.repeat(ops - 1)}`;
    const trace = parseRep(text);
    assert.equal(trace.ops.length, MAX_TRACE_OPS);
    const problems = trace.diagnostics.map((d) => `${d.range.line} ${d.code}`);
    assert.deepEqual(problems, [`${4 + MAX_TRACE_OPS + 1} trace-too-long`], 'and no complaint about the header\'s op count');
    assert.match(trace.diagnostics[0]!.message, /more than 10,000,000 ops/);
    const fromBytes = parseRepBytes(Buffer.from(text, 'latin1'))!;
    assert.deepEqual([fromBytes.ops.length, fromBytes.lineCount, fromBytes.diagnostics], [trace.ops.length, trace.lineCount, trace.diagnostics], 'the same from the bytes (the command line reads them)');
    const script = parseHeapScript(`p = malloc(8)\n${'free(NULL)\n'.repeat(MAX_TRACE_OPS)}# a comment\n`);
    assert.equal(script.ops.length, MAX_TRACE_OPS);
    assert.deepEqual(script.diagnostics.map((d) => `${d.range.line} ${d.code}`), [`${MAX_TRACE_OPS + 1} trace-too-long`]);
  });
});
