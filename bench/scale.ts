// Part `scale` of `npm run bench` (docs/performance.md, "At scale"): the whole `heap-inspector run`
// process (Node's start, reading and parsing the file, the replay, the summary) on a 1,000,000-op
// trace with 10,000 live blocks, against the textbook allocator written in C
// (test/fixtures/allocators/textbook.c) replaying the same trace in its own loop (the harness's
// timed mode: the fastest of several runs, nothing recorded, no checks), measured in the same run.
// Both place by first fit on the textbook's implicit list; the command line's search is indexed.
// Also the parse alone, from the text and from the bytes, in this process.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileAllocator, findCompiler, runAllocator } from '../src/native/ownAllocator';
import { parseRep, parseRepBytes } from '../src/trace/index';
import { generate } from './generators';

interface ScaleContext {
  readonly root: string;
  readonly quick: boolean;
  readonly report: (name: string, value: number, unit: string, note?: string) => void;
  readonly time: <T>(f: () => T) => { ms: number; value: T };
}

export function scale({ root, quick, report, time }: ScaleContext): void {
  const ops = quick ? 200_000 : 1_000_000;
  const live = quick ? 2_000 : 10_000;
  const dir = join(root, 'bench-results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `scale-${ops}-${live}.rep`);
  if (!existsSync(file)) writeFileSync(file, generate(ops, live, 11));
  const cli = join(root, 'dist', 'cli.js');
  const label = `${ops.toLocaleString('en-US')} ops / ${live.toLocaleString('en-US')} live`;

  // Timed alternately with and without the machine's NODE_EXTRA_CA_CERTS, when it sets one.
  const plain = commandLineEnv(false);
  const withCerts = process.env.NODE_EXTRA_CA_CERTS ? commandLineEnv(true) : null;
  const runs = { plain: [] as number[], certs: [] as number[] };
  for (let k = 0; k < 3; k++) {
    runs.plain.push(timeRun(cli, file, plain));
    if (withCerts) runs.certs.push(timeRun(cli, file, withCerts));
  }
  const whole = Math.min(...runs.plain);
  report(`scale, ${label}: heap-inspector run, whole process`, whole, 'ms', 'csapp preset, first fit (indexed); best of 3; NODE_EXTRA_CA_CERTS unset');
  if (withCerts) {
    const certs = Math.min(...runs.certs);
    report(`scale, ${label}: heap-inspector run, whole process, NODE_EXTRA_CA_CERTS as set here`, certs, 'ms', `Node reads the certificates at start: ${(certs - whole).toFixed(0)} ms more; best of 3`);
  }

  // The parse alone, in this process: from the text (the editor's way) and from the bytes (the command line's).
  const bytes = readFileSync(file);
  const text = bytes.toString('utf8');
  const best = (parse: () => unknown) => Math.min(...[0, 1, 2].map(() => time(parse).ms));
  const fromText = best(() => parseRep(text));
  const fromBytes = best(() => parseRepBytes(bytes));
  report(`scale, ${label}: parse from the text`, fromText, 'ms', 'parseRep, in process; best of 3');
  report(`scale, ${label}: parse from the bytes`, fromBytes, 'ms', 'parseRepBytes, in process (the command line\'s); best of 3');
  report(`scale, ${label}: parse from the text / from the bytes`, fromText / fromBytes, 'x', 'above 1: the bytes are read faster');

  if (findCompiler() === null) {
    console.log('(no C compiler: the native textbook allocator skipped)');
    return;
  }
  const compiled = compileAllocator(join(root, 'test', 'fixtures', 'allocators', 'textbook.c'), { cacheDir: join(dir, 'allocators'), harnessDir: join(root, 'harness') });
  if (!compiled.ok) throw new Error(compiled.text);
  const trace = parseRep(text);
  const run = runAllocator(compiled.timedExecutable, trace, { speed: true, opLimitMs: 60_000 });
  const speed = run.recording.speed;
  if (speed === null) throw new Error(`the textbook allocator's timed run did not finish: ${run.problem ?? (run.recording.crash ? `stopped at op ${run.recording.crash.op} (signal ${run.recording.crash.signal})` : 'no time reported')}`);
  const native = speed.ns / 1e6;
  report(`scale, ${label}: textbook allocator in C, its replay loop`, native, 'ms', 'first fit walking the implicit list; the fastest of its timed runs');
  report(`scale, ${label}: native loop / whole heap-inspector run`, native / whole, 'x', 'above 1: the whole command line is faster than the C allocator\'s own loop');
}

/**
 * The environment the command line is timed in: this one without NODE_EXTRA_CA_CERTS (unless
 * `keepCerts`). That variable names extra TLS root certificates, and Node reads and parses the
 * file at every start, before any of the program runs; some machines set it for every program (this
 * sandbox, for its proxy: 144 certificates, about 37 ms and 410 M instructions a start, more than
 * Node's whole start without it). The command line makes no TLS connection, and a user's shell
 * does not usually set it, so the ratio is of the run without it; the run with it is reported too
 * (docs/performance.md, "Node's start and NODE_EXTRA_CA_CERTS").
 */
function commandLineEnv(keepCerts: boolean): NodeJS.ProcessEnv {
  if (keepCerts) return process.env;
  const env = { ...process.env };
  delete env.NODE_EXTRA_CA_CERTS;
  return env;
}

/** One `heap-inspector run --preset csapp` of `file`, the whole process: its wall time in ms. */
function timeRun(cli: string, file: string, env: NodeJS.ProcessEnv): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [cli, 'run', file, '--preset', 'csapp'], { stdio: ['ignore', 'ignore', 'pipe'], env });
  if (r.status !== 0) throw new Error(`heap-inspector run failed (exit ${r.status}): ${r.stderr.toString().slice(0, 500)}`);
  return performance.now() - t0;
}
