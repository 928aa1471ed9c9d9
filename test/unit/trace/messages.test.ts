// Messages say what is wrong: ids in a header that allows none.

import assert from 'node:assert/strict';
import { parseRep, type Diagnostic } from '../../../src/trace/index';

/** The one diagnostic of a line, or a failure that lists them all. */
function only(diagnostics: readonly Diagnostic[], line: number, what: string): Diagnostic {
  const onLine = diagnostics.filter((d) => d.range.line === line);
  assert.equal(onLine.length, 1, `${what}: ${diagnostics.map((d) => `${d.range.line}: ${d.message}`).join(' | ')}`);
  return onLine[0]!;
}

describe('messages that say what is wrong', () => {
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
