// Line breaks as VS Code counts them: CRLF, LF and a lone CR are each one break. The parsers, read
// at once or a slice at a time, and `heap-inspector check` must put every diagnostic on the line
// the editor shows, whatever mix of breaks a file has (old Mac files, files edited on several
// systems).

import assert from 'node:assert/strict';
import { runCli } from '../../../src/cli/cli';
import { parseTrace, traceParser, type Diagnostic, type Trace, type TraceFormat } from '../../../src/trace/index';
import { LineReader, splitLines } from '../../../src/trace/lines';
import { seededRandom } from '../support/generatedTrace';

/** What the editor shows: the text cut at every CRLF, LF or lone CR. */
const EDITOR_LINE_BREAK = /\r\n|\r|\n/;

function editorLines(text: string): string[] {
  const lines = text.split(EDITOR_LINE_BREAK);
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/**
 * The lines joined with breaks picked by `seed` from CRLF, LF and CR (one kind only when `only`
 * is given). A CR before an empty line is never followed by an LF, which would make the two breaks
 * one CRLF and lose the empty line.
 */
function withBreaks(lines: readonly string[], seed: number, only?: string): string {
  const next = seededRandom(seed);
  const breaks = lines.map(() => only ?? ['\r\n', '\n', '\r'][Math.floor(next() * 3)]!);
  for (let k = 1; k < lines.length; k++) if (breaks[k - 1] === '\r' && lines[k] === '' && breaks[k] === '\n') breaks[k] = '\r\n';
  return lines.map((line, k) => line + breaks[k]).join('');
}

/** A .rep trace with an error or warning on most lines, blank lines between. */
const REP_LINES = ['20000', '3', '9', '1', '', 'a 0 8', 'a 1 8x', '', '', 'f 2', 'f 0', 'f 0', 'x 1 8', 'a 1 16', '  r 1 -5', 'a 1 8'];
/** A .heap script with errors, a warning and blank lines. */
const HEAP_LINES = ['# breaks of every kind', 'set policy = best', '', 'p = malloc(8)', 'q = malloc(-1)', '', 'write(p, 0, "\\q")', 'free(r)', 'free(p)', 'free(p)', 'set policy = worst', 'p = malloc(0)'];

function parse(text: string, format: TraceFormat): Trace {
  const whole = parseTrace(text, format);
  for (const slice of [1, 2, 5]) {
    const parser = traceParser(text, format);
    while (!parser.advance(slice));
    assert.deepEqual(parser.trace, whole, `read ${slice} line${slice === 1 ? '' : 's'} at a time, the same trace as read at once: ${JSON.stringify(text)}`);
  }
  return whole;
}

/** The text a diagnostic underlines, on the line the editor shows. */
function underlined(d: Diagnostic, lines: readonly string[]): string {
  return (lines[d.range.line - 1] ?? '').slice(d.range.column - 1, d.range.endColumn - 1);
}

function check(path: string, text: string): string {
  let stdout = '';
  runCli(['check', path], { readFile: () => text, out: (t) => void (stdout += t), err: () => undefined });
  return stdout;
}

describe('line breaks: CRLF, LF and a lone CR each end a line, as in VS Code', () => {
  for (const [format, lines] of [['rep', REP_LINES], ['heap', HEAP_LINES]] as const) {
    const lf = withBreaks(lines, 0, '\n');
    const reference = parseTrace(lf, format);

    it(`${format}: the LF file the others are compared with has its diagnostics on the lines that caused them`, () => {
      assert.ok(reference.diagnostics.length >= 5, reference.diagnostics.map((d) => d.message).join('\n'));
      for (const d of reference.diagnostics) assert.notEqual(underlined(d, editorLines(lf)).trim(), '', `${d.range.line}:${d.range.column} ${d.message}`);
    });

    const variants: [string, string][] = [
      ['CR only', withBreaks(lines, 0, '\r')],
      ['CRLF only', withBreaks(lines, 0, '\r\n')],
      ...[1, 2, 3, 4, 5, 6].map((seed): [string, string] => [`CRLF, LF and CR mixed (seed ${seed})`, withBreaks(lines, seed)]),
    ];
    for (const [name, text] of variants) {
      it(`${format}, ${name}: every diagnostic on the line the editor shows, in slices as at once, and the same from check`, () => {
        const shown = editorLines(text);
        assert.deepEqual(shown, editorLines(lf), 'the test file has the same lines');
        const trace = parse(text, format);
        assert.equal(trace.lineCount, shown.length);
        for (const d of trace.diagnostics) {
          assert.ok(d.range.line >= 1 && d.range.line <= shown.length, `${d.message}: line ${d.range.line} of ${shown.length}`);
        }
        // The same lines and columns as the LF file, so the same text underlined in the editor.
        assert.deepEqual(
          trace.diagnostics.map((d) => [d.range, d.code, underlined(d, shown)]),
          reference.diagnostics.map((d) => [d.range, d.code, underlined(d, editorLines(lf))]),
        );
        assert.deepEqual([...trace.ops].map((op) => op.range), [...reference.ops].map((op) => op.range));
        assert.equal(check(`t.${format}`, text), check(`t.${format}`, lf), 'heap-inspector check prints the same lines');
      });
    }
  }

  it('the line reader cuts where the editor does, on seeded texts of breaks, blanks and words', () => {
    const next = seededRandom(42);
    const pieces = ['\r', '\n', '\r\n', '\r\r', '\n\r', 'a', ' ', 'f 0', ''];
    for (let k = 0; k < 500; k++) {
      let text = '';
      const length = Math.floor(next() * 12);
      for (let p = 0; p < length; p++) text += pieces[Math.floor(next() * pieces.length)];
      const expected = editorLines(text);
      assert.deepEqual(splitLines(text), expected, JSON.stringify(text));
      const reader = new LineReader(text);
      const read: string[] = [];
      for (let line = reader.next(); line !== null; line = reader.next()) read.push(line);
      assert.deepEqual(read, expected, JSON.stringify(text));
      assert.equal(reader.line, expected.length);
      assert.equal(reader.offset, text.length);
    }
  });

  it('a CR-only file of 100,000 lines reads as 100,000 lines', () => {
    const text = 'f 0\r'.repeat(100_000);
    const reader = new LineReader(text);
    let n = 0;
    while (reader.next() !== null) n++;
    assert.equal(n, 100_000);
  });
});
