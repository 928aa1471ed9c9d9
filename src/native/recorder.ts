// Recording a program's allocations (docs/recording.md): the recorder library, recorder/recorder.c,
// built with the machine's C compiler and cached by content as compiled allocators are
// (ownAllocator.ts), and a command run with it preloaded, writing its streams into a folder that
// recordedFiles.ts turns into traces. Linux with glibc only.

import { childProcess, createHash } from './onDemand';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { defaultCacheDir, findCompiler, NO_COMPILER } from './ownAllocator';
import { compilerIdentity } from './ownBuild';

export type RecorderBuild =
  | { readonly ok: true; readonly library: string; readonly cached: boolean }
  | { readonly ok: false; readonly reason: 'unsupported' | 'no-compiler' | 'failed'; readonly text: string };

export interface RecorderBuildOptions {
  /** The C compiler (default: $CC, then cc, gcc, clang on the PATH). */
  readonly cc?: string;
  /** Where the built library is kept (default: the compiled allocators' cache). */
  readonly cacheDir?: string;
  /** The folder holding recorder.c (default: the one shipped beside the bundle). */
  readonly sourceDir?: string;
}

/** The recorder's files: the two compiled, and the header between them. */
const SOURCES = ['recorder.c', 'leaving.c'] as const;
const FILES = [...SOURCES, 'recorder.h'] as const;
const FLAGS = ['-std=gnu11', '-O2', '-g', '-shared', '-fPIC', '-fno-builtin', '-pthread', '-Wall'];
const COMPILE_TIMEOUT_MS = 120_000;

/** The recorder's source folder shipped with the project: `recorder/` beside `dist/`. */
export function defaultRecorderDir(): string {
  for (const candidate of [join(__dirname, '..', 'recorder'), join(__dirname, '..', '..', 'recorder')]) if (existsSync(join(candidate, 'recorder.c'))) return candidate;
  return join(__dirname, '..', 'recorder');
}

/** The recorder library, built on first use: named by the hash of its sources, the compiler and the flags. */
export function buildRecorder(options: RecorderBuildOptions = {}): RecorderBuild {
  if (process.platform !== 'linux') return { ok: false, reason: 'unsupported', text: `Recording needs Linux with glibc (it preloads a library with LD_PRELOAD); this is ${process.platform}.` };
  const cc = findCompiler(options.cc);
  if (cc === null) return { ok: false, reason: 'no-compiler', text: options.cc ? `The C compiler "${options.cc}" was not found. ${NO_COMPILER}` : NO_COMPILER };
  const dir = options.sourceDir ?? defaultRecorderDir();
  const hash = createHash('sha256').update(compilerIdentity(cc)).update('\0').update(FLAGS.join(' '));
  try {
    for (const name of FILES) hash.update('\0').update(readFileSync(join(dir, name)));
  } catch (err) {
    return { ok: false, reason: 'failed', text: `Cannot read the recorder's source in ${dir}: ${err instanceof Error ? err.message : String(err)}` };
  }
  const key = hash.digest('hex').slice(0, 24);
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const library = join(cacheDir, `${key}-recorder.so`);
  if (existsSync(library)) return { ok: true, library, cached: true };
  mkdirSync(cacheDir, { recursive: true });
  const building = `${library}.${process.pid}.${Date.now()}.tmp`;
  const run = childProcess().spawnSync(cc, [...FLAGS, '-o', building, ...SOURCES.map((name) => join(dir, name)), '-ldl'], { encoding: 'utf8', timeout: COMPILE_TIMEOUT_MS, env: { ...process.env, LC_ALL: 'C' } });
  if (run.error || run.status !== 0) {
    rmSync(building, { force: true });
    const why = run.error ? `${cc} could not run: ${run.error.message}` : `${cc} failed:\n${`${run.stdout ?? ''}${run.stderr ?? ''}`.trim()}`;
    return { ok: false, reason: (run.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT' ? 'no-compiler' : 'failed', text: `The recorder (${SOURCES.join(', ')}) did not compile: ${why}` };
  }
  renameSync(building, library);
  return { ok: true, library, cached: false };
}

export interface RecordOptions {
  /** Record the command's child processes too, each in its own stream. */
  readonly follow?: boolean;
  readonly cwd?: string;
}

/** How the command ended: its status or signal, or why it could not start. */
export interface RecordedRun {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly error: NodeJS.ErrnoException | null;
}

/** The variables the recorder reads (recorder/recorder.c's start()). */
export const RECORD_ENV = { dir: 'HEAP_INSPECTOR_RECORD_DIR', parent: 'HEAP_INSPECTOR_RECORD_PARENT', follow: 'HEAP_INSPECTOR_RECORD_FOLLOW' } as const;

/** Signals the terminal sends the whole foreground group (the command gets them itself), and the one a parent sends us alone. */
const GROUP_SIGNALS = ['SIGINT', 'SIGQUIT', 'SIGHUP'] as const;

/**
 * Runs the command with the recorder preloaded, its streams written into `dir`, its standard
 * streams the terminal's own. Resolves when it ends; SIGTERM sent to this process is passed on.
 */
export function runRecorded(command: string, args: readonly string[], library: string, dir: string, options: RecordOptions = {}): Promise<RecordedRun> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // How the editor runs the command line (docs/recording.md, "In VS Code"); a program started from a shell never has it.
  delete env.ELECTRON_RUN_AS_NODE;
  env.LD_PRELOAD = [preloadable(library, dir), process.env.LD_PRELOAD].filter((p) => p).join(':');
  env[RECORD_ENV.dir] = dir;
  env[RECORD_ENV.parent] = String(process.pid);
  if (options.follow) env[RECORD_ENV.follow] = '1';
  else delete env[RECORD_ENV.follow];
  return new Promise((done) => {
    const child = childProcess().spawn(command, args, { stdio: 'inherit', env, ...(options.cwd !== undefined ? { cwd: options.cwd } : {}) });
    const ignore = () => {};
    const forward = () => child.kill('SIGTERM');
    for (const signal of GROUP_SIGNALS) process.on(signal, ignore);
    process.on('SIGTERM', forward);
    let ended = false;
    const finish = (run: RecordedRun) => {
      if (ended) return;
      ended = true;
      for (const signal of GROUP_SIGNALS) process.off(signal, ignore);
      process.off('SIGTERM', forward);
      done(run);
    };
    child.on('error', (error) => finish({ status: null, signal: null, error }));
    child.on('exit', (status, signal) => finish({ status, signal, error: null }));
  });
}

/** LD_PRELOAD splits on spaces and colons: a library whose path has one is copied into the folder first. */
function preloadable(library: string, dir: string): string {
  if (!/[\s:]/.test(library)) return library;
  const copy = join(dir, 'recorder.so');
  copyFileSync(library, copy);
  return copy;
}
