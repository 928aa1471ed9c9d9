// Building the student's allocator into its two executables (docs/own-allocator.md, "The harness"
// and "What the driver records"): the harness's objects compiled once per content and kept in the
// cache beside the executables, the allocator's file compiled twice (plain, and with the compiler's
// instrumentation of stores), and each executable linked from them. The build is one sequence of
// batches of compiler runs, run one after another by the command line and several at a time by the
// extension host. Node only.

import { childProcess, createHash } from './onDemand';
import { existsSync, mkdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, join } from 'node:path';

/** The harness's files: an executable's key hashes them all. */
export const HARNESS_FILES = ['driver.c', 'tracking.c', 'tracking.h', 'track_ways.h', 'track_faults.c', 'track_kernel.c', 'track_samples.c', 'track_stores.c', 'no_stores.c', 'copies.c', 'checks.c', 'checks.h', 'results.c', 'results.h', 'printed.c', 'printed.h', 'memlib.c', 'memlib.h', 'mm.h', 'config.h', 'editions.h'] as const;
/** The harness's C files, an object each, linked after the allocator's in this order. */
const HARNESS_SOURCES = HARNESS_FILES.filter((name) => name.endsWith('.c'));
/** Linked into the recording executable only (the hooks the instrumented allocator calls), and into the plain one only (the way by stores that cannot start). */
const STORES_ONLY = 'track_stores.c';
const PLAIN_ONLY = 'no_stores.c';

/** The instrumentation of stores only, by calls, without a sanitizer's runtime: GCC's flags and clang's. */
const STORES_GCC = ['-fsanitize=kernel-address', '-fsanitize-recover=kernel-address', '--param', 'asan-instrument-reads=0', '--param', 'asan-stack=0', '--param', 'asan-globals=0', '--param', 'asan-instrumentation-with-call-threshold=0'];
const STORES_CLANG = ['-fsanitize=kernel-address', '-mllvm', '-asan-instrument-reads=false', '-mllvm', '-asan-stack=false', '-mllvm', '-asan-globals=false', '-mllvm', '-asan-instrumentation-with-call-threshold=0'];

/** One of the harness's objects: where the cache keeps it (with what compiling it said, when it said anything), and how to compile it. */
interface HarnessObject {
  readonly name: string;
  readonly path: string;
  readonly said: string;
  readonly building: string;
  readonly args: readonly string[];
}

/**
 * What building takes: the allocator's file compiled plain and linked with the harness's objects
 * (the timed executable, and the recording one when the other cannot be built); that file compiled
 * with one of `stores.compiles` (the kernel-address instrumentation of stores, as GCC or clang spell
 * it; the first that compiles), then linked with the harness's hooks (track_stores.c). When none
 * compiles or the link fails (a compiler that needs another hook), the plain executable records,
 * watching pages.
 */
export interface BuildPlan {
  readonly cc: string;
  readonly env: NodeJS.ProcessEnv;
  /** This build's own folder: the compiler's temporary files and the objects before they are kept. */
  readonly scratch: string;
  readonly harness: readonly HarnessObject[];
  readonly plain: { readonly compile: readonly string[]; readonly link: readonly string[]; readonly building: string };
  readonly stores: { readonly compiles: readonly (readonly string[])[]; readonly link: readonly string[]; readonly building: string };
}

/**
 * What names a compiler in a build cache's key: its path, the file it resolves to, and that file's
 * size and time, so a compiler upgraded in place, or `cc` pointed at another compiler, builds anew
 * rather than reuse what the old one made (docs/own-allocator.md, "The harness").
 */
export function compilerIdentity(cc: string): string {
  try {
    const real = realpathSync(cc);
    const { size, mtimeMs } = statSync(real);
    return `${cc}\0${real}\0${size}\0${mtimeMs}`;
  } catch {
    return cc;
  }
}

/**
 * The plan for the allocator `file` into `building` (the plain executable) and `building.stores`.
 * Each harness object is named by the hash of the compiler, the flags, its C file and the harness
 * headers that file includes, so that it is compiled once for every allocator of an edition and
 * again only when one of them changes; the allocator's folder is not among its include paths (the
 * harness includes only its own headers).
 */
export function planBuild(cc: string, flags: readonly string[], harness: string, file: string, includes: readonly string[], cacheDir: string, building: string): BuildPlan {
  const scratch = `${building}.d`;
  const objects = join(cacheDir, 'harness-objects');
  mkdirSync(objects, { recursive: true });
  const texts = new Map<string, Buffer | null>();
  const text = (name: string) => {
    if (!texts.has(name)) texts.set(name, existsSync(join(harness, name)) ? readFileSync(join(harness, name)) : null);
    return texts.get(name) ?? null;
  };
  const compiler = compilerIdentity(cc);
  const harnessObjects = HARNESS_SOURCES.map((name): HarnessObject => {
    const hash = createHash('sha256').update(compiler).update('\0').update(flags.join(' ')).update('\0').update(name);
    for (const part of [name, ...includedBy(name, text)]) hash.update('\0').update(part).update('\0').update(text(part) ?? '');
    const path = join(objects, `${hash.digest('hex').slice(0, 24)}-${name.replace(/\.c$/, '.o')}`);
    const built = join(scratch, `harness-${name.replace(/\.c$/, '.o')}`);
    return { name, path, said: `${path}.txt`, building: built, args: [...flags, '-I', harness, '-c', '-o', built, join(harness, name)] };
  });
  const linked = (leftOut: string) => harnessObjects.filter((o) => o.name !== leftOut).map((o) => o.path);
  const mm = join(scratch, 'mm.o');
  const stores = join(scratch, 'stores.o');
  const order = basename(cc).includes('clang') ? [STORES_CLANG, STORES_GCC] : [STORES_GCC, STORES_CLANG];
  return {
    cc,
    // The compiler's own temporary files go to the build's folder, removed with it: a compile
    // stopped by SIGKILL (a save that supersedes it, the time limit) leaves nothing in /tmp.
    env: { ...process.env, LC_ALL: 'C', TMPDIR: scratch },
    scratch,
    harness: harnessObjects,
    plain: { compile: [...flags, ...includes, '-c', '-o', mm, file], link: [...flags, '-o', building, mm, ...linked(STORES_ONLY), '-lpthread'], building },
    stores: {
      compiles: order.map((how) => [...flags, ...how, ...includes, '-c', '-o', stores, file]),
      link: [...flags, '-o', `${building}.stores`, stores, ...linked(PLAIN_ONLY), '-lpthread'],
      building: `${building}.stores`,
    },
  };
}

/** The harness headers a harness file includes (`#include "name"`), and theirs, sorted. */
function includedBy(name: string, text: (name: string) => Buffer | null): string[] {
  const found = new Set<string>();
  const visit = (file: string) => {
    for (const m of (text(file)?.toString('utf8') ?? '').matchAll(/^\s*#\s*include\s+"([^"]+)"/gm)) {
      if (found.has(m[1]!)) continue;
      found.add(m[1]!);
      visit(m[1]!);
    }
  };
  visit(name);
  return [...found].sort();
}

/** One run of the compiler: what it said, and how it ended. */
export interface Step {
  readonly output: string;
  readonly failed: Error | null;
  readonly status: number | null;
}

export const wentWell = (step: Step) => step.failed === null && step.status === 0;

/** Steps one after another as one: all they said, and the first that did not go well. */
function joined(steps: readonly Step[]): Step {
  const bad = steps.find((s) => !wentWell(s));
  return { output: steps.map((s) => s.output).join(''), failed: bad?.failed ?? null, status: bad ? bad.status : 0 };
}

/** A batch of compiler runs, independent of each other. */
type Batch = readonly (readonly string[])[];

/**
 * The build: the allocator's file and the harness objects the cache lacks, then the plain link,
 * then the recording executable. Gives the plain executable's step (what the user is shown: the
 * compiler's output for the allocator, the harness and the link) and whether the recording
 * executable was built.
 */
function* build(plan: BuildPlan): Generator<Batch, { readonly plain: Step; readonly stores: boolean }, Step[]> {
  const missing = plan.harness.filter((o) => !existsSync(o.path));
  const [mm, ...made] = yield [plan.plain.compile, ...missing.map((o) => o.args)];
  const compiled = plan.harness.map((o): Step => {
    const k = missing.indexOf(o);
    if (k >= 0) return made[k]!;
    return { output: existsSync(o.said) ? readFileSync(o.said, 'utf8') : '', failed: null, status: 0 };
  });
  missing.forEach((o, k) => {
    if (wentWell(made[k]!)) keepObject(o, made[k]!.output);
  });
  let plain = joined([mm!, ...compiled]);
  if (!wentWell(plain)) return { plain, stores: false };
  plain = joined([plain, (yield [plan.plain.link])[0]!]);
  if (!wentWell(plain)) return { plain, stores: false };
  for (const args of plan.stores.compiles) {
    if (!wentWell((yield [args])[0]!)) continue;
    return { plain, stores: wentWell((yield [plan.stores.link])[0]!) };
  }
  return { plain, stores: false };
}

/** Moves a harness object into the cache, what compiling it said first (the object's presence says both are there). */
function keepObject(o: HarnessObject, output: string): void {
  if (output !== '') {
    writeFileSync(`${o.building}.txt`, output);
    if (keep(`${o.building}.txt`, o.said) !== null) return;
  }
  keep(o.building, o.path);
}

/** Moves a built file into the cache (a rename: another process sees all of it or nothing); null, or why it is not there. */
export function keep(building: string, kept: string): string | null {
  try {
    renameSync(building, kept);
  } catch (err) {
    // Another build of the same content got there first (its file is the same), or the cache went away.
    rmSync(building, { force: true });
    if (!existsSync(kept)) return err instanceof Error ? err.message : String(err);
  }
  return null;
}

/** A compile that takes longer than this is stopped. */
const COMPILE_TIMEOUT_MS = 120_000;

function stepSync(plan: BuildPlan, args: readonly string[]): Step {
  const run = childProcess().spawnSync(plan.cc, args, { encoding: 'utf8', timeout: COMPILE_TIMEOUT_MS, env: plan.env });
  return { output: `${run.stdout ?? ''}${run.stderr ?? ''}`, failed: run.error ?? null, status: run.status };
}

function stepAsync(plan: BuildPlan, args: readonly string[], signal?: AbortSignal): Promise<Step> {
  if (signal?.aborted) return Promise.resolve({ output: '', failed: new Error('the compile was stopped'), status: null });
  return new Promise((done) => {
    const child = childProcess().spawn(plan.cc, args, { env: plan.env, stdio: ['ignore', 'pipe', 'pipe'], ...(signal ? { signal, killSignal: 'SIGKILL' as const } : {}) });
    let output = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), COMPILE_TIMEOUT_MS);
    child.stdout.on('data', (d: Buffer) => void (output += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => void (output += d.toString('utf8')));
    child.on('error', (err) => {
      clearTimeout(timer);
      done({ output, failed: err, status: null });
    });
    child.on('close', (status) => {
      clearTimeout(timer);
      done({ output, failed: null, status });
    });
  });
}

/** Builds one step after another (the command line). */
export function buildSync(plan: BuildPlan): { readonly plain: Step; readonly stores: boolean } {
  mkdirSync(plan.scratch, { recursive: true });
  const steps = build(plan);
  let next = steps.next([]);
  while (!next.done) next = steps.next(next.value.map((args) => stepSync(plan, args)));
  return next.value;
}

/** Builds each batch's steps as many at a time as there are processors (the extension host). */
export async function buildAsync(plan: BuildPlan, signal?: AbortSignal): Promise<{ readonly plain: Step; readonly stores: boolean }> {
  mkdirSync(plan.scratch, { recursive: true });
  const steps = build(plan);
  let next = steps.next([]);
  while (!next.done) {
    const batch = next.value;
    const done: Step[] = [];
    let taken = 0;
    const worker = async () => {
      for (let k = taken++; k < batch.length; k = taken++) done[k] = await stepAsync(plan, batch[k]!, signal);
    };
    await Promise.all(Array.from({ length: Math.min(availableParallelism(), batch.length) }, worker));
    next = steps.next(done);
  }
  return next.value;
}
