// `heap-inspector score --allocator mm.c TRACE...`: the malloc lab's whole score of an allocator
// written as a fixture, on malloc lab traces read from ../shared. The timings differ from run to
// run, so what is checked is the table's shape and its consistency: each line's utilisation and
// ops are the trace's, and Total is made of the lines as the lab's driver makes it.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, type CliIo } from '../../../src/cli/cli';
import { cliAllocatorRunner } from '../../../src/native/ownAllocator';
import type { LabTotal } from '../../../src/trace/index';
import { MALLOCLAB_DIR, readMalloclab, REFERENCE, requireMalloclab } from '../support/malloclab';
import { fixture, fixtureCompiles } from '../support/ownAllocators';

const TRACES = ['short1-bal', 'amptjp-bal', 'coalescing-bal'];
const reference = (trace: string) => REFERENCE.find((r) => r.trace === trace)!;

describe('heap-inspector score: the malloc lab\'s score of your allocator over traces', function () {
  this.timeout(120_000);
  const compiles = fixtureCompiles();
  before(function () {
    requireMalloclab(this);
  });

  /** `heap-inspector score ARGS`, the traces read from ../shared by their names. */
  function score(args: string[], folders: Readonly<Record<string, string[]>> = {}) {
    let out = '';
    let err = '';
    const io: CliIo = {
      readFile: (path) => readMalloclab(path.replace(/\.rep$/, '')),
      out: (t) => void (out += t),
      err: (t) => void (err += t),
      runAllocator: cliAllocatorRunner(compiles()),
      traceFolder: (path) => folders[path] ?? null,
    };
    const code = runCli(['score', ...args], io);
    return { code, out, err };
  }

  /** The table's lines by their first cell, each split on runs of spaces. */
  const cells = (out: string) => new Map(out.split('\n').map((line) => line.trim().split(/ +/)).map((c) => [c[0]!, c.slice(1)] as const));

  it('the textbook allocator: a valid line per trace with its utilisation and ops, and Total made of them', () => {
    const r = score(['--allocator', fixture('textbook.c'), ...TRACES.map((t) => `${t}.rep`)]);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out.split('\n')[0], 'Results for textbook.c:');
    const table = cells(r.out);
    assert.deepEqual(table.get('trace'), ['valid', 'util', 'ops', 'secs', 'Kops']);
    let ops = 0;
    let secs = 0;
    for (const t of TRACES) {
      const [valid, util, n, s, kops] = table.get(`${t}.rep`)!;
      assert.equal(valid, 'yes', t);
      assert.equal(util, `${Math.round(100 * reference(t).util)}%`, `${t}: the reference utilisation`);
      assert.equal(Number(n), reference(t).ops, `${t}: its ops`);
      assert.match(s!, /^\d+\.\d{6}$/);
      assert.match(kops!, /^\d+$/);
      ops += Number(n);
      secs += Number(s);
    }
    const [util, totalOps, totalSecs, totalKops] = table.get('Total')!;
    const meanUtil = TRACES.reduce((sum, t) => sum + reference(t).util, 0) / TRACES.length;
    assert.equal(util, `${Math.round(100 * meanUtil)}%`, 'the mean of the traces\' utilisations');
    assert.equal(Number(totalOps), ops, 'every trace\'s ops');
    assert.ok(Math.abs(Number(totalSecs) - secs) <= 2e-6, `${totalSecs}: the traces' seconds added (${secs}), to the printed digits`);
    assert.ok(Number(totalKops) > 0);
    const index = /^Perf index = (\d+) \(util\) \+ (\d+) \(thru\) = (\d+)\/100$/m.exec(r.out);
    assert.ok(index, r.out);
    assert.equal(Number(index[1]), Math.round(60 * meanUtil), '60 x the mean utilisation');
    assert.ok(Number(index[2]) <= 40);
  });

  it('--json: the same lines and a Total that adds them up exactly; --libc-kops moves the throughput part only', () => {
    const r = score(['--allocator', fixture('textbook.c'), ...TRACES.map((t) => `${t}.rep`), '--json', '--libc-kops', '1e9']);
    assert.equal(r.code, 0, r.err);
    const t = JSON.parse(r.out) as LabTotal & { allocator: string; interface: string };
    assert.deepEqual([t.allocator, t.interface, t.libcKops, t.utilWeight], [fixture('textbook.c'), 'csapp', 1e9, 0.6]);
    assert.deepEqual(
      t.traces.map((s) => [s.trace, s.valid, s.ops, s.problem]),
      TRACES.map((name) => [`${name}.rep`, true, reference(name).ops, null]),
    );
    const total = t.total!;
    assert.equal(total.ops, t.traces.reduce((sum, s) => sum + s.ops, 0));
    assert.ok(Math.abs(total.secs - t.traces.reduce((sum, s) => sum + s.secs!, 0)) < 1e-12);
    assert.ok(Math.abs(total.utilisation - t.traces.reduce((sum, s) => sum + s.utilisation!, 0) / 3) < 1e-12);
    assert.ok(Math.abs(total.throughputKops - total.ops / 1e3 / total.secs) < 1e-9);
    for (const s of t.traces) assert.ok(Math.abs(s.utilisation! - reference(s.trace.replace('.rep', '')).util) < 1e-6, s.trace);
    const p = t.perfIndex!;
    assert.ok(Math.abs(p.util - 60 * total.utilisation) < 1e-9);
    assert.ok(Math.abs(p.thru - 40 * (total.throughputKops / 1e9)) < 1e-9, 'a target no allocator reaches: the throughput part is its share of it');
    assert.ok(Math.abs(p.total - p.util - p.thru) < 1e-9);
  });

  it('an allocator that overlaps payloads: its trace is not valid, said in one line, no index, exit 1', () => {
    const r = score(['--allocator', fixture('overlap-bug.c'), 'short1-bal.rep', 'short2-bal.rep']);
    assert.equal(r.code, 1);
    // The README of the fixtures: on short1-bal.rep the first overlap is op 3, line 8.
    assert.match(r.out, /^short1-bal\.rep +no +- +- +- +- +line 8: The payload 0x0010\.\.0x0040 overlaps the live payload 0x0010\.\.0x0808 \(and \d+ more errors?\)$/m);
    assert.match(r.out, /^Total +- +- +- +-$/m);
    assert.match(r.out, /^Perf index: none \(1 of 2 traces is not valid; /m);
    const json = JSON.parse(score(['--allocator', fixture('overlap-bug.c'), 'short1-bal.rep', 'short2-bal.rep', '--json']).out) as LabTotal;
    assert.deepEqual([json.invalid, json.total, json.perfIndex], [1, null, null]);
    assert.match(json.traces[0]!.problem!, /^line 8: /);
    assert.deepEqual(json.traces.map((t) => t.code), ['overlapping-payloads', null], 'the error\'s code, as data');
  });

  it('a file that does not compile: every trace not valid with the first error, the compiler\'s messages once on stderr, exit 1', () => {
    const r = score(['--allocator', fixture('broken.c'), 'short1-bal.rep', 'short2-bal.rep']);
    assert.equal(r.code, 1);
    for (const t of ['short1-bal.rep', 'short2-bal.rep']) assert.match(r.out, new RegExp(`^${t.replace('.', '\\.')} +no +- +- +- +- +broken\\.c did not compile \\(broken\\.c:34: `, 'm'));
    assert.equal(r.err.match(/broken\.c:34:\d+: error: /g)?.length, 1, r.err);
    const json = JSON.parse(score(['--allocator', fixture('broken.c'), 'short1-bal.rep', '--json']).out) as LabTotal & { interface: string | null };
    assert.deepEqual([json.traces[0]!.code, json.interface], ['allocator-compile', null]);
  });

  it('an allocation log is told by its content, as run tells it: an mtrace log named .log scores as its ops', () => {
    const log = ['= Start', '@ ./prog:[0x11a0] + 0x5638583c82a0 0x18', '@ ./prog:[0x11b3] + 0x5638583c84a0 0x20', '@ ./prog:[0x11d6] < 0x5638583c82a0', '@ ./prog:[0x11d6] > 0x5638583c8540 0xfa0', '@ ./prog:[0x124a] - 0x5638583c84a0', '= End', ''].join('\n');
    let out = '';
    let err = '';
    const io: CliIo = { readFile: () => log, out: (t) => void (out += t), err: (t) => void (err += t), runAllocator: cliAllocatorRunner(compiles()) };
    const code = runCli(['score', '--allocator', fixture('textbook.c'), 'prog.log'], io);
    assert.equal(code, 0, err + out);
    const [valid, , ops] = cells(out).get('prog.log')!;
    assert.deepEqual([valid, ops], ['yes', '4']);
  });

  it('a folder stands for its .rep traces; no compiler is exit 2 with what to install', () => {
    const r = score(['--allocator', fixture('textbook.c'), 'lab-traces'], { 'lab-traces': ['short1-bal.rep', 'short2-bal.rep'] });
    assert.equal(r.code, 0, r.err);
    assert.ok(cells(r.out).has('short2-bal.rep'));
    const empty = score(['--allocator', fixture('textbook.c'), 'nothing-here'], { 'nothing-here': [] });
    assert.deepEqual([empty.code, empty.out], [2, '']);
    assert.match(empty.err, /the folder nothing-here holds no \.rep traces/);
    const none = score(['--allocator', fixture('textbook.c'), 'short1-bal.rep', '--cc', '/nonexistent/cc']);
    assert.deepEqual([none.code, none.out], [2, '']);
    assert.match(none.err, /The C compiler "\/nonexistent\/cc" was not found\. No C compiler found/);
  });

  it('dist/cli.js score on a folder: its .rep files in name order, nothing else in it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'heap-inspector-score-'));
    try {
      // Links to the traces in ../shared (never copies), and a file that is not a trace.
      for (const t of ['short2-bal', 'short1-bal']) symlinkSync(join(MALLOCLAB_DIR, `${t}.rep`), join(dir, `${t}.rep`));
      writeFileSync(join(dir, 'notes.txt'), 'not a trace\n');
      const run = spawnSync(process.execPath, [join(process.cwd(), 'dist', 'cli.js'), 'score', '--allocator', fixture('textbook.c'), dir], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, HEAP_INSPECTOR_CACHE: compiles().cacheDir } });
      assert.equal(run.status, 0, run.stderr);
      assert.deepEqual(
        run.stdout.split('\n').filter((line) => /^\S+\.rep /.test(line)).map((line) => line.split(' ')[0]),
        ['short1-bal.rep', 'short2-bal.rep'],
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
