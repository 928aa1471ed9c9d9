// Building one's own allocator (src/native/ownBuild.ts; docs/own-allocator.md, "The harness"):
// the harness's objects compiled once per content and kept in the cache, the allocator's file
// twice (plain, and instrumented for the way by stores), each executable linked from them; what
// changed compiled again and nothing else, two processes building at once, and the plain
// executable recording when the compiler refuses the instrumentation or the link needs a hook the
// harness lacks.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, chmodSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { compileAllocator, findCompiler, runAllocator, type CompileOptions } from '../../../src/native/ownAllocator';
import { parseTrace } from '../../../src/trace/index';
import { fixture, fixtureCompiles, recorded } from '../support/ownAllocators';

const ROOT = process.cwd();
const tiny = () => parseTrace(readFileSync(join(ROOT, 'samples', 'tiny.rep'), 'utf8'), 'rep');

describe('building your own allocator: the harness compiled once, the allocator twice', function () {
  this.timeout(120_000);
  const compiles = fixtureCompiles();
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'heap-inspector-build-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** A compiler that notes each run's arguments in `log` and runs the machine's, its instrumented compiles changed by `stores` (shell). */
  function loggedCompiler(name: string, stores = ''): { readonly cc: string; readonly runs: () => string[][] } {
    const cc = join(dir, name);
    const log = join(dir, `${name}.log`);
    writeFileSync(log, '');
    writeFileSync(cc, ['#!/bin/sh', `echo "$*" >> '${log}'`, 'case "$*" in *-fsanitize=kernel-address*)', stores, ';; esac', `exec '${findCompiler()}' "$@"`, ''].join('\n'));
    chmodSync(cc, 0o755);
    return { cc, runs: () => readFileSync(log, 'utf8').split('\n').filter((l) => l !== '').map((l) => l.split(' ')) };
  }
  /** What each run did: the file it compiled (by name), or `link` and the executable's kind. */
  const what = (runs: string[][]) => runs.map((args) => (args.includes('-c') ? `${args.includes('-fsanitize=kernel-address') ? 'stores ' : ''}${basename(args.at(-1)!)}` : `link ${args[args.indexOf('-o') + 1]!.endsWith('.stores') ? 'stores' : 'plain'}`)).sort();
  const objects = (cacheDir: string) => readdirSync(join(cacheDir, 'harness-objects')).sort();

  it("compiles each harness file once, and for another allocator or an edit only the allocator's file, plain and instrumented, linking both executables", function () {
    const { cc, runs } = loggedCompiler('cc-logged');
    const options: CompileOptions = { ...compiles(), cacheDir: join(dir, 'cache'), cc };
    const file = join(dir, 'mm.c');
    writeFileSync(file, readFileSync(fixture('textbook.c'), 'utf8'));
    const first = compileAllocator(file, options);
    assert.ok(first.ok && !first.cached, first.ok ? '' : first.text);
    assert.match(first.executable, /\.stores\.exe$/, 'it records by stores');
    const harness = readdirSync(join(ROOT, 'harness')).filter((f) => f.endsWith('.c')).sort();
    if (runs().some((args) => args.includes('-fsanitize=kernel-address') && args.includes('-mllvm'))) this.skip(); // clang: GCC's flags were tried first
    assert.deepEqual(what(runs()), [...harness, 'link plain', 'link stores', 'mm.c', 'stores mm.c'].sort(), 'each harness file compiled once');
    assert.deepEqual(objects(options.cacheDir!).map((o) => o.replace(/^[0-9a-f]{24}-/, '')).sort(), harness.map((f) => f.replace(/\.c$/, '.o')).sort());
    const kept = objects(options.cacheDir!);
    for (const next of [() => appendFileSync(file, '\n/* an edit */\n'), () => writeFileSync(file, readFileSync(fixture('explicit.c'), 'utf8'))]) {
      writeFileSync(join(dir, 'cc-logged.log'), '');
      next();
      const again = compileAllocator(file, options);
      assert.ok(again.ok && !again.cached && again.executable.endsWith('.stores.exe'));
      assert.deepEqual(what(runs()), ['link plain', 'link stores', 'mm.c', 'stores mm.c']);
      assert.deepEqual(objects(options.cacheDir!), kept, 'the same objects');
      const run = runAllocator(again.executable, tiny());
      assert.deepEqual(recorded(run.recording), recorded(runAllocator(again.timedExecutable, tiny()).recording), 'both executables record the same');
    }
    // The CMU interface is other flags (mm.h, editions.h): objects of its own.
    writeFileSync(join(dir, 'cc-logged.log'), '');
    assert.ok(compileAllocator(fixture('cmu64.c'), options).ok);
    assert.equal(what(runs()).length, harness.length + 4);
    assert.equal(objects(options.cacheDir!).length, 2 * harness.length);
  });

  it('a harness file changed compiles again the objects of the files that include it and nothing else, and the executables', () => {
    const harnessDir = join(dir, 'harness');
    cpSync(join(ROOT, 'harness'), harnessDir, { recursive: true });
    const { cc, runs } = loggedCompiler('cc-logged');
    const options: CompileOptions = { cacheDir: join(dir, 'cache'), harnessDir, cc };
    assert.ok(compileAllocator(fixture('textbook.c'), options).ok);
    const changes: [string, string[]][] = [
      ['memlib.c', ['memlib.c']],
      ['results.h', ['driver.c', 'results.c', 'tracking.c']],
    ];
    for (const [changed, compiled] of changes) {
      writeFileSync(join(dir, 'cc-logged.log'), '');
      appendFileSync(join(harnessDir, changed), '\n/* changed */\n');
      const again = compileAllocator(fixture('textbook.c'), options);
      assert.ok(again.ok && !again.cached);
      assert.deepEqual(what(runs()).filter((w) => !/^(link|stores) |^textbook\.c$/.test(w)), compiled, `${changed} changed`);
      assert.equal(runAllocator(again.executable, tiny()).recording.ops, 9);
    }
  });

  it('a compiler upgraded in place, or the same path pointing at another, builds everything anew; untouched, nothing', () => {
    const { cc, runs } = loggedCompiler('cc-logged');
    const options: CompileOptions = { ...compiles(), cacheDir: join(dir, 'cache'), cc };
    assert.ok(compileAllocator(fixture('textbook.c'), options).ok);
    const harness = readdirSync(join(ROOT, 'harness')).filter((f) => f.endsWith('.c'));
    const compiled = () => what(runs()).filter((w) => !w.startsWith('link ')).length;
    writeFileSync(join(dir, 'cc-logged.log'), '');
    assert.ok(compileAllocator(fixture('textbook.c'), options).ok);
    assert.equal(compiled(), 0, 'the same compiler: from the cache');
    // "Upgraded": the same path, another file (a byte more, so the size tells even within the clock's resolution).
    writeFileSync(cc, readFileSync(cc, 'utf8').replace('#!/bin/sh\n', '#!/bin/sh\n# upgraded\n'));
    const upgraded = compileAllocator(fixture('textbook.c'), options);
    assert.ok(upgraded.ok && !upgraded.cached, 'compiled again');
    assert.ok(compiled() >= harness.length + 1, `the harness and the allocator compiled again: ${what(runs()).join(', ')}`);
    // The path a link to another compiler.
    const link = join(dir, 'cc-link');
    symlinkSync(cc, link);
    assert.ok(compileAllocator(fixture('textbook.c'), { ...options, cc: link }).ok);
    writeFileSync(join(dir, 'cc-logged.log'), '');
    rmSync(link);
    const other = loggedCompiler('cc-other');
    symlinkSync(other.cc, link);
    const relinked = compileAllocator(fixture('textbook.c'), { ...options, cc: link });
    assert.ok(relinked.ok && !relinked.cached, 'the link now names another compiler: compiled again');
  });

  it('two processes building the same file at once (the command line twice) both run it, and the cache holds whole files only', async () => {
    const cacheDir = join(dir, 'cache');
    const cli = () =>
      new Promise<{ code: number | null; out: string }>((done) => {
        const child = spawn(process.execPath, [join(ROOT, 'dist', 'cli.js'), 'run', '--allocator', fixture('textbook.c'), join(ROOT, 'samples', 'tiny.rep'), '--ops'], { env: { ...process.env, HEAP_INSPECTOR_CACHE: cacheDir }, stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        child.stdout.on('data', (d: Buffer) => void (out += d.toString()));
        child.stderr.on('data', (d: Buffer) => void (out += d.toString()));
        child.on('close', (code) => done({ code, out }));
      });
    const [a, b] = await Promise.all([cli(), cli()]);
    assert.equal(a.code, 0, a.out);
    assert.equal(b.out, a.out);
    const left = readdirSync(cacheDir, { recursive: true }).map(String);
    assert.deepEqual(left.filter((e) => /\.tmp|\.d$/.test(e)), [], 'nothing half-built left');
    assert.equal(left.filter((e) => e.endsWith('.o')).length, readdirSync(join(ROOT, 'harness')).filter((f) => f.endsWith('.c')).length);
    assert.ok(left.some((e) => e.endsWith('.exe')));
  });

  it('the plain executable records when the compiler refuses the instrumentation, or when the link needs a hook the harness lacks; the user is told nothing of it', () => {
    const hook = join(dir, 'hook.h');
    writeFileSync(hook, 'extern void __asan_hook_the_harness_lacks(void);\nstatic void __attribute__((constructor)) needs_hook(void) { __asan_hook_the_harness_lacks(); }\n');
    const refusing = loggedCompiler('cc-refusing', `echo "cc1: error: unrecognized command-line option '-fsanitize=kernel-address'" >&2; exit 1`);
    const hooking = loggedCompiler('cc-hooking', `exec '${findCompiler()}' -include '${hook}' "$@"`);
    const normal = compileAllocator(fixture('stray.c'), compiles());
    assert.ok(normal.ok);
    for (const { cc } of [refusing, hooking]) {
      const compiled = compileAllocator(fixture('stray.c'), { ...compiles(), cc });
      assert.ok(compiled.ok, compiled.ok ? '' : compiled.text);
      assert.equal(compiled.executable, compiled.timedExecutable, `${basename(cc)}: the plain executable records`);
      assert.deepEqual(compiled.messages, []);
      assert.ok(!existsSync(compiled.executable.replace(/\.exe$/, '.stores.exe')));
      assert.deepEqual(recorded(runAllocator(compiled.executable, tiny()).recording), recorded(runAllocator(normal.executable, tiny()).recording), 'the same words, by pages');
      const again = compileAllocator(fixture('stray.c'), { ...compiles(), cc });
      assert.ok(again.ok && again.cached && again.executable === compiled.executable, 'cached so');
    }
    assert.ok(refusing.runs().filter((args) => args.includes('-fsanitize=kernel-address')).length === 2, "GCC's flags and clang's both tried");
  });
});
