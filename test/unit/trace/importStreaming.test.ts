// A log converted to `.rep` in two streamed passes (src/trace/import/convertLog.ts): lines cut
// as the editor cuts them wherever the chunks break (a CRLF split in two included), the same
// trace as the log read whole, a log that changes between the passes refused, and the sentence
// that says what the conversion did.

import assert from 'node:assert/strict';
import { describeImport, importLog, linesOf, LogChangedError, repOfLog, type LogFormat } from '../../../src/trace/index';
import { splitLines } from '../../../src/trace/lines';
import { imported, log } from '../support/importedLog';

/** `text` in chunks of `size` characters. */
function chunked(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

function convert(format: LogFormat, text: string, size: number): { rep: string; summary: string } {
  const first = importLog(chunked(text, size), format);
  const rep = [...repOfLog(chunked(text, size), first)].join('');
  return { rep, summary: describeImport('in.log', 'out.rep', first) };
}

const MTRACE = log(
  '= Start',
  '@ ./prog:[0x11a0] + 0x5638583c82a0 0x18',
  '@ ./prog:[0x11b3] + 0x5638583c84a0 0x20',
  'garbage',
  '@ ./prog:[0x11d6] < 0x5638583c82a0',
  '@ ./prog:[0x11d6] > 0x5638583c8540 0xfa0',
  '@ ./prog:[0x121d] + (nil) 0x7fffffffffffffff',
  '@ ./prog:[0x124a] - 0x5638583c84a0',
  '@ ./prog:[0x124a] - 0x5638583c0000',
  '= End',
);

const LTRACE = log('1 lt->malloc(24) = 0x10', '2 lt->malloc(8 <unfinished ...>', '1 lt->free(0x10) = <void>', '2 <... malloc resumed> ) = 0x10', '2 lt->free(0) = <void>', '+++ exited (status 0) +++');

describe('converting a log in streamed passes', () => {
  it('cuts lines where the editor does, wherever the chunks break', () => {
    const text = 'a\r\nb\rc\n\nd\r\r\ne\r';
    for (let size = 1; size <= text.length; size++) assert.deepEqual([...linesOf(chunked(text, size))], splitLines(text), `chunks of ${size}`);
    assert.deepEqual([...linesOf(['x', '', 'y\n'])], ['xy']);
    assert.deepEqual([...linesOf([])], []);
  });

  it('keeps at most a megabyte of a line that never ends', () => {
    const lines = [...linesOf(chunked('z'.repeat(3 << 20), 1 << 16))];
    assert.equal(lines.length, 1);
    assert.equal(lines[0]!.length, 1 << 20);
  });

  for (const [format, text] of [['mtrace', MTRACE], ['ltrace', LTRACE]] as const) {
    it(`writes the same .rep trace as the ${format} log read whole, in any chunks`, () => {
      const whole = imported(format, text);
      for (const size of [1, 3, 7, 64, 1 << 20]) {
        const { rep } = convert(format, text, size);
        assert.deepEqual(rep.trimEnd().split('\n').slice(4), whole.ops, `chunks of ${size}`);
        assert.equal(Number(rep.split('\n')[1]), whole.ids);
        assert.equal(Number(rep.split('\n')[2]), whole.ops.length);
      }
    });
  }

  it('says what it did in one line, and what it left out in the next', () => {
    assert.equal(
      convert('mtrace', MTRACE, 5).summary,
      'in.log: glibc mtrace log, 10 lines → out.rep: 4 ops, 2 ids; 1 line not understood (first at line 4: "garbage" is not an mtrace line: one is "@ CALLER + PTR SIZE", "- PTR", "< OLD" then "> NEW SIZE", "! OLD SIZE", "= Start" or "= End" (CALLER may be absent))\n' +
        '  left out: 1 free or realloc of addresses the log never allocated (first at line 9); 1 allocation that returned NULL (first at line 7)\n' +
        '  1 block still allocated at the end; 2 lines of other calls, signals, exits or markers skipped\n',
    );
    assert.equal(
      convert('ltrace', LTRACE, 5).summary,
      'in.log: ltrace log, 6 lines → out.rep: 3 ops, 1 id; every line understood\n  left out: 1 free(NULL)\n  1 block still allocated at the end; 1 line of other calls, signals, exits or markers skipped\n',
    );
  });

  it('refuses a log that changed between the two passes', () => {
    const first = importLog([MTRACE], 'mtrace');
    assert.throws(() => [...repOfLog([MTRACE + '@ [0x1] + 0x99 0x8\n'], first)], LogChangedError);
  });

  it('reads nothing of a file that is not text', () => {
    const first = importLog(['\u0000\u0001\u0002'.repeat(100)], 'mtrace');
    assert.equal(first.binary, true);
    assert.match(describeImport('a.bin', 'a.rep', first), /^a\.bin: not a text file/);
  });
});
