// `npm run bench`: replay speed of every policy with the indexed engine and the linear reference
// (ratios measured in the same run), the malloc lab traces end to end, jumping to random steps,
// history memory per op, and the panel's frame time in headless Chromium. Prints a table and
// writes bench-results/bench.json (with `--write-docs`, also the table in docs/performance.md).
// Deterministic traces: the same seed every run.
//
// Each part runs in a process of its own, and so does each replay the ratios compare and each
// policy's million-op replay: what one measurement leaves in the JIT and the heap (call sites made
// polymorphic by another policy or by the linear search, garbage to collect) must not slow the
// next one down. A ratio's replay is repeated until five seconds have passed (at least once) and
// the best run counts, indexed and linear alike (the machine is shared: the best of several runs
// is the one least disturbed); the first, cold run is reported too.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FIT_POLICIES, FREE_LISTS, resolveConfig, type FitPolicy, type FreeListKind } from '../src/engine/index';
import { benchTable, replaceBenchTable } from './docsTable';
import { buildEvents, buildFrame, buildSeries, traceInfo } from '../src/extension/frames';
import { blocksIn, diagramBlocks, fitPath, MAX_DIAGRAM_BLOCKS } from '../src/shared/diagramModel';
import { parseRep, Replay, runTrace, traceConfig, warmFrame, WARM_FRAMES, type Trace } from '../src/trace/index';
import { compileAllocator, findCompiler, runAllocator } from '../src/native/ownAllocator';
import { seededRandom as rng } from '../test/unit/support/generatedTrace';
import { generate, generateFragmented, generateReallocHeavy } from './generators';
import { scale } from './scale';
import { measureHistory, tenMillion } from './tenMillion';

const ROOT = process.cwd();
const MALLOCLAB = join(ROOT, '..', 'shared', 'traces', 'malloclab');
const DEFAULT_TRACES = ['amptjp-bal', 'cccp-bal', 'cp-decl-bal', 'expr-bal', 'coalescing-bal', 'random-bal', 'random2-bal', 'binary-bal', 'binary2-bal', 'realloc-bal', 'realloc2-bal'];
const quick = process.argv.includes('--quick');
const argAfter = (flag: string): string | undefined => (process.argv.includes(flag) ? process.argv[process.argv.indexOf(flag) + 1] : undefined);
const PARTS = ['malloclab', 'ratio', 'families', 'million', 'panel', 'own', 'scale', 'tenmillion'] as const;
/** `--only malloclab|ratio|families|million|panel|own|scale|tenmillion`: one part of the benchmark. */
const only = argAfter('--only');
/** `--write-docs`: after a full run, rewrite the table in docs/performance.md (bench/docsTable.ts). */
const writeDocs = process.argv.includes('--write-docs');
/** Set in the processes this one starts: where to write their rows as JSON. */
const rowsOut = argAfter('--rows-out');

interface Row {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly note?: string;
}
const rows: Row[] = [];
const report = (name: string, value: number, unit: string, note?: string) => {
  rows.push({ name, value, unit, ...(note ? { note } : {}) });
  console.log(`${name.padEnd(62)} ${value.toFixed(unit === 'x' ? 1 : unit.includes('/s') ? 0 : 2).padStart(12)} ${unit}${note ? `  (${note})` : ''}`);
};

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

function time<T>(f: () => T): { ms: number; value: T } {
  const t0 = performance.now();
  const value = f();
  return { ms: performance.now() - t0, value };
}

function replay(trace: Trace, policy: FitPolicy, search: 'indexed' | 'linear', maxHeap = 1024 * 2 ** 20, freeList: FreeListKind = 'implicit'): Replay {
  const { config } = traceConfig(trace, { overrides: { preset: 'csapp', policy, maxHeap, freeList } });
  return Replay.run(trace, { ...config, search });
}

async function main(): Promise<void> {
  if (rowsOut === undefined) console.log(`Heap Inspector benchmark on ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}${quick ? ' (quick)' : ''}\n`);

  const measure = argAfter('--replay');
  if (measure !== undefined) {
    measureReplay(JSON.parse(measure) as ReplayJob);
    return;
  }
  const historyOf = argAfter('--tenmillion-history');
  if (historyOf !== undefined) {
    writeFileSync(rowsOut!, JSON.stringify(measureHistory(historyOf)));
    return;
  }
  const million = argAfter('--million');
  if (million !== undefined) {
    measureMillion(JSON.parse(million) as { live: number; policy: FitPolicy });
    writeFileSync(rowsOut!, JSON.stringify(rows));
    return;
  }
  if (only !== undefined && !(PARTS as readonly string[]).includes(only)) throw new Error(`--only takes one of ${PARTS.join(', ')}`);
  if (writeDocs && only !== undefined) throw new Error('--write-docs writes the whole table: run every part (no --only)');
  if (only === undefined) {
    for (const name of PARTS) rows.push(...inOwnProcess<Row[]>(['--only', name]));
  } else {
    await runPart(only as (typeof PARTS)[number]);
  }
  if (rowsOut !== undefined) {
    writeFileSync(rowsOut, JSON.stringify(rows));
    return;
  }
  mkdirSync(join(ROOT, 'bench-results'), { recursive: true });
  const file = join(ROOT, 'bench-results', only ? `bench-${only}.json` : 'bench.json');
  writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), node: process.version, cpus: cpus().length, quick, rows }, null, 2));
  console.log(`\nwritten to ${file}`);
  if (writeDocs) {
    const doc = join(ROOT, 'docs', 'performance.md');
    const run = { date: new Date().toISOString(), node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model.trim() ?? 'cpu', memoryGiB: Math.round(totalmem() / 2 ** 30), quick };
    writeFileSync(doc, replaceBenchTable(readFileSync(doc, 'utf8'), benchTable(rows, run)));
    console.log(`the table in ${doc} rewritten`);
  }
}

/**
 * Runs this benchmark again in a new process with `args`; returns what it wrote to its
 * `--rows-out` file (the rows of a part, or one replay's measurement).
 */
function inOwnProcess<T>(args: string[]): T {
  const out = join(ROOT, 'out', 'bench', `rows-${process.pid}-${Date.now()}.json`);
  mkdirSync(join(ROOT, 'out', 'bench'), { recursive: true });
  // Its table rows print as they come; what it measured comes back through the file.
  const r = spawnSync(process.execPath, [...process.execArgv, process.argv[1]!, ...args, ...(quick ? ['--quick'] : []), '--rows-out', out], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`the benchmark's process for ${args.join(' ')} failed (exit ${r.status})`);
  const value = JSON.parse(readFileSync(out, 'utf8')) as T;
  rmSync(out);
  return value;
}

async function runPart(name: (typeof PARTS)[number]): Promise<void> {
  // 1. The malloc lab's 11 default traces, parsing + replay + history, csapp preset.
  if (name !== 'malloclab') {
    // another part
  } else if (existsSync(MALLOCLAB)) {
    const texts = DEFAULT_TRACES.map((t) => readFileSync(join(MALLOCLAB, `${t}.rep`), 'utf8'));
    let ops = 0;
    const run = () => {
      ops = 0;
      for (const text of texts) {
        const trace = parseRep(text);
        ops += runTrace(trace, { overrides: { preset: 'csapp' } }).replay.recorded;
      }
    };
    run(); // warm up
    const best = Math.min(...[0, 1, 2, 3, 4].map(() => time(run).ms));
    report('malloc lab: 11 default traces, csapp, parse + replay + history', best, 'ms', `${ops} ops, best of 5`);
  } else {
    console.log(`(no malloc lab traces at ${MALLOCLAB}: skipped)`);
  }

  // 2. Indexed vs linear on 200,000 ops with 20,000 live blocks, every policy.
  if (name === 'ratio') ratios();

  // 3. Every kind of free list with every policy it takes, against the implicit list's first fit.
  if (name === 'families') families();

  // 4. A million ops with 100,000 live blocks (and 10,000), indexed only.
  if (name === 'million') millionOps();

  // 6. One's own allocator: recording a malloc lab trace against the allocator's own run of it.
  if (name === 'own') ownAllocator();

  // 7. The whole command line on a big trace against the textbook allocator's own replay loop in C.
  if (name === 'scale') scale({ root: ROOT, quick, report, time });

  // 8. Ten million ops through the whole command line, with history in a process of its own, and a recorded real program.
  if (name === 'tenmillion') tenMillion({ root: ROOT, quick, report, inOwnProcess });

  // 5. The panel drawing the largest heap, in headless Chromium.
  if (name === 'panel') {
    await panelFrameTime(quick ? 20_000 : 100_000);
    await panelFrameTime(quick ? 40_000 : 200_000);
  }
}

/**
 * The textbook allocator written in C (test/fixtures/allocators/textbook.c) on each malloc lab
 * trace: the whole recorded run (process start, recording every op's writes, the checks) against
 * the allocator's own run of the trace (the fastest timed run, without recording) plus a process
 * start (a trace of no ops), measured in the same run (docs/own-allocator.md); and the same
 * recording with the written pages told by faults only (HEAP_INSPECTOR_TRACKING=faults, as where
 * the kernel offers no userfaultfd: harness/tracking.c), and by the kernel only, with a scan after
 * every op that faulted (=scan: no sampled faults, as where perf events are refused, but without
 * the change to faults either: harness/track_kernel.c).
 */
function ownAllocator(): void {
  if (findCompiler() === null || !existsSync(MALLOCLAB)) {
    console.log('(no C compiler or no malloc lab traces: own allocator skipped)');
    return;
  }
  const cacheDir = join(ROOT, 'bench-results', 'allocators');
  const compiled = compileAllocator(join(ROOT, 'test', 'fixtures', 'allocators', 'textbook.c'), { cacheDir, harnessDir: join(ROOT, 'harness') });
  if (!compiled.ok) throw new Error(compiled.text);
  const empty = parseRep('0\n0\n0\n1\n');
  // The least of many: every ratio divides by it, and a start slowed by other work would flatter them all.
  const start = Math.min(...Array.from({ length: 15 }, () => time(() => runAllocator(compiled.executable, empty)).ms));
  report('own allocator: process start (a trace of no ops)', start, 'ms', 'best of 15');
  const recordedMs = (trace: Trace, tracking?: string) => {
    const before = process.env.HEAP_INSPECTOR_TRACKING;
    if (tracking !== undefined) process.env.HEAP_INSPECTOR_TRACKING = tracking;
    try {
      return Math.min(...[0, 1, 2, 3, 4].map(() => time(() => runAllocator(compiled.executable, trace)).ms));
    } finally {
      if (before === undefined) delete process.env.HEAP_INSPECTOR_TRACKING;
      else process.env.HEAP_INSPECTOR_TRACKING = before;
    }
  };
  for (const name of quick ? ['short1-bal', 'amptjp-bal', 'realloc-bal'] : DEFAULT_TRACES) {
    const trace = parseRep(readFileSync(join(MALLOCLAB, `${name}.rep`), 'utf8'));
    const own = runAllocator(compiled.timedExecutable, trace, { speed: true }).recording.speed!;
    const ownMs = own.ns / 1e6;
    const recorded = recordedMs(trace);
    report(`own allocator, ${name}: recorded run / (own run + process start)`, recorded / (ownMs + start), 'x', `recorded ${recorded.toFixed(1)} ms, own run ${ownMs.toFixed(2)} ms, best of 5`);
    const byFaults = recordedMs(trace, 'faults');
    report(`own allocator, ${name}, by faults only: recorded run / (own run + process start)`, byFaults / (ownMs + start), 'x', `recorded ${byFaults.toFixed(1)} ms, best of 5`);
    const byScans = recordedMs(trace, 'scan');
    report(`own allocator, ${name}, by the kernel only, scanning: recorded run / (own run + process start)`, byScans / (ownMs + start), 'x', `recorded ${byScans.toFixed(1)} ms, best of 5`);
  }
}

const REF_OPS = quick ? 50_000 : 200_000;
const REF_LIVE = quick ? 5_000 : 20_000;
const PATTERNS = {
  mixed: () => generate(REF_OPS, REF_LIVE, 7),
  'realloc-heavy': () => generateReallocHeavy(REF_OPS, REF_LIVE, 9),
  fragmented: () => generateFragmented(REF_OPS, REF_LIVE, 8),
};

/** One replay measured in a process of its own. */
interface ReplayJob {
  readonly pattern: keyof typeof PATTERNS;
  readonly policy: FitPolicy;
  readonly search: 'indexed' | 'linear';
  readonly freeList?: FreeListKind;
}
interface ReplayMeasurement {
  readonly best: number;
  readonly first: number;
  readonly runs: number;
  readonly heapSize: number;
  readonly examinedTotal: number;
  readonly blocks: number;
}

function measureReplay(job: ReplayJob): void {
  const trace = parseRep(PATTERNS[job.pattern]());
  const times: number[] = [];
  let last: Replay | null = null;
  const t0 = performance.now();
  while (times.length === 0 || performance.now() - t0 < 5000) {
    const r = time(() => replay(trace, job.policy, job.search, undefined, job.freeList));
    times.push(r.ms);
    last = r.value;
  }
  const m = last!.finalMetrics;
  const result: ReplayMeasurement = { best: Math.min(...times), first: times[0]!, runs: times.length, heapSize: m.heapSize, examinedTotal: last!.examinedTotal, blocks: (m.allocatedBlocks ?? 0) + (m.freeBlocks ?? 0) };
  writeFileSync(rowsOut!, JSON.stringify(result));
}

function ratios(): void {
  for (const pattern of Object.keys(PATTERNS) as (keyof typeof PATTERNS)[]) {
    for (const policy of FIT_POLICIES) {
      const indexed = inOwnProcess<ReplayMeasurement>(['--replay', JSON.stringify({ pattern, policy, search: 'indexed' })]);
      const linear = inOwnProcess<ReplayMeasurement>(['--replay', JSON.stringify({ pattern, policy, search: 'linear' })]);
      if (indexed.heapSize !== linear.heapSize || indexed.examinedTotal !== linear.examinedTotal) {
        throw new Error(`${pattern}, ${policy}: the indexed and linear replays disagree`);
      }
      const runs = (m: ReplayMeasurement) => `best of ${m.runs}, first run ${((REF_OPS / m.first) * 1000).toFixed(0)} ops/s`;
      const examined = (linear.examinedTotal / REF_OPS).toFixed(0);
      report(`${pattern}, ${policy} fit, ${REF_OPS} ops / ${REF_LIVE} live: indexed`, (REF_OPS / indexed.best) * 1000, 'ops/s', `${indexed.blocks} blocks at the end; ${runs(indexed)}`);
      report(`${pattern}, ${policy} fit, ${REF_OPS} ops / ${REF_LIVE} live: linear reference`, (REF_OPS / linear.best) * 1000, 'ops/s', `${examined} blocks examined an op; ${runs(linear)}`);
      report(`${pattern}, ${policy} fit: indexed / linear`, linear.best / indexed.best, 'x', `first runs: ${(linear.first / indexed.first).toFixed(1)}x`);
    }
  }
}

/**
 * The mixed pattern replayed by every kind of free list with every placement policy its
 * configuration takes (csapp preset), each in a process of its own, as throughput and as a ratio
 * to the implicit list's first fit measured in the same run (docs/engine.md defines the families).
 */
function families(): void {
  const pattern = 'mixed';
  const baseline = inOwnProcess<ReplayMeasurement>(['--replay', JSON.stringify({ pattern, policy: 'first', search: 'indexed', freeList: 'implicit' })]);
  for (const freeList of FREE_LISTS) {
    for (const policy of FIT_POLICIES) {
      if (resolveConfig({ preset: 'csapp', freeList, policy }).problems.length > 0) continue;
      const m = freeList === 'implicit' && policy === 'first' ? baseline : inOwnProcess<ReplayMeasurement>(['--replay', JSON.stringify({ pattern, policy, search: 'indexed', freeList })]);
      const name = `${pattern}, ${freeList} list, ${policy} fit, ${REF_OPS} ops / ${REF_LIVE} live`;
      report(`${name}: replay`, (REF_OPS / m.best) * 1000, 'ops/s', `${(m.examinedTotal / REF_OPS).toFixed(1)} blocks examined an op; best of ${m.runs}`);
      report(`${name}: / implicit first fit`, baseline.best / m.best, 'x', 'above 1: faster than the implicit list\'s first fit');
    }
  }
}

/** Each policy's million-op replay in a process of its own; first fit's also measures jumps. */
function millionOps(): void {
  for (const live of [10_000, 100_000]) {
    for (const policy of FIT_POLICIES) rows.push(...inOwnProcess<Row[]>(['--million', JSON.stringify({ live, policy })]));
  }
}

function measureMillion({ live, policy }: { live: number; policy: FitPolicy }): void {
  const bigOps = quick ? 200_000 : 1_000_000;
  const text = generate(bigOps, quick ? live / 5 : live, 11 + live);
  const parsed = time(() => parseRep(text));
  if (policy === 'first') report(`${bigOps} ops / ${live} live: parse`, parsed.ms, 'ms');
  const r = time(() => replay(parsed.value, policy, 'indexed'));
  report(`${bigOps} ops / ${live} live, ${policy} fit: replay`, r.ms, 'ms', `${((bigOps / r.ms) * 1000).toFixed(0)} ops/s`);
  if (policy !== 'first') return;
  report(`${bigOps} ops / ${live} live: history memory per op`, r.value.memoryBytes / bigOps, 'B/op', `${(r.value.memoryBytes / 2 ** 20).toFixed(1)} MiB`);
  report(`${bigOps} ops / ${live} live: jump cost`, r.value.jumpCost, 'ops', 'the most ops a jump replays from its checkpoint');
  // What the editor does once the run is done (src/trace/traceJob.ts), before anyone steps: the
  // cursor moved to the last op, so that the first jump finds its code compiled; then the panel
  // opens there. Stepping is measured from then on; these two are the opening's.
  const run = { model: 'engine' as const, trace: parsed.value, replay: r.value, config: r.value.config, preset: 'csapp' as const, diagnostics: [] };
  report(`${bigOps} ops / ${live} live: warm the cursor and the frame code (after the run, as the editor does)`, time(() => {
    for (let k = 0; k < WARM_FRAMES; k++) warmFrame(run, k);
    while (!r.value.warm(Infinity));
  }).ms, 'ms');
  const heapSize = r.value.heapSizeAt(bigOps - 1);
  const overview = { from: 0, to: heapSize, columns: 1400 * 8, focus: null };
  report(`${bigOps} ops / ${live} live: the panel's first frame, at the last op`, time(() => buildFrame(run, bigOps - 1, overview)).ms, 'ms', 'its tables made once, then the frame');
  const random = rng(3);
  const jumps = Array.from({ length: 100 }, () => Math.floor(random() * bigOps));
  const times = jumps.map((i) => time(() => r.value.heapAt(i)).ms).sort((a, b) => a - b);
  report(`${bigOps} ops / ${live} live: jump to a random step, mean`, mean(times), 'ms', '100 jumps');
  report(`${bigOps} ops / ${live} live: jump to a random step, 95th percentile`, times[94]!, 'ms');
  report(`${bigOps} ops / ${live} live: jump to a random step, worst`, times[99]!, 'ms');
  // What the panel does on a jump: the heap there and the frame it draws. The whole frame (every
  // block) is the baseline; the panel's is the window of what it shows (docs/performance.md,
  // "Windowed frames"): the whole heap in 8 rows of 1400 pixels, as it opens, and zoomed in on a
  // few dozen blocks, where the block diagram draws (its model built too).
  const whole = jumps.slice(0, 20).map((i) => time(() => buildFrame(run, i)).ms);
  const wholeMean = mean(whole);
  report(`${bigOps} ops / ${live} live: jump and build the panel's frame, mean`, wholeMean, 'ms', '20 jumps, every block: the baseline');
  const windowed = jumps.map((i) => time(() => buildFrame(run, i, overview)).ms);
  // Against the jump alone too, measured in the same run: what the frame adds to it, whatever the load.
  const jumpMean = mean(times);
  report(`${bigOps} ops / ${live} live: jump and the panel's windowed frame, mean`, mean(windowed), 'ms', `100 jumps, ${(wholeMean / mean(windowed)).toFixed(1)}x faster than every block, ${(mean(windowed) / jumpMean).toFixed(2)}x the jump alone`);
  report(`${bigOps} ops / ${live} live: jump and the panel's windowed frame, worst`, Math.max(...windowed), 'ms', '100 jumps');
  const diagram = jumps.map((i) =>
    time(() => {
      const from = Math.floor(heapSize / 2);
      const f = buildFrame(run, i, { from, to: from + 2048, columns: 1400 * 12, focus: null });
      return diagramBlocks(f, f, blocksIn(f, from, from + 2048).indices).length + fitPath(f, null, MAX_DIAGRAM_BLOCKS).length;
    }).ms,
  );
  report(`${bigOps} ops / ${live} live: jump, frame and block diagram zoomed in, mean`, mean(diagram), 'ms', '100 jumps');
  report(`${bigOps} ops / ${live} live: jump, frame and block diagram zoomed in, worst`, Math.max(...diagram), 'ms', '100 jumps');
  r.value.heapAt(jumps[0]!);
  const back = time(() => r.value.heapAt(jumps[0]! - 1)).ms;
  report(`${bigOps} ops / ${live} live: one step back`, back, 'ms');
}

async function panelFrameTime(blocks: number): Promise<void> {
  const { launchChromium, ensureTools } = (await import(pathToFileURL(join(ROOT, 'scripts', 'vscodeServer.mjs')).href)) as {
    launchChromium: () => Promise<import('playwright-core').BrowserContext>;
    ensureTools: (o?: { browser?: boolean }) => void;
  };
  ensureTools();
  // A heap of `blocks` blocks, allocated and free in turn: allocate them all, free every other one;
  // then a request no hole fits, so the frame shows a search that examined every block.
  const lines: string[] = [];
  for (let i = 0; i < blocks; i++) lines.push(`a ${i} ${16 + (i % 7) * 24}`);
  for (let i = 0; i < blocks; i += 2) lines.push(`f ${i}`);
  lines.push(`a ${blocks} 100000`);
  const trace = parseRep(['0', String(blocks + 1), String(lines.length), '1', ...lines].join('\n'));
  const run = runTrace(trace, { overrides: { preset: 'csapp', maxHeap: 1024 * 2 ** 20 } });
  const frameBuild = time(() => buildFrame(run, run.replay.recorded - 1));
  report(`panel: build the first frame of ${frameBuild.value.addrs.length} blocks (host)`, frameBuild.ms, 'ms', 'per-trace tables made once, then the frame');
  const again = time(() => buildFrame(run, run.replay.recorded - 2));
  report(`panel: build the frame one step back (host)`, again.ms, 'ms');
  const message = { type: 'snapshot', trace: traceInfo(run, 'file:///bench.rep', 'bench.rep'), frame: frameBuild.value, series: buildSeries(run), events: buildEvents(run), compare: null };
  // The message on its way to the webview: typed columns are cloned as buffers (what VS Code
  // does with them); the same frame with plain arrays would go as JSON, measured for comparison.
  const asJson = JSON.stringify(message, (_key, value: unknown) => (ArrayBuffer.isView(value) ? Array.from(value as Float64Array) : value));
  const wire = Math.min(...[0, 1, 2].map(() => time(() => structuredClone(message)).ms));
  const json = Math.min(...[0, 1, 2].map(() => time(() => JSON.parse(JSON.stringify(JSON.parse(asJson)))).ms));
  report(`panel: the frame of ${frameBuild.value.addrs.length} blocks as a message, typed columns cloned`, wire, 'ms');
  report(`panel: the same frame as JSON with plain arrays (the old wire format)`, json, 'ms', `${(asJson.length / 2 ** 20).toFixed(1)} MB of JSON`);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.setViewportSize({ width: 1400, height: 900 });
    const fakeHost = 'window.acquireVsCodeApi = () => ({ postMessage() {}, getState() {}, setState() {} });';
    await page.setContent(`<!DOCTYPE html><html><head><script>${fakeHost}</script><style>${readFileSync(join(ROOT, 'media', 'webview.css'), 'utf8')}</style></head><body data-mode="panel"><main id="app"></main></body></html>`);
    await page.addScriptTag({ content: readFileSync(join(ROOT, 'dist', 'webview.js'), 'utf8') });
    const ms = await page.evaluate((m) => {
      const t0 = performance.now();
      window.dispatchEvent(new MessageEvent('message', { data: m }));
      const first = performance.now() - t0;
      const frames: number[] = [];
      for (let k = 0; k < 10; k++) {
        const t = performance.now();
        window.dispatchEvent(new KeyboardEvent('keydown', { key: k % 2 ? '-' : '+' }));
        document.dispatchEvent(new KeyboardEvent('keydown', { key: k % 2 ? '-' : '+' }));
        frames.push(performance.now() - t);
      }
      return { first, redraw: frames.reduce((a, b) => a + b, 0) / frames.length };
    }, message);
    report(`panel: first frame of ${frameBuild.value.addrs.length} blocks (Chromium)`, ms.first, 'ms');
    report(`panel: redraw after a zoom, ${frameBuild.value.addrs.length} blocks (Chromium)`, ms.redraw, 'ms');
  } finally {
    await browser.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
