// Text a user may hand the parsers by accident or on purpose: whitespace C's scanf skips, a file
// saved as UTF-16, empty files, NUL bytes and invalid UTF-8 in the middle, a megabyte on one line,
// 100,000 tokens on one line, a 10 MB string. Parsing never throws, every diagnostic sits on a
// real line, messages quote no raw control characters, and `check` ends with a documented exit code.

import assert from 'node:assert/strict';
import { runCli } from '../../../src/cli/cli';
import { parseTrace, type Trace, type TraceFormat } from '../../../src/trace/index';
import { splitLines } from '../../../src/trace/lines';

/** Bytes as the command line reads a file without a byte order mark: UTF-8, bad bytes replaced. */
const asRead = (bytes: Uint8Array | readonly number[]) => Buffer.from(bytes).toString('utf8');
const brief = (trace: Trace) => trace.diagnostics.map((d) => `${d.range.line}: ${d.severity} ${d.code}`);

function parse(text: string, format: TraceFormat): Trace {
  let trace: Trace;
  try {
    trace = parseTrace(text, format);
  } catch (err) {
    assert.fail(`parsing ${format} threw: ${err instanceof Error ? err.stack : String(err)}`);
  }
  const lines = splitLines(text);
  for (const d of trace.diagnostics) {
    assert.ok(d.range.line >= 1 && d.range.line <= Math.max(1, lines.length), `line ${d.range.line} of ${lines.length}: ${d.message.slice(0, 80)}`);
    assert.doesNotMatch(d.message, /[\u0000-\u0008\u000e-\u001f\u007f]/, `a raw control character in "${d.message.slice(0, 80)}"`);
    assert.ok(d.message.length < 400, `a message of ${d.message.length} characters`);
  }
  return trace;
}

/** `heap-inspector check` in-process on the text: its exit code and output lines. */
function check(format: TraceFormat, text: string): { code: number; lines: string[] } {
  let stdout = '';
  let stderr = '';
  const code = runCli(['check', `hostile.${format}`], { readFile: () => text, out: (t) => void (stdout += t), err: (t) => void (stderr += t) });
  assert.equal(stderr, '', 'nothing on stderr: the file was read and checked');
  assert.ok(code === 0 || code === 1, `exit ${code}`);
  assert.doesNotMatch(stdout, /internal error|Error:/);
  return { code, lines: stdout.split('\n').filter((l) => l.length > 0) };
}

const rep = (...lines: string[]) => lines.join('\n') + '\n';
const BALANCED = rep('20000', '2', '4', '1', 'a 0 8', 'a 1 16', 'f 0', 'f 1');

describe('hostile text', () => {
  describe('whitespace is whitespace in both formats, as to scanf', () => {
    it('a 19-byte .rep separated by vertical tabs and form feeds is a clean trace, not binary', () => {
      const text = '200\v1\f1\v1\n\fa\f0\v8\f\v\n';
      assert.equal(Buffer.byteLength(text), 19);
      const trace = parse(text, 'rep');
      assert.deepEqual(brief(trace), []);
      assert.deepEqual([...trace.ops].map((op) => op.kind), ['malloc']);
      assert.deepEqual(check('rep', text), { code: 0, lines: [] });
    });

    it('a .heap script with vertical tabs and form feeds between tokens', () => {
      const trace = parse('p\v=\fmalloc(\v8\f)\nfree(p)\f\n', 'heap');
      assert.deepEqual(brief(trace), []);
      assert.equal(trace.ops.length, 2);
    });

    it('the header may share a line, as the malloc lab driver reads it with fscanf', () => {
      const trace = parse(rep('20000 2 4 1', 'a 0 8', 'a 1 16', 'f 0', 'f 1'), 'rep');
      assert.deepEqual(brief(trace), []);
      assert.deepEqual(trace.header, { first: 20000n, ids: 2, ops: 4, fourth: 1n, lines: [1, 1, 1, 1] });
    });
  });

  describe('a file saved as UTF-16, read as bytes', () => {
    const utf16le = (text: string, bom: boolean) => asRead([...(bom ? [0xff, 0xfe] : []), ...Buffer.from(text, 'utf16le')]);
    const utf16be = (text: string, bom: boolean) => asRead([...(bom ? [0xfe, 0xff] : []), ...Buffer.from(text, 'utf16le').swap16()]);

    for (const [name, encode] of [['little-endian', utf16le], ['big-endian', utf16be]] as const) {
      for (const bom of [true, false]) {
        it(`${name}, ${bom ? 'with' : 'without'} a byte order mark: one error that says UTF-16 and save as UTF-8`, () => {
          for (const [format, text] of [['rep', BALANCED], ['heap', 'p = malloc(8)\nfree(p)\n']] as const) {
            const trace = parse(encode(text, bom), format);
            assert.deepEqual(brief(trace), ['1: error binary-file'], format);
            assert.match(trace.diagnostics[0]!.message, /UTF-16/);
            assert.match(trace.diagnostics[0]!.message, /save it as UTF-8/);
            assert.doesNotMatch(trace.diagnostics[0]!.message, /not a text file/);
          }
        });
      }
    }

    it('binary files are still not text files', () => {
      const elf = asRead([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0x3e, 0, 1, 0, 0, 0]);
      const trace = parse(elf, 'rep');
      assert.deepEqual(brief(trace), ['1: error binary-file']);
      assert.match(trace.diagnostics[0]!.message, /not a text file/);
    });
  });

  describe('nothing, or next to nothing', () => {
    for (const [name, text] of [['an empty file', ''], ['a file of only whitespace', ' \t\n\v\f\r\n  \r'], ['a file of only a byte order mark', '\ufeff'], ['a byte order mark and a newline', '\ufeff\n']] as const) {
      it(`${name}: a .rep the driver cannot read (an error), a .heap script with nothing to run (a warning)`, () => {
        assert.deepEqual(brief(parse(text, 'rep')), ['1: error header-missing']);
        assert.match(parse(text, 'rep').diagnostics[0]!.message, /empty/);
        assert.deepEqual(check('rep', text), { code: 1, lines: [`hostile.rep:1:1: error: ${parse(text, 'rep').diagnostics[0]!.message}`] });
        assert.deepEqual(brief(parse(text, 'heap')), ['1: warning empty-trace']);
        assert.equal(check('heap', text).code, 0);
      });
    }
  });

  describe('bytes that are not text in the middle of a trace', () => {
    const padding = `# ${'x'.repeat(5000)}\n`; // past the first 4 KiB the binary check reads

    it('a NUL byte in an op far into a .rep: an error on its line that shows the NUL as \\0', () => {
      const blank = Array.from({ length: 5000 }, () => '');
      const text = rep('20000', '1', '3', '1', ...blank, 'a 0 8', 'a 0 8\u0000', 'f 0');
      const trace = parse(text, 'rep');
      assert.deepEqual(brief(trace), ['5006: error bad-number']);
      assert.match(trace.diagnostics[0]!.message, /"8\\0"/);
      assert.equal(trace.ops.length, 2, 'the ops around it run');
      assert.equal(check('rep', text).code, 1);
    });

    it('a NUL byte in a .heap statement past the first 4 KiB: an error on its line', () => {
      const text = `${padding}p = malloc(8)\nfree(p)\u0000\n`;
      const trace = parse(text, 'heap');
      assert.deepEqual(brief(trace), ['3: error unknown-op']);
      assert.match(trace.diagnostics[0]!.message, /"\\0"/);
      assert.equal(check('heap', text).code, 1);
    });

    it('invalid UTF-8 in an op: an error on that line, the ops around it run', () => {
      const bytes = [...Buffer.from('20000\n1\n3\n1\na 0 8\nf '), 0xc3, 0x28, 0xff, ...Buffer.from('\nx\n')];
      const trace = parse(asRead(bytes), 'rep');
      assert.deepEqual(brief(trace), ['6: error bad-number', '7: error unknown-op']);
      assert.equal(trace.ops.length, 1);
      assert.equal(check('rep', asRead(bytes)).code, 1);
    });

    it('invalid UTF-8 inside a .heap string is written as the bytes the replacement character stands for', () => {
      const text = asRead([...Buffer.from('p = malloc(8)\nwrite(p, 0, "'), 0xff, ...Buffer.from('")\nfree(p)\n')]);
      const trace = parse(text, 'heap');
      assert.deepEqual(brief(trace), []);
      const write = trace.ops.at(1);
      assert.deepEqual(write.kind === 'write' && Array.from(write.bytes), [0xef, 0xbf, 0xbd]);
    });

    it('control characters in a token are quoted as escapes', () => {
      const trace = parse(rep('20000', '1', '1', '1', 'a 0 8\u001b[31m'), 'rep');
      assert.deepEqual(brief(trace), ['5: error bad-number']);
      assert.match(trace.diagnostics[0]!.message, /"8\\x1b\[31m"/);
    });
  });

  describe('size', () => {
    it('a 1 MB line of one word, in each format', () => {
      const word = 'q'.repeat(2 ** 20);
      assert.deepEqual(brief(parse(rep('20000', '1', '1', '1', word), 'rep')), ['5: error unknown-op']);
      assert.deepEqual(brief(parse(`${word}\n`, 'heap')), ['1: error unknown-op']);
      assert.equal(check('rep', word).code, 1);
    });

    it('a 1 MB header number and a 1 MB id are refused by their length', () => {
      const digits = '7'.repeat(2 ** 20);
      const header = parse(rep(digits, '1', '2', '1', 'a 0 8', 'f 0'), 'rep');
      assert.deepEqual(brief(header), [], 'the first header number is unused');
      assert.deepEqual(brief(parse(rep('20000', '1', '2', '1', `a ${digits} 8`, 'a 0 8'), 'rep')), ['5: error id-out-of-range']);
      assert.deepEqual(brief(parse(`p = malloc(${digits})\n`, 'heap')), ['1: error size-too-large']);
      assert.deepEqual(brief(parse(`set maxHeap = ${digits}\np = malloc(1)\n`, 'heap')), ['1: error bad-setting']);
    });

    it('a line of 100,000 tokens: one error, at the first token too many', () => {
      const many = Array.from({ length: 100_000 }, (_, k) => String(k % 10)).join(' ');
      const trace = parse(rep('20000', '1', '2', '1', `a 0 ${many}`, 'a 0 8'), 'rep');
      assert.deepEqual(brief(trace), ['5: error extra-argument']);
      assert.equal(trace.diagnostics[0]!.range.column, 7);
      const script = parse(`p = malloc(${many.replace(/ /g, ', ')})\nq = calloc(${'[1, '.repeat(50_000)}\nfree(p)\n`, 'heap');
      assert.deepEqual(brief(script), ['1: error extra-argument', '2: error bad-string', '3: error unknown-pointer']);
      assert.equal(check('heap', `write(p, 0, [${many.replace(/ /g, ', ')}])\n`).code, 1);
    });

    it('a .heap script that writes a 10 MB string: parses, checks, one diagnostic on its line', () => {
      const text = `set maxHeap = 64M\np = malloc(16)\nwrite(p, 0, "${'z'.repeat(10 * 2 ** 20)}")\nfree(p)\n`;
      const trace = parse(text, 'heap');
      assert.deepEqual(brief(trace), []);
      const write = trace.ops.at(1);
      assert.equal(write.kind === 'write' && write.bytes.length, 10 * 2 ** 20);
      // The default preset's first chunk is 4 KiB: the write lands outside the heap, on its line.
      const { code, lines } = check('heap', text);
      assert.equal(code, 1);
      assert.equal(lines.length, 1);
      assert.match(lines[0]!, /^hostile\.heap:3:1: error: write of 10485760 bytes at 0x[0-9a-f]+ is outside the heap/);
    });

    it('an unterminated 10 MB string: one error, quoted short', () => {
      const trace = parse(`p = malloc(16)\nwrite(p, 0, "${'z'.repeat(10 * 2 ** 20)}\nfree(p)\n`, 'heap');
      assert.deepEqual(brief(trace), ['2: error bad-string']);
    });
  });
});
