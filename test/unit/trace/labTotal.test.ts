// The malloc lab's whole score from the traces' lines, as the CS:APP driver (mdriver) computes it:
// the utilisation averaged over the traces, the throughput as all the ops over all the seconds,
// the index 60 x utilisation + 40 x min(1, throughput / the libc target), each figure printed as
// its printf rounds it; no Total and no index once a trace is not valid.

import assert from 'node:assert/strict';
import { formatLabTotal, labTotal, labTotalSentence, notCompiled, type TraceScore } from '../../../src/trace/index';

/** A valid trace's line: its utilisation, ops and seconds. */
const valid = (trace: string, utilisation: number, ops: number, secs: number): TraceScore => ({ trace, ops, problem: null, code: null, utilisation, secs });
const invalid = (trace: string, ops: number, problem: string): TraceScore => ({ trace, ops, problem, code: 'overlapping-payloads', utilisation: null, secs: null });

/** The table's lines, each split on runs of spaces. */
const rows = (text: string) => text.split('\n').map((line) => line.trim().split(/ +/));

describe("the malloc lab's total score (mdriver's arithmetic)", () => {
  const three = [valid('amptjp-bal.rep', 0.9, 6000, 0.01), valid('binary-bal.rep', 0.6, 12000, 0.02), valid('coalescing-bal.rep', 0.75, 12000, 0.03)];

  it('averages the utilisation over the traces and divides all the ops by all the seconds, not the mean of the throughputs', () => {
    const t = labTotal(three);
    assert.equal(t.invalid, 0);
    assert.ok(t.total);
    assert.ok(Math.abs(t.total.utilisation - 0.75) < 1e-12);
    assert.equal(t.total.ops, 30000);
    assert.ok(Math.abs(t.total.secs - 0.06) < 1e-12);
    // 30,000 ops in 0.06 s: 500 Kops/s, where the traces' own 600, 600 and 400 average 533.
    assert.ok(Math.abs(t.total.throughputKops - 500) < 1e-9);
    assert.deepEqual(
      t.traces.map((s) => Math.round(s.throughputKops!)),
      [600, 600, 400],
    );
    // 60 x 0.75 = 45; 40 x 500 / 600 = 33.3.
    assert.ok(t.perfIndex);
    assert.ok(Math.abs(t.perfIndex.util - 45) < 1e-9);
    assert.ok(Math.abs(t.perfIndex.thru - 40 * (500 / 600)) < 1e-9);
    assert.ok(Math.abs(t.perfIndex.total - t.perfIndex.util - t.perfIndex.thru) < 1e-9);
  });

  it("prints the driver's table: a line per trace, Total, and the index in its words", () => {
    const text = formatLabTotal('mm.c', labTotal(three));
    const lines = rows(text);
    assert.equal(text.split('\n')[0], 'Results for mm.c:');
    assert.deepEqual(lines[1], ['trace', 'valid', 'util', 'ops', 'secs', 'Kops']);
    assert.deepEqual(lines[2], ['amptjp-bal.rep', 'yes', '90%', '6000', '0.010000', '600']);
    assert.deepEqual(lines[3], ['binary-bal.rep', 'yes', '60%', '12000', '0.020000', '600']);
    assert.deepEqual(lines[4], ['coalescing-bal.rep', 'yes', '75%', '12000', '0.030000', '400']);
    assert.deepEqual(lines[5], ['Total', '75%', '30000', '0.060000', '500']);
    assert.match(text, /^Perf index = 45 \(util\) \+ 33 \(thru\) = 78\/100$/m);
    assert.match(text, /Utilisation weighs 60%, throughput 40% up to 600 Kops\/s/);
    assert.equal(labTotalSentence('mm.c', labTotal(three)), 'mm.c on 3 traces: perf index 78/100 (utilisation 75%, 500 Kops/s).');
  });

  it('rounds each figure as printf does, so the parts may not add up to the index, and a tie goes to the even number', () => {
    // 60 x 0.7433 = 44.6 -> 45; 9 Kops: 40 x 9 / 600 = 0.6 -> 1; the index 45.2 -> 45.
    const text = formatLabTotal('mm.c', labTotal([valid('a.rep', 44.6 / 60, 9, 0.001)]));
    assert.match(text, /^Perf index = 45 \(util\) \+ 1 \(thru\) = 45\/100$/m);
    // Utilisations of exactly 12.5% and 37.5%: printf's %.0f gives 12 and 38.
    const ties = rows(formatLabTotal('mm.c', labTotal([valid('a.rep', 0.125, 10, 1), valid('b.rep', 0.375, 10, 1)])));
    assert.deepEqual([ties[2]![2], ties[3]![2], ties[4]![1]], ['12%', '38%', '25%']);
  });

  it('a trace that is not valid: its line says why, and there is no Total and no index', () => {
    const t = labTotal([three[0]!, invalid('short1-bal.rep', 12, 'line 8: The payload 0x0010..0x0040 overlaps the live payload 0x0010..0x0808'), three[2]!]);
    assert.equal(t.invalid, 1);
    assert.equal(t.total, null);
    assert.equal(t.perfIndex, null);
    assert.deepEqual(
      t.traces.map((s) => [s.valid, s.throughputKops === null]),
      [
        [true, false],
        [false, true],
        [true, false],
      ],
    );
    const text = formatLabTotal('mm.c', t);
    assert.match(text, /^short1-bal\.rep +no +- +- +- +- +line 8: The payload 0x0010\.\.0x0040 overlaps the live payload 0x0010\.\.0x0808$/m);
    assert.match(text, /^Total +- +- +- +-$/m);
    assert.match(text, /^Perf index: none \(1 of 3 traces is not valid; the lab's driver gives no index then\)$/m);
    assert.doesNotMatch(text, /Perf index =/);
    assert.equal(labTotalSentence('mm.c', t), 'mm.c on 3 traces: 1 not valid, so no perf index.');
    assert.equal(labTotal([]).perfIndex, null, 'no traces, no index');
  });

  it('the libc target is settable: throughput counts in full from it, and never past it', () => {
    const at = (libcKops: number) => labTotal(three, { libcKops }).perfIndex!.thru;
    assert.ok(Math.abs(at(600) - 40 * (500 / 600)) < 1e-9, "CS:APP 3e's 600 Kops/s by default");
    assert.ok(Math.abs(at(500) - 40) < 1e-9, 'at the target: the whole 40');
    assert.ok(Math.abs(at(100) - 40) < 1e-9, 'past the target: still 40');
    assert.ok(Math.abs(at(20_000) - 1) < 1e-9, 'a faster machine\'s target: 40 x 500 / 20,000');
    assert.equal(labTotal(three, { libcKops: 20_000 }).libcKops, 20_000);
    assert.match(formatLabTotal('mm.c', labTotal(three, { libcKops: 20_000 })), /up to 20,000 Kops\/s/);
  });

  it("names a file that did not compile by its first error", () => {
    const messages = [
      { file: '/home/me/mm.c', line: 30, severity: 'warning', message: 'unused variable' },
      { file: '/home/me/mm.c', line: 34, severity: 'error', message: "'brk_end' undeclared" },
    ];
    assert.equal(notCompiled('/home/me/mm.c', messages), "mm.c did not compile (mm.c:34: 'brk_end' undeclared)");
    assert.equal(notCompiled('/home/me/mm.c', []), 'mm.c did not compile');
  });
});
