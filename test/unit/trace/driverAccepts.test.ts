// `heap-inspector check` on a .rep answers "will the malloc lab driver accept this trace?". mdriver
// reads four integers with fscanf (skipping any whitespace, line breaks included), then one op per
// type letter, and asserts that its largest id, which starts at 0, is ids - 1 and that the op
// count matches the header. A file it cannot read is an error; one it reads is at most a warning.

import assert from 'node:assert/strict';
import { runCli } from '../../../src/cli/cli';
import { parseRep } from '../../../src/trace/index';

function check(text: string): { code: number; stdout: string } {
  let stdout = '';
  const code = runCli(['check', 'trace.rep'], { readFile: () => text, out: (t) => void (stdout += t), err: (t) => void (stdout += t) });
  return { code, stdout };
}

const rep = (...lines: string[]) => lines.join('\n') + '\n';
const OPS = ['a 0 8', 'a 1 16', 'f 0', 'f 1'] as const;

const ACCEPTED: readonly [string, string][] = [
  ['the standard layout: one header number a line, then the ops', rep('20000', '2', '4', '1', ...OPS)],
  ['the header on one line', rep('20000 2 4 1', ...OPS)],
  ['the header over two lines, with blank lines around it', rep('', '20000 2', '', '4', '1', '', ...OPS)],
  ['tokens separated by tabs, vertical tabs and form feeds', '20000\v2\f4\t1\n' + OPS.map((op) => op.replace(/ /g, '\f')).join('\n') + '\n'],
  ['CRLF line breaks', rep('20000', '2', '4', '1', ...OPS).replace(/\n/g, '\r\n')],
  ['old Mac CR line breaks', rep('20000', '2', '4', '1', ...OPS).replace(/\n/g, '\r')],
  ['the 2016 edition\'s header (weight, ids, ops, max live bytes)', rep('1', '2', '4', '24', ...OPS)],
  ['a header of one id and no ops (the driver\'s largest id starts at 0)', rep('0', '1', '0', '1')],
  ['signed header numbers in the fields the driver reads and never uses', rep('-1', '+2', '4', '-7', ...OPS)],
];

const REFUSED: readonly [string, string, string][] = [
  ['an empty file', '', 'header-missing'],
  ['a file of only whitespace', ' \n\t\r\n', 'header-missing'],
  ['three header numbers, then the ops', rep('20000', '2', '4', ...OPS), 'header-missing'],
  ['no header at all', rep(...OPS), 'header-missing'],
  ['two header numbers and nothing else', rep('20000', '2'), 'header-missing'],
  ['five header numbers', rep('20000 2 4 1 5', ...OPS), 'extra-argument'],
  ['a header of 0 ids', rep('0', '0', '0', '1'), 'header-id-count'],
  ['a header of 3 ids and no ops', rep('0', '3', '0', '1'), 'header-id-count'],
  ['a header of -1 ids', rep('0', '-1', '4', '1', ...OPS), 'header-id-count'],
  ['a header of -4 ops', rep('0', '2', '-4', '1', ...OPS), 'header-op-count'],
  ['more ids in the header than the ops use', rep('20000', '3', '4', '1', ...OPS), 'header-id-count'],
  ['an op count that does not match', rep('20000', '2', '5', '1', ...OPS), 'header-op-count'],
  ['an id beyond the header', rep('20000', '1', '4', '1', ...OPS), 'id-out-of-range'],
  ['an op the driver reads as a bogus type character', rep('20000', '2', '5', '1', ...OPS, '7'), 'unknown-op'],
  ['a free with a second number, which the driver then reads as an op', rep('20000', '2', '4', '1', 'a 0 8', 'a 1 16', 'f 0 9', 'f 1'), 'extra-argument'],
];

describe('check answers: will the malloc lab driver accept this .rep?', () => {
  for (const [name, text] of ACCEPTED) {
    it(`accepted, exit 0: ${name}`, () => {
      const r = check(text);
      assert.equal(r.code, 0, r.stdout);
      assert.deepEqual(parseRep(text).diagnostics, []);
    });
  }

  for (const [name, text, code] of REFUSED) {
    it(`refused, exit 1: ${name} (${code})`, () => {
      const r = check(text);
      assert.equal(r.code, 1, r.stdout);
      const d = parseRep(text).diagnostics.find((x) => x.code === code);
      assert.ok(d, `no ${code}: ${r.stdout}`);
      assert.equal(d.severity, 'error');
    });
  }

  it('a file without its header still replays its ops, for a look at what they do', () => {
    const trace = parseRep(rep(...OPS));
    assert.equal(trace.ops.length, 4);
    assert.deepEqual(trace.names, ['0', '1']);
  });
});
