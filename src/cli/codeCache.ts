// The command line's start-up code cache (docs/cli.md, "Start-up"): dist/cli.js is a small loader
// that compiles the program's bundle (dist/cli-main.js) with the V8 code cache kept from an earlier
// run, and after a run that had none (or whose cache V8 refused) writes one, holding the bytecode
// of every function that run compiled. What Node 22's `module.enableCompileCache()` does, for
// Node 20: about 50 ms less at every start (docs/performance.md, "Start-up").
//
// The cache is a speed-up only: whatever goes wrong with it (no home folder, a read-only disk, a
// damaged file) leaves the command running as without it, and says nothing.

import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { Script } from 'node:vm';

/** What the loader needs to know of the bundle it loads, fixed when both are built. */
export interface BundleIdentity {
  /** The bundle's file. */
  readonly file: string;
  /** A hash of the bundle's content, made by the build: a rebuilt bundle never meets an old cache. */
  readonly hash: string;
}

/**
 * The folder of the code cache: $HEAP_INSPECTOR_CODE_CACHE (`off` for none), else
 * $XDG_CACHE_HOME or ~/.cache, under heap-inspector/code. Null: no cache.
 */
export function codeCacheDir(env: NodeJS.ProcessEnv = process.env): string | null {
  const named = env.HEAP_INSPECTOR_CODE_CACHE;
  if (named === 'off' || named === '0') return null;
  if (named) return named;
  try {
    return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'heap-inspector', 'code');
  } catch {
    return null;
  }
}

/** Commands with a cache of their own: each compiles its own functions, which a cache made by another lacks. */
const COMMANDS = new Set(['run', 'compare', 'check', 'score', 'convert', 'record', 'ostep']);

/**
 * The cache file of a bundle run as `command`: by the bundle's hash, Node's version (V8's) and
 * the machine, so a Node upgrade or a rebuilt bundle start a new one rather than be refused every
 * run; and by command, since a cache holds the functions of the run that made it (one made by
 * `--version` would leave `run` compiling all of its own every time).
 */
export function codeCacheFile(dir: string, bundle: BundleIdentity, command: string | undefined): string {
  const kind = command !== undefined && COMMANDS.has(command) ? command : 'other';
  return join(dir, `cli-${bundle.hash}-${process.version}-${process.arch}-${kind}.v8cache`);
}

/** Runs the bundle as the main module, compiled with its code cache when there is a usable one. */
export function runBundle(bundle: BundleIdentity, command: string | undefined, env: NodeJS.ProcessEnv = process.env): void {
  // The build keeps the bundle ASCII (scripts/build.mjs): read as Latin-1, the same text without a UTF-8 decode.
  let source: string;
  try {
    source = readFileSync(bundle.file, 'latin1');
  } catch (err) {
    // An install missing its program (dist/cli.js copied alone): a sentence and exit 2, not a stack trace.
    process.stderr.write(`heap-inspector: cannot read its program ${bundle.file} (${(err as NodeJS.ErrnoException).code ?? String(err)}): reinstall Heap Inspector, or run \`npm run build\` in its folder.\n`);
    process.exitCode = 2;
    return;
  }
  const dir = codeCacheDir(env);
  const cacheFile = dir === null ? null : codeCacheFile(dir, bundle, command);
  let cached: Buffer | undefined;
  if (cacheFile !== null) {
    try {
      cached = readFileSync(cacheFile);
    } catch {
      cached = undefined;
    }
  }
  // The same wrapper Node gives a CommonJS module, so the bundle sees require, module, __dirname.
  const script = new Script(Module.wrap(source.startsWith('#!') ? '//' + source : source), { filename: bundle.file, cachedData: cached });
  if (cacheFile !== null && (cached === undefined || script.cachedDataRejected === true)) {
    // At exit, so the cache holds every function this run compiled, not only the top level.
    process.once('exit', () => writeCache(script, cacheFile));
  }
  const main = new Module(bundle.file, undefined);
  main.filename = bundle.file;
  main.paths = (Module as unknown as { _nodeModulePaths(from: string): string[] })._nodeModulePaths(dirname(bundle.file));
  main.loaded = true;
  const require = ((id: string) => main.require(id)) as NodeJS.Require;
  const wrapper = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: Module, filename: string, dirname: string) => void;
  wrapper.call(main.exports, main.exports, require, main, bundle.file, dirname(bundle.file));
}

/** Writes the script's code cache under a temporary name, then renames it: a reader never sees half of one. */
function writeCache(script: Script, file: string): void {
  const temp = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(temp, script.createCachedData());
    renameSync(temp, file);
    pruneOld(dirname(file), basename(file));
  } catch {
    try {
      rmSync(temp, { force: true });
    } catch {
      // Nothing to tidy, or nothing can be: the next run tries again.
    }
  }
}

/** A cache file of another build or Node left this long unwritten is removed when a new one is written. */
export const STALE_CACHE_MS = 7 * 24 * 3600 * 1000;

/**
 * Removes what a rebuilt program or another Node left behind: cache files (and temporary ones) of
 * the command line not `kept` and not written for STALE_CACHE_MS. A cache in use by another
 * build is at worst written again by its next run.
 */
function pruneOld(dir: string, kept: string): void {
  const now = Date.now();
  for (const name of readdirSync(dir)) {
    if (name === kept || !/^cli-[0-9a-f]{16}-.+\.v8cache(\.\d+\.tmp)?$/.test(name)) continue;
    const path = join(dir, name);
    try {
      if (now - statSync(path).mtimeMs > STALE_CACHE_MS) rmSync(path, { force: true });
    } catch {
      // Gone already, or not ours to remove.
    }
  }
}
