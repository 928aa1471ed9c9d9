// A trace's ops live in columns, not one object per op. Read back, every op is the op the parser
// read: the plain malloc, realloc and free of a .rep trace from the columns alone; calloc, write,
// fill, free(NULL), realloc(NULL, n) and sizes from 2^32 too. The accessors agree with the op
// objects, and a million-op trace costs about 15 bytes an op.

import assert from 'node:assert/strict';
import { OpTable, OpTableBuilder, parseHeapScript, parseRep, type TraceOp } from '../../../src/trace/index';
import { seededRandom } from '../support/generatedTrace';

/** Every accessor of op i against the op object. */
function assertAccessorsAgree(ops: OpTable, i: number, op: TraceOp): void {
  assert.deepEqual(ops.at(i), op, `op ${i}`);
  assert.equal(ops.kind(i), op.kind);
  assert.equal(ops.ptr(i), op.ptr);
  assert.equal(ops.from(i), op.kind === 'realloc' ? op.from : null);
  assert.equal(ops.line(i), op.range.line);
  assert.deepEqual(ops.range(i), op.range);
  const size = op.kind === 'malloc' || op.kind === 'calloc' || op.kind === 'realloc' ? op.size : 0n;
  assert.equal(BigInt(ops.requestSize(i)), size);
}

describe('op tables', () => {
  it('give back every op of a random .heap script, from the columns or kept whole', () => {
    const random = seededRandom(21);
    const lines: string[] = [];
    const names = ['p', 'q', 'r', 's'];
    for (let k = 0; k < 2_000; k++) {
      const p = names[Math.floor(random() * names.length)]!;
      const q = names[Math.floor(random() * names.length)]!;
      const size = [0, 1, 24, 4096, 2 ** 32 - 1, 2 ** 32, 2 ** 53 + 2, 2 ** 60][Math.floor(random() * 8)]!;
      const big = BigInt(size);
      const r = random();
      if (r < 0.3) lines.push(`${p} = malloc(${big})`);
      else if (r < 0.4) lines.push(`${p} = calloc(3, ${big})`);
      else if (r < 0.55) lines.push(`${p} = realloc(${random() < 0.2 ? 'NULL' : q}, ${big})`);
      else if (r < 0.75) lines.push(`free(${random() < 0.1 ? 'NULL' : p})`);
      else if (r < 0.85) lines.push(`write(${p}, 0, [1, 2, 3])`);
      else lines.push(`fill(${p}, 2, 5, 0xab)`);
    }
    const trace = parseHeapScript(lines.join('\n') + '\n');
    const ops = [...trace.ops];
    assert.equal(ops.length, 2_000);
    const kinds = new Set(ops.map((op) => op.kind));
    assert.deepEqual([...kinds].sort(), ['calloc', 'fill', 'free', 'malloc', 'realloc', 'write']);
    assert.ok(ops.some((op) => op.kind === 'free' && op.ptr === null), 'a free(NULL)');
    assert.ok(ops.some((op) => op.kind === 'realloc' && op.from === null), 'a realloc(NULL, n)');
    assert.ok(ops.some((op) => op.kind === 'malloc' && op.size > BigInt(Number.MAX_SAFE_INTEGER)), 'a size beyond 2^53');
    ops.forEach((op, i) => assertAccessorsAgree(trace.ops, i, op));
    // A table built from the objects is the same table.
    const again = OpTable.of(ops);
    assert.deepEqual([...again], ops);
    assert.equal(again.count('write', 'fill'), ops.filter((op) => op.kind === 'write' || op.kind === 'fill').length);
    assert.equal(again.has('calloc'), true);
    // The counts by kind are kept as the table is written: the same as counting the ops, for any mix of kinds.
    const all = ['malloc', 'calloc', 'realloc', 'free', 'write', 'fill'] as const;
    for (let mask = 1; mask < 1 << all.length; mask++) {
      const kinds = all.filter((_, k) => mask & (1 << k));
      const expected = ops.filter((op) => (kinds as readonly string[]).includes(op.kind)).length;
      for (const table of [trace.ops, again]) {
        assert.equal(table.count(...kinds, ...kinds), expected, kinds.join());
        assert.equal(table.has(...kinds), expected > 0);
      }
    }
    const rep = parseRep('0\n3\n6\n1\na 0 8\nr 0 99999999999\nf 0\na 1 8\nr 1 16\nf 2\n');
    assert.deepEqual([rep.ops.count('malloc'), rep.ops.count('realloc'), rep.ops.count('free'), rep.ops.count('calloc', 'write')], [2, 2, 2, 0]);
  });

  it('find ops by line: the first op on or after a line, in a trace with blank and bad lines between', () => {
    const trace = parseRep(['0', '3', '4', '1', 'a 0 8', '', 'a 1 16', 'bogus', 'f 0', '', '', 'f 1'].join('\n'));
    assert.deepEqual([...trace.ops].map((op) => op.range.line), [5, 7, 9, 12]);
    assert.deepEqual([1, 5, 6, 7, 8, 9, 10, 12, 13].map((line) => trace.ops.firstFromLine(line)), [0, 0, 1, 1, 2, 2, 3, 3, 4]);
    assert.equal(trace.ops.has('realloc'), false);
    assert.equal(trace.ops.count('free'), 2);
  });

  it('refuse an op outside the trace with a RangeError, not garbage', () => {
    const ops = parseRep('0\n1\n1\n1\na 0 8\n').ops;
    assert.throws(() => ops.at(1), RangeError);
    assert.throws(() => ops.kind(-1), RangeError);
    assert.throws(() => ops.at(0.5), RangeError);
    assert.throws(() => ops.line(Number.NaN), RangeError);
  });

  it('grow from nothing: an empty table finished, then appended to, keeps what it is given', () => {
    const table = new OpTableBuilder(0);
    table.finish();
    const free = { kind: 'free', ptr: null, range: { line: 3, column: 1, endLine: 3, endColumn: 11 } } as const;
    for (let k = 0; k < 40; k++) table.push(free);
    assert.equal(table.length, 40);
    assert.deepEqual(table.at(39), free);
  });

  it('read back, exactly, ops past the columns\' widths (sizes from 2^32, columns from 2^16) and a realloc of another slot after many of their own', () => {
    const range = (line: number, column = 1, endColumn = 9) => ({ line, column, endLine: line, endColumn });
    const given: TraceOp[] = [];
    for (let k = 0; k < 100; k++) given.push({ kind: 'realloc', ptr: k % 3, from: k % 3, size: BigInt(k), range: range(k + 1) });
    given.push(
      { kind: 'malloc', ptr: 1, size: 2n ** 32n - 1n, range: range(101) },
      { kind: 'malloc', ptr: 2, size: 2n ** 32n, range: range(102) },
      { kind: 'realloc', ptr: 4, from: 2, size: 2n ** 40n, range: range(103, 70_000, 70_010) },
      { kind: 'free', ptr: 3, range: range(104, 65_535, 65_536) },
      { kind: 'realloc', ptr: 5, from: null, size: 8n, range: range(105) },
      { kind: 'realloc', ptr: 5, from: 5, size: 9n, range: range(106) },
    );
    const table = OpTable.of(given);
    given.forEach((op, i) => assertAccessorsAgree(table, i, op));
    // The plain .rep trace, whose reallocs resize their own slot, has no column of old pointers.
    const rep = parseRep('0\n1\n3\n1\na 0 8\nr 0 16\nf 0\n');
    assert.equal(rep.ops.byteLength, 3 * 15 + 4);
    assert.equal(rep.ops.from(1), 0);
    assert.equal(rep.ops.from(0), null);
  });

  it('keep each op\'s line, however far apart: runs of blank lines of every length between ops, up to 200,000', () => {
    const random = seededRandom(17);
    const lines = ['0', '1', '400', '1'];
    const expected: number[] = [];
    for (let k = 0; k < 400; k++) {
      // Mostly none, sometimes a few, sometimes more than 65,535 (the widest step the columns hold).
      const r = random();
      const blanks = r < 0.6 ? 0 : r < 0.9 ? Math.floor(random() * 300) : Math.floor(random() * 200_000);
      for (let b = 0; b < blanks; b++) lines.push('');
      lines.push(k % 2 === 0 ? 'a 0 8' : 'f 0');
      expected.push(lines.length);
    }
    const ops = parseRep(lines.join('\n')).ops;
    assert.deepEqual(Array.from({ length: ops.length }, (_, i) => ops.line(i)), expected);
    assert.deepEqual([...ops].map((op) => op.range.line), expected);
    for (const i of [0, 1, 63, 64, 65, 200, 399]) {
      assert.equal(ops.firstFromLine(expected[i]!), i, `op ${i} is the first on or after its line`);
      assert.equal(ops.firstFromLine(expected[i]! + 1), i + 1);
    }
  });

  it('hold a million-op .rep trace in columns of about 15 bytes an op, never grown past the header\'s count', () => {
    const lines = ['0', '1000', '1000000', '1'];
    for (let i = 0; i < 1_000_000; i++) lines.push(i % 3 === 2 ? `f ${i % 1000}` : `${i % 3 === 0 ? 'a' : 'r'} ${i % 1000} ${i % 5000}`);
    const ops = parseRep(lines.join('\n')).ops;
    assert.equal(ops.length, 1_000_000);
    assert.equal(ops.byteLength / ops.length, 15 + 4 / 64, 'kind 1, pointer 4, size 4, line 2 (and 4 every 64 ops), columns 2 and 2');
    assert.deepEqual(ops.at(999_997), { kind: 'realloc', ptr: 997, from: 997, size: 4997n, range: { line: 1_000_002, column: 1, endLine: 1_000_002, endColumn: 11 } });
  });
});
