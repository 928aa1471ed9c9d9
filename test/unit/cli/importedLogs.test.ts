// Logs of real programs, made here and converted by the built command line (docs/importing.md):
// test/fixtures/logs/allocations.c under glibc's mtrace and under ltrace (plain and with -tt),
// forks.c under ltrace -f, each checked op for op against what the program did. They need a C
// compiler, glibc's libc_malloc_debug.so.0 and ltrace (docs/setup.md); without them they are
// skipped, except on CI, where that is a failure.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { findCompiler } from '../../../src/native/ownAllocator';

const ROOT = process.cwd();
const FIXTURES = join(ROOT, 'test', 'fixtures', 'logs');
const CLI = join(ROOT, 'dist', 'cli.js');

/** What allocations.c does, as .rep ops (its comments say which call is which). */
const ALLOCATIONS = ['a 0 24', 'a 1 32', 'a 2 100', 'r 0 4000', 'a 3 40', 'a 4 16', 'f 4', 'f 1', 'f 2', 'f 0', 'f 3'];
/** What allocations.c writes: its realloc moved the block, both huge requests failed, realloc(e, 0) returned NULL. */
const REPORT = 'moved=1 failed=11 e=1\n';

function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(command, args, { encoding: 'utf8', env, timeout: 60_000 });
  assert.equal(r.error, undefined, `${command} ${args.join(' ')}: ${String(r.error)}`);
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Where glibc's malloc debugging library is: the loader's cache, else beside the C library the compiler links. */
function mallocDebugLibrary(cc: string): string | null {
  for (const ldconfig of ['/sbin/ldconfig', '/usr/sbin/ldconfig', 'ldconfig']) {
    const r = spawnSync(ldconfig, ['-p'], { encoding: 'utf8' });
    const path = /\blibc_malloc_debug\.so\.0 \([^)]*\) => (\S+)/.exec(r.stdout ?? '')?.[1];
    if (path && existsSync(path)) return path;
  }
  for (const name of ['libc_malloc_debug.so.0', 'libc.so.6']) {
    const printed = spawnSync(cc, [`-print-file-name=${name}`], { encoding: 'utf8' }).stdout?.trim() ?? '';
    const path = join(dirname(printed), 'libc_malloc_debug.so.0');
    if (printed.startsWith('/') && existsSync(path)) return path;
  }
  return null;
}

/** The program on PATH, or null. */
function onPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(':')) if (dir && existsSync(join(dir, name))) return join(dir, name);
  return null;
}

/** Skips the enclosing block when `missing` names something, unless on CI, where it fails. */
function requireTool(context: Mocha.Context, missing: string | null): void {
  if (missing === null) return;
  if (process.env.CI === 'true') throw new Error(`CI must have ${missing} (docs/setup.md)`);
  context.skip();
}

describe('logs of real programs, converted', function () {
  this.timeout(120_000);
  let dir = '';
  let cc = '';
  before(function () {
    const found = findCompiler();
    requireTool(this, found === null ? 'a C compiler (cc, gcc or clang)' : null);
    cc = found!;
    dir = mkdtempSync(join(tmpdir(), 'heap-inspector-logs-'));
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Compiles a fixture into the scratch directory; returns the executable. */
  function compile(source: string, name: string, flags: readonly string[] = []): string {
    const out = join(dir, name);
    const r = run(cc, ['-O0', '-fno-builtin', ...flags, '-o', out, join(FIXTURES, source)]);
    assert.equal(r.status, 0, r.stderr);
    return out;
  }

  /** `heap-inspector convert log -o log.rep ...`: its output, and the trace's op lines. */
  function convert(log: string, ...extra: string[]): { status: number; stdout: string; ops: string[]; header: string[] } {
    const rep = `${log}.${extra.length}.rep`;
    const r = run(process.execPath, [CLI, 'convert', log, '-o', rep, ...extra]);
    assert.equal(r.stderr, '');
    const lines = readFileSync(rep, 'utf8').trimEnd().split('\n');
    return { status: r.status, stdout: r.stdout, ops: lines.slice(4), header: lines.slice(0, 4) };
  }

  it('reads glibc mtrace\'s log of allocations.c op for op', function () {
    const library = mallocDebugLibrary(cc);
    requireTool(this, library === null ? "glibc's libc_malloc_debug.so.0 (glibc 2.34 or later)" : null);
    const program = compile('allocations.c', 'allocations-mtrace', ['-DMTRACE']);
    const log = join(dir, 'allocations.mtrace');
    const r = run(program, [], { ...process.env, LD_PRELOAD: library!, MALLOC_TRACE: log });
    assert.equal(r.stdout, REPORT);
    const converted = convert(log);
    assert.deepEqual(converted.ops, ALLOCATIONS);
    assert.deepEqual(converted.header, ['0', '5', '11', '1']);
    assert.equal(converted.status, 0);
    assert.equal(
      converted.stdout,
      `${log}: glibc mtrace log, 16 lines → ${log}.0.rep: 11 ops, 5 ids; every line understood\n` +
        '  left out: 2 allocations that returned NULL (first at line 10)\n' +
        '  2 lines of other calls, signals, exits or markers skipped\n',
    );
    // The log itself is a trace: check reads it, and finds nothing wrong but the failures it notes.
    const check = run(process.execPath, [CLI, 'check', log]);
    assert.equal(check.status, 0, check.stdout);
  });

  for (const [title, flags] of [['plain', []], ['with -tt time stamps', ['-tt']]] as const) {
    it(`reads ltrace's log of allocations.c op for op (${title})`, function () {
      const ltrace = onPath('ltrace');
      requireTool(this, ltrace === null ? 'ltrace' : null);
      const program = compile('allocations.c', 'allocations');
      const log = join(dir, `allocations${flags.join('')}.ltrace`);
      const r = run(ltrace!, ['-e', 'malloc+free+realloc+calloc', ...flags, '-o', log, program]);
      assert.equal(r.stdout, REPORT);
      const converted = convert(log);
      assert.deepEqual(converted.ops, ALLOCATIONS);
      assert.equal(converted.status, 0);
      assert.match(converted.stdout, /: ltrace log, 15 lines → .*: 11 ops, 5 ids; every line understood\n {2}left out: 1 free\(NULL\); 2 allocations that returned NULL \(first at line 9\)\n/);
    });
  }

  it('reads ltrace -f\'s log of a forking program: both processes in one heap, or one of them with --pid', function () {
    const ltrace = onPath('ltrace');
    requireTool(this, ltrace === null ? 'ltrace' : null);
    const program = compile('forks.c', 'forks');
    const log = join(dir, 'forks.ltrace');
    assert.equal(run(ltrace!, ['-f', '-e', 'malloc+free+realloc+calloc', '-o', log, program]).status, 0);
    const pids = [...new Set(readFileSync(log, 'utf8').split('\n').filter((l) => l !== '').map((l) => l.split(' ')[0]!))];
    assert.equal(pids.length, 2, 'the parent and its child');
    const [parent, child] = pids as [string, string];
    // One heap: the child's free of its copy of a frees the parent's; the parent's own is then unknown.
    const both = convert(log);
    assert.deepEqual(both.ops, ['a 0 10', 'a 1 20', 'f 1', 'f 0', 'a 0 30', 'f 0']);
    assert.match(both.stdout, /left out: 1 free or realloc of addresses the log never allocated \(first at line 9\)/);
    const parentOnly = convert(log, '--pid', parent);
    assert.deepEqual(parentOnly.ops, ['a 0 10', 'a 1 30', 'f 1', 'f 0']);
    assert.equal(parentOnly.status, 0);
    const childOnly = convert(log, '--pid', child);
    assert.deepEqual(childOnly.ops, ['a 0 20', 'f 0'], 'a was allocated before the fork, by the parent');
    assert.match(childOnly.stdout, /left out: 1 free or realloc of addresses the log never allocated \(first at line 4\)/);
  });

  it('reads ltrace -f\'s log as it writes it to stderr, each line under [pid N]', function () {
    const ltrace = onPath('ltrace');
    requireTool(this, ltrace === null ? 'ltrace' : null);
    const program = compile('forks.c', 'forks');
    const r = run(ltrace!, ['-f', '-e', 'malloc+free+realloc+calloc', program]);
    assert.equal(r.status, 0);
    const log = join(dir, 'forks-stderr.log');
    writeFileSync(log, r.stderr);
    const pids = [...new Set(r.stderr.split('\n').filter((l) => l.startsWith('[pid ')).map((l) => /^\[pid (\d+)\]/.exec(l)![1]!))];
    assert.equal(pids.length, 2, r.stderr);
    const both = convert(log);
    assert.match(both.stdout, /: ltrace log, /);
    assert.deepEqual(both.ops, ['a 0 10', 'a 1 20', 'f 1', 'f 0', 'a 0 30', 'f 0']);
    assert.deepEqual(convert(log, '--pid', pids[0]!).ops, ['a 0 10', 'a 1 30', 'f 1', 'f 0']);
  });
});
