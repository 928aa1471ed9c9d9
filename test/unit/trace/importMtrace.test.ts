// glibc's mtrace log read as a trace (src/trace/import/mtrace.ts, docs/importing.md): every line
// form glibc 2.36 writes, ids reused only after a free, what is left out counted and said on its
// line; and hostile logs (cut lines, garbage, binary bytes, a 5,000-digit size, a free before any
// malloc, a realloc's halves apart, CRLF, an empty file): each problem on its line, the rest imported.

import assert from 'node:assert/strict';
import { detectFormat, parseTrace } from '../../../src/trace/index';
import { imported, log } from '../support/importedLog';

const P1 = '0x5638583c82a0';
const P2 = '0x5638583c84a0';
const P3 = '0x5638583c84d0';

describe('glibc mtrace logs', () => {
  describe('the lines glibc writes', () => {
    it('turns + into a, the realloc pair into r, - into f, with the caller in any of its forms', () => {
      const r = imported(
        'mtrace',
        log(
          '= Start',
          `@ ./prog:[0x11a0] + ${P1} 0x18`,
          `@ ./prog:(main+0x1a)[0x55d0c2a6b1a0] + ${P2} 0x20`,
          `@ [0x7f0011223344] + ${P3} 0x64`,
          `@ /usr/lib/x86_64-linux-gnu/libc.so.6:(_IO_file_doallocate-0x94)[0x7f1] < ${P1}`,
          `@ /usr/lib/x86_64-linux-gnu/libc.so.6:(_IO_file_doallocate-0x94)[0x7f1] > 0x5638583c8540 0xfa0`,
          `- ${P2}`,
          `@ ./my prog:[0x1207] - ${P3}`,
          '@ ./prog:[0x1207] - 0x5638583c8540',
          '= End',
        ),
      );
      assert.deepEqual(r.ops, ['a 0 24', 'a 1 32', 'a 2 100', 'r 0 4000', 'f 1', 'f 2', 'f 0']);
      assert.deepEqual(r.problems, []);
      assert.equal(r.ids, 3);
      assert.equal(r.trace.format, 'mtrace');
      assert.deepEqual(r.counts, { lines: 10, ops: 7, ids: 3, notUnderstood: 0, firstNotUnderstood: null, unknownAddresses: 0, freeNulls: 0, failed: 0, unfinished: 0, hiddenBlocks: 0, liveAddresses: 0, skipped: 2, live: 0 });
    });

    it('gives a freed id to the next block, the smallest first, and never a live one', () => {
      const r = imported(
        'mtrace',
        log('+ 0x10 0x8', '+ 0x20 0x8', '+ 0x30 0x8', '- 0x20', '- 0x10', '+ 0x10 0x8', '+ 0x40 0x8', '+ 0x50 0x8', '< 0x30', '> 0x20 0x10'),
      );
      assert.deepEqual(r.ops, ['a 0 8', 'a 1 8', 'a 2 8', 'f 1', 'f 0', 'a 0 8', 'a 1 8', 'a 3 8', 'r 2 16']);
      assert.equal(r.ids, 4);
    });

    it('counts a failed allocation, a failed realloc, and keeps the old block live after it', () => {
      const r = imported('mtrace', log(`+ ${P1} 0x18`, '+ (nil) 0x7fffffffffffffff', `! ${P1} 0x7fffffffffffffff`, `- ${P1}`));
      assert.deepEqual(r.ops, ['a 0 24', 'f 0']);
      assert.deepEqual(r.problems, ['2 failed-allocation', '3 failed-allocation']);
      assert.equal(r.counts.failed, 2);
      assert.equal(r.trace.diagnostics[0]!.severity, 'info');
    });

    it('keeps malloc(0)\'s pointer as a block of 0 bytes, which the replay answers with NULL', () => {
      const r = imported('mtrace', log(`+ ${P1} 0`, `- ${P1}`));
      assert.deepEqual(r.ops, ['a 0 0', 'f 0']);
      assert.deepEqual(r.problems, ['1 zero-size']);
    });

    it('puts each op on its line, spanning the line\'s text', () => {
      const r = imported('mtrace', log('= Start', '', `  @ ./prog:[0x11a0] + ${P1} 0x18  `));
      const range = r.trace.ops.range(0);
      assert.deepEqual(range, { line: 3, column: 3, endLine: 3, endColumn: 3 + `@ ./prog:[0x11a0] + ${P1} 0x18`.length });
    });
  });

  describe('hostile logs', () => {
    it('says which lines it cannot read and imports the rest: garbage, a cut line, a bad pointer or size', () => {
      const r = imported(
        'mtrace',
        log(
          '= Start',
          `@ ./prog:[0x11a0] + ${P1} 0x18`,
          'hello from the program',
          `@ ./prog:[0x11a0] + ${P2}`,
          '@ ./prog:[0x11a0] + 0xzz 0x18',
          `@ ./prog:[0x11a0] + ${P2} 24`,
          `+ ${P2} 0x${'f'.repeat(5000)}`,
          `@ ./prog:[0x11a0] + ${P3} 0x20`,
          '= Stop',
          `- ${P1}`,
        ),
      );
      assert.deepEqual(r.ops, ['a 0 24', 'a 1 32', 'f 0']);
      assert.deepEqual(r.problems, ['3 not-understood', '4 not-understood', '5 not-understood', '6 not-understood', '7 not-understood', '9 not-understood']);
      assert.equal(r.counts.notUnderstood, 6);
      assert.equal(r.counts.firstNotUnderstood?.line, 3);
      const huge = r.trace.diagnostics.find((d) => d.range.line === 7)!;
      assert.match(huge.message, /larger than 2\^64-1/);
      assert.ok(huge.message.length < 300, 'the 5,000 digits are quoted clipped');
      assert.match(r.trace.diagnostics.find((d) => d.range.line === 6)!.message, /hex with 0x, or 0/);
    });

    it('reads binary bytes past the start as lines it cannot read, and a binary start as one error', () => {
      const bytes = log(`+ ${P1} 0x18`, 'x\u0001\u0002\u00ff\ufffd@@', `- ${P1}`);
      assert.deepEqual(imported('mtrace', bytes).problems, ['2 not-understood']);
      const binary = parseTrace('\u0000\u0001\u0002\u0003'.repeat(400) + '\n' + log(`+ ${P1} 0x18`), 'mtrace');
      assert.deepEqual(binary.diagnostics.map((d) => d.code), ['binary-file']);
      assert.equal(binary.ops.length, 0);
    });

    it('counts a free of an address never allocated as unknown, not as an op', () => {
      const r = imported('mtrace', log(`- ${P1}`, `+ ${P1} 0x18`, `- ${P1}`, `- ${P1}`));
      assert.deepEqual(r.ops, ['a 0 24', 'f 0']);
      assert.deepEqual(r.problems, ['1 unknown-address', '4 unknown-address']);
      assert.equal(r.counts.unknownAddresses, 2);
    });

    it('takes a realloc of an unknown address as the new block, said as unknown', () => {
      const r = imported('mtrace', log(`< ${P1}`, `> ${P2} 0x40`, `- ${P2}`));
      assert.deepEqual(r.ops, ['a 0 64', 'f 0']);
      assert.deepEqual(r.problems, ['2 unknown-address']);
    });

    it('says so when a realloc\'s halves are apart, and leaves the block where it was', () => {
      const r = imported('mtrace', log(`+ ${P1} 0x18`, `< ${P1}`, `+ ${P2} 0x20`, `> ${P3} 0x30`, `- ${P1}`, `< ${P2}`));
      assert.deepEqual(r.ops, ['a 0 24', 'a 1 32', 'f 0']);
      assert.deepEqual(r.problems, ['2 not-understood', '4 not-understood', '6 not-understood']);
      assert.equal(r.counts.live, 1);
    });

    it('reads CRLF line ends as the editor does', () => {
      const r = imported('mtrace', ['= Start', `@ ./prog:[0x11a0] + ${P1} 0x18`, `@ ./prog:[0x1207] - ${P1}`, ''].join('\r\n'));
      assert.deepEqual(r.ops, ['a 0 24', 'f 0']);
      assert.deepEqual(r.problems, []);
      assert.equal(r.trace.ops.line(1), 3);
    });

    it('warns that an empty log has nothing to import', () => {
      const r = imported('mtrace', '');
      assert.deepEqual(r.ops, []);
      assert.deepEqual(r.problems, ['1 empty-trace']);
      assert.match(r.trace.diagnostics[0]!.message, /the file is empty/);
      assert.deepEqual(imported('mtrace', log('= Start', '= End')).problems, ['1 empty-trace']);
    });

    it('keeps the first 1,000 lines of a kind in full and counts the rest, exactly', () => {
      const text = log(...Array.from({ length: 5000 }, (_, i) => `garbage ${i}`), `+ ${P1} 0x18`);
      const r = imported('mtrace', text);
      assert.deepEqual(r.ops, ['a 0 24']);
      assert.equal(r.counts.notUnderstood, 5000);
      assert.equal(r.trace.diagnostics.length, 1001);
      assert.equal(r.trace.diagnostics[1000]!.count, 4000);
    });
  });

  it('is told by its content, whatever the file is called', () => {
    const text = log('= Start', `@ ./prog:[0x11a0] + ${P1} 0x18`, `@ ./prog:[0x1207] - ${P1}`);
    assert.equal(detectFormat('trace.txt', text), 'mtrace');
    assert.equal(detectFormat('trace.rep', text), 'mtrace');
    assert.equal(detectFormat('empty.mtrace', ''), 'mtrace');
    assert.equal(detectFormat('x.rep', '1\n1\n1\n1\na 0 8\n'), 'rep');
    assert.equal(detectFormat('x.heap', 'p = malloc(8)\nfree(p)\n'), 'heap');
    assert.equal(detectFormat('x.txt', 'p = malloc(8)\n'), 'heap');
  });
});
