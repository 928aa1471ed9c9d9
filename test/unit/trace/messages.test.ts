// Messages say what is wrong: every setting's negative, fractional, huge and misspelt values, a
// string escape that is not one, and ids in a header that allows none.

import assert from 'node:assert/strict';
import { parseHeapScript, parseRep, runTrace, SETTING_KEYS, type Diagnostic, type SettingKey } from '../../../src/trace/index';

/** The one diagnostic of a line, or a failure that lists them all. */
function only(diagnostics: readonly Diagnostic[], line: number, what: string): Diagnostic {
  const onLine = diagnostics.filter((d) => d.range.line === line);
  assert.equal(onLine.length, 1, `${what}: ${diagnostics.map((d) => `${d.range.line}: ${d.message}`).join(' | ')}`);
  return onLine[0]!;
}

function settingMessage(key: string, value: string): Diagnostic {
  const trace = parseHeapScript(`set ${key} = ${value}\np = malloc(8)\nfree(p)\n`);
  return only(trace.diagnostics, 1, `set ${key} = ${value}`);
}

/** What each setting's message must say for a value of each kind. */
const BYTE_COUNTS = ['minSplit', 'chunkSize', 'maxHeap', 'heapSize'] as const;
const LISTS = ['classes'] as const;
/** OSTEP's model's whole numbers (docs/ostep.md). */
const NUMBERS = ['baseAddr', 'headerSize'] as const;
const CHOICES: { readonly [K in SettingKey]?: RegExp } = {
  preset: /must be one of csapp, default, ostep/,
  policy: /must be one of sbrk, first, next, best, worst/,
  coalesce: /must be one of immediate, deferred, off/,
  realloc: /must be one of naive, in-place/,
  footers: /must be one of all, free-only/,
  wordSize: /must be one of 4, 8/,
  alignment: /alignment is a whole number of bytes \(8 or 16; OSTEP's model takes any from 1, or none\)/,
  sentinels: /is on or off/,
  freeList: /must be one of implicit, explicit/,
  order: /must be one of lifo, fifo, address, ADDRSORT, SIZESORT\+, SIZESORT-, INSERT-FRONT, INSERT-BACK/,
  answers: /must be one of shown, hidden/,
};
/** Values that are not the setting's for every choice but alignment, where -1 is OSTEP's "none". */
const NOT_CHOICES = ['-1', '-8', '1.5', '99999999999999999999', 'bestest', 'on-ish'];

describe('messages that say what is wrong', () => {
  describe('bad setting values', () => {
    it('every setting key is covered here', () => {
      assert.deepEqual([...SETTING_KEYS].sort(), [...BYTE_COUNTS, ...LISTS, ...NUMBERS, ...Object.keys(CHOICES)].sort());
    });

    for (const key of BYTE_COUNTS) {
      it(`${key}: negative, fractional, huge and wordy values each get their own reason`, () => {
        for (const [value, reason] of [
          ['-1', /cannot be negative \("-1"\)/],
          ['- 64', /cannot be negative/],
          ['-4K', /cannot be negative/],
          ['1.5', /whole number of bytes, not "1\.5"/],
          ['0.5K', /whole number of bytes, not "0\.5K"/],
          ['99999999999999999999', /99999999999999999999 is too large/],
          ['9999999999G', /too large/],
          ['lots', /byte count like 4096, 64K or 20M, not "lots"/],
          ['20X', /byte count like 4096, 64K or 20M, not "20X"/],
          ['1e3', /not "1e3"/],
          ['"4096"', /without quotes: set \w+ = 4096/],
          ['= 4096', /needs a value after "=", not "= 4096"/],
        ] as const) {
          const d = settingMessage(key, value);
          assert.equal(d.severity, 'error');
          assert.equal(d.code, 'bad-setting');
          assert.ok(d.message.includes(key), `set ${key} = ${value}: "${d.message}" names the setting`);
          assert.match(d.message, reason, `set ${key} = ${value}`);
          assert.doesNotMatch(d.message, /One value per setting/, `set ${key} = ${value}`);
        }
      });
    }

    it('classes: a list of byte counts; the entry that is not one is quoted', () => {
      const cases = [['32,lots', 'lots'], ['-1', '-1'], ['32, 1.5', '1.5'], ['32;64', '32;64']] as const;
      for (const [value, bad] of cases) {
        const d = settingMessage('classes', value);
        assert.equal(d.code, 'bad-setting');
        assert.match(d.message, /classes lists class bounds in bytes, like 32,64,128/, `set classes = ${value}`);
        assert.ok(d.message.includes(`"${bad}" is not a byte count`), `set classes = ${value}: "${d.message}"`);
      }
      const trace = parseHeapScript('set classes = 32, 64 128,1K\np = malloc(8)\nfree(p)\n');
      assert.deepEqual(trace.diagnostics, []);
      assert.deepEqual(trace.settings.map((s) => s.value), [[32, 64, 128, 1024]]);
    });

    it('a byte count may put a space before its unit', () => {
      const trace = parseHeapScript('set maxHeap = 20 M\nset chunkSize = 8 KiB\np = malloc(8)\nfree(p)\n');
      assert.deepEqual(trace.diagnostics, []);
      assert.deepEqual(trace.settings.map((s) => s.value), [20 * 2 ** 20, 8192]);
    });

    for (const [key, choices] of Object.entries(CHOICES)) {
      it(`${key}: negative, fractional, huge and misspelt values are each not one of its choices`, () => {
        for (const value of NOT_CHOICES.filter((v) => key !== 'alignment' || v !== '-1')) {
          const d = settingMessage(key, value);
          assert.equal(d.code, 'bad-setting');
          assert.match(d.message, choices, `set ${key} = ${value}`);
          assert.ok(d.message.includes(`"${value}"`), `set ${key} = ${value}: "${d.message}" quotes the value whole`);
        }
        // OSTEP's list orders are one value of several tokens (SIZESORT+), so two words are one value that is not an order.
        assert.match(settingMessage(key, 'best worst').message, key === 'order' ? /not "best worst"/ : /One value per setting/, 'two words are two values');
      });
    }

    for (const key of NUMBERS) {
      it(`${key}: a whole number from 0 (OSTEP's model); anything else is said so, quoted`, () => {
        for (const value of ['-1', '1.5', '99999999999999999999', 'lots', '4K']) {
          const d = settingMessage(key, value);
          assert.equal(d.code, 'bad-setting');
          assert.match(d.message, new RegExp(`${key} is a whole number from 0 to ${2 ** 40}, not "${value.replace('.', '\\.')}"`), `set ${key} = ${value}`);
        }
        const trace = parseHeapScript(`set ${key} = 0x10\np = malloc(8)\n`);
        assert.deepEqual(trace.diagnostics, []);
        assert.deepEqual(trace.settings.map((s) => s.value), [16]);
      });
    }

    it("alignment: none and -1 are OSTEP's no alignment; any positive number parses, and the engine's presets refuse all but 8 and 16", () => {
      for (const [value, parsed] of [['none', -1], ['NONE', -1], ['-1', -1], ['4', 4], ['0x20', 32]] as const) {
        const trace = parseHeapScript(`set alignment = ${value}\np = malloc(8)\n`);
        assert.deepEqual(trace.diagnostics, [], `set alignment = ${value}`);
        assert.deepEqual(trace.settings.map((s) => s.value), [parsed]);
      }
      const run = runTrace(parseHeapScript('set alignment = 4\np = malloc(8)\n'));
      const d = only(run.diagnostics, 1, 'set alignment = 4 on the default preset');
      assert.equal(d.severity, 'error');
      assert.match(d.message, /alignment must be one of 8, 16 \(got 4\)\. The trace runs on the default preset's settings instead\./);
    });

    it("OSTEP's list orders are one value each, in any case, and SIZESORT + with a space is not one", () => {
      for (const [value, parsed] of [['SIZESORT+', 'SIZESORT+'], ['insert-front', 'INSERT-FRONT'], ['sizesort-', 'SIZESORT-'], ['Address', 'address']] as const) {
        const trace = parseHeapScript(`set order = ${value}\np = malloc(8)\n`);
        assert.deepEqual(trace.diagnostics, [], `set order = ${value}`);
        assert.deepEqual(trace.settings.map((s) => s.value), [parsed]);
      }
      assert.match(settingMessage('order', 'SIZESORT +').message, /not "SIZESORT \+"/);
    });

    it('numeric choices take hex too', () => {
      const trace = parseHeapScript('set wordSize = 0x8\nset alignment = 0x10\np = malloc(8)\nfree(p)\n');
      assert.deepEqual(trace.diagnostics, []);
      assert.deepEqual(trace.settings.map((s) => s.value), [8, 16]);
    });

    it('a fractional size in a call is not a whole number (not an unexpected ".")', () => {
      const d = only(parseHeapScript('p = malloc(1.5)\n').diagnostics, 1, 'malloc(1.5)');
      assert.equal(d.code, 'bad-number');
      assert.match(d.message, /The size "1\.5" is not a whole number/);
    });
  });

  describe('string escapes', () => {
    for (const [literal, shown] of [
      ['"\\xZZ"', '\\xZZ'],
      ['"\\x4"', '\\x4'],
      ['"\\xg1"', '\\xg1'],
      ['"\\x"', '\\x'],
    ] as const) {
      it(`${literal}: "\\x" takes two hex digits`, () => {
        const d = only(parseHeapScript(`p = malloc(8)\nwrite(p, 0, ${literal})\n`).diagnostics, 2, literal);
        assert.equal(d.code, 'bad-string');
        assert.match(d.message, /"\\x" takes two hex digits/);
        assert.ok(d.message.includes(`"${shown}"`), `${literal}: "${d.message}" quotes ${shown}`);
        assert.doesNotMatch(d.message, /Unknown escape/);
        assert.equal(d.range.column, 14, 'underlined from the backslash');
        assert.equal(d.range.endColumn, 14 + shown.length);
      });
    }

    it('an unknown escape still names itself, whole', () => {
      const q = only(parseHeapScript('p = malloc(8)\nwrite(p, 0, "\\q")\n').diagnostics, 2, '\\q');
      assert.match(q.message, /^Unknown escape "\\q"/);
      const emoji = only(parseHeapScript('p = malloc(8)\nwrite(p, 0, "\\😀")\n').diagnostics, 2, '\\😀');
      assert.match(emoji.message, /^Unknown escape "\\😀"/);
      assert.equal(emoji.range.endColumn - emoji.range.column, 3, 'a backslash and both halves of the emoji');
    });
  });

  describe('a .rep header of 0 ids', () => {
    it('says that no id is allowed, never "ids 0 to -1", and that the count must be at least 1', () => {
      const trace = parseRep('0\n0\n2\n1\na 0 8\nf 0\n');
      const messages = trace.diagnostics.map((d) => d.message).join('\n');
      assert.doesNotMatch(messages, /-1\b/);
      assert.match(only(trace.diagnostics, 5, 'a 0 8').message, /^Id 0 is out of range: the header says 0 ids, so no id is allowed\.$/);
      const header = only(trace.diagnostics, 2, 'the id count');
      assert.equal(header.code, 'header-id-count');
      assert.match(header.message, /0 ids.*at least 1/);
      assert.equal(header.fix?.newText, '1', 'the fix makes room for id 0');
    });

    it('a header of 0 ids and no ops is still one the malloc lab driver refuses', () => {
      const trace = parseRep('0\n0\n0\n1\n');
      assert.deepEqual(trace.diagnostics.map((d) => `${d.range.line}: ${d.severity} ${d.code}`), ['2: error header-id-count']);
    });

    it('the fix for a header short of its ids counts the ids the ops use', () => {
      const trace = parseRep('0\n0\n3\n1\na 0 8\na 4 8\nf 4\n');
      assert.equal(trace.diagnostics.find((d) => d.code === 'header-id-count')?.fix?.newText, '5');
    });
  });
});
