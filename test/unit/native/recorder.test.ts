// `heap-inspector record` on real programs (docs/recording.md): python3, sort and cc, which every
// machine here has, and small C programs built here (threads, fork and exec, _exit, a crash). Each
// runs through dist/cli.js as a user would; its output and status must be what they are without the
// recorder, its trace sound (frees matched, parsed and replayed without errors under every policy),
// the counts right where they are deterministic, and the temporary folder left empty.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildRecorder } from '../../../src/native/recorder';
import { findCompiler } from '../../../src/native/ownAllocator';
import type { RecordingCounts } from '../../../src/trace/index';
import { assertSoundTrace } from '../support/recordedChecks';

const CLI = join(process.cwd(), 'dist', 'cli.js');

interface SidecarEvent {
  readonly op: number | null;
  readonly call: string;
  readonly thread: number;
  readonly address?: string;
  readonly size?: number;
  readonly note?: string;
}

interface Sidecar {
  readonly format: string;
  readonly command: string[] | null;
  readonly glibc: string;
  readonly exit: { status: number | null; signal: string | null } | null;
  readonly images: { exe: string }[];
  readonly counts: RecordingCounts;
  readonly problems: string[];
  readonly processes: { pid: number; trace: string; exe: string }[];
}

describe('recording a program (heap-inspector record)', function () {
  this.timeout(300_000);
  let root: string;
  let work: string;
  let tmp: string;
  let env: NodeJS.ProcessEnv;
  let cc: string;

  before(function () {
    // Recording preloads a library: Linux with glibc only (docs/recording.md).
    if (process.platform !== 'linux') this.skip();
    const found = findCompiler();
    if (found === null) {
      if (process.env.CI === 'true') throw new Error('CI must have a C compiler (cc, gcc or clang)');
      this.skip();
    }
    cc = found;
    root = mkdtempSync(join(tmpdir(), 'heap-inspector-record-test-'));
    work = join(root, 'work');
    tmp = join(root, 'tmp');
    mkdirSync(work);
    mkdirSync(tmp);
    env = { ...process.env, HEAP_INSPECTOR_CACHE: join(root, 'cache'), TMPDIR: tmp, LC_ALL: 'C' };
  });
  after(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });
  afterEach(function () {
    if (this.currentTest?.state === 'passed') assert.deepEqual(readdirSync(tmp), [], 'the temporary folder is left empty');
  });

  /** Runs `command` as is and recorded into `out`: both results, the trace's text and its sidecar. */
  function record(out: string, command: readonly string[], flags: readonly string[] = [], input?: string) {
    const options = { cwd: work, env, encoding: 'utf8' as const, ...(input !== undefined ? { input } : {}) };
    const plain = spawnSync(command[0]!, command.slice(1), options);
    const recorded = spawnSync(process.execPath, [CLI, 'record', '-o', out, ...flags, '--', ...command], options);
    return { plain, recorded, ...read(join(work, out)) };
  }

  function read(rep: string) {
    assert.ok(existsSync(rep), `${rep} was written`);
    const text = readFileSync(rep, 'utf8');
    const [head, ...lines] = readFileSync(`${rep}.jsonl`, 'utf8').trimEnd().split('\n');
    return { text, sidecar: JSON.parse(head!) as Sidecar, events: lines.map((l) => JSON.parse(l) as SidecarEvent) };
  }

  /** The program's output and status are its own, and the recorder said nothing. */
  function sameRun(r: ReturnType<typeof record>): void {
    assert.equal(r.recorded.stdout, r.plain.stdout, 'stdout unchanged');
    assert.equal(r.recorded.stderr, r.plain.stderr, 'stderr unchanged');
    assert.equal(r.recorded.status, r.plain.status, 'the exit status forwarded');
  }

  /** A C program built here. */
  function program(name: string, source: string): string {
    const exe = join(work, name);
    writeFileSync(`${exe}.c`, source);
    const built = spawnSync(cc, ['-std=gnu11', '-O0', '-pthread', '-o', exe, `${exe}.c`], { encoding: 'utf8' });
    assert.equal(built.status, 0, built.stderr);
    return exe;
  }

  const sized = (events: readonly SidecarEvent[], call: string, size: number) => events.filter((e) => e.call === call && e.size === size);

  it('builds the recorder once per content, in the cache', () => {
    const cacheDir = join(root, 'build-cache');
    const first = buildRecorder({ cacheDir, sourceDir: join(process.cwd(), 'recorder') });
    assert.ok(first.ok && !first.cached, first.ok ? '' : first.text);
    const second = buildRecorder({ cacheDir, sourceDir: join(process.cwd(), 'recorder') });
    assert.ok(second.ok && second.cached && second.library === first.library);
    const missing = buildRecorder({ cacheDir, cc: join(root, 'no-such-cc'), sourceDir: join(process.cwd(), 'recorder') });
    assert.ok(!missing.ok && missing.reason === 'no-compiler' && /install one/.test(missing.text));
  });

  it('python3: each object of a fixed size is a malloc of it, in order; output and status unchanged', () => {
    const script = 'keep = [bytearray(3000) for _ in range(200)]\ndel keep[::2]\nprint(len(keep), sum(map(len, keep)))\n';
    const r = record('python.rep', ['python3', '-c', script]);
    sameRun(r);
    assert.equal(r.recorded.stdout, '100 300000\n');
    // A bytearray of n bytes asks for n + 1; each freed one is an f of the id its malloc got.
    const made = sized(r.events, 'malloc', 3001);
    assert.ok(made.length >= 200, `${made.length} mallocs of 3001 bytes`);
    const freed = new Set(r.events.filter((e) => e.call === 'free').map((e) => (e as { from?: string }).from));
    assert.ok(made.filter((e) => freed.has(e.address)).length >= 100, 'half of them freed');
    assert.deepEqual(r.sidecar.command, ['python3', '-c', script]);
    assert.match(r.sidecar.glibc, /^\d+\.\d+/);
    assert.deepEqual(r.sidecar.exit, { status: 0, signal: null });
    assert.equal(r.sidecar.counts.ops, r.events.filter((e) => e.op !== null).length);
    assertSoundTrace(r.text, 'python.rep');
  });

  it("python3 interrupted: its KeyboardInterrupt as without the recorder, which keeps its own signal handlers to itself", () => {
    const script = 'import os, signal, time\nprint(signal.getsignal(signal.SIGTERM) == signal.SIG_DFL, signal.getsignal(signal.SIGINT).__name__)\ntry:\n    os.kill(os.getpid(), signal.SIGINT)\n    time.sleep(5)\nexcept KeyboardInterrupt:\n    print("interrupted")\n';
    const r = record('interrupted.rep', ['python3', '-c', script]);
    sameRun(r);
    assert.equal(r.recorded.stdout, 'True default_int_handler\ninterrupted\n');
  });

  it('sort on a generated file: the same sorted output, a sound trace', () => {
    const lines = Array.from({ length: 5000 }, (_, i) => `${((i * 7919) % 5003).toString(36)} line ${i}`);
    writeFileSync(join(work, 'data.txt'), lines.join('\n') + '\n');
    const r = record('sort.rep', ['sort', 'data.txt']);
    sameRun(r);
    assert.equal(r.recorded.stdout, [...lines].sort().join('\n') + '\n');
    assert.ok(r.sidecar.counts.ops > 0);
    assertSoundTrace(r.text, 'sort.rep');
  });

  it('cc compiling a file: the driver alone, or with --follow-children every compiler pass in a trace of its own', () => {
    writeFileSync(join(work, 'small.c'), 'int square(int x) { return x * x; }\n');
    const alone = record('cc.rep', [cc, '-c', 'small.c', '-o', 'small.o']);
    sameRun(alone);
    assert.ok(existsSync(join(work, 'small.o')));
    assert.deepEqual(alone.sidecar.processes, []);
    assertSoundTrace(alone.text, 'cc.rep');
    const all = record('cc-all.rep', [cc, '-c', 'small.c', '-o', 'small.o'], ['--follow-children']);
    sameRun(all);
    assert.ok(all.sidecar.processes.length >= 2, `the passes: ${all.sidecar.processes.map((p) => p.exe).join(', ')}`);
    for (const child of all.sidecar.processes) {
      const c = read(join(work, child.trace));
      assert.equal(c.sidecar.command, null);
      assertSoundTrace(c.text, child.trace, { replay: c.sidecar.counts.ops < 20_000 });
    }
  });

  it('four threads allocating and freeing: exactly their calls, each on its own thread, every free matched', () => {
    const exe = program('threads', `
      #include <pthread.h>
      #include <stdio.h>
      #include <stdlib.h>
      static void *work(void *arg) {
        int t = (int)(long)arg; void *p[500];
        for (int i = 0; i < 500; i++) p[i] = malloc(3000 + t);
        for (int i = 0; i < 500; i += 2) p[i] = realloc(p[i], 5000 + t);
        for (int i = 0; i < 500; i++) free(p[i]);
        return NULL;
      }
      int main(void) {
        pthread_t th[4];
        for (long t = 0; t < 4; t++) pthread_create(&th[t], NULL, work, (void *)t);
        for (int t = 0; t < 4; t++) pthread_join(th[t], NULL);
        puts("done");
        return 0;
      }`);
    const r = record('threads.rep', [exe]);
    sameRun(r);
    // Each block followed through the trace by its id: thread t's i-th malloc, then (i even) its realloc, then its free, all on thread t.
    const ops = r.text.split('\n').slice(4, -1).map((line) => line.split(' '));
    const onOp = new Map(r.events.filter((e) => e.op !== null).map((e) => [e.op!, e]));
    const opsOfId = new Map<string, number[]>();
    ops.forEach((op, k) => (opsOfId.get(op[1]!) ?? opsOfId.set(op[1]!, []).get(op[1]!)!).push(k));
    const threads = new Set<number>();
    for (let t = 0; t < 4; t++) {
      const mallocs = sized(r.events, 'malloc', 3000 + t);
      assert.equal(mallocs.length, 500, `thread ${t}'s mallocs`);
      assert.equal(sized(r.events, 'realloc', 5000 + t).length, 250, `thread ${t}'s reallocs`);
      const thread = mallocs[0]!.thread;
      threads.add(thread);
      mallocs.forEach((m, i) => {
        const id = ops[m.op!]![1];
        const later = opsOfId.get(id!)!.filter((k) => k > m.op!).map((k) => [ops[k]!, k] as const);
        const expected = i % 2 === 0 ? [['r', id, String(5000 + t)], ['f', id]] : [['f', id]];
        assert.deepEqual(later.slice(0, expected.length).map(([op]) => op), expected, `thread ${t}'s block ${i}`);
        for (const [, k] of [[null, m.op!] as const, ...later.slice(0, expected.length)]) assert.equal(onOp.get(k)!.thread, thread, `thread ${t}'s block ${i}: op ${k} on its thread`);
      });
    }
    assert.equal(threads.size, 4);
    const trace = assertSoundTrace(r.text, 'threads.rep');
    assert.ok(trace.ops.length >= 4 * (500 + 250 + 500));
  });

  it('_exit, quick_exit, a segmentation fault, abort and SIGINT: the calls made before are in the trace, the status the program\'s; SIGKILL: the recording says what it lost', () => {
    const exe = program('leave', `
      #include <signal.h>
      #include <stdlib.h>
      #include <string.h>
      #include <unistd.h>
      #include <sys/resource.h>
      int main(int argc, char **argv) {
        struct rlimit none = { 0, 0 };
        setrlimit(RLIMIT_CORE, &none);
        for (int i = 0; i < 3; i++) free(malloc(4242));
        void *kept = calloc(3, 1414);
        if (strcmp(argv[1], "exit") == 0) _exit(3);
        if (strcmp(argv[1], "quick") == 0) quick_exit(4);
        if (strcmp(argv[1], "segv") == 0) *(volatile int *)kept = *(volatile int *)0;
        if (strcmp(argv[1], "abort") == 0) abort();
        if (strcmp(argv[1], "int") == 0) raise(SIGINT);
        if (strcmp(argv[1], "kill") == 0) raise(SIGKILL);
        return 0;
      }`);
    for (const [how, status] of [['exit', 3], ['quick', 4], ['segv', 139], ['abort', 134], ['int', 130]] as const) {
      const r = record(`leave-${how}.rep`, [exe, how]);
      assert.equal(r.recorded.status, status, `${how}: the status`);
      assert.equal(r.recorded.stderr, '', `${how}: the recorder said nothing`);
      assert.equal(sized(r.events, 'malloc', 4242).length, 3, `${how}: the mallocs`);
      assert.equal(sized(r.events, 'calloc', 4242).length, 1, `${how}: the calloc (3 x 1414)`);
      assert.deepEqual(r.sidecar.exit, how === 'exit' || how === 'quick' ? { status, signal: null } : { status: null, signal: { segv: 'SIGSEGV', abort: 'SIGABRT', int: 'SIGINT' }[how] });
      assert.deepEqual(r.sidecar.problems, [], `${how}: the stream ends with the recorder's end mark`);
      assertSoundTrace(r.text, `leave-${how}.rep`);
    }
    // SIGKILL cannot be caught: the calls still in the recorder's buffer are lost, and the recording says so.
    const killed = record('leave-kill.rep', [exe, 'kill']);
    assert.equal(killed.recorded.status, 137);
    assert.match(killed.recorded.stderr, /leave-kill\.rep: pid \d+, image 1: the process ended without the recorder's last write \(killed by SIGKILL, .*\): the calls after its last write, up to 1,365 \(its 64 KiB buffer\), are missing/);
    assert.equal(killed.sidecar.problems.length, 1);
    assertSoundTrace(killed.text, 'leave-kill.rep');
  });

  it('fork and exec: a child only with --follow-children, an exec in the same trace as a new image', () => {
    const exe = program('family', `
      #include <stdlib.h>
      #include <string.h>
      #include <sys/wait.h>
      #include <unistd.h>
      int main(int argc, char **argv) {
        if (argc > 1) { for (int i = 0; i < 4; i++) free(malloc(9191)); return 0; }
        for (int i = 0; i < 5; i++) free(malloc(7171));
        pid_t child = fork();
        if (child == 0) { for (int i = 0; i < 6; i++) free(malloc(6161)); exit(0); }
        waitpid(child, NULL, 0);
        void *kept = malloc(8181);
        (void)kept;
        execl(argv[0], argv[0], "again", (char *)NULL);
        return 1;
      }`);
    const alone = record('family.rep', [exe]);
    sameRun(alone);
    assert.deepEqual([7171, 6161, 8181, 9191].map((n) => sized(alone.events, 'malloc', n).length), [5, 0, 1, 4]);
    assert.equal(alone.sidecar.images.length, 2, 'the exec is a second image');
    assert.ok(alone.sidecar.counts.liveAtExec >= 1, 'the 8181 bytes kept across the exec');
    assert.deepEqual(alone.sidecar.processes, []);
    assertSoundTrace(alone.text, 'family.rep');
    const all = record('family-all.rep', [exe], ['--follow-children']);
    sameRun(all);
    assert.equal(all.sidecar.processes.length, 1);
    const child = read(join(work, all.sidecar.processes[0]!.trace));
    assert.deepEqual([7171, 6161].map((n) => sized(child.events, 'malloc', n).length), [0, 6], 'the child\'s own calls, none of the parent\'s before the fork');
    assertSoundTrace(child.text, 'the child');
  });

  it('a program that closes every descriptor it did not open and fills them with a file of its own: the file is its own, the recording goes on', () => {
    const exe = program('closer', `
      #include <fcntl.h>
      #include <stdlib.h>
      #include <string.h>
      #include <unistd.h>
      int main(void) {
        for (int i = 0; i < 5; i++) free(malloc(5151));
        for (int fd = 3; fd < 4096; fd++) close(fd);
        int out = open("closer.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
        for (int fd = out + 1; fd < 4096; fd++) dup2(out, fd);
        for (int i = 0; i < 20000; i++) free(malloc(5252));
        write(out, "mine\\n", 5);
        return 0;
      }`);
    const r = record('closer.rep', [exe]);
    sameRun(r);
    assert.equal(readFileSync(join(work, 'closer.txt'), 'utf8'), 'mine\n');
    assert.deepEqual([sized(r.events, 'malloc', 5151).length, sized(r.events, 'malloc', 5252).length], [5, 20_000], 'the calls before and after it closed the stream');
    assertSoundTrace(r.text, 'closer.rep');
  });

  it('a command that is not there is 127, a trace that cannot be written 2 before anything runs: one sentence each, nothing written', () => {
    const run = spawnSync(process.execPath, [CLI, 'record', '-o', 'none.rep', '--', 'no-such-command-here'], { cwd: work, env, encoding: 'utf8' });
    assert.equal(run.status, 127);
    assert.match(run.stderr, /^heap-inspector record: cannot run no-such-command-here: no such command\n$/);
    assert.ok(!existsSync(join(work, 'none.rep')));
    const usage = spawnSync(process.execPath, [CLI, 'record', '-o', 'x.rep'], { cwd: work, env, encoding: 'utf8' });
    assert.equal(usage.status, 2);
    assert.match(usage.stderr, /record needs a command to run/);
    const nowhere = spawnSync(process.execPath, [CLI, 'record', '-o', join('no-such-folder', 'x.rep'), '--', 'sh', '-c', 'echo ran'], { cwd: work, env, encoding: 'utf8' });
    assert.deepEqual([nowhere.status, nowhere.stdout, nowhere.stderr], [2, '', 'heap-inspector record: cannot write no-such-folder/x.rep: its folder does not exist; nothing was run\n']);
  });
});
