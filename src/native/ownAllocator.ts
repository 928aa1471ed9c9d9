// The student's own allocator as a process (docs/own-allocator.md): compile their mm.c with the
// harness (harness/: the malloc lab's memlib and headers, and a driver) using the machine's C
// compiler, cached by content; run a trace through it in a child process and read back what the
// driver recorded (src/trace/own/). Node only: the command line and the extension use it.

import { childProcess, createHash } from './onDemand';
import { existsSync, mkdirSync, mkdtempSync, openSync, closeSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir, homedir } from 'node:os';
import { basename, delimiter, dirname, join, resolve } from 'node:path';
import { DRIVER_FLAGS, encodeOps, RecordingReader, timedRunProblem, type OwnRecording, type Trace } from '../trace/index';
import { buildAsync, buildSync, compilerIdentity, HARNESS_FILES, keep, planBuild, wentWell, type BuildPlan, type Step } from './ownBuild';

/** The most of the allocator's own output kept (its log). */
const MAX_LOG_BYTES = 4 * 2 ** 20;
/** The lab's MAX_HEAP. */
export const DEFAULT_MAX_HEAP = 20 * 2 ** 20;
/** An op that runs longer than this is stopped (an endless loop). */
export const DEFAULT_OP_LIMIT_MS = 5000;

/** Which edition of the lab's interface a file implements: CS:APP's mm_malloc and friends, or the CMU 64-bit lab's malloc and friends. */
export type AllocatorInterface = 'csapp' | 'cmu';

/** A compiler message in the allocator's file (or another file it includes). */
export interface CompilerMessage {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly severity: 'error' | 'warning';
  readonly message: string;
}

export type CompileResult =
  | { readonly ok: true; readonly executable: string; readonly timedExecutable: string; readonly interface: AllocatorInterface; readonly alignment: 8 | 16; readonly messages: readonly CompilerMessage[]; readonly cached: boolean }
  | { readonly ok: false; readonly reason: 'no-compiler' | 'no-file' | 'failed'; readonly text: string; readonly messages: readonly CompilerMessage[] };

export interface CompileOptions {
  /** The C compiler (default: $CC, then cc, gcc, clang on the PATH). */
  readonly cc?: string;
  /** Where compiled harnesses are kept (default: the user's cache folder). */
  readonly cacheDir?: string;
  /** The harness folder (default: the one beside the bundle). */
  readonly harnessDir?: string;
}

/** The harness folder shipped with the project: `harness/` beside `dist/` (the bundles run from dist/). */
export function defaultHarnessDir(): string {
  for (const candidate of [join(__dirname, '..', 'harness'), join(__dirname, '..', '..', 'harness')]) if (existsSync(join(candidate, 'driver.c'))) return candidate;
  return join(__dirname, '..', 'harness');
}

/** Where compiled allocators are cached: $HEAP_INSPECTOR_CACHE, else $XDG_CACHE_HOME or ~/.cache, under heap-inspector/allocators. */
export function defaultCacheDir(): string {
  const env = process.env;
  if (env.HEAP_INSPECTOR_CACHE) return env.HEAP_INSPECTOR_CACHE;
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'heap-inspector', 'allocators');
}

/** The compiler to use: the one named, else $CC, else the first of cc, gcc and clang on the PATH; null when there is none. */
export function findCompiler(cc?: string): string | null {
  const wanted = cc ?? process.env.CC;
  const names = wanted ? [wanted] : ['cc', 'gcc', 'clang'];
  for (const name of names) {
    if (name.includes('/')) {
      if (existsSync(name)) return resolve(name);
      continue;
    }
    for (const dir of (process.env.PATH ?? '').split(delimiter)) {
      const path = join(dir, name);
      if (dir && existsSync(path) && statSync(path).isFile()) return path;
    }
  }
  return null;
}

/** The edition a file implements: it defines malloc (not mm_malloc) and mm_checkheap, as the CMU lab asks. */
export function interfaceOf(source: string): AllocatorInterface {
  const definesMalloc = /\bvoid\s*\*\s*malloc\s*\(\s*size_t\b[^;]*\)\s*\{/.test(source);
  // A definition, not a prototype: some CMU-style files declare the driver's mm_malloc themselves.
  const definesMmMalloc = /\bvoid\s*\*\s*mm_malloc\s*\([^;{)]*\)\s*\{/.test(source);
  return definesMalloc && !definesMmMalloc ? 'cmu' : 'csapp';
}

/**
 * How a file with the CMU interface declares its functions, as the harness's mm.h and driver must
 * (docs/own-allocator.md): the 2016 lab on has `bool mm_init` and `bool mm_checkheap` and 16-byte
 * alignment; the earlier 64-bit lab (2013-2015) has `int mm_init` (0 or -1, as CS:APP's),
 * `void mm_checkheap` and 8-byte alignment. The compiler flags that say so, and the alignment.
 */
export function cmuDialect(source: string): { readonly flags: readonly string[]; readonly alignment: 8 | 16 } {
  const init = /\b(int|bool|_Bool)\s+mm_init\s*\(\s*(?:void)?\s*\)\s*\{/.exec(source)?.[1];
  const check = /\b(int|bool|_Bool|void)\s+mm_checkheap\s*\([^;{)]*\)\s*\{/.exec(source)?.[1];
  const flags: string[] = [];
  if (init === 'int') flags.push('-DHEAP_INSPECTOR_INT_INIT');
  if (check === 'void') flags.push('-DHEAP_INSPECTOR_VOID_CHECKHEAP');
  else if (check === 'int') flags.push('-DHEAP_INSPECTOR_INT_CHECKHEAP');
  return { flags, alignment: init === 'int' ? 8 : 16 };
}

/** The payload alignment the lab's driver checks for an edition: 8 for CS:APP, 16 for the CMU lab (8 for its 2013-2015 edition, whose mm_init returns int). */
export function alignmentOf(source: string): 8 | 16 {
  return interfaceOf(source) === 'cmu' ? cmuDialect(source).alignment : 8;
}

/** The sentence for a missing compiler: what to install. */
export const NO_COMPILER = 'No C compiler found (cc, gcc or clang on the PATH, or $CC): install one, e.g. on Debian or Ubuntu `sudo apt-get install gcc libc6-dev`, on macOS `xcode-select --install`, or name one with --cc.';

/** What compiling a file takes (ownBuild.ts), and where its executables go; or why it cannot be compiled. */
type CompilePlan =
  | { readonly done: CompileResult }
  | { readonly done: null; readonly build: BuildPlan; readonly executable: string; readonly storesExecutable: string; readonly messagesFile: string; readonly file: string; readonly edition: AllocatorInterface; readonly alignment: 8 | 16 };

/**
 * The executable is named by the hash of the file's text, the harness's, the compiler and its
 * flags, so an edit (or another compiler) compiles again and nothing else does (the harness's
 * objects are cached by their own content: ownBuild.ts).
 */
function planCompile(file: string, options: CompileOptions): CompilePlan {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (err) {
    return { done: { ok: false, reason: 'no-file', text: `Cannot read the allocator ${file}: ${err instanceof Error ? err.message : String(err)}`, messages: [] } };
  }
  const cc = findCompiler(options.cc);
  if (cc === null) return { done: { ok: false, reason: 'no-compiler', text: options.cc ? `The C compiler "${options.cc}" was not found. ${NO_COMPILER}` : NO_COMPILER, messages: [] } };
  const harness = options.harnessDir ?? defaultHarnessDir();
  const edition = interfaceOf(source);
  const alignment = alignmentOf(source);
  const flags = ['-std=gnu11', '-O2', '-g', '-DDRIVER', ...(edition === 'cmu' ? ['-DHEAP_INSPECTOR_CMU', ...cmuDialect(source).flags] : []), '-Wall', '-Wno-unused-function', '-Wno-unused-parameter'];
  const hash = createHash('sha256');
  hash.update(source).update('\0').update(compilerIdentity(cc)).update('\0').update(flags.join(' ')).update('\0').update(resolve(dirname(file)));
  for (const name of HARNESS_FILES) hash.update('\0').update(readFileSync(join(harness, name)));
  const key = hash.digest('hex').slice(0, 24);
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const executable = join(cacheDir, `${key}-${basename(file).replace(/[^A-Za-z0-9._-]/g, '_')}.exe`);
  const messagesFile = `${executable}.messages`;
  const storesExecutable = executable.replace(/\.exe$/, '.stores.exe');
  if (existsSync(executable)) {
    const kept = existsSync(messagesFile) ? readFileSync(messagesFile, 'utf8') : '';
    return { done: { ok: true, executable: existsSync(storesExecutable) ? storesExecutable : executable, timedExecutable: executable, interface: edition, alignment, messages: compilerMessages(kept, file), cached: true } };
  }
  mkdirSync(cacheDir, { recursive: true });
  // Unique to this compile: several open traces rerun at once compile the same file at the same moment.
  const building = `${executable}.${process.pid}.${Date.now()}.${++compiles}.tmp`;
  const build = planBuild(cc, flags, harness, resolve(file), ['-I', harness, '-I', dirname(resolve(file))], cacheDir, building);
  return { done: null, build, executable, storesExecutable, messagesFile, file, edition, alignment };
}

/** Compiles started by this process, to name each one's files apart. */
let compiles = 0;

type Plan = Extract<CompilePlan, { done: null }>;

/** The compiler's verdict on a plan: the plain executable's step, and whether the recording executable by stores was built. */
function finishCompile(plan: Plan, step: Step, stores: boolean): CompileResult {
  const { output, failed, status } = step;
  const messages = compilerMessages(output, plan.file);
  const { build } = plan;
  rmSync(build.scratch, { recursive: true, force: true });
  if (failed || status !== 0) {
    rmSync(build.plain.building, { force: true });
    rmSync(build.stores.building, { force: true });
    const why = failed ? `${build.cc} could not run: ${failed.message}` : `${basename(plan.file)} did not compile:\n${output.trim()}`;
    return { ok: false, reason: failed && (failed as NodeJS.ErrnoException).code === 'ENOENT' ? 'no-compiler' : 'failed', text: why, messages };
  }
  writeFileSync(plan.messagesFile, output);
  // Kept before the plain executable, whose presence says the compile is cached.
  if (stores) keep(build.stores.building, plan.storesExecutable);
  else rmSync(build.stores.building, { force: true });
  const kept = keep(build.plain.building, plan.executable);
  if (kept !== null) return { ok: false, reason: 'failed', text: `${basename(plan.file)} compiled, but its executable could not be kept in the cache: ${kept}`, messages };
  const executable = existsSync(plan.storesExecutable) ? plan.storesExecutable : plan.executable;
  return { ok: true, executable, timedExecutable: plan.executable, interface: plan.edition, alignment: plan.alignment, messages, cached: false };
}

/** Compiles `file` with the harness, or finds it compiled already (synchronous: the command line). */
export function compileAllocator(file: string, options: CompileOptions = {}): CompileResult {
  const plan = planCompile(file, options);
  if (plan.done !== null) return plan.done;
  const { plain, stores } = buildSync(plan.build);
  return finishCompile(plan, plain, stores);
}

/** The same, without blocking (the extension host). */
export async function compileAllocatorAsync(file: string, options: CompileOptions = {}, signal?: AbortSignal): Promise<CompileResult> {
  const plan = planCompile(file, options);
  if (plan.done !== null) return plan.done;
  const { plain, stores } = await buildAsync(plan.build, signal);
  // Stopped while the recording executable was built: nothing is cached, lest the plain one record from now on.
  if (signal?.aborted && wentWell(plain)) return finishCompile(plan, { ...plain, failed: new Error('the compile was stopped') }, false);
  return finishCompile(plan, plain, stores);
}

/** The compiler's messages about the allocator's file (`file:line:col: error: ...`), other files' too when the error is there. */
export function compilerMessages(output: string, file: string): CompilerMessage[] {
  const out: CompilerMessage[] = [];
  const name = basename(file);
  for (const line of output.split('\n')) {
    const m = /^(.*?):(\d+):(\d+): (fatal error|error|warning): (.*)$/.exec(line);
    if (!m) continue;
    const where = m[1]!;
    out.push({ file: where === file || basename(where) === name ? file : where, line: Number(m[2]), column: Number(m[3]), severity: m[4] === 'warning' ? 'warning' : 'error', message: m[5]! });
  }
  return out;
}

export interface RunOptions {
  readonly maxHeap?: number;
  readonly opLimitMs?: number;
  /** Call the CMU lab's mm_checkheap after every op (its output lands in the log, by op). */
  readonly checkheap?: boolean;
  /** Time the ops instead of recording them (the throughput of the lab's score). */
  readonly speed?: boolean;
}

export interface AllocatorRun {
  readonly recording: OwnRecording;
  /** What the allocator printed (stdout and stderr together), at most MAX_LOG_BYTES. */
  readonly log: string;
  /** Why the result stream could not be read, or how the process ended if it ended strangely; null when all is well. */
  readonly problem: string | null;
}

/** A run's files in a fresh folder: the op file the driver reads and the log its output goes to (open as `log`). */
interface RunFiles {
  readonly opsFile: string;
  readonly logFile: string;
  readonly log: number;
  readonly opLimitMs: number;
  /** The whole run's backstop: the driver stops an op that hangs itself; this catches the rest. */
  readonly backstopMs: number;
  /** Removes the folder (the log must be closed first). */
  remove(): void;
}

/** The set-up both runners share: the op file with the driver's flags, and the log. */
function prepareRun(trace: Trace, options: RunOptions): RunFiles {
  const opLimitMs = options.opLimitMs ?? DEFAULT_OP_LIMIT_MS;
  const flags = options.speed ? DRIVER_FLAGS.speed : DRIVER_FLAGS.record | DRIVER_FLAGS.checks | (options.checkheap ? DRIVER_FLAGS.checkheap : 0);
  const dir = mkdtempSync(join(tmpdir(), 'heap-inspector-run-'));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  try {
    const opsFile = join(dir, 'ops.bin');
    writeFileSync(opsFile, encodeOps(trace, { flags, opLimitMs, maxHeap: options.maxHeap ?? DEFAULT_MAX_HEAP }));
    const logFile = join(dir, 'log.txt');
    const log = openSync(logFile, 'w+');
    return { opsFile, logFile, log, opLimitMs, backstopMs: Math.max(60_000, opLimitMs * 4) + trace.ops.length, remove };
  } catch (err) {
    remove();
    throw err;
  }
}

/** How the process ended, when that is a problem: it could not start, a signal killed it, or it exited badly without a crash report. */
function endedBadly(error: Error | null | undefined, signal: string | null, status: number | null, crashed: boolean): string | null {
  if (error) return `it could not run: ${error.message}`;
  if (signal) return `it was killed by ${signal}`;
  return status !== 0 && !crashed ? `it exited with status ${status}` : null;
}

/** The run read back: the recording, the log's start, and the first problem (the stream's, else how the process ended). */
function finishRun(reader: RecordingReader, files: RunFiles, ended: string | null): AllocatorRun {
  const recording = reader.end();
  return { recording, log: readStart(files.logFile, MAX_LOG_BYTES), problem: reader.problem ?? ended };
}

/** Runs the trace through a compiled allocator and reads back what the driver recorded. Synchronous (the command line). */
export function runAllocator(executable: string, trace: Trace, options: RunOptions = {}): AllocatorRun {
  const files = prepareRun(trace, options);
  try {
    let run;
    try {
      run = childProcess().spawnSync(executable, [files.opsFile], { stdio: ['ignore', files.log, files.log, 'pipe'], timeout: files.backstopMs, maxBuffer: 2 ** 31 - 1, killSignal: 'SIGKILL' });
    } finally {
      closeSync(files.log);
    }
    const reader = new RecordingReader(trace.ops.length);
    const stream = run.output?.[3];
    if (stream) reader.push(new Uint8Array(stream.buffer, stream.byteOffset, stream.byteLength));
    return finishRun(reader, files, endedBadly(run.error, run.signal, run.status, reader.recording.crash !== null));
  } finally {
    files.remove();
  }
}

/** The same, without blocking (the extension host): the child runs while the event loop goes on. */
export async function runAllocatorAsync(executable: string, trace: Trace, options: RunOptions = {}, signal?: AbortSignal): Promise<AllocatorRun> {
  const files = prepareRun(trace, options);
  const reader = new RecordingReader(trace.ops.length);
  try {
    const ended = await new Promise<string | null>((done) => {
      const child = childProcess().spawn(executable, [files.opsFile], { stdio: ['ignore', files.log, files.log, 'pipe'], ...(signal ? { signal, killSignal: 'SIGKILL' as const } : {}) });
      const backstop = setTimeout(() => child.kill('SIGKILL'), files.backstopMs);
      (child.stdio[3] as NodeJS.ReadableStream).on('data', (chunk: Buffer) => reader.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)));
      child.on('error', (err) => {
        clearTimeout(backstop);
        done(endedBadly(err, null, null, false));
      });
      child.on('close', (status, signal) => {
        clearTimeout(backstop);
        done(endedBadly(null, signal, status, reader.recording.crash !== null));
      });
    });
    return finishRun(reader, files, ended);
  } finally {
    closeSync(files.log);
    files.remove();
  }
}

/** The first `max` bytes of a file as text. */
function readStart(path: string, max: number): string {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(Math.min(max, statSync(path).size));
    const n = readSync(fd, buffer, 0, buffer.length, 0);
    return buffer.subarray(0, n).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** Whether a run went through to its end (no crash, nothing wrong with the process or its stream): only such a run is timed. */
export function wentThrough(run: AllocatorRun): boolean {
  return run.recording.ended && run.recording.crash === null && run.problem === null;
}

/** The command line's runner (cli.ts's AllocatorRunner): compile, then run with recording; every failure an outcome, never a throw. */
export function cliAllocatorRunner(defaults: CompileOptions & RunOptions = {}) {
  return (file: string, trace: Trace, options: { readonly cc?: string; readonly maxHeap?: number; readonly speed?: boolean; readonly checkheap?: boolean }) => {
    const compiled = compileAllocator(file, { ...defaults, ...(options.cc !== undefined ? { cc: options.cc } : {}) });
    if (!compiled.ok) {
      if (compiled.reason !== 'failed') return { kind: 'unavailable' as const, message: compiled.text };
      return { kind: 'compile-failed' as const, message: compiled.text, notes: compiled.messages };
    }
    const opLimitMs = defaults.opLimitMs ?? DEFAULT_OP_LIMIT_MS;
    const run = runAllocator(compiled.executable, trace, { ...defaults, opLimitMs, ...(options.checkheap ? { checkheap: true } : {}), ...(options.maxHeap !== undefined ? { maxHeap: options.maxHeap } : {}) });
    // The lab's throughput: a second run, timed, without recording or checks, when the first went through.
    const timed = options.speed && wentThrough(run) ? runAllocator(compiled.timedExecutable, trace, { ...defaults, opLimitMs, speed: true, ...(options.maxHeap !== undefined ? { maxHeap: options.maxHeap } : {}) }) : null;
    return { kind: 'ran' as const, recording: run.recording, log: run.log, problem: run.problem, notes: compiled.messages, edition: compiled.interface, alignment: compiled.alignment, opLimitMs, speed: timed?.recording.speed ?? null, speedProblem: timed === null ? null : timedRunProblem(trace, timed) };
  };
}
