// The student's own allocator, compiled with the harness and run in a child process: allocators
// written as fixtures (test/fixtures/allocators/, each file says what it does and where the broken
// ones fail) in, the per-op CSV, the driver's diagnostics on their lines and the heap step by step
// out. The textbook one must be the engine's csapp preset on every op of the malloc lab traces, and
// its heap, rebuilt from the words it wrote, the engine's block chain at every step looked at.

import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, type CliIo } from '../../../src/cli/cli';
import { cliAllocatorRunner, compileAllocator, compileAllocatorAsync, interfaceOf, runAllocator, type CompileOptions } from '../../../src/native/ownAllocator';
import { buildCompare } from '../../../src/extension/compareFrames';
import { buildFrame } from '../../../src/extension/frames';
import { OwnAllocatorJob } from '../../../src/native/ownJob';
import { Comparison, ComparisonCache, ownDiagnostics, OwnSource, parseTrace, runEngine, sourceOf, type Diagnostic, type HeapState, type OwnLayout, type OwnRecording, type OwnRun, type Trace, parseOwnLayout } from '../../../src/trace/index';
import { mergeDiagnostics } from '../../../src/trace/diagnostics';
import { readMalloclab, REFERENCE, requireMalloclab } from '../support/malloclab';
import { fixture, fixtureCompiles, recorded, withTracking } from '../support/ownAllocators';

const ROOT = process.cwd();
const sample = (name: string) => readFileSync(join(ROOT, 'samples', name), 'utf8');

/** The processes whose executable lives under `dir` (the compiled allocators of a test's cache). */
function processesOf(dir: string): number[] {
  const out: number[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (readlinkSync(`/proc/${pid}/exe`).startsWith(dir)) out.push(Number(pid));
    } catch {
      // gone, or not ours to read
    }
  }
  return out;
}

describe('your own allocator (compiled with the harness, run in a child process)', function () {
  this.timeout(120_000);
  const compiles = fixtureCompiles();
  let options: CompileOptions;
  before(() => {
    options = compiles();
  });

  /** The trace on the fixture: its recording, diagnostics (the trace's and the driver's) and read model. */
  function onAllocator(file: string, trace: Trace, opLimitMs = 5000, layout: OwnLayout | null = null) {
    const compiled = compileAllocator(fixture(file), options);
    assert.ok(compiled.ok, `${file} compiles: ${compiled.ok ? '' : compiled.text}`);
    const run = runAllocator(compiled.executable, trace, { opLimitMs });
    const alignment = compiled.interface === 'cmu' ? 16 : 8;
    const diagnostics = mergeDiagnostics(trace.diagnostics, ownDiagnostics(trace, run.recording, { alignment, opLimitMs }, run.problem));
    return { ...run, compiled, diagnostics, source: new OwnSource(trace, run.recording, file, diagnostics, layout) };
  }

  /** The CLI's --ops CSV for a trace, on the engine (flags) or on an allocator. */
  function csv(path: string, text: string, args: string[]): string {
    let out = '';
    const io: CliIo = { readFile: () => text, out: (t) => void (out += t), err: () => {}, runAllocator: cliAllocatorRunner(options) };
    runCli(['run', path, '--ops', ...args], io);
    return out;
  }

  const errors = (ds: readonly Diagnostic[]) => ds.filter((d) => d.severity === 'error').map((d) => `${d.range.line} ${d.code}`);

  it("the textbook allocator is the csapp preset on every op of the malloc lab traces, and its heap the engine's at every step looked at", function () {
    requireMalloclab(this);
    for (const ref of REFERENCE) {
      const text = readMalloclab(ref.trace);
      assert.equal(csv(`${ref.trace}.rep`, text, ['--allocator', fixture('textbook.c')]), csv(`${ref.trace}.rep`, text, ['--preset', 'csapp']), `${ref.trace}: the CSV`);
      const trace = parseTrace(text, 'rep');
      const own = onAllocator('textbook.c', trace);
      assert.deepEqual(errors(own.diagnostics), [], `${ref.trace}: the driver's checks pass`);
      assert.equal(own.source.heapSizeAt(own.source.steps - 1), ref.heap, `${ref.trace}: the reference heap size`);
      // The heap rebuilt from the words the allocator wrote, decoded: the engine's chain, block for block.
      const engine = sourceOf(runEngine(trace, { overrides: { preset: 'csapp' } }));
      const stride = Math.max(1, Math.floor(trace.ops.length / 40));
      for (let i = -1; i < trace.ops.length; i += i < 50 ? 1 : stride) {
        const mine = own.source.chainAt(i);
        const theirs = engine.chainAt(i);
        assert.deepEqual([Array.from(mine.addrs), Array.from(mine.sizes), Array.from(mine.states)], [Array.from(theirs.addrs), Array.from(theirs.sizes), Array.from(theirs.states)], `${ref.trace}, step ${i}: the block chain`);
      }
      // Going back rebuilds from the copies kept.
      const third = Math.floor(trace.ops.length / 3);
      const back = own.source.heapAt(third);
      const theirs = engine.heapAt(third);
      assert.deepEqual(Array.from(back.sizes), Array.from(theirs.sizes), `${ref.trace}: a step behind the last one`);
      assert.deepEqual([Array.from(back.owners), Array.from(back.requested)], [Array.from(theirs.owners), Array.from(theirs.requested)], `${ref.trace}: a step behind, each block's owner and request (the live payloads kept with the copies)`);
    }
  });

  it('the words recorded are the same whichever way the driver tells the pages written: by faults, by the kernel (from sampled faults, or scanning), or choosing as it goes', function () {
    requireMalloclab(this);
    const runs = [
      ['textbook.c', ['amptjp-bal', 'coalescing-bal', 'random-bal', 'realloc-bal', 'realloc2-bal']],
      ['stray.c', ['amptjp-bal', 'random-bal', 'realloc-bal']],
    ] as const;
    for (const [file, traces] of runs) {
      const compiled = compileAllocator(fixture(file), options);
      assert.ok(compiled.ok);
      for (const t of traces) {
        const trace = parseTrace(readMalloclab(t), 'rep');
        const [chosen, faults, kernel, scanning, user] = [undefined, 'faults', 'kernel', 'scan', 'user'].map((way) => withTracking(way, () => runAllocator(compiled.executable, trace)).recording) as OwnRecording[] as [OwnRecording, OwnRecording, OwnRecording, OwnRecording, OwnRecording];
        assert.equal(chosen.ops, trace.ops.length, `${file}, ${t}: every op ran`);
        assert.deepEqual(recorded(faults), recorded(chosen), `${file}, ${t}: by faults`);
        assert.deepEqual(recorded(kernel), recorded(chosen), `${file}, ${t}: by the kernel`);
        assert.deepEqual(recorded(scanning), recorded(chosen), `${file}, ${t}: by the kernel, scanning`);
        assert.deepEqual(recorded(user), recorded(chosen), `${file}, ${t}: by the kernel, from the faults sampled outside system calls and counted`);
        if (file !== 'stray.c') continue;
        // Its stray writes: a word past the break recorded in the op that wrote it, live payloads overwritten.
        const past = Array.from({ length: trace.ops.length }, (_, i) => i).filter((i) => {
          const [from, to] = chosen.changesOf(i);
          return chosen.changeAddrs.subarray(from, to).some((addr) => addr >= chosen.heapSizes[i]!);
        });
        assert.ok(past.length > trace.ops.length / 10, `${t}: words past the break recorded in ${past.length} ops`);
        assert.ok(chosen.violations.some((v) => v.check === 'overwritten'), `${t}: a live payload overwritten`);
        // Its memset across the pages of a large live payload: found by the check at the first byte it set, however the pages were written.
        const deep = chosen.violations.filter((v) => v.check === 'overwritten' && v.at === 4096).length;
        if (t === 'amptjp-bal') assert.equal(deep, 0, `${t}: no payload over 12 KiB, none overwritten at byte 4096`);
        else assert.ok(deep > 10, `${t}: large live payloads overwritten at byte 4096 (${deep})`);
      }
    }
    // A crash is the op's either way.
    const huge = parseTrace(readFileSync(fixture('huge-request.rep'), 'utf8'), 'rep');
    const segfault = compileAllocator(fixture('segfault.c'), options);
    assert.ok(segfault.ok);
    const executable = segfault.executable;
    for (const way of ['faults', 'kernel', 'scan', 'user']) assert.equal(withTracking(way, () => runAllocator(executable, huge)).recording.crash?.op, 4, way);
  });

  it('an explicit and a segregated list written in C are the engine\'s explicit and segregated LIFO lists, op for op', function () {
    requireMalloclab(this);
    for (const t of ['short1-bal', 'amptjp-bal', 'coalescing-bal', 'realloc-bal']) {
      const text = readMalloclab(t);
      assert.equal(csv(`${t}.rep`, text, ['--allocator', fixture('explicit.c')]), csv(`${t}.rep`, text, ['--preset', 'csapp', '--free-list', 'explicit', '--order', 'lifo']), `${t}: explicit`);
      assert.equal(csv(`${t}.rep`, text, ['--allocator', fixture('segregated.c')]), csv(`${t}.rep`, text, ['--preset', 'csapp', '--free-list', 'segregated', '--order', 'lifo']), `${t}: segregated`);
    }
  });

  it("a stated layout with the links (heapInspector.allocatorLayout, --layout): the C lists' free blocks in the engine's lists' order, every 50th step", function () {
    requireMalloclab(this);
    // explicit.c and segregated.c keep their links as 4-byte header offsets: next at the payload, prev after it.
    const { layout } = parseOwnLayout({ wordSize: 4, next: 0, prev: 4, links: 'offset' });
    const lists = (heap: HeapState) => heap.freeLists.map((l) => Array.from(l.nodes).join(' ')).filter((l) => l !== '').sort();
    for (const [file, freeList] of [['explicit.c', 'explicit'], ['segregated.c', 'segregated']] as const) {
      for (const t of ['short1-bal', 'amptjp-bal']) {
        const trace = parseTrace(readMalloclab(t), 'rep');
        const own = onAllocator(file, trace, 5000, layout).source;
        const engine = sourceOf(runEngine(trace, { overrides: { preset: 'csapp', freeList, order: 'lifo' } }));
        for (let i = 0; i < trace.ops.length; i += 50) {
          const heap = own.heapAt(i);
          assert.deepEqual(lists(heap), lists(engine.heapAt(i)), `${file} on ${t}, op ${i}`);
          assert.deepEqual(heap.problems, [], `${file} on ${t}, op ${i}: nothing wrong`);
        }
      }
    }
    // A layout that cannot be the heap's: the walk stops where it goes wrong, and says so at every step.
    const wrong = parseOwnLayout({ wordSize: 8, firstBlock: 8 }).layout;
    const heap = onAllocator('explicit.c', parseTrace(sample('tiny.rep'), 'rep'), 5000, wrong).source.heapAt(3);
    assert.match(heap.problems[0]!.message, /the block at 0x0008 (has size 0|claims \d+ bytes)/);
    let err = '';
    const io: CliIo = { readFile: () => sample('tiny.rep'), out: () => {}, err: (t) => void (err += t), runAllocator: cliAllocatorRunner(options) };
    assert.equal(runCli(['run', 'tiny.rep', '--allocator', fixture('explicit.c'), '--layout', 'wordSize=4,nxt=0'], io), 2);
    assert.match(err, /--layout: unknown layout key "nxt"/);
  });

  it('compare --allocator: the allocator as a row beside every simulated policy, the textbook\'s equal to first fit on csapp', () => {
    let out = '';
    const io: CliIo = { readFile: () => sample('tiny.rep'), out: (t) => void (out += t), err: () => {}, runAllocator: cliAllocatorRunner(options) };
    assert.equal(runCli(['compare', 'tiny.rep', '--allocator', fixture('textbook.c'), '--preset', 'csapp', '--json'], io), 0);
    const c = JSON.parse(out) as { policies: { policy: string; list: string; heapSize: number; peakPayload: number; utilization: number; freeBlocks: number; blocksExamined: number | null }[] };
    const own = c.policies.at(-1)!;
    const first = c.policies.find((p) => p.policy === 'first' && p.list === 'implicit')!;
    assert.equal(own.policy, 'own');
    assert.equal(own.list, 'your allocator (textbook.c)');
    assert.equal(own.blocksExamined, null, 'it does not say which blocks it looked at');
    assert.deepEqual([own.heapSize, own.peakPayload, own.utilization, own.freeBlocks], [first.heapSize, first.peakPayload, first.utilization, first.freeBlocks]);
    out = '';
    runCli(['compare', 'tiny.rep', '--allocator', fixture('textbook.c'), '--preset', 'csapp'], io);
    assert.match(out, /^your allocator \(textbook\.c\) +own +4112 /m);
  });

  it('a payload handed out over a live one is an overlapping-payloads error on the op that did it, with every step still there', () => {
    const trace = parseTrace(sample('tiny.rep'), 'rep');
    const own = onAllocator('overlap-bug.c', trace);
    const first = own.diagnostics.find((d) => d.code === 'overlapping-payloads');
    assert.ok(first, errors(own.diagnostics).join('; '));
    assert.equal(first.range.line, 9, 'op 4, line 9 of tiny.rep');
    assert.match(first.message, /The payload 0x0010\.\.0x0038 overlaps the live payload 0x0010\.\.0x0028/);
    assert.equal(own.source.steps, trace.ops.length, 'the run went on, as the driver\'s -V shows');
    assert.deepEqual([...own.source.events().problems.slice(0, 1)], [4]);
  });

  it('a segmentation fault is an error on the op it happened in; the steps before it can still be shown', () => {
    // segfault.c takes mem_sbrk's failure for a pointer: op 4 (line 9) asks for more than the heap holds.
    const trace = parseTrace(readFileSync(fixture('huge-request.rep'), 'utf8'), 'rep');
    const own = onAllocator('segfault.c', trace);
    const crash = own.diagnostics.find((d) => d.code === 'allocator-failed');
    assert.ok(crash, errors(own.diagnostics).join('; '));
    assert.match(crash.message, /a segmentation fault \(SIGSEGV\) at address 0x[0-9a-f]+ \(outside the heap\) in this op/);
    assert.equal(own.recording.crash!.op, 4);
    assert.equal(crash.range.line, 9);
    assert.equal(own.source.steps, 4, 'every op before it recorded');
    assert.ok(own.source.heapAt(3).count > 0, 'the heap before it');
    assert.equal(own.source.notRunText(4), 'stopped here: a segmentation fault (SIGSEGV)', "the crashed op's lens");
    assert.equal(own.source.notRunText(5), 'not run: the allocator stopped at line 9');
    const preset = sourceOf(runEngine(trace, { overrides: { preset: 'csapp' } }));
    for (let i = 0; i < 4; i++) assert.equal(own.source.pointerAt(i), preset.pointerAt(i), `op ${i}: as the textbook's, before the bug`);
  });

  it("the panel's side by side: the allocator's heap after every simulated policy's at the same step, a crashed one at its last step", () => {
    const sideBySide = (file: string, trace: Trace, step: number) => {
      const own = onAllocator(file, trace);
      const run: OwnRun = { model: 'own', trace, preset: 'your allocator', diagnostics: own.diagnostics, replay: { length: trace.ops.length, recorded: own.recording.ops, done: true }, config: { allocator: fixture(file), interface: own.compiled.interface, alignment: 8 }, source: own.source, log: own.log };
      const comparison = Comparison.of(trace, { overrides: { preset: 'csapp' } }, { history: true, cache: new ComparisonCache() });
      comparison.advance(Infinity);
      return buildCompare(comparison, step, run)!;
    };
    const tiny = parseTrace(sample('tiny.rep'), 'rep');
    const c = sideBySide('textbook.c', tiny, 6);
    assert.deepEqual(c.frames.map((f) => f.policy), ['sbrk', 'first', 'next', 'best', 'worst', 'own']);
    assert.equal(c.frames.at(-1)!.label, 'your allocator (textbook.c)');
    const [first, own] = [c.frames.find((f) => f.policy === 'first')!.frame, c.frames.at(-1)!.frame];
    assert.equal(own.step, 6);
    assert.deepEqual([own.heapSize, Array.from(own.addrs), Array.from(own.sizes), own.states], [first.heapSize, Array.from(first.addrs), Array.from(first.sizes), first.states], 'the textbook in C is first fit on csapp, block for block');
    // The segfault at op 4: the other policies at op 6, the allocator at the last op it finished.
    const crashed = sideBySide('segfault.c', parseTrace(readFileSync(fixture('huge-request.rep'), 'utf8'), 'rep'), 6);
    assert.deepEqual(crashed.frames.map((f) => f.frame.step), [6, 6, 6, 6, 6, 3]);
  });

  it('a failed assert is an abort on its op; an endless loop is stopped at the limit and said so on its op', () => {
    const trace = parseTrace(sample('tiny.rep'), 'rep');
    const aborted = onAllocator('assert.c', trace);
    assert.equal(aborted.recording.crash?.signal, 6);
    assert.equal(aborted.recording.crash?.op, 3);
    assert.match(aborted.log, /Assertion .* failed/, 'assert\'s message is in the log');
    const looped = onAllocator('loops.c', trace, 400);
    assert.equal(looped.recording.crash?.signal, 0);
    assert.equal(looped.recording.crash?.op, 7);
    const d = looped.diagnostics.find((x) => x.code === 'allocator-failed')!;
    assert.equal(d.range.line, trace.ops.line(7));
    assert.match(d.message, /did not return within 0\.4 s in this op \(an endless loop\?\)/);
  });

  it("the editor's job: Cancel kills the allocator's process where it hangs; resumed, it compiles and runs again to the same result", async () => {
    const drive = async (job: OwnAllocatorJob, until: () => boolean) => {
      while (!job.work(() => true) && !until()) await job.waiting();
    };
    // loops.c hangs in op 7 of tiny.rep; with a minute's limit its process is still there when the job is stopped.
    const hung = new OwnAllocatorJob(sample('tiny.rep'), 'rep', fixture('loops.c'), { ...options, opLimitMs: 60_000 });
    const started = Date.now();
    await drive(hung, () => hung.progress().activity?.startsWith('running') === true && processesOf(options.cacheDir!).length > 0);
    assert.match(hung.progress().activity!, /^running 9 ops on loops\.c$/);
    hung.stop();
    for (let k = 0; k < 50 && processesOf(options.cacheDir!).length > 0; k++) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(processesOf(options.cacheDir!), [], 'the allocator\'s process is gone');
    assert.equal(hung.done, false);
    assert.ok(Date.now() - started < 30_000, 'long before its op limit');
    // textbook.c, stopped while it compiles or runs, then resumed: the run as if never stopped.
    const job = new OwnAllocatorJob(sample('tiny.rep'), 'rep', fixture('textbook.c'), options);
    job.work(() => true);
    job.stop();
    await drive(job, () => false);
    const run = job.run as OwnRun;
    assert.equal(run.source.steps, 9);
    assert.deepEqual(errors(run.diagnostics), []);
  });

  it('a file that does not compile gives the compiler\'s messages on its lines, and nothing runs', () => {
    const compiled = compileAllocator(fixture('broken.c'), options);
    assert.equal(compiled.ok, false);
    assert.ok(!compiled.ok && compiled.reason === 'failed');
    const error = compiled.messages.find((m) => m.severity === 'error');
    assert.ok(error);
    assert.equal(error.file, fixture('broken.c'));
    assert.equal(error.line, 34);
    let err = '';
    const code = runCli(['run', 'tiny.rep', '--allocator', fixture('broken.c')], { readFile: () => sample('tiny.rep'), out: () => {}, err: (t) => void (err += t), runAllocator: cliAllocatorRunner(options) });
    assert.equal(code, 1);
    assert.match(err, /broken\.c:34:\d+: error: /);
    assert.match(err, /did not compile; nothing ran/);
  });

  it("what the allocator prints goes to its log, never into the CSV; the CMU lab's interface runs with 16-byte alignment", () => {
    const text = sample('tiny.rep');
    assert.equal(csv('tiny.rep', text, ['--allocator', fixture('chatty.c')]), csv('tiny.rep', text, ['--allocator', fixture('textbook.c')]));
    const chatty = onAllocator('chatty.c', parseTrace(text, 'rep'));
    assert.ok(chatty.log.length > 0, 'it printed');
    assert.ok(chatty.recording.logPositions[8]! > chatty.recording.logPositions[0]!, 'its output is placed op by op');
    // What it printed during each op, for the hover: the log between the op's start and end.
    let whole = chatty.log.slice(0, chatty.recording.initLogPosition);
    for (let i = 0; i < chatty.source.steps; i++) whole += chatty.source.printedDuring(i, chatty.log, Infinity);
    assert.equal(whole, chatty.log, 'the ops\' output, one after another, is the whole log');
    assert.ok(chatty.source.printedDuring(3, chatty.log).length > 0, 'free printed something');
    const run: OwnRun = { model: 'own', trace: chatty.source.trace, preset: 'your allocator', diagnostics: chatty.diagnostics, replay: { length: chatty.source.length, recorded: chatty.source.steps, done: true }, config: { allocator: 'chatty.c', interface: 'csapp', alignment: 8 }, source: chatty.source, log: chatty.log };
    assert.equal(buildFrame(run, 3).printed, chatty.source.printedDuring(3, chatty.log), "the panel's frame carries it with the step");
    assert.equal(interfaceOf(readFileSync(fixture('cmu64.c'), 'utf8')), 'cmu');
    assert.equal(interfaceOf(readFileSync(fixture('textbook.c'), 'utf8')), 'csapp');
    const cmu = onAllocator('cmu64.c', parseTrace(text, 'rep'));
    assert.equal(cmu.compiled.ok && cmu.compiled.interface, 'cmu');
    assert.deepEqual(errors(cmu.diagnostics), []);
    for (let i = 0; i < cmu.source.steps; i++) {
      const p = cmu.source.pointerAt(i);
      if (p !== null) assert.equal(p % 16, 0, `op ${i}: 16-byte aligned`);
    }
  });

  it("a compile stopped midway (a save that supersedes it) leaves nothing behind but whole harness objects: the compiler's temporary files are in the build's own folder, removed with it", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'heap-inspector-src-'));
    try {
      const file = join(dir, 'mm.c');
      writeFileSync(file, `${readFileSync(fixture('textbook.c'), 'utf8')}\n/* stopped: ${Date.now()} */\n`);
      const cacheDir = join(dir, 'cache');
      const entries = () => readdirSync(cacheDir, { recursive: true }).map(String);
      const stop = new AbortController();
      const compiling = compileAllocatorAsync(file, { ...options, cacheDir }, stop.signal);
      // The compiler writes its temporary files (cc*.o, cc*.s) into the build's folder, not /tmp.
      let seen: string[] = [];
      for (let k = 0; k < 500 && !seen.some((e) => /\.tmp\.d\/cc\w+\.[so]$/.test(e)); k++) {
        await new Promise((r) => setTimeout(r, 5));
        seen = entries();
      }
      assert.ok(seen.some((e) => /\.tmp\.d\/cc\w+\.[so]$/.test(e)), `the compiler's temporary files in the build's folder: ${seen.join(', ')}`);
      stop.abort();
      const stopped = await compiling;
      assert.equal(stopped.ok, false, 'stopped, it did not compile');
      // The harness's objects compiled before the stop stay in the cache, whole (ownBuild.ts): nothing else does.
      assert.deepEqual(entries().filter((e) => !/^harness-objects(\/[0-9a-f]{24}-\w+\.o(\.txt)?)?$/.test(e)), [], 'nothing is left of the build');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('compiles once per content: the same file is found in the cache, an edit compiles again; no compiler is exit 2 with what to install', () => {
    const dir = mkdtempSync(join(tmpdir(), 'heap-inspector-src-'));
    try {
      const file = join(dir, 'mm.c');
      writeFileSync(file, readFileSync(fixture('textbook.c'), 'utf8'));
      const first = compileAllocator(file, options);
      const second = compileAllocator(file, options);
      assert.ok(first.ok && second.ok);
      assert.equal(second.cached, true);
      assert.equal(second.executable, first.executable);
      writeFileSync(file, readFileSync(fixture('textbook.c'), 'utf8') + '\n/* an edit */\n');
      const third = compileAllocator(file, options);
      assert.ok(third.ok && !third.cached && third.executable !== first.executable);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    let err = '';
    const code = runCli(['run', 'tiny.rep', '--allocator', fixture('textbook.c'), '--cc', '/nonexistent/cc'], { readFile: () => sample('tiny.rep'), out: () => {}, err: (t) => void (err += t), runAllocator: cliAllocatorRunner(options) });
    assert.equal(code, 2);
    assert.match(err, /The C compiler "\/nonexistent\/cc" was not found\. No C compiler found .* install one, e\.g\. on Debian or Ubuntu `sudo apt-get install gcc libc6-dev`/);
  });

  it("--checkheap: the CMU lab's mm_checkheap after every op, what it prints placed by op and false an error on that op", () => {
    const dir = mkdtempSync(join(tmpdir(), 'heap-inspector-src-'));
    try {
      // A bump allocator with the CMU interface whose checker prints the line and fails on line 9.
      const file = join(dir, 'mm.c');
      writeFileSync(file, ['#include <stdio.h>', '#include <string.h>', '#include "mm.h"', '#include "memlib.h"', 'bool mm_init(void) { return true; }', 'void *malloc(size_t n) { if (!n) return NULL; size_t a = (n + 15) & ~(size_t)15; char *p = mem_sbrk(a + 16); if (p == (void *)-1) return NULL; *(size_t *)p = a; return p + 16; }', 'void free(void *p) { (void)p; }', 'void *realloc(void *p, size_t n) { void *q = malloc(n); if (p && q) { size_t o = *(size_t *)((char *)p - 16); memcpy(q, p, o < n ? o : n); } return q; }', 'void *calloc(size_t a, size_t b) { void *p = malloc(a * b); if (p) memset(p, 0, a * b); return p; }', 'bool mm_checkheap(int line) { printf("checked after line %d\\n", line); return line != 9; }', ''].join('\n'));
      const trace = parseTrace(sample('tiny.rep'), 'rep');
      let out = '';
      const io: CliIo = { readFile: () => sample('tiny.rep'), out: (t) => void (out += t), err: () => {}, runAllocator: cliAllocatorRunner(options) };
      assert.equal(runCli(['check', 'tiny.rep', '--allocator', file, '--checkheap'], io), 1);
      assert.match(out, /^tiny\.rep:9:1: error: Your heap checker \(mm_checkheap, or mm_check for the CS:APP interface\) said the heap is inconsistent after this op/m);
      assert.equal(out.trim().split('\n').length, 1, 'nothing else wrong');
      const compiled = compileAllocator(file, options);
      assert.ok(compiled.ok && compiled.interface === 'cmu');
      const run = runAllocator(compiled.executable, trace, { checkheap: true });
      const source = new OwnSource(trace, run.recording, 'mm.c', []);
      assert.equal(source.printedDuring(2, run.log), 'checked after line 7\n', 'op 2 is line 7');
      out = '';
      runCli(['check', 'tiny.rep', '--allocator', file], io);
      assert.equal(out, '', 'without --checkheap it is not called');
      // The CS:APP interface: the lab writeup's int mm_check(void), nonzero when the heap is consistent; here it fails on its fourth call.
      const csapp = join(dir, 'csapp.c');
      writeFileSync(csapp, ['#include <stdio.h>', '#include <string.h>', '#include "mm.h"', '#include "memlib.h"', 'static int calls;', 'int mm_init(void) { return 0; }', 'void *mm_malloc(size_t n) { if (!n) return NULL; size_t a = (n + 7) & ~(size_t)7; char *p = mem_sbrk(a + 8); if (p == (void *)-1) return NULL; *(size_t *)p = a; return p + 8; }', 'void mm_free(void *p) { (void)p; }', 'void *mm_realloc(void *p, size_t n) { void *q = mm_malloc(n); if (p && q) { size_t o = *((size_t *)p - 1); memcpy(q, p, o < n ? o : n); } return q; }', 'int mm_check(void) { printf("check %d\\n", ++calls); return calls != 4; }', ''].join('\n'));
      out = '';
      assert.equal(runCli(['check', 'tiny.rep', '--allocator', csapp, '--checkheap'], io), 1);
      assert.match(out, /^tiny\.rep:8:1: error: Your heap checker/m, 'op 3 (line 8): the fourth call');
      assert.equal(out.trim().split('\n').length, 1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a heap whose words follow no known layout is drawn from the payloads the driver handed out', () => {
    const dir = mkdtempSync(join(tmpdir(), 'heap-inspector-src-'));
    try {
      // A bump allocator: a size word before each payload, nothing a CS:APP walk can follow.
      const file = join(dir, 'bump.c');
      writeFileSync(file, ['#include "mm.h"', '#include "memlib.h"', '#include <string.h>', 'int mm_init(void) { return 0; }', 'void *mm_malloc(size_t n) { if (!n) return NULL; size_t a = (n + 7) & ~(size_t)7; char *p = mem_sbrk(a + 8); if (p == (void *)-1) return NULL; *(size_t *)p = a; return p + 8; }', 'void mm_free(void *p) { (void)p; }', 'void *mm_realloc(void *p, size_t n) { void *q = mm_malloc(n); if (p && q) { size_t o = *((size_t *)p - 1); memcpy(q, p, o < n ? o : n); } return q; }', ''].join('\n'));
      const compiled = compileAllocator(file, options);
      assert.ok(compiled.ok, compiled.ok ? '' : compiled.text);
      const trace = parseTrace(sample('tiny.rep'), 'rep');
      const run = runAllocator(compiled.executable, trace);
      const source = new OwnSource(trace, run.recording, 'bump.c', []);
      const heap = source.heapAt(2);
      // Each payload after its 8-byte size word: the payloads allocated, the bytes between them not.
      const chain = Array.from({ length: heap.count }, (_, k) => `${heap.states[k] === 0 ? 'A' : 'F'}${heap.addrs[k]}+${heap.sizes[k]}`);
      assert.deepEqual(chain, ['F0+8', 'A8+24', 'F32+8', 'A40+100', 'F140+12', 'A152+24']);
      assert.deepEqual(Array.from(heap.owners.filter((o) => o >= 0)), [0, 1, 2], 'each payload owned by its id');
      assert.match(heap.problems[0]!.message, /follow none of the layouts/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
