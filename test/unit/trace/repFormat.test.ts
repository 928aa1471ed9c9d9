// The malloc lab .rep format: header, ops on their real lines, CRLF, variants, exact 64-bit sizes,
// and the trace-level errors and warnings of docs/trace-formats.md ("Diagnostics").

import assert from 'node:assert/strict';
import { parseRep, printRep, Replay, traceConfig, type Diagnostic } from '../../../src/trace/index';

const rep = (...lines: string[]) => lines.join('\n') + '\n';
const brief = (d: readonly Diagnostic[]) => d.map((x) => `${x.range.line}:${x.range.column} ${x.severity} ${x.code}`);

describe('.rep format', () => {
  it('reads the four header integers and puts op i on line i + 5', () => {
    const trace = parseRep(rep('20000', '2', '3', '1', 'a 0 24', 'a 1 100', 'f 0'));
    assert.deepEqual(trace.header, { first: 20000n, ids: 2, ops: 3, fourth: 1n, lines: [1, 2, 3, 4] });
    assert.deepEqual(trace.diagnostics, []);
    assert.deepEqual(
      [...trace.ops].map((op) => [op.kind, op.range.line]),
      [['malloc', 5], ['malloc', 6], ['free', 7]],
    );
    assert.deepEqual(trace.ops.at(1), { kind: 'malloc', ptr: 1, size: 100n, range: { line: 6, column: 1, endLine: 6, endColumn: 8 } });
    const realloc = parseRep(rep('0', '1', '2', '1', 'a 0 24', '  r 0  48 ')).ops.at(1);
    assert.deepEqual(realloc, { kind: 'realloc', ptr: 0, from: 0, size: 48n, range: { line: 6, column: 3, endLine: 6, endColumn: 10 } });
    assert.deepEqual(trace.names, ['0', '1']);
  });

  it('accepts CRLF, tabs, runs of spaces and blank lines', () => {
    const crlf = parseRep('20000\r\n1\r\n2\r\n1\r\n\r\na\t0   24 \r\n  r 0\t48\r\n');
    assert.deepEqual(crlf.diagnostics.filter((d) => d.severity === 'error'), []);
    assert.deepEqual([...crlf.ops].map((op) => [op.kind, op.range.line]), [['malloc', 6], ['realloc', 7]]);
  });

  it('reads the 2016 edition header (weight, ids, ops, max live bytes) with the same parser', () => {
    const trace = parseRep(rep('1', '1', '2', '4096', 'a 0 4096', 'f 0'));
    assert.deepEqual(trace.diagnostics, []);
    assert.equal(trace.header?.ids, 1);
    assert.equal(trace.header?.ops, 2);
  });

  it('parses sizes up to 2^64-1 exactly; a small heap answers with NULL and a warning', () => {
    const trace = parseRep(rep('0', '2', '3', '1', 'a 0 18446744073709551615', 'a 1 72057594037927941', 'f 0'));
    assert.deepEqual(trace.diagnostics, []);
    assert.deepEqual(trace.ops.at(0), { kind: 'malloc', ptr: 0, size: 2n ** 64n - 1n, range: trace.ops.range(0) });
    assert.deepEqual(trace.ops.at(1), { kind: 'malloc', ptr: 1, size: 2n ** 56n + 5n, range: trace.ops.range(1) });
    const replay = Replay.run(trace, traceConfig(trace).config);
    assert.deepEqual(brief(replay.diagnostics), ['5:1 warning heap-limit', '6:1 warning heap-limit']);
    assert.equal(replay.step(0).ptr, null);
    assert.equal(replay.step(2).problem, null, 'free of an id whose malloc returned NULL is free(NULL): legal');
  });

  it('a size beyond 2^64-1 is an error on its token; the ops around it still parse', () => {
    const trace = parseRep(rep('0', '2', '3', '1', 'a 0 8', 'a 1 18446744073709551616', 'f 0'));
    assert.deepEqual(brief(trace.diagnostics), ['6:5 error size-too-large']);
    assert.equal(trace.ops.length, 2);
  });

  it('reports a wrong op count on the header line that states it', () => {
    const trace = parseRep(rep('0', '1', '3', '1', 'a 0 8', 'f 0'));
    assert.deepEqual(brief(trace.diagnostics), ['3:1 error header-op-count']);
    assert.match(trace.diagnostics[0]!.message, /header says 3 ops but the file has 2 op lines/);
  });

  it('reports ids beyond the header and a largest id short of ids - 1', () => {
    const beyond = parseRep(rep('0', '1', '2', '1', 'a 0 8', 'a 1 8'));
    assert.deepEqual(brief(beyond.diagnostics), ['6:3 error id-out-of-range']);
    assert.match(beyond.diagnostics[0]!.message, /allows ids 0 to 0/);
    const short = parseRep(rep('0', '3', '2', '1', 'a 0 8', 'f 0'));
    assert.deepEqual(brief(short.diagnostics), ['2:1 error header-id-count']);
  });

  it('a missing header is an error (the malloc lab driver cannot read the file); ids and ops are counted from the trace', () => {
    const trace = parseRep(rep('a 0 8', 'a 1 16', 'f 1', 'f 0'));
    assert.deepEqual(brief(trace.diagnostics), ['1:1 error header-missing']);
    assert.equal(trace.ops.length, 4);
    assert.equal(trace.names.length, 2);
  });

  it('unknown ops, missing and extra arguments are errors at the token concerned', () => {
    const trace = parseRep(rep('0', '1', '5', '1', 'x 0 8', 'a 0', 'a 0 8 9', 'f', 'a 0 eight'));
    assert.deepEqual(brief(trace.diagnostics), [
      '5:1 error unknown-op',
      '6:3 error missing-argument',
      '7:7 error extra-argument',
      '8:1 error missing-argument',
      '9:5 error bad-number',
    ]);
    assert.match(trace.diagnostics[0]!.message, /Unknown op "x": a .rep line is "a id size" \(malloc\), "r id size" \(realloc\) or "f id" \(free\)/);
  });

  it('pointer lifetimes: never allocated, double free, realloc after free, leaks and malloc(0)', () => {
    const trace = parseRep(rep('0', '3', '8', '1', 'f 2', 'a 0 8', 'f 0', 'f 0', 'r 0 16', 'a 1 8', 'a 1 8', 'a 2 0'));
    assert.deepEqual(brief(trace.diagnostics), [
      '5:1 error unknown-pointer',
      '8:1 error double-free',
      '9:1 error freed-pointer',
      '11:1 warning leak',
      '12:1 warning zero-size',
    ]);
    const double = trace.diagnostics[1]!;
    assert.match(double.message, /Double free: id 0 was already freed on line 7/);
    assert.deepEqual(double.related?.map((r) => [r.range.line, r.message]), [[6, 'id 0 was allocated here'], [7, 'and freed here']]);
  });

  it('ids past a million: a trace that uses them all in order, and one with a stray huge id that the ids filling in reach later, name the same pointers on every op', () => {
    const n = 1_200_000;
    // A free of the stray id 1,100,000 first (never allocated), then ids 0..n-1 allocated in order,
    // then every one freed. No header (an error of its own), so the parser makes no room ahead.
    const lines = ['f 1100000'];
    for (let id = 0; id < n; id++) lines.push(`a ${id} 8`);
    for (let id = n - 1; id >= 0; id--) lines.push(`f ${id}`);
    const trace = parseRep(lines.join('\n') + '\n');
    assert.equal(trace.ops.length, 2 * n + 1);
    assert.deepEqual(brief(trace.diagnostics.filter((d) => d.code === 'unknown-pointer')), ['1:1 error unknown-pointer'], 'only the first free is of a pointer never allocated');
    // Op 1 + id allocated id; op 2n - id freed it: the same slot, named by the id.
    for (const id of [0, 1, 1_048_575, 1_048_576, 1_099_999, 1_100_000, n - 1]) {
      const slot = trace.ops.ptr(1 + id);
      assert.equal(trace.ops.ptr(2 * n - id), slot, `id ${id}'s free names its malloc's pointer`);
      assert.equal(trace.names[slot!], String(id));
    }
    assert.equal(trace.ops.ptr(0), trace.ops.ptr(1 + 1_100_000), 'the stray id is the same pointer as its later malloc');
  });

  it('prints back to the same text', () => {
    const text = rep('20000', '2', '4', '1', 'a 0 24', 'r 0 100', 'a 1 8', 'f 1');
    assert.equal(printRep(parseRep(text)).text, text);
  });
});
