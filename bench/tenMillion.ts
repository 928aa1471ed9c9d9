// Part `tenmillion` of `npm run bench` (docs/performance.md, "Ten million ops"): the whole
// `heap-inspector run` process on a generated 10,000,000-op trace (`--quick`: 2,000,000) and on
// its first tenth, the baseline of the same run, each with its peak resident memory; the same
// trace replayed with the history of every step (what the editor's panel keeps) in a process of
// its own, with its memory, jump cost and jumps; and a recorded real program, Python running a
// fixed script with glibc's malloc for every object (`heap-inspector record`), replayed under
// every policy, against first fit in the same run.

import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { FIT_POLICIES } from '../src/engine/index';
import { parseRep, Replay, traceConfig } from '../src/trace/index';
import { mixedOps } from './generators';

interface TenMillionContext {
  readonly root: string;
  readonly quick: boolean;
  readonly report: (name: string, value: number, unit: string, note?: string) => void;
  /** Runs the benchmark again with `args` in a process of its own; returns what it measured. */
  readonly inOwnProcess: <T>(args: string[]) => T;
}

const LIVE = 10_000;
const SEED = 11;
/** The fixed program recorded, on `entries` dict entries: deterministic in its counts with PYTHONHASHSEED=0 (docs/performance.md). */
const pythonScript = (entries: number) => [
  'd = {}',
  `for i in range(${entries}):`,
  '    d[str(i)] = [i, str(i * 7), (i, i + 1)]',
  's = sorted(d.values(), key=lambda v: v[1])',
  'for k in list(d)[::2]:',
  '    del d[k]',
  'print(len(s), len(d))',
].join('\n');

export function tenMillion({ root, quick, report, inOwnProcess }: TenMillionContext): void {
  const ops = quick ? 2_000_000 : 10_000_000;
  const dir = join(root, 'bench-results');
  mkdirSync(dir, { recursive: true });
  const cli = join(root, 'dist', 'cli.js');
  const peakReporter = join(dir, 'peak-rss.cjs');
  writeFileSync(peakReporter, "process.on('exit', () => require('fs').writeSync(2, `\\npeak-rss ${process.resourceUsage().maxRSS * 1024}\\n`));\n");
  /** The whole `heap-inspector ...args` process: its time and its peak resident memory (VmHWM, as the kernel counts it). */
  const whole = (...args: string[]) => {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, ['--require', peakReporter, cli, ...args], { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 64 * 2 ** 20 });
    const ms = performance.now() - t0;
    const peak = Number(/peak-rss (\d+)/.exec(r.stderr.toString())?.[1]);
    if ((r.status !== 0 && r.status !== 1) || !(peak > 0)) throw new Error(`heap-inspector ${args.join(' ')} failed (exit ${r.status}): ${r.stderr.toString().slice(0, 500)}`);
    return { ms, peak };
  };
  const MB = (bytes: number) => bytes / 2 ** 20;

  const file = join(dir, `tenmillion-${ops}-${LIVE}.rep`);
  const tenth = join(dir, `tenmillion-${ops / 10}-${LIVE}.rep`);
  if (!existsSync(file)) writeMixedTrace(file, ops, LIVE, SEED);
  // The same generator and seed: the tenth is the big trace's first ops.
  if (!existsSync(tenth)) writeMixedTrace(tenth, ops / 10, LIVE, SEED);
  const label = (n: number) => `${n.toLocaleString('en-US')} ops / ${LIVE.toLocaleString('en-US')} live`;

  const base = whole('run', tenth, '--preset', 'csapp');
  report(`tenmillion, ${label(ops / 10)}: heap-inspector run, whole process`, base.ms, 'ms', `peak RSS ${MB(base.peak).toFixed(0)} MB; the baseline`);
  const big = whole('run', file, '--preset', 'csapp');
  report(`tenmillion, ${label(ops)}: heap-inspector run, whole process`, big.ms, 'ms', `peak RSS ${MB(big.peak).toFixed(0)} MB; csapp, first fit`);
  report(`tenmillion, ${label(ops)}: peak RSS of heap-inspector run`, MB(big.peak), 'MB', 'maxRSS at exit');
  report(`tenmillion: time per op, ${label(ops)} / ${label(ops / 10)}`, (big.ms / ops) / (base.ms / (ops / 10)), 'x', 'near 1: the whole run scales linearly');

  const history = inOwnProcess<HistoryMeasurement>(['--tenmillion-history', file]);
  report(`tenmillion, ${label(ops)}: parse (in process)`, history.parseMs, 'ms');
  report(`tenmillion, ${label(ops)}: replay with history (in process)`, history.replayMs, 'ms', `${((ops / history.replayMs) * 1000).toFixed(0)} ops/s`);
  report(`tenmillion, ${label(ops)}: history, per-op columns`, MB(history.columns), 'MB', `${(history.columns / ops).toFixed(1)} B/op`);
  report(`tenmillion, ${label(ops)}: history, checkpoints`, MB(history.checkpoints), 'MB', `${(history.checkpoints / ops).toFixed(1)} B/op`);
  report(`tenmillion, ${label(ops)}: jump cost`, history.jumpCost, 'ops', 'the most ops a jump replays from its checkpoint');
  report(`tenmillion, ${label(ops)}: jump to a random step, mean`, history.jumpMean, 'ms', `${history.jumps} jumps`);
  report(`tenmillion, ${label(ops)}: jump to a random step, worst`, history.jumpWorst, 'ms');
  report(`tenmillion, ${label(ops)}: peak RSS, parse + replay with history`, MB(history.peak), 'MB', 'the whole process, trace text included');

  recordedProgram(dir, cli, quick, whole, report);
}

interface HistoryMeasurement {
  readonly parseMs: number;
  readonly replayMs: number;
  readonly columns: number;
  readonly checkpoints: number;
  readonly jumpCost: number;
  readonly jumps: number;
  readonly jumpMean: number;
  readonly jumpWorst: number;
  readonly peak: number;
}

/** In a process of its own: parses `file` and replays it with history, as the editor does, then jumps to random steps. */
export function measureHistory(file: string): HistoryMeasurement {
  let text: string | null = readFileSync(file, 'utf8');
  let t0 = performance.now();
  const trace = parseRep(text);
  const parseMs = performance.now() - t0;
  text = null; // the editor keeps no text of a file this size either (docs/memory.md)
  t0 = performance.now();
  const replay = Replay.run(trace, traceConfig(trace, { overrides: { preset: 'csapp' } }).config);
  const replayMs = performance.now() - t0;
  const n = replay.length;
  const times: number[] = [];
  // A fixed spread of steps, far from each other, in no order.
  for (let k = 0; k < 50; k++) {
    const i = Math.floor((((k * 7919) % 50) / 50) * n + (k * 104729) % 1000);
    const t = performance.now();
    replay.heapAt(Math.min(i, n - 1));
    times.push(performance.now() - t);
  }
  return {
    parseMs,
    replayMs,
    ...replay.memory,
    jumpCost: replay.jumpCost,
    jumps: times.length,
    jumpMean: times.reduce((a, b) => a + b, 0) / times.length,
    jumpWorst: Math.max(...times),
    peak: process.resourceUsage().maxRSS * 1024,
  };
}

/**
 * `heap-inspector record` on Python running the fixed script (pythonScript, 60,000 entries) with PYTHONMALLOC=malloc (every object
 * through glibc's malloc) and PYTHONHASHSEED=0, then `heap-inspector run` on the trace under
 * every policy, against first fit in the same run.
 */
function recordedProgram(dir: string, cli: string, quick: boolean, whole: (...args: string[]) => { ms: number; peak: number }, report: TenMillionContext['report']): void {
  const python = ['/usr/bin/python3', '/usr/local/bin/python3'].find((p) => existsSync(p));
  if (python === undefined) {
    console.log('(no python3 in /usr/bin or /usr/local/bin: the recorded program skipped)');
    return;
  }
  const recorded = recordPython(dir, cli, python, 60_000);
  if (recorded === null) return;
  const { trace, ops, ids, recordMs } = recorded;
  report('recorded program: python3 -S, fixed script, PYTHONMALLOC=malloc: recording', recordMs, 'ms', `${ops} ops, ${ids} ids; the whole record command`);
  const times = new Map<string, number>();
  for (const policy of FIT_POLICIES) {
    const runs = quick ? 1 : 3;
    const best = Math.min(...Array.from({ length: runs }, () => whole('run', trace, '--preset', 'csapp', '--policy', policy, '--max-heap', '1G').ms));
    times.set(policy, best);
    report(`recorded program (${ops} ops), ${policy} fit: heap-inspector run, whole process`, best, 'ms', `csapp, 1 GiB heap; best of ${runs}`);
  }
  for (const policy of FIT_POLICIES) {
    if (policy === 'first') continue;
    report(`recorded program, ${policy} fit / first fit`, times.get(policy)! / times.get('first')!, 'x', 'above 1: slower than first fit');
  }
  if (quick) return;
  // The same program at about ten million ops (490,000 entries: 9.8 million calls), replayed once under first fit.
  const big = recordPython(dir, cli, python, 490_000);
  if (big === null) return;
  report('recorded program at ten million ops: recording', big.recordMs, 'ms', `${big.ops} ops, ${big.ids} ids; the whole record command`);
  const run = whole('run', big.trace, '--preset', 'csapp', '--policy', 'first', '--max-heap', '1G');
  report(`recorded program (${big.ops} ops), first fit: heap-inspector run, whole process`, run.ms, 'ms', `peak RSS ${(run.peak / 2 ** 20).toFixed(0)} MB; csapp, 1 GiB heap; once`);
}

/** `heap-inspector record` of Python running the fixed script on `entries` entries; null (said why) when recording fails. */
function recordPython(dir: string, cli: string, python: string, entries: number): { trace: string; ops: number; ids: number; recordMs: number } | null {
  const script = join(dir, `recorded-program-${entries}.py`);
  writeFileSync(script, pythonScript(entries) + '\n');
  const trace = join(dir, `recorded-python-${entries}.rep`);
  const t0 = performance.now();
  // -S: no site packages; the recorder's own variables are the environment's only change.
  const r = spawnSync(process.execPath, [cli, 'record', '-o', trace, '--', python, '-S', script], {
    env: { ...process.env, PYTHONMALLOC: 'malloc', PYTHONHASHSEED: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const recordMs = performance.now() - t0;
  if (r.status !== 0) {
    console.log(`(heap-inspector record failed, exit ${r.status}: ${r.stderr.toString().slice(0, 300)}; the recorded program skipped)`);
    return null;
  }
  const [, ids, ops] = readFileSync(trace, 'utf8').slice(0, 100).split('\n').map(Number);
  return { trace, ops: ops!, ids: ids!, recordMs };
}

/**
 * Writes `generate(ops, live, seed)`'s trace to `file` as it is made, a megabyte at a time: the
 * generator runs twice with the same seed, first to count the ids the header states.
 */
export function writeMixedTrace(file: string, ops: number, live: number, seed: number): void {
  const ids = mixedOps(ops, live, seed, 0.1, () => {});
  const fd = openSync(file, 'w');
  try {
    let chunk = `0\n${ids}\n${ops}\n1\n`;
    mixedOps(ops, live, seed, 0.1, (line) => {
      chunk += line + '\n';
      if (chunk.length >= 2 ** 20) {
        writeSync(fd, chunk);
        chunk = '';
      }
    });
    writeSync(fd, chunk);
  } finally {
    closeSync(fd);
  }
}
