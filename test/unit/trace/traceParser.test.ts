// Reading a trace a slice of lines at a time (the editor does, so a million-line trace never holds
// it up): whatever the slices, the parser ends with the trace a one-shot parse gives, on the
// samples, on malformed text and on the malloc lab traces; ordinary lines take a quick path that
// agrees with the general one.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { formatOf, HeapScriptParser, parseHeapScript, parseRep, parseTrace, printHeapScript, RepParser, traceParser, type Trace, type TraceFormat } from '../../../src/trace/index';
import { LineReader, splitLines } from '../../../src/trace/lines';
import { generatedRep } from '../support/generatedTrace';
import { readMalloclab, REFERENCE, requireMalloclab } from '../support/malloclab';

/** The trace read `linesPerSlice` lines at a time. */
function readInSlices(text: string, format: TraceFormat, linesPerSlice: number): Trace {
  const parser = traceParser(text, format);
  let slices = 1;
  while (!parser.advance(linesPerSlice)) slices++;
  assert.ok(slices >= Math.floor(parser.lines / linesPerSlice), `${slices} slices of ${linesPerSlice} lines for ${parser.lines} lines`);
  return parser.trace;
}

function assertSameInSlices(text: string, format: TraceFormat, slices: readonly number[] = [1, 2, 7, 100]): void {
  const whole = parseTrace(text, format);
  for (const n of slices) assert.deepEqual(readInSlices(text, format, n), whole, `read ${n} line${n === 1 ? '' : 's'} at a time: ${JSON.stringify(text.slice(0, 60))}`);
}

const samples = readdirSync('samples').filter((f) => /\.(rep|heap|mtrace|ltrace)$/.test(f));

/** Deterministic text made of trace-like pieces, bad ones included. */
function garbage(seed: number, pieces: readonly string[], length: number): string {
  let s = seed >>> 0;
  const next = () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 2 ** 32;
  };
  let text = '';
  for (let k = 0; k < length; k++) text += pieces[Math.floor(next() * pieces.length)];
  return text;
}

describe('reading a trace a slice at a time', () => {
  it('lines are cut as a one-shot split cuts them: CRLF, LF or a lone CR, no line after a final break', () => {
    for (const text of ['', '\n', 'a', 'a\n', 'a\n\n', '\r\n', 'a\r\nb', 'a\rb\n', '\n\nx', 'x\r\r\n']) {
      const reader = new LineReader(text);
      const lines: string[] = [];
      for (let line = reader.next(); line !== null; line = reader.next()) lines.push(line);
      assert.deepEqual(lines, splitLines(text), JSON.stringify(text));
      assert.equal(reader.line, lines.length);
      assert.equal(reader.offset, text.length);
    }
  });

  for (const sample of samples) {
    it(`${sample}: any slice size gives the trace a one-shot parse gives`, () => {
      assertSameInSlices(readFileSync(`samples/${sample}`, 'utf8'), formatOf(sample));
    });
  }

  it('malformed .rep text: headers cut short, bad tokens, CRLF, odd blanks, binary bytes', () => {
    const texts = [
      '',
      '\n\n',
      '20000\n2\n',
      '20000\n2\n3\n',
      '5',
      '20000\n2\n4\n1',
      '20000\n2\n4\n1\na 0 8\nf 0\nf 0\nf 1\n',
      '20000\n1\n9\n1\r\na 0 8\r\nr 0\t16\r\n  f 0  \r\n',
      'a 0 8\nf 0\n',
      '\n\na 0 8\n',
      '3\n\n4\na 0 8\n',
      '0\n2\n3\n1\na 0 18446744073709551616\na 1 -5\nx 1\nf\na 7 8\nf 0 9\n',
      '0\n2\n3\n1\na\u00a00\u00a08\u3000\nf\u00a00\n',
      '0\n1\n2\n1\na 0 0008\nf 00\n',
      '0\n1\n1\n1\na 0 1234567890123456\n',
      '0\n1\n1\n1\na 12345678 8\n',
      '\u0000\u0001\u0002garbage\nmore\n',
    ];
    for (const text of texts) assertSameInSlices(text, 'rep');
    for (let seed = 1; seed <= 300; seed++) {
      const text = garbage(seed, ['a', 'r', 'f', 'x', ' ', '\t', '\r', '\n', '\n', '0', '1', '7', '-3', '99999999', '18446744073709551616', '\u00a0', 'é', '20000'], 40);
      assertSameInSlices(text, 'rep', [1, 3]);
    }
  });

  it('malformed .heap text: bad statements, strings, settings after ops, comments', () => {
    const texts = ['', '# nothing\n', 'p = malloc(\nfree(q)\nwrite(p, 0, "unterminated\nset policy = nope\n', 'p = malloc(8)\nset policy = best\nset policy = worst\nfree(p)\nfree(p)\n'];
    for (const text of texts) assertSameInSlices(text, 'heap');
    for (let seed = 1; seed <= 300; seed++) {
      const text = garbage(seed, ['p', 'q', ' = ', 'malloc(', 'realloc(', 'free(', 'write(', ')', ', ', '24', '0x10', '"hi"', '[1, 2]', 'NULL', '\n', '\n', '# c', 'set policy = best', ';', '-', '"', 'x'], 30);
      assertSameInSlices(text, 'heap', [1, 3]);
    }
  });

  it('the trace is there only once the whole text is read, and the progress only grows', () => {
    const text = generatedRep(20_000, 500, 3);
    const parser = new RepParser(text);
    assert.throws(() => parser.trace, /not parsed yet/);
    let lines = 0;
    let offset = 0;
    while (!parser.advance(1000)) {
      assert.equal(parser.lines, lines + 1000, 'a slice reads the lines it was asked for');
      assert.ok(parser.offset > offset && parser.offset < parser.length);
      lines = parser.lines;
      offset = parser.offset;
      assert.equal(parser.done, false);
    }
    assert.equal(parser.done, true);
    assert.equal(parser.offset, parser.length);
    assert.equal(parser.trace.ops.length, 20_000);
    assert.equal(parser.trace.lineCount, 20_004);
    assert.equal(parser.advance(1000), true, 'a finished parser stays finished');
  });

  it('ordinary op lines take a quick path that agrees with the general one', () => {
    // A no-break space is whitespace to the tokenizer but not to the quick path: every line then
    // goes the general way, with the same columns.
    const general = (text: string) => text.replace(/ /g, '\u00a0');
    for (const text of [generatedRep(5_000, 300, 11), '0\n3\n4\n1\na 0 8\nr 0 16\nf 0\na 2 0\n', 'a 1 8\nf 1\nf 2\n']) {
      assert.deepEqual(parseRep(general(text)), parseRep(text));
    }
  });

  it('a .heap script converted from a long trace reads the same in slices', () => {
    const script = printHeapScript(parseRep(generatedRep(3_000, 200, 5)));
    const parser = new HeapScriptParser(script);
    while (!parser.advance(64));
    assert.deepEqual(parser.trace, parseHeapScript(script));
    assert.equal(parser.trace.ops.length, 3_000);
  });

  for (const ref of REFERENCE) {
    it(`${ref.trace}: read 1 and 1000 lines at a time, the same trace as read at once`, function () {
      requireMalloclab(this);
      const text = readMalloclab(ref.trace);
      const whole = parseRep(text);
      assert.equal(whole.ops.length, ref.ops);
      assert.deepEqual(readInSlices(text, 'rep', 1), whole);
      assert.deepEqual(readInSlices(text, 'rep', 1000), whole);
    });
  }
});
