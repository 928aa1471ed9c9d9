// A corpus of malformed traces, generated here: each parses without throwing, gets diagnostics on the
// lines that caused them (codes and severities as docs/trace-formats.md says), replays the ops that
// did parse, and makes the command line exit with the documented code and never a stack trace.

import assert from 'node:assert/strict';
import { runCli, type CliIo } from '../../../src/cli/cli';
import {
  DIAGNOSTIC_CODES,
  parseHeapScript,
  parseRep,
  Replay,
  traceConfig,
  traceParser,
  type Diagnostic,
  type DiagnosticCode,
  type SourceRange,
  type Trace,
  type TraceFormat,
} from '../../../src/trace/index';

// --- what every malformed file must satisfy -------------------------------------------------

/** docs/trace-formats.md: errors make a trace invalid, warnings are legal but worth a look. */
const SEVERITY: { readonly [C in DiagnosticCode]?: 'error' | 'warning' } = {
  // an unparseable line, a header count or id range that is wrong
  'unknown-op': 'error',
  'missing-argument': 'error',
  'extra-argument': 'error',
  'bad-number': 'error',
  'negative-size': 'error',
  'size-too-large': 'error',
  'bad-name': 'error',
  'bad-string': 'error',
  'binary-file': 'error',
  'trace-too-long': 'error',
  'header-op-count': 'error',
  'header-id-count': 'error',
  'id-out-of-range': 'error',
  // a .rep file the malloc lab driver cannot read: its header is not four numbers (or it is empty)
  'header-missing': 'error',
  // free or realloc of a block never allocated or already freed
  'unknown-pointer': 'error',
  'freed-pointer': 'error',
  'double-free': 'error',
  // what a replay finds wrong with a program's memory use
  'null-pointer': 'error',
  'write-overflow': 'error',
  'write-outside-heap': 'error',
  'heap-corrupted': 'error',
  'misaligned-payload': 'error',
  'payload-outside-heap': 'error',
  'overlapping-payloads': 'error',
  'realloc-lost-data': 'error',
  // legal, worth a look
  'heap-limit': 'warning',
  'calloc-overflow': 'warning',
  'zero-size': 'warning',
  leak: 'warning',
  'write-past-request': 'warning',
  'empty-trace': 'warning',
  'setting-after-ops': 'warning',
  // 'bad-setting': an error for a value the heap cannot take, a warning for a key set twice
};

interface MalformedFile {
  readonly format: TraceFormat;
  readonly text: string;
  /** Every diagnostic the parser gives, as `line: severity code` (any order). */
  readonly diagnostics: readonly string[];
  /** Every diagnostic the settings and the replay add, same form (default: none). */
  readonly replay?: readonly string[];
  /** The lines of the ops that parsed: the valid ones around the bad lines. */
  readonly opLines?: readonly number[];
  /** Only `check` and `run --json` on the command line (huge files). */
  readonly light?: boolean;
}

/** The lines of a file as VS Code counts them: CRLF, LF or a lone CR; a final line break adds no line. */
function sourceLines(text: string): string[] {
  const lines = text.split(/\r\n|\r|\n/);
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function assertRangeInside(range: SourceRange, lines: readonly string[], lineCount: number, what: string): void {
  assert.ok(Number.isInteger(range.line) && range.line >= 1 && range.line <= lineCount, `${what}: line ${range.line} is outside 1..${lineCount}`);
  assert.ok(range.endLine >= range.line && range.endLine <= lineCount, `${what}: endLine ${range.endLine} (line ${range.line}, ${lineCount} lines)`);
  assert.ok(Number.isInteger(range.column) && range.column >= 1, `${what}: column ${range.column} is not 1-based`);
  if (range.endLine === range.line) assert.ok(range.endColumn >= range.column, `${what}: endColumn ${range.endColumn} < column ${range.column}`);
  const length = lines[range.line - 1]?.length ?? 0;
  assert.ok(range.column <= length + 1, `${what}: column ${range.column} is past the end of line ${range.line} (${length} characters)`);
  const endLength = lines[range.endLine - 1]?.length ?? 0;
  assert.ok(range.endColumn <= endLength + 1, `${what}: endColumn ${range.endColumn} is past the end of line ${range.endLine} (${endLength} characters)`);
}

function assertWellFormed(diagnostics: readonly Diagnostic[], lines: readonly string[], lineCount: number): void {
  for (const d of diagnostics) {
    const what = `${d.range.line}:${d.range.column} ${d.severity} ${d.code} "${d.message.slice(0, 80)}"`;
    assert.ok((DIAGNOSTIC_CODES as readonly string[]).includes(d.code), `${what}: unknown code`);
    const expected = SEVERITY[d.code];
    if (expected) assert.equal(d.severity, expected, `${what}: docs/trace-formats.md makes ${d.code} a${expected === 'error' ? 'n' : ''} ${expected}`);
    else assert.ok(d.severity === 'error' || d.severity === 'warning', what);
    assert.ok(d.message.trim().length > 0, `${what}: empty message`);
    assertRangeInside(d.range, lines, lineCount, what);
    for (const r of d.related ?? []) assertRangeInside(r.range, lines, lineCount, `${what} (related "${r.message}")`);
  }
}

const summary = (d: Diagnostic) => `${d.range.line}: ${d.severity} ${d.code}`;
const byLine = (list: readonly string[]) => [...list].sort((a, b) => parseInt(a, 10) - parseInt(b, 10) || a.localeCompare(b));

function parse(format: TraceFormat, text: string): Trace {
  let trace: Trace;
  let inSlices: Trace;
  try {
    trace = format === 'rep' ? parseRep(text) : parseHeapScript(text);
    // The editor reads a slice of lines at a time: a line at a time must give the same trace.
    const parser = traceParser(text, format);
    while (!parser.advance(1));
    inSlices = parser.trace;
  } catch (err) {
    assert.fail(`parse${format === 'rep' ? 'Rep' : 'HeapScript'} threw: ${err instanceof Error ? err.stack : String(err)}`);
  }
  assert.deepEqual(inSlices, trace, 'read a line at a time, the same trace');
  return trace;
}

/** An in-memory file system of one file; anything else cannot be read. */
function memoryIo(path: string, text: string): CliIo & { readonly stdout: string; readonly stderr: string } {
  let stdout = '';
  let stderr = '';
  return {
    readFile(p) {
      if (p !== path) throw new Error('no such file');
      return text;
    },
    out: (t) => void (stdout += t),
    err: (t) => void (stderr += t),
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
  };
}

function assertNoStackTrace(output: string, what: string): void {
  assert.doesNotMatch(output, /^\s+at .+:\d+:\d+\)?$/m, `${what} printed a stack trace`);
  assert.doesNotMatch(output, /\b(TypeError|RangeError|ReferenceError|SyntaxError):/, `${what} printed an exception`);
}

function cli(argv: readonly string[], text: string): { code: number; stdout: string; stderr: string } {
  const io = memoryIo(argv[1]!, text);
  let code: number;
  try {
    code = runCli(argv, io);
  } catch (err) {
    assert.fail(`heap-inspector ${argv.join(' ')} threw: ${err instanceof Error ? err.stack : String(err)}`);
  }
  assertNoStackTrace(io.stdout + io.stderr, `heap-inspector ${argv.join(' ')}`);
  return { code, stdout: io.stdout, stderr: io.stderr };
}

/** Parse, replay and the command line on one malformed file, with everything the corpus promises. */
function assertMalformed(file: MalformedFile): Trace {
  const trace = parse(file.format, file.text);
  const lines = sourceLines(file.text);
  assert.equal(trace.lineCount, Math.max(1, lines.length), 'lineCount');
  assertWellFormed(trace.diagnostics, lines, trace.lineCount);
  assert.deepEqual(byLine(trace.diagnostics.map(summary)), byLine(file.diagnostics), 'the parser\'s diagnostics');
  if (file.opLines) assert.deepEqual([...trace.ops].map((op) => op.range.line), file.opLines, 'the ops that parsed, by line');
  for (const op of trace.ops) assertRangeInside(op.range, lines, trace.lineCount, `op ${op.kind}`);

  // The ops that parsed all run.
  const { config, diagnostics: configDiagnostics } = traceConfig(trace);
  let replay: Replay;
  try {
    replay = Replay.run(trace, config);
  } catch (err) {
    assert.fail(`Replay.run threw: ${err instanceof Error ? err.stack : String(err)}`);
  }
  assert.equal(replay.recorded, trace.ops.length, 'every parsed op is recorded');
  assert.ok(replay.done);
  const later = [...configDiagnostics, ...replay.diagnostics];
  assertWellFormed(later, lines, trace.lineCount);
  assert.deepEqual(byLine(later.map(summary)), byLine(file.replay ?? []), 'the settings\' and the replay\'s diagnostics');

  // The command line: exit 1 exactly when something is an error, one line per diagnostic.
  const expected = [...file.diagnostics, ...(file.replay ?? [])];
  const exit = expected.some((s) => / error /.test(s)) ? 1 : 0;
  const path = `corpus.${file.format}`;
  const check = cli(['check', path], file.text);
  assert.equal(check.code, exit, `check exits ${exit}\n${check.stdout}`);
  const reported = check.stdout.split('\n').filter((l) => l.length > 0);
  assert.equal(reported.length, expected.length, `check prints one line per diagnostic\n${check.stdout}`);
  for (const l of reported) assert.match(l, /^corpus\.(rep|heap):\d+:\d+: (error|warning): \S/, 'path:line:col: severity: message');
  assert.deepEqual(byLine(reported.map((l) => l.replace(/^corpus\.\w+:(\d+):\d+: (\w+): .*$/s, '$1: $2'))), byLine(expected.map((s) => s.replace(/ \S+$/, ''))));

  const json = cli(['run', path, '--json'], file.text);
  assert.equal(json.code, exit, 'run --json');
  const summaryJson = JSON.parse(json.stdout) as { ops: number; diagnostics: unknown[] };
  assert.equal(summaryJson.ops, trace.ops.length);
  assert.equal(summaryJson.diagnostics.length, expected.length);
  if (file.light) return trace;

  const text = cli(['run', path], file.text);
  assert.equal(text.code, exit, 'run');
  const ops = cli(['run', path, '--ops'], file.text);
  assert.equal(ops.code, exit, 'run --ops');
  const rows = ops.stdout.trimEnd().split('\n');
  assert.equal(rows[0], 'op_index,kind,id,size,offset,heap_size');
  assert.equal(rows.length - 1, [...trace.ops].filter((op) => op.kind !== 'write' && op.kind !== 'fill').length, 'one row per malloc, calloc, realloc or free');
  const compare = cli(['compare', path, '--json'], file.text);
  // Every policy replays the same parse: its errors fail the comparison too.
  assert.ok(compare.code === 0 || compare.code === 1);
  if (trace.diagnostics.some((d) => d.severity === 'error')) assert.equal(compare.code, 1, 'compare');
  return trace;
}

/** A `.rep` file: the four header numbers, then the op lines (op i on line i + 5). */
function rep(header: readonly (number | string)[], ...ops: string[]): string {
  return [...header, ...ops].join('\n') + '\n';
}

/** Lines 5 to 8 of a two-id, four-op trace. */
const BALANCED = ['a 0 8', 'a 1 16', 'f 0', 'f 1'] as const;

/** Deterministic bytes (mulberry32), so a failure can be reproduced from the seed. */
function randomBytes(seed: number, length: number, { noNul = false } = {}): Uint8Array {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  return Uint8Array.from({ length }, () => (noNul ? 1 + (next() % 255) : next() & 0xff));
}

/** Bytes as `readFileSync(path, 'utf8')` hands them to the command line. */
const asRead = (bytes: Uint8Array | readonly number[]) => Buffer.from(bytes).toString('utf8');

// --- .rep -----------------------------------------------------------------------------------------

describe('malformed .rep files', () => {
  it('the well-formed file the corpus starts from is clean', () => {
    assertMalformed({ format: 'rep', text: rep([20000, 2, 4, 1], ...BALANCED), diagnostics: [], opLines: [5, 6, 7, 8] });
  });

  describe('truncated', () => {
    const whole = rep([20000, 2, 4, 1], ...BALANCED);

    it('cut in the middle of an op line: "f" lacks its id, and the header counts 4 ops', () => {
      assertMalformed({
        format: 'rep',
        text: whole.slice(0, whole.indexOf('f 0') + 1),
        diagnostics: ['3: error header-op-count', '7: error missing-argument'],
        opLines: [5, 6],
      });
    });

    it('cut in the middle of a size: the last op is short, the count is off', () => {
      assertMalformed({ format: 'rep', text: whole.slice(0, whole.indexOf('a 1 16') + 5), diagnostics: ['3: error header-op-count'], opLines: [5, 6] });
    });

    it('the header and nothing else: no ops, and no id to make the header\'s 2 ids right', () => {
      assertMalformed({ format: 'rep', text: rep([20000, 2, 4, 1]), diagnostics: ['2: error header-id-count', '3: error header-op-count'], opLines: [] });
    });

    it('the header cut short after two numbers', () => {
      assertMalformed({ format: 'rep', text: '20000\n2\n', diagnostics: ['1: error header-missing'], opLines: [] });
    });

    it('the header cut inside its first number', () => {
      assertMalformed({ format: 'rep', text: '200', diagnostics: ['1: error header-missing'], opLines: [] });
    });

    it('three header numbers, then ops: an error (the driver cannot read it), and the counts come from the ops', () => {
      assertMalformed({ format: 'rep', text: ['20000', '2', '4', ...BALANCED].join('\n'), diagnostics: ['1: error header-missing'], opLines: [4, 5, 6, 7] });
    });

    it('no header at all: an error (the driver cannot read it), and the ops alone replay', () => {
      assertMalformed({ format: 'rep', text: BALANCED.join('\n'), diagnostics: ['1: error header-missing'], opLines: [1, 2, 3, 4] });
    });
  });

  describe('binary garbage', () => {
    const binary = { format: 'rep' as const, diagnostics: ['1: error binary-file'], opLines: [] };

    it('random bytes, NUL included', () => {
      for (const seed of [1, 2, 3]) assertMalformed({ ...binary, text: asRead(randomBytes(seed, 4096)) });
    });

    it('random bytes without a single NUL', () => {
      for (const seed of [4, 5, 6]) assertMalformed({ ...binary, text: asRead(randomBytes(seed, 2048, { noNul: true })) });
    });

    it('a PNG header', () => {
      const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52, 0, 0, 1, 0, 0, 0, 1, 0, 8, 6, 0, 0, 0];
      assertMalformed({ ...binary, text: asRead(png) });
    });

    it('an ELF header (someone passed the compiled mdriver)', () => {
      const elf = [0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0x3e, 0, 1, 0, 0, 0, 0x40, 0x10, 0, 0, 0, 0, 0, 0];
      assertMalformed({ ...binary, text: asRead([...elf, ...randomBytes(7, 512)]) });
    });

    it('a trace saved as UTF-16 (every other byte NUL)', () => {
      assertMalformed({ ...binary, text: asRead([0xff, 0xfe, ...Buffer.from(rep([20000, 2, 4, 1], ...BALANCED), 'utf16le')]) });
    });

    it('a single NUL in an otherwise fine trace', () => {
      assertMalformed({ ...binary, text: rep([20000, 2, 4, 1], 'a 0 8', 'a 1 16\0', 'f 0', 'f 1') });
    });
  });

  describe('huge numbers', () => {
    it('a size of 2^64 is too large; 2^64-1 is a legal request the heap answers with NULL', () => {
      assertMalformed({
        format: 'rep',
        text: rep([20000, 2, 3, 1], 'a 0 18446744073709551616', 'a 1 18446744073709551615', 'f 1'),
        diagnostics: ['5: error size-too-large'],
        replay: ['6: warning heap-limit'],
        opLines: [6, 7],
      });
    });

    it('the 2016 lab\'s 64-bit requests near 2^56 are exact and legal', () => {
      const trace = assertMalformed({
        format: 'rep',
        text: rep([1, 2, 3, 0], 'a 0 72057594037927937', 'a 1 8', 'f 1'),
        diagnostics: [],
        replay: ['5: warning heap-limit'],
        opLines: [5, 6, 7],
      });
      const first = trace.ops.at(0);
      assert.equal(first.kind === 'malloc' && first.size, 2n ** 56n + 1n, 'parsed exactly, not rounded to a double');
    });

    it('a 300-digit size', () => {
      assertMalformed({ format: 'rep', text: rep([20000, 1, 2, 1], `a 0 ${'9'.repeat(300)}`, 'a 0 8'), diagnostics: ['5: error size-too-large'], opLines: [6] });
    });

    it('a 300-digit id', () => {
      assertMalformed({ format: 'rep', text: rep([20000, 1, 2, 1], `a ${'9'.repeat(300)} 8`, 'a 0 8'), diagnostics: ['5: error id-out-of-range'], opLines: [6] });
    });

    it('an id beyond the header\'s range', () => {
      assertMalformed({ format: 'rep', text: rep([20000, 2, 3, 1], 'a 0 8', 'a 2 8', 'a 1 8'), diagnostics: ['6: error id-out-of-range'], opLines: [5, 7] });
    });

    it('an id beyond any slot table (2^24) in a file without a header', () => {
      assertMalformed({ format: 'rep', text: 'a 0 8\na 16777216 8\nf 0\n', diagnostics: ['1: error header-missing', '2: error id-out-of-range'], opLines: [1, 3] });
    });

    it('a header op count of 99999999999999999999', () => {
      assertMalformed({ format: 'rep', text: rep([20000, 2, '99999999999999999999', 1], ...BALANCED), diagnostics: ['3: error header-op-count'], opLines: [5, 6, 7, 8] });
    });

    it('a header id count of 99999999999999999999', () => {
      assertMalformed({ format: 'rep', text: rep([20000, '99999999999999999999', 4, 1], ...BALANCED), diagnostics: ['2: error header-id-count'], opLines: [5, 6, 7, 8] });
    });

    it('huge numbers in the header fields a replay does not use are fine', () => {
      assertMalformed({ format: 'rep', text: rep(['9'.repeat(300), 2, 4, '99999999999999999999'], ...BALANCED), diagnostics: [], opLines: [5, 6, 7, 8] });
    });

    it('messages quote a huge header count as written, not clamped to 2^53-1', () => {
      for (const [header, code] of [
        [[20000, 2, '99999999999999999999', 1], 'header-op-count'],
        [[20000, '99999999999999999999', 4, 1], 'header-id-count'],
      ] as const) {
        const d = parseRep(rep(header, ...BALANCED)).diagnostics.find((x) => x.code === code);
        assert.ok(d, code);
        assert.match(d.message, /99999999999999999999/, `${code}: "${d.message}"`);
        assert.doesNotMatch(d.message, /9007199254740991/, `${code}: "${d.message}"`);
      }
    });

    it('an id problem is worded as an id problem, not a size one', () => {
      for (const id of ['-1', '9'.repeat(300), '5']) {
        const d = parseRep(rep([20000, 1, 2, 1], `a ${id} 8`, 'a 0 8')).diagnostics.find((x) => x.range.line === 5);
        assert.ok(d, `a ${id} 8: no diagnostic on line 5`);
        assert.equal(d.code, 'id-out-of-range', `a ${id} 8`);
        assert.match(d.message, /\bid\b/i, `a ${id} 8: "${d.message}"`);
        assert.doesNotMatch(d.message, /\bsizes?\b|size_t/, `a ${id} 8: "${d.message}"`);
      }
    });

    it('the NULL for a 2^64-1 request does not quote a size rounded to a double', () => {
      const trace = parseRep(rep([20000, 1, 1, 1], 'a 0 18446744073709551615'));
      const [d] = Replay.run(trace, traceConfig(trace).config).diagnostics;
      assert.ok(d);
      assert.equal(d.code, 'heap-limit');
      assert.doesNotMatch(d.message, /18446744073709552000/, d.message);
    });

    it('a sparse id near the slot limit (2^22) does not cost seconds', () => {
      const id = 2 ** 22;
      const started = performance.now();
      const trace = parseRep(`a ${id} 8\nf ${id}\n`);
      Replay.run(trace, traceConfig(trace).config);
      const ms = performance.now() - started;
      assert.equal(trace.ops.length, 2);
      assert.ok(ms < 250, `a two-line trace took ${ms.toFixed(0)} ms to parse and replay`);
    });
  });

  describe('negative numbers', () => {
    it('negative sizes and a negative id; the valid op between them runs', () => {
      assertMalformed({
        format: 'rep',
        text: rep([20000, 2, 4, 1], 'a 0 -8', 'a -1 8', 'a 1 16', 'r 1 -1'),
        diagnostics: ['5: error negative-size', '6: error id-out-of-range', '8: error negative-size'],
        opLines: [7],
      });
    });
  });

  describe('header counts off by one', () => {
    it('one op more in the header than in the file', () => {
      assertMalformed({ format: 'rep', text: rep([20000, 2, 5, 1], ...BALANCED), diagnostics: ['3: error header-op-count'], opLines: [5, 6, 7, 8] });
    });

    it('one op fewer in the header than in the file', () => {
      assertMalformed({ format: 'rep', text: rep([20000, 2, 3, 1], ...BALANCED), diagnostics: ['3: error header-op-count'], opLines: [5, 6, 7, 8] });
    });

    it('one id more in the header than the trace uses', () => {
      assertMalformed({ format: 'rep', text: rep([20000, 3, 4, 1], ...BALANCED), diagnostics: ['2: error header-id-count'], opLines: [5, 6, 7, 8] });
    });

    it('one id fewer in the header: the ops on id 1 are out of range', () => {
      assertMalformed({ format: 'rep', text: rep([20000, 1, 4, 1], ...BALANCED), diagnostics: ['6: error id-out-of-range', '8: error id-out-of-range'], opLines: [5, 7] });
    });

    it('blank lines inside the header: the count is reported on the line that holds it', () => {
      assertMalformed({ format: 'rep', text: '\n\n20000\n\n2\n5\n1\n\n' + BALANCED.join('\n'), diagnostics: ['6: error header-op-count'], opLines: [9, 10, 11, 12] });
    });
  });

  describe('unknown ids, bad frees', () => {
    it('free of an id never allocated, double free, realloc of unknown and freed ids, a leak', () => {
      assertMalformed({
        format: 'rep',
        text: rep([20000, 3, 9, 1], 'a 0 8', 'f 1', 'f 0', 'f 0', 'r 0 16', 'r 2 16', 'a 1 8', 'a 1 8', 'f 1'),
        diagnostics: ['6: error unknown-pointer', '8: error double-free', '9: error freed-pointer', '10: error unknown-pointer', '12: warning leak'],
        opLines: [5, 6, 7, 8, 9, 10, 11, 12, 13],
      });
    });

    it('a realloc through a dangling id is the trace\'s error, not a realloc that lost data', () => {
      // id 2 is never allocated: realloc(NULL, 16) takes id 0's freed block; "r 0 16" then resizes
      // that block through the dangling id 0. The allocator kept every byte it was given.
      assertMalformed({
        format: 'rep',
        text: rep([20000, 3, 4, 1], 'a 0 16', 'f 0', 'r 2 16', 'r 0 16'),
        diagnostics: ['7: error unknown-pointer', '8: error freed-pointer'],
        opLines: [5, 6, 7, 8],
      });
    });

    it('the double free points back at the free before it', () => {
      const trace = parseRep(rep([20000, 1, 3, 1], 'a 0 8', 'f 0', 'f 0'));
      const d = trace.diagnostics.find((x) => x.code === 'double-free');
      assert.ok(d);
      assert.equal(d.range.line, 7);
      assert.match(d.message, /line 6/);
      assert.deepEqual(d.related?.map((r) => r.range.line), [5, 6]);
    });

    it('free of an id whose malloc returned NULL is free(NULL): legal, nothing happens (docs/trace-formats.md, "Diagnostics that depend on what an allocation returned")', () => {
      assertMalformed({
        format: 'rep',
        text: rep([20000, 2, 4, 1], 'a 0 8', 'a 1 18446744073709551615', 'f 1', 'f 0'),
        diagnostics: [],
        replay: ['6: warning heap-limit'],
      });
    });

    it('realloc of an id whose malloc returned NULL is realloc(NULL, n), a malloc (docs/trace-formats.md, the same section)', () => {
      const trace = assertMalformed({
        format: 'rep',
        text: rep([20000, 2, 5, 1], 'a 0 8', 'a 1 18446744073709551615', 'r 1 16', 'f 1', 'f 0'),
        diagnostics: [],
        replay: ['6: warning heap-limit'],
      });
      const replay = Replay.run(trace, traceConfig(trace).config);
      assert.equal(replay.step(1).ptr, null);
      assert.notEqual(replay.step(2).ptr, null, 'the realloc allocated a block');
    });

    it('malloc(0) is a warning, and freeing its NULL is legal', () => {
      assertMalformed({ format: 'rep', text: rep([20000, 1, 2, 1], 'a 0 0', 'f 0'), diagnostics: ['5: warning zero-size'] });
    });
  });

  describe('bad op lines', () => {
    it('unknown op letters; the valid lines around them run', () => {
      assertMalformed({
        format: 'rep',
        text: rep([20000, 2, 10, 1], 'A 0 8', 'm 1 8', 'c 0 8', 'free 0', 'a 0 8', 'a 1 8', 'aa 0 8', '# a comment', 'f 0', 'f 1'),
        diagnostics: ['5: error unknown-op', '6: error unknown-op', '7: error unknown-op', '8: error unknown-op', '11: error unknown-op', '12: error unknown-op'],
        opLines: [9, 10, 13, 14],
      });
    });

    it('missing and extra arguments', () => {
      assertMalformed({
        format: 'rep',
        text: rep([20000, 2, 9, 1], 'a 0', 'a 1 8 9', 'f 1 3', 'f', 'r 0', 'a', 'a 0 8', 'a 1 16', 'f 0'),
        diagnostics: ['5: error missing-argument', '6: error extra-argument', '7: error extra-argument', '8: error missing-argument', '9: error missing-argument', '10: error missing-argument'],
        opLines: [11, 12, 13],
      });
    });

    it('words and fractions where numbers belong', () => {
      assertMalformed({
        format: 'rep',
        text: rep([20000, 2, 6, 1], 'a x 8', 'a 0 8.5', 'a 1 0x10', 'a 0 1e3', 'a 1 16', 'f 1'),
        diagnostics: ['5: error bad-number', '6: error bad-number', '7: error bad-number', '8: error bad-number'],
        opLines: [9, 10],
      });
    });

    it('a diagnostic underlines the token that is wrong', () => {
      const [d] = parseRep(rep([20000, 1, 1, 1], '  a   0   8x')).diagnostics;
      assert.ok(d);
      assert.deepEqual(d.range, { line: 5, column: 11, endLine: 5, endColumn: 13 });
      assert.equal(d.code, 'bad-number');
    });
  });

  describe('whitespace', () => {
    it('CRLF line endings everywhere', () => {
      assertMalformed({ format: 'rep', text: rep([20000, 2, 4, 1], ...BALANCED).replace(/\n/g, '\r\n'), diagnostics: [], opLines: [5, 6, 7, 8] });
    });

    it('CRLF and LF mixed, a CRLF blank line, no final newline', () => {
      assertMalformed({ format: 'rep', text: '20000\r\n2\n4\r\n1\na 0 8\r\na 1 16\n\r\nf 0\r\nf 1', diagnostics: [], opLines: [5, 6, 8, 9] });
    });

    it('a CRLF line\'s diagnostic ends before the carriage return', () => {
      const [d] = parseRep(rep([20000, 1, 1, 1], 'a 0 8x').replace(/\n/g, '\r\n')).diagnostics;
      assert.deepEqual(d?.range, { line: 5, column: 5, endLine: 5, endColumn: 7 });
    });

    it('tabs and runs of spaces between and around tokens', () => {
      assertMalformed({ format: 'rep', text: '  20000\t\n\t2\n4   \n 1\n\ta\t0   8\n  a 1\t\t16  \n f 0\nf  1\t\n', diagnostics: [], opLines: [5, 6, 7, 8] });
    });

    it('blank lines between ops: each op keeps its real line', () => {
      assertMalformed({ format: 'rep', text: '\n\n20000\n2\n4\n1\n\na 0 8\n\n\na 1 16\nf 0\n\nf 1\n\n\n', diagnostics: [], opLines: [8, 11, 12, 14] });
    });

    it('an empty file: no header, an error', () => {
      assertMalformed({ format: 'rep', text: '', diagnostics: ['1: error header-missing'], opLines: [] });
    });

    it('a file of only whitespace: no header, an error', () => {
      assertMalformed({ format: 'rep', text: '   \n\t\t\n\r\n  \n', diagnostics: ['1: error header-missing'], opLines: [] });
    });
  });

  describe('size', () => {
    it('a 1 MB line of digits', () => {
      const digits = '1'.repeat(2 ** 20);
      const trace = assertMalformed({
        format: 'rep',
        text: rep([20000, 2, 3, 1], 'a 1 8', `a 0 ${digits}`, 'f 1'),
        diagnostics: ['6: error size-too-large'],
        opLines: [5, 7],
        light: true,
      });
      assert.deepEqual(trace.diagnostics[0]!.range, { line: 6, column: 5, endLine: 6, endColumn: 5 + digits.length });
      assert.ok(trace.diagnostics[0]!.message.length < 200, 'the message clips the number');
    });

    it('a 1 MB run of spaces before a valid op', () => {
      const trace = assertMalformed({ format: 'rep', text: rep([20000, 1, 2, 1], `${' '.repeat(2 ** 20)}a 0 8`, 'f 0'), diagnostics: [], opLines: [5, 6], light: true });
      assert.equal(trace.ops.at(0).range.column, 2 ** 20 + 1);
    });

    it('a valid file of 200,000 ops parses, replays and checks clean', () => {
      const ops: string[] = [];
      for (let k = 0; k < 100_000; k++) {
        ops.push(`a ${k % 1000} ${((k * 37) % 500) + 1}`, `f ${k % 1000}`);
      }
      const text = `20000\n1000\n${ops.length}\n1\n${ops.join('\n')}\n`;
      const trace = assertMalformed({ format: 'rep', text, diagnostics: [], light: true });
      assert.equal(trace.ops.length, 200_000);
      assert.equal(trace.ops.at(199_999).range.line, 200_004, 'op i sits on line i + 5');
    });
  });
});

// --- .heap ----------------------------------------------------------------------------------------

describe('malformed .heap scripts', () => {
  const heap = (...lines: string[]) => lines.join('\n') + '\n';

  it('unknown statements', () => {
    assertMalformed({
      format: 'heap',
      text: heap('p = malloc(8)', 'foo(p)', 'q = mmap(4)', 'hello', 'p := malloc(8)', '@', 'free(p)'),
      diagnostics: ['2: error unknown-op', '3: error unknown-op', '4: error unknown-op', '5: error unknown-op', '6: error unknown-op'],
      opLines: [1, 7],
    });
  });

  it('an unclosed string', () => {
    assertMalformed({ format: 'heap', text: heap('p = malloc(8)', 'write(p, 0, "abc)', 'free(p)'), diagnostics: ['2: error bad-string'], opLines: [1, 3] });
  });

  it('unclosed parentheses and brackets', () => {
    assertMalformed({
      format: 'heap',
      text: heap('p = malloc(8', 'q = calloc(2, 4', 'r = malloc(8)', 'write(r, 0, [1, 2', 'free(r'),
      diagnostics: ['1: error missing-argument', '2: error missing-argument', '4: error bad-string', '5: error missing-argument'],
      opLines: [3],
    });
  });

  it('bad escapes and bad bytes', () => {
    assertMalformed({
      format: 'heap',
      text: heap('p = malloc(8)', 'write(p, 0, "a\\qb")', 'write(p, 0, "\\x4")', 'write(p, 0, [1, 2, 300])', 'fill(p, 0, 4, 256)', 'write(p, 0, "a#b//c")  # fine', 'free(p)'),
      diagnostics: ['2: error bad-string', '3: error bad-string', '4: error bad-string', '5: error size-too-large'],
      opLines: [1, 6, 7],
    });
  });

  it('a backslash at the very end of a line: the diagnostic stays on the line', () => {
    assertMalformed({ format: 'heap', text: heap('p = malloc(8)', 'write(p, 0, "hi\\', 'free(p)'), diagnostics: ['2: error bad-string'], opLines: [1, 3] });
  });

  it('reserved words as pointer names', () => {
    assertMalformed({
      format: 'heap',
      text: heap('malloc = malloc(8)', 'NULL = malloc(4)', 'free = malloc(2)', 'p = malloc(1)', 'free(p)'),
      diagnostics: ['1: error bad-name', '2: error bad-name', '3: error bad-name'],
      opLines: [4, 5],
    });
  });

  it('"set" as a pointer name is a bad name, not an unknown setting "="', () => {
    const trace = assertMalformed({ format: 'heap', text: heap('set = malloc(4)', 'p = malloc(1)', 'free(p)'), diagnostics: ['1: error bad-name'], opLines: [2, 3] });
    assert.doesNotMatch(trace.diagnostics[0]!.message, /Unknown setting "="/);
  });

  it('settings with unknown keys and values', () => {
    assertMalformed({
      format: 'heap',
      text: heap('set colour = red', 'set policy = fastest', 'set alignment = 0', 'set maxHeap = lots', 'set sentinels = maybe', 'set', 'set policy', 'set policy = best worst', 'p = malloc(8)', 'free(p)'),
      diagnostics: ['1: error bad-setting', '2: error bad-setting', '3: error bad-setting', '4: error bad-setting', '5: error bad-setting', '6: error bad-setting', '7: error bad-setting', '8: error bad-setting'],
      opLines: [9, 10],
    });
  });

  it('a setting the heap cannot take is an error on its own line; the trace runs on the preset', () => {
    assertMalformed({ format: 'heap', text: heap('# too big', 'set maxHeap = 2G', 'p = malloc(8)', 'free(p)'), diagnostics: [], replay: ['2: error bad-setting'], opLines: [3, 4] });
    // An alignment only OSTEP's model takes parses, and the engine's preset refuses it.
    assertMalformed({ format: 'heap', text: heap('set alignment = 12', 'p = malloc(8)', 'free(p)'), diagnostics: [], replay: ['1: error bad-setting'], opLines: [2, 3] });
  });

  it('a setting given twice: the later wins, with a warning', () => {
    assertMalformed({ format: 'heap', text: heap('set policy = best', 'set policy = worst', 'p = malloc(8)', 'free(p)'), diagnostics: ['2: warning bad-setting'] });
  });

  it('settings after ops', () => {
    assertMalformed({ format: 'heap', text: heap('p = malloc(8)', 'set policy = best', 'free(p)'), diagnostics: ['2: warning setting-after-ops'], opLines: [1, 3] });
  });

  it('use of unknown and freed pointers, double free', () => {
    assertMalformed({
      format: 'heap',
      text: heap('free(q)', 'q = realloc(r, 8)', 'write(s, 0, "x")', 'fill(t, 0, 4, 0)', 'p = malloc(8)', 'free(p)', 'free(p)', 'write(p, 0, "x")', 'p = realloc(p, 9)'),
      diagnostics: ['1: error unknown-pointer', '2: error unknown-pointer', '3: error unknown-pointer', '4: error unknown-pointer', '7: error double-free', '8: error freed-pointer', '9: error freed-pointer'],
      opLines: [1, 2, 3, 4, 5, 6, 7, 8, 9],
    });
  });

  it('use of the old pointer after realloc moved the block to another name', () => {
    for (const [use, codes] of [
      ['free(p)', ['double-free', 'freed-pointer']],
      ['p = realloc(p, 0)', ['freed-pointer']],
      ['write(p, 0, "x")', ['freed-pointer']],
    ] as const) {
      const trace = parse('heap', heap('p = malloc(8)', 'q = realloc(p, 16)', use, 'free(q)'));
      const d = trace.diagnostics.find((x) => x.range.line === 3);
      assert.ok(d && (codes as readonly string[]).includes(d.code) && d.severity === 'error', `${use}: ${d ? summary(d) : 'no diagnostic on line 3'}`);
    }
  });

  it('a line that is only ";" (a C habit) is an empty statement', () => {
    assertMalformed({ format: 'heap', text: heap('p = malloc(8)', ';', '  ;  # nothing', 'free(p);'), diagnostics: [], opLines: [1, 4] });
  });

  it('a write through NULL is an error on its line', () => {
    assertMalformed({
      format: 'heap',
      text: heap('p = malloc(0)', 'write(p, 0, "hi")', 'q = malloc(8)', 'free(q)'),
      diagnostics: ['1: warning zero-size'],
      replay: ['2: error null-pointer'],
    });
  });

  it('writes past the end of a payload: into the padding, over the boundary tag, outside the heap', () => {
    assertMalformed({
      format: 'heap',
      text: heap('set preset = csapp', 'p = malloc(5)', 'write(p, 4, "abcd")', 'q = malloc(8)', 'r = malloc(8)', 'write(q, 8, "x")', 'write(r, 100000, "x")', 'free(r)'),
      diagnostics: [],
      // free(r) reads q's overwritten boundary tag to decide whether to coalesce backwards.
      replay: ['3: warning write-past-request', '6: error write-overflow', '6: error heap-corrupted', '7: error write-outside-heap', '8: error heap-corrupted'],
    });
  });

  it('a heap overflow that wrecks the next header: the free after it reports the damage', () => {
    assertMalformed({
      format: 'heap',
      text: heap('set preset = csapp', 'p = malloc(8)', 'q = malloc(8)', 'write(p, 0, "0123456789abcdef01234567")', 'free(q)', 'free(p)'),
      diagnostics: [],
      replay: ['4: error write-overflow', '4: error heap-corrupted', '5: error heap-corrupted'],
    });
  });

  it('negative sizes, sizes beyond 2^64-1, calloc overflow', () => {
    assertMalformed({
      format: 'heap',
      text: heap('p = malloc(-8)', 'q = calloc(-1, 4)', 'r = malloc(18446744073709551616)', 's = calloc(18446744073709551615, 2)', 't = malloc(0x10)', 'free(t)'),
      diagnostics: ['1: error negative-size', '2: error negative-size', '3: error size-too-large'],
      replay: ['4: warning calloc-overflow'],
      opLines: [4, 5, 6],
    });
  });

  it('missing and extra arguments', () => {
    assertMalformed({
      format: 'heap',
      text: heap('p = malloc()', 'p = malloc(1, 2)', 'free()', 'free(p, q)', 'write(p, 0)', 'p = malloc(8) junk', 'malloc(8)', 'x = free(p)', 'p = ', 'p = malloc(8)', 'free(p)'),
      diagnostics: [
        '1: error missing-argument',
        '2: error extra-argument',
        '3: error missing-argument',
        '4: error extra-argument',
        '5: error missing-argument',
        '6: error extra-argument',
        '7: error missing-argument',
        '8: error extra-argument',
        '9: error missing-argument',
      ],
      opLines: [10, 11],
    });
  });

  it('CRLF, tabs and comments', () => {
    assertMalformed({ format: 'heap', text: 'set policy = best\r\n\tp\t=\tmalloc( 8 )\r\n\r\nwrite(p, 0, "hi")  # c\r\n// c\nfree(p)\r\n', diagnostics: [], opLines: [2, 4, 6] });
  });

  it('an empty script and a script of whitespace', () => {
    assertMalformed({ format: 'heap', text: '', diagnostics: ['1: warning empty-trace'], opLines: [] });
    assertMalformed({ format: 'heap', text: ' \n\t\n\r\n', diagnostics: ['1: warning empty-trace'], opLines: [] });
  });

  it('binary garbage', () => {
    assertMalformed({ format: 'heap', text: asRead(randomBytes(11, 4096)), diagnostics: ['1: error binary-file'], opLines: [] });
  });

  it('a 1 MB string and a 1 MB word', () => {
    assertMalformed({
      format: 'heap',
      text: heap('p = malloc(8)', `write(p, 0, "${'a'.repeat(2 ** 20)}")`, 'x'.repeat(2 ** 20), 'free(p)'),
      diagnostics: ['3: error unknown-op'],
      replay: ['2: error write-outside-heap'],
      opLines: [1, 2, 4],
      light: true,
    });
  });
});

// --- mutations of well-formed files ----------------------------------------------------------------

describe('malformed by seeded mutations of well-formed traces: nothing throws', () => {
  const REP = rep([20000, 4, 10, 1], 'a 0 24', 'a 1 100', 'a 2 24', 'f 1', 'a 3 40', 'r 0 200', 'f 2', 'f 0', 'f 3', 'r 3 0');
  const HEAP = [
    'set preset = csapp',
    'set policy = best',
    'p = malloc(24)',
    'q = calloc(4, 8)',
    'write(p, 0, "hi\\n")',
    'fill(q, 0, 32, 0xab)',
    'p = realloc(p, 100)',
    'free(q)',
    'p = realloc(p, 0)',
    'free(NULL)',
    'z = realloc(NULL, 8)',
    'write(z, 0, [1, 2, 3])',
    'free(z)',
  ].join('\n');
  const PIECES = ['a', 'r', 'f', ' ', '\n', '\r\n', '\t', '0', '9', '-', '(', ')', ',', '"', '\\', '=', '#', '[', ']', ';', 'NULL', 'set', 'p', 'q', '\0', '18446744073709551616', '99999999999999999999', 'é', 'malloc', 'free'];

  for (const [format, base] of [['rep', REP], ['heap', HEAP]] as const) {
    it(`${format}: 600 mutated files`, () => {
      for (let seed = 1; seed <= 600; seed++) {
        const bytes = randomBytes(seed * 7919 + (format === 'rep' ? 0 : 1), 24);
        let text = base;
        const edits = 1 + (bytes[0]! % 5);
        for (let k = 0; k < edits; k++) {
          const at = ((bytes[1 + 3 * k]! << 8) | bytes[2 + 3 * k]!) % (text.length + 1);
          const pick = bytes[3 + 3 * k]!;
          if (pick < 100) text = text.slice(0, at) + text.slice(at + 1 + (pick % 5));
          else if (pick < 240) text = text.slice(0, at) + PIECES[pick % PIECES.length]! + text.slice(at);
          else text = text.slice(0, at);
        }
        const context = `seed ${seed}, file ${JSON.stringify(text)}`;
        let trace: Trace;
        try {
          trace = format === 'rep' ? parseRep(text) : parseHeapScript(text);
        } catch (err) {
          assert.fail(`parse threw (${context}): ${String(err)}`);
        }
        const lines = sourceLines(text);
        try {
          assertWellFormed(trace.diagnostics, lines, trace.lineCount);
          const { config, diagnostics } = traceConfig(trace);
          const replay = Replay.run(trace, config);
          assert.equal(replay.recorded, trace.ops.length);
          assertWellFormed([...diagnostics, ...replay.diagnostics], lines, trace.lineCount);
          const errors = [...trace.diagnostics, ...diagnostics, ...replay.diagnostics].some((d) => d.severity === 'error');
          assert.equal(cli(['check', `m.${format}`], text).code, errors ? 1 : 0);
        } catch (err) {
          assert.fail(`${context}: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
    });
  }
});

// --- the command line on files it cannot use -----------------------------------------------------

describe('malformed input on the command line', () => {
  it('exits 0 with warnings only, 1 with errors', () => {
    assert.equal(cli(['check', 'w.rep'], rep([20000, 1, 2, 1], 'a 0 0', 'f 0')).code, 0);
    assert.equal(cli(['run', 'w.rep'], rep([20000, 1, 2, 1], 'a 0 0', 'f 0')).code, 0);
    assert.equal(cli(['check', 'e.rep'], rep([20000, 1, 2, 1], 'a 0 8', 'x')).code, 1);
    assert.equal(cli(['compare', 'e.rep'], rep([20000, 1, 2, 1], 'a 0 8', 'x')).code, 1);
  });

  it('exits 2 with a message when the file cannot be read', () => {
    for (const command of ['run', 'compare', 'check']) {
      let stdout = '';
      let stderr = '';
      const io: CliIo = {
        readFile: () => {
          throw new Error('permission denied');
        },
        out: (t) => void (stdout += t),
        err: (t) => void (stderr += t),
      };
      assert.equal(runCli([command, 'locked.rep'], io), 2, command);
      assert.equal(stdout, '');
      assert.match(stderr, /locked\.rep/);
      assert.match(stderr, /permission denied/);
      assertNoStackTrace(stderr, command);
    }
  });
});
