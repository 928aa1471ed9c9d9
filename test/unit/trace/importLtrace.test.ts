// ltrace's log of the allocation functions read as a trace (src/trace/import/ltrace.ts,
// docs/importing.md): each function, library prefixes, the PID column, every time stamp option,
// calls interrupted by another task's and resumed, calls that never return, wrappers; and hostile
// logs, each problem on its line and the rest imported.

import assert from 'node:assert/strict';
import { detectFormat } from '../../../src/trace/index';
import { imported, log } from '../support/importedLog';

const A = '0x55b586f992a0';
const B = '0x55b586f992c0';
const C = '0x55b586f99410';

describe('ltrace logs', () => {
  describe('the lines ltrace writes', () => {
    it('reads malloc, calloc, realloc and free, with their library prefixes and padding', () => {
      const r = imported(
        'ltrace',
        log(
          `lt->malloc(24)                                   = ${A}`,
          `libstdc++.so.6->calloc(4, 8)                     = ${B}`,
          `lt->realloc(${A}, 4000)                = ${C}`,
          `lt->realloc(0, 40) = 0x55b586f99500`,
          `lt->free(${B})                         = <void>`,
          `lt->realloc(0x55b586f99500, 0)                   = 0`,
          'lt->free(0)                                      = <void>',
          `lt->puts("a, b) = c")                            = 11`,
          `lt->free(${C}) = <void>`,
          '+++ exited (status 0) +++',
        ),
      );
      assert.deepEqual(r.ops, ['a 0 24', 'a 1 32', 'r 0 4000', 'a 2 40', 'f 1', 'f 2', 'f 0']);
      assert.deepEqual(r.problems, ['7 free-null']);
      assert.deepEqual(r.counts, { lines: 10, ops: 7, ids: 3, notUnderstood: 0, firstNotUnderstood: null, unknownAddresses: 0, freeNulls: 1, failed: 0, unfinished: 0, hiddenBlocks: 0, liveAddresses: 0, skipped: 2, live: 0 });
      assert.equal(r.trace.format, 'ltrace');
    });

    it('reads the aligned allocations and reallocarray, ignoring the extra arguments ltrace shows without a prototype', () => {
      const r = imported(
        'ltrace',
        log(
          'lt->aligned_alloc(64, 128, 0x563b5e68d340, 5) = 0x10',
          'lt->memalign(32, 50, 0, 3) = 0x20',
          'lt->valloc(4096) = 0x30',
          'lt->pvalloc(100) = 0x40',
          'lt->reallocarray(0x20, 10, 8, 3) = 0x50',
          'lt->reallocarray(0, 3, 5) = 0x60',
          'lt->posix_memalign(0x7fff94d383a0, 64, 100, 4017) = 0',
          'lt->posix_memalign(0x7fff94d383a0, 64, 100, 4017) = 12',
        ),
      );
      assert.deepEqual(r.ops, ['a 0 128', 'a 1 50', 'a 2 4096', 'a 3 100', 'r 1 80', 'a 4 15']);
      assert.deepEqual(r.problems, ['7 hidden-block', '8 failed-allocation']);
      assert.equal(r.counts.hiddenBlocks, 1);
    });

    it('reads every time stamp option, the instruction pointer and the time spent', () => {
      for (const prefix of ['05:09:56 ', '05:09:35.977298 ', '1796447396.571286 ', '  0.000228 ', '[0x401234] ', '12345 05:09:35.977298 [0x401234] ']) {
        const r = imported('ltrace', log(`${prefix}lt->malloc(24) = ${A} <0.000203>`, `${prefix}lt->free(${A}) = <void>`));
        assert.deepEqual(r.ops, ['a 0 24', 'f 0'], prefix);
        assert.deepEqual(r.problems, [], prefix);
      }
    });

    it('counts allocations that returned NULL, and frees of addresses it never saw allocated', () => {
      const r = imported('ltrace', log('lt->malloc(9223372036854775807) = 0', `lt->realloc(${A}, 100) = 0`, `lt->malloc(8) = ${A}`, `lt->realloc(${A}, 9223372036854775807) = 0`, `lt->free(${A}) = <void>`, `lt->free(${B}) = <void>`));
      assert.deepEqual(r.ops, ['a 0 8', 'f 0']);
      assert.deepEqual(r.problems, ['1 failed-allocation', '2 unknown-address', '2 failed-allocation', '4 failed-allocation', '6 unknown-address']);
      assert.equal(r.counts.failed, 3);
      assert.equal(r.counts.unknownAddresses, 2);
    });
  });

  describe('interrupted calls (-f)', () => {
    it('matches each task\'s resumed call with its start: a free counts where it starts, an allocation where it returns', () => {
      const r = imported(
        'ltrace',
        log(
          `19893 fk->malloc(10) = ${A}`,
          `19893 fk->free(${A} <unfinished ...>`,
          `19895 fk->malloc(8 <unfinished ...>`,
          `19895 <... malloc resumed> ) = ${A}`,
          `19893 <... free resumed> ) = <void>`,
          `19893 fk->realloc(${A}, 64 <unfinished ...>`,
          `19894 fk->malloc(16) = ${B}`,
          `19893 <... realloc resumed> ) = ${C}`,
          `19893 fk->malloc(15 <no return ...>`,
          '19893 --- SIGCHLD (Child exited) ---',
          `19893 <... malloc resumed> ) = ${A}`,
        ),
      );
      assert.deepEqual(r.ops, ['a 0 10', 'f 0', 'a 0 8', 'a 1 16', 'r 0 64', 'a 2 15']);
      assert.deepEqual(r.problems, []);
      assert.deepEqual(
        Array.from({ length: r.trace.ops.length }, (_, i) => r.trace.ops.line(i)),
        [1, 2, 4, 7, 8, 11],
      );
    });

    it('reads a resumed call\'s arguments from both of its lines', () => {
      const r = imported('ltrace', log('7 lt->calloc(4, <unfinished ...>', '8 lt->malloc(1) = 0x10', `7 <... calloc resumed> 8) = ${A}`));
      assert.deepEqual(r.ops, ['a 0 1', 'a 1 32']);
    });

    it('counts a call whose wrapper returns the same block once (reallocarray calling realloc)', () => {
      const r = imported('ltrace', log('lt->reallocarray(0, 10, 8, 3 <unfinished ...>', 'libc.so.6->calloc(0, 80) = 0x10', '<... reallocarray resumed> ) = 0x10', 'lt->free(0x10) = <void>'));
      assert.deepEqual(r.ops, ['a 0 0', 'f 0']);
      assert.deepEqual(r.problems, ['2 zero-size', '3 nested-call']);
    });

    it('takes a realloc that does its work through malloc and free as those calls', () => {
      const r = imported('ltrace', log(`lt->malloc(8) = ${A}`, `lt->realloc(${A}, 64 <unfinished ...>`, `libmy.so->malloc(64) = ${C}`, `libmy.so->free(${A}) = <void>`, `<... realloc resumed> ) = ${C}`, `lt->free(${C}) = <void>`));
      assert.deepEqual(r.ops, ['a 0 8', 'a 1 64', 'f 0', 'f 1']);
      assert.deepEqual(r.problems, ['5 nested-call']);
    });

    it('keeps only the tasks asked for', () => {
      for (const pid of [(n: number) => `${n} `, (n: number) => `[pid ${n}] `]) {
        const text = log(`${pid(1)}lt->malloc(8) = ${A}`, `${pid(2)}lt->malloc(8) = ${A}`, `${pid(2)}lt->free(${A}) = <void>`, `${pid(1)}lt->free(${A}) = <void>`);
        assert.deepEqual(imported('ltrace', text, { pids: new Set([1]) }).ops, ['a 0 8', 'f 0']);
        const both = imported('ltrace', text);
        assert.deepEqual(both.ops, ['a 0 8', 'a 1 8', 'f 1']);
        assert.deepEqual(both.problems, ['2 address-live', '4 unknown-address']);
        assert.equal(both.counts.liveAddresses, 1);
      }
    });

    it('reads the PID column as ltrace -f writes it to stderr: [pid N], with time stamps and resumed calls', () => {
      const r = imported(
        'ltrace',
        log(
          `[pid 4242] 12:00:00.000001 t->malloc(16)       = ${A}`,
          '[pid 4242] 12:00:00.000020 libc.so.6->calloc(4, 8 <unfinished ...>',
          `[pid 4243] 12:00:00.000021 t->malloc(32)       = ${B}`,
          `[pid 4242] 12:00:00.000030 <... calloc resumed> ) = ${C}`,
          `[pid 4243] 12:00:00.000031 t->free(${B})       = <void>`,
          '[pid 4243] +++ exited (status 0) +++',
          `[pid 4242] t->realloc(${A}, 64)                = ${B} <0.000012>`,
        ),
      );
      assert.deepEqual(r.ops, ['a 0 16', 'a 1 32', 'a 2 32', 'f 1', 'r 0 64']);
      assert.deepEqual(r.problems, []);
      assert.equal(r.trace.format, 'ltrace');
    });
  });

  describe('hostile logs', () => {
    it('says which lines it cannot read and imports the rest', () => {
      const r = imported(
        'ltrace',
        log(
          `lt->malloc(24) = ${A}`,
          'lt->malloc(24',
          'lt->malloc() = 0x10',
          `lt->malloc(${'9'.repeat(5000)}) = 0x10`,
          'lt->malloc(-1) = 0x10',
          'lt->malloc(8) = banana',
          'lt->free(0x10) = 3',
          '\u0000\u0001garbage\u00ff',
          '<... malloc resumed> ) = 0x10',
          `lt->free(${A}) = <void>`,
        ),
      );
      assert.deepEqual(r.ops, ['a 0 24', 'f 0']);
      assert.deepEqual(r.problems, ['2 not-understood', '3 not-understood', '4 not-understood', '5 not-understood', '6 not-understood', '7 not-understood', '8 not-understood', '9 unfinished-call']);
      assert.ok(r.trace.diagnostics.every((d) => d.message.length < 400), 'long numbers are quoted clipped');
    });

    it('reports calls still under way at a task\'s exit or the end of the log, and puts a realloc\'s block back', () => {
      const r = imported('ltrace', log(`1 lt->malloc(8) = ${A}`, `2 lt->realloc(${A}, 64 <unfinished ...>`, '2 lt->malloc(9 <unfinished ...>', '2 +++ exited (status 0) +++', `1 lt->free(${A}) = <void>`, '3 lt->calloc(1, 2 <unfinished ...>'));
      assert.deepEqual(r.ops, ['a 0 8', 'f 0']);
      assert.deepEqual(r.problems, ['2 unfinished-call', '3 unfinished-call', '6 unfinished-call']);
      assert.equal(r.counts.unfinished, 3);
    });

    it('interleaves two tasks\' unfinished and resumed calls, even with CRLF line ends', () => {
      const lines = [`10 lt->malloc(8 <unfinished ...>`, `20 lt->malloc(16 <unfinished ...>`, `10 <... malloc resumed> ) = ${A}`, `20 <... malloc resumed> ) = ${B}`, `20 lt->free(${A}) = <void>`, `10 lt->free(${B}) = <void>`];
      const r = imported('ltrace', lines.join('\r\n'));
      assert.deepEqual(r.ops, ['a 0 8', 'a 1 16', 'f 0', 'f 1']);
      assert.equal(r.trace.ops.line(3), 6);
    });

    it('warns that an empty log has nothing to import', () => {
      assert.deepEqual(imported('ltrace', '').problems, ['1 empty-trace']);
      assert.deepEqual(imported('ltrace', '\n\n+++ exited (status 0) +++\n').problems, ['1 empty-trace']);
    });
  });

  it('is told by its content', () => {
    assert.equal(detectFormat('log.txt', log(`lt->malloc(24) = ${A}`, `lt->free(${A}) = <void>`, '+++ exited (status 0) +++')), 'ltrace');
    assert.equal(detectFormat('log', log(`1234 05:09:56 fk->malloc(8 <unfinished ...>`, `1235 05:09:56 <... malloc resumed> ) = ${A}`)), 'ltrace');
    assert.equal(detectFormat('log', log(`[pid 1084] t->malloc(16) = ${A}`, `[pid 1084] t->free(${A}) = <void>`, '[pid 1084] +++ exited (status 0) +++')), 'ltrace');
    assert.equal(detectFormat('x.heap', log('p = malloc(8)', 'free(p)')), 'heap');
  });
});
