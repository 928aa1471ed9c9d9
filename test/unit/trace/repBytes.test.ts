// The command line reads a .rep trace from the file's bytes, without its text (docs/performance.md,
// "At scale"): whatever the bytes, the trace and every diagnostic (message, line, columns) are the
// ones the text parser gives for the text the editor shows, on the malloc lab traces and on
// hostile bytes. Bytes beyond ASCII are handed back to be decoded and read as text.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { textOfBytes } from '../../../src/cli/cli';
import { parseRep, parseRepBytes, parseTrace, parseTraceBytes, detectFormat, type Trace } from '../../../src/trace/index';
import { ByteLineReader, LineReader } from '../../../src/trace/lines';
import { generatedRep } from '../support/generatedTrace';
import { MALLOCLAB_DIR, REFERENCE, requireMalloclab } from '../support/malloclab';

const ascii = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));

/** The byte parser's trace of `bytes`, checked against the text parser's trace of their text. */
function assertSameAsText(bytes: Uint8Array, what: string): Trace {
  const fromText = parseRep(textOfBytes(bytes));
  const fromBytes = parseRepBytes(bytes);
  assert.ok(fromBytes !== null, `${what}: ASCII bytes are read as they are`);
  assert.deepEqual(fromBytes, fromText, what);
  return fromBytes;
}

/** Deterministic text of trace-like pieces, bad ones included (seeded, as in traceParser.test.ts). */
function garbage(seed: number, pieces: readonly string[], length: number): string {
  let s = seed >>> 0;
  let text = '';
  for (let k = 0; k < length; k++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    text += pieces[Math.floor((s / 2 ** 32) * pieces.length)];
  }
  return text;
}

describe('a .rep trace read from its bytes', () => {
  for (const ref of REFERENCE) {
    it(`${ref.trace}: the same trace and diagnostics as read from its text`, function () {
      requireMalloclab(this);
      const trace = assertSameAsText(readFileSync(join(MALLOCLAB_DIR, `${ref.trace}.rep`)), ref.trace);
      assert.equal(trace.ops.length, ref.ops);
    });
  }

  it('cuts lines where the text reader does: CRLF, LF, a lone CR, no line after a final break', () => {
    for (const text of ['', '\n', 'a', 'a\n', 'a\n\n', '\r\n', 'a\r\nb', 'a\rb\n', '\n\nx', 'x\r\r\n', '\r\r\n\n\r']) {
      const text_ = new LineReader(text);
      const bytes = new ByteLineReader(ascii(text));
      for (let line = text_.next(); line !== null; line = text_.next()) {
        assert.equal(bytes.next(), line, JSON.stringify(text));
        assert.equal(bytes.offset, text_.offset);
      }
      assert.equal(bytes.next(), null, `${JSON.stringify(text)}: no more lines`);
      assert.equal(bytes.line, text_.line);
    }
  });

  it('hostile bytes: CRLF, tabs, huge numbers, truncated lines, a missing header, NULs, UTF-16', () => {
    const ops = generatedRep(2_000, 100, 7);
    const cases: Record<string, string> = {
      'CRLF': ops.replace(/\n/g, '\r\n'),
      'lone CRs': ops.replace(/\n/g, '\r'),
      'tabs, vertical tabs and form feeds': ops.replace(/ /g, '\t').replace(/\n/g, ' \u000b\u000c\n'),
      'huge numbers': '20000\n3\n6\n1\na 0 99999999999999999999999\na 1 18446744073709551615\na 2 123456789012345678\nf 99999999999\nr 0 0000000000000000000000000000012\nf 1 2\n',
      'a huge header': `${'9'.repeat(5000)}\n-${'9'.repeat(30)}\n+3\n1\na 0 8\n`,
      'truncated lines': '20000\n2\n5\n1\na 0 12\na 1\nf\nr 0 \nf 0\n a 1 5\na',
      'no header': 'a 0 12\na 1 24\nf 0\nr 1 100\nf 1\n',
      'a header cut short': '20000\n2\n',
      'extra tokens and unknown ops': '20000 2 3 1 7\na 0 12 4\nx 1 5\na -1 3\na 00001 -5\nf 0\nf 0\n',
      'blank lines everywhere': '\n\n  20000 2\n  \n 3 1\n\n\na 0 12\n\n   \na 1 5   \nf 0\n\n',
      'ids beyond the header and the quick path': '0\n3\n4\n1\na 12345678 8\na 2 1234567890123456\nf 1\nr 0 16\n',
      'empty': '',
      'NUL bytes': '\u0000\u0001\u0002garbage\nmore\n',
      'UTF-16 without a mark': Array.from('20000\n1\n1\n1\na 0 8\n', (c) => `${c}\u0000`).join(''),
      'one long line': `20000\n1\n1\n1\na 0 ${'1'.repeat(100_000)}\n`,
    };
    for (const [what, text] of Object.entries(cases)) assertSameAsText(ascii(text), what);
    for (let seed = 1; seed <= 300; seed++) {
      const text = garbage(seed, ['a', 'r', 'f', 'x', ' ', '\t', '\r', '\n', '\n', '0', '1', '7', '-3', '99999999', '18446744073709551616', '\u000b', '20000', '\u0000'], 40);
      assertSameAsText(ascii(text), `seed ${seed}`);
    }
  });

  it('bytes beyond ASCII are handed back, and read as their text is', () => {
    const utf8 = (text: string) => new TextEncoder().encode(text);
    const cases = [
      utf8('20000\n2\n4\n1\na 0 12\na 1 \u00e924\nf 0\u2003\nf 1\n'),
      utf8('20000\n2\n4\n1\na\u00a00\u00a08\u3000\nf\u00a00\n'),
      Uint8Array.from([...utf8('20000\n1\n2\n1\na 0 8\n'), 0xff, 0xfe, 10, ...utf8('f 0\n')]),
      Uint8Array.from([0xef, 0xbb, 0xbf, ...utf8('20000\n1\n2\n1\na 0 8\nf 0\n')]),
      Uint8Array.from([0xff, 0xfe, ...Array.from('20000\n1\n1\n1\na 0 8\n', (c) => [c.charCodeAt(0), 0]).flat()]),
    ];
    for (const bytes of cases) {
      assert.equal(parseRepBytes(bytes), null);
      const text = textOfBytes(bytes);
      assert.deepEqual(parseTraceBytes('t.rep', bytes, textOfBytes), parseTrace(text, detectFormat('t.rep', text)));
    }
  });

  it('a file is read in the format its text tells, whatever its name', () => {
    for (const name of ['samples/allocations.mtrace', 'samples/allocations.ltrace', 'samples/tiny.rep', 'samples/realloc.heap']) {
      const bytes = readFileSync(name);
      const text = textOfBytes(bytes);
      for (const as of [name, 'renamed.rep']) assert.deepEqual(parseTraceBytes(as, bytes, textOfBytes), parseTrace(text, detectFormat(as, text)), `${name} as ${as}`);
    }
  });
});
