// The Debian packages the project's scripts and tests need: one list, each entry with why and how
// to tell it is there. `ensureSystemPackages` runs before `npm test` and `npm start` install
// anything: as root it installs what is missing with apt-get, otherwise it stops with one line
// naming what is missing and the command to run. `installFailure` turns a failed install's log
// into one sentence. docs/setup.md explains the list; test/unit/scripts tests these functions.
// No import.meta here: the unit tests bundle this file as CommonJS.

import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, fstatSync, openSync, readSync } from 'node:fs';

/** The steps that need system packages; `ensureSystemPackages` takes a list of these. */
export const PURPOSES = {
  server: "building the VS Code server (node-gyp compiles code-server's native modules)",
  browser: 'the webview and UI tests (headless Chromium)',
  integration: "the integration suite's own commands",
  logs: "the unit tests that log a real program's allocations with ltrace and convert the log",
};

/**
 * Every Debian package the scripts and tests need. `file`: it is present when that file exists;
 * `dpkg`: when dpkg-query says the package is installed (where a file is not enough). Packages
 * that every Debian system has (Essential: sh, coreutils, grep, tar) are not listed.
 */
export const SYSTEM_PACKAGES = [
  {
    name: 'python3',
    for: 'server',
    why: 'node-gyp runs gyp, a Python program, to write the makefiles of each native module',
    // /usr/bin/python3 alone comes from python3-minimal, without the standard library gyp uses.
    dpkg: 'python3',
  },
  {
    name: 'make',
    for: 'server',
    why: 'node-gyp builds every native module with make',
    file: '/usr/bin/make',
  },
  {
    name: 'g++',
    for: 'server',
    why: 'the C++ compiler and its standard library headers: kerberos, @vscode/spdlog, @vscode/sqlite3, @vscode/native-watchdog, ssh2 and cpu-features are C++',
    file: '/usr/bin/g++',
  },
  {
    name: 'gcc',
    for: 'server',
    why: "the C compiler cc: @vscode/sqlite3's bundled SQLite and cpu-features are C (later features compile C with it too)",
    file: '/usr/bin/cc',
  },
  {
    name: 'libc6-dev',
    for: 'server',
    why: 'the C library headers (stdlib.h, dlfcn.h, pty.h, sys/auxv.h, ...) every native module includes',
    file: '/usr/include/stdlib.h',
  },
  {
    name: 'libkrb5-dev',
    for: 'server',
    why: "kerberos (VS Code's proxy authentication) includes gssapi/gssapi.h and krb5.h; it loads the Kerberos library only when used",
    file: '/usr/include/gssapi/gssapi.h',
  },
  {
    name: 'chromium',
    for: 'browser',
    why: 'the webview tests and the integration UI checks drive headless Chromium through playwright-core',
    file: '/usr/bin/chromium',
  },
  {
    name: 'procps',
    for: 'integration',
    why: "ps: the npm start check looks for processes left behind after Ctrl+C (without ps it would find none and pass whatever happened)",
    file: '/usr/bin/ps',
  },
  {
    name: 'ltrace',
    for: 'logs',
    why: 'the unit tests run small C programs under `ltrace -e malloc+free+realloc+calloc` (with -f and -tt too) and check that heap-inspector convert reads back exactly what they did',
    file: '/usr/bin/ltrace',
  },
];

/** A problem with the machine's set-up, said in one sentence: the scripts print its message, never a stack. */
export class SetupError extends Error {
  name = 'SetupError';
}

/** What the checks ask of the machine; the unit tests pass a fake one. */
export const machine = {
  isRoot: () => process.getuid?.() === 0,
  hasFile: (path) => existsSync(path),
  dpkgInstalled: (name) => {
    const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', name], { encoding: 'utf8' });
    return r.status === 0 && r.stdout.trim() === 'install ok installed';
  },
  /** Runs a command with its output appended to `logFile`; returns its exit status and that output. */
  run: (command, args, { env = process.env, cwd, logFile }) => runLogged(command, args, { env, cwd, logFile }),
};

/** Runs `command` with stdout and stderr appended to `logFile` as they come; returns the status and this run's part of the log. */
export function runLogged(command, args, { env = process.env, cwd, logFile }) {
  const fd = openSync(logFile, 'a');
  const start = fstatSync(fd).size;
  let r;
  try {
    r = spawnSync(command, args, { cwd, env, stdio: ['ignore', fd, fd] });
  } finally {
    closeSync(fd);
  }
  return { status: r.error ? -1 : (r.status ?? -1), output: readFrom(logFile, start) + (r.error ? `\nerror: ${r.error.message}` : '') };
}

function readFrom(path, start) {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const buffer = Buffer.alloc(Math.max(0, size - start));
    readSync(fd, buffer, 0, buffer.length, start);
    return buffer.toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** How the probe found a package missing, in words ("no /usr/bin/chromium"). */
export function absence(pkg) {
  return pkg.file ? `no ${pkg.file}` : `dpkg-query: ${pkg.dpkg} not installed`;
}

/** "libkrb5-dev (no /usr/include/gssapi/gssapi.h), chromium (no /usr/bin/chromium)" */
function described(pkgs) {
  return pkgs.map((pkg) => `${pkg.name} (${absence(pkg)})`).join(', ');
}

export function isPresent(pkg, probe = machine) {
  return pkg.file ? probe.hasFile(pkg.file) : probe.dpkgInstalled(pkg.dpkg);
}

/** The packages the given purposes need (in the list's order). */
export function packagesFor(purposes) {
  for (const p of purposes) if (!(p in PURPOSES)) throw new Error(`unknown purpose ${p}`);
  return SYSTEM_PACKAGES.filter((pkg) => purposes.includes(pkg.for));
}

export function missingPackages(purposes, probe = machine) {
  return packagesFor(purposes).filter((pkg) => !isPresent(pkg, probe));
}

/** The exact command that installs `names`: with sudo unless already root. */
export function installCommand(names, { root = false } = {}) {
  return `${root ? '' : 'sudo '}apt-get install -y ${names.join(' ')}`;
}

/** The one line a user without root sees: what is missing, how it was told, and the command. */
export function missingLine(missing, { root = false, rerun = 'the same command' } = {}) {
  const what = described(missing);
  return `Missing Debian package${missing.length > 1 ? 's' : ''} ${what}: run \`${installCommand(missing.map((pkg) => pkg.name), { root })}\`, then ${rerun} again (docs/setup.md says why each is needed).`;
}

// Per probe: whether apt-get update ran in this process, and an install that failed (not retried).
const aptUpdated = new WeakSet();
const aptFailed = new WeakMap();

/**
 * Makes sure the packages for `purposes` are there. Returns `{ present, installed }` (names).
 * As root, installs what is missing (apt-get update once, then one apt-get install -y, output in
 * `logFile`); otherwise throws a SetupError whose message is `missingLine`.
 */
export function ensureSystemPackages(purposes, { probe = machine, logFile, log = () => {}, rerun = 'the same command' } = {}) {
  const wanted = packagesFor(purposes);
  const missing = wanted.filter((pkg) => !isPresent(pkg, probe));
  if (missing.length === 0) return { present: wanted.map((pkg) => pkg.name), installed: [] };
  const root = probe.isRoot();
  if (!root) throw new SetupError(missingLine(missing, { rerun }));
  if (aptFailed.has(probe)) throw aptFailed.get(probe);
  const names = missing.map((pkg) => pkg.name);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const apt = (args) => {
    const r = probe.run('apt-get', args, { env, logFile });
    if (r.status === 0) return;
    const reason = r.output.match(/^(?:E:|Err:\d*) .*$/gm)?.at(-1).trim() ?? `exit code ${r.status}`;
    const error = new SetupError(`\`apt-get ${args.join(' ')}\` failed (${reason}), so ${names.join(', ')} could not be installed; fix that or run \`${installCommand(names, { root })}\` yourself, then ${rerun} again (full log: ${logFile}).`);
    aptFailed.set(probe, error);
    throw error;
  };
  log(`installing Debian packages ${names.join(' ')} with apt-get (output in ${logFile})`);
  if (!aptUpdated.has(probe)) {
    apt(['update']);
    aptUpdated.add(probe);
  }
  apt(['install', '-y', ...names]);
  const still = missing.filter((pkg) => !isPresent(pkg, probe));
  if (still.length > 0) {
    const error = new SetupError(`apt-get installed ${names.join(' ')} but ${described(still)} still cannot be found (full log: ${logFile}).`);
    aptFailed.set(probe, error);
    throw error;
  }
  return { present: wanted.filter((pkg) => !names.includes(pkg.name)).map((pkg) => pkg.name), installed: names };
}

/** An npm log's lines without npm's nested `npm error ` prefixes. */
function npmLines(output) {
  return output.split('\n').map((line) => line.replace(/^(?:npm (?:error|ERR!) )+/, '').trimEnd());
}

/** The package whose install script failed: the deepest `npm error path .../node_modules/<name>`. */
export function failingPackage(output) {
  const paths = [...output.matchAll(/^(?:npm (?:error|ERR!) )+path (.*)$/gm)].map((m) => m[1].trim());
  const deepest = paths[paths.length - 1];
  return deepest?.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\/?$/)?.[1];
}

/** The first line of an install's log that says what went wrong (a compiler error, an npm error code, a refusal). */
export function firstCause(output) {
  for (const line of npmLines(output)) {
    const compiler = line.match(/\b((?:fatal )?error: .*)$/);
    if (compiler && !/^gyp ERR!/.test(line)) return compiler[1].trim();
    if (/^code [A-Z][A-Z0-9_]+$/.test(line)) return line.trim();
    if (/^ERROR: /.test(line)) return line.slice('ERROR: '.length).trim();
  }
  return undefined;
}

/**
 * One sentence for a failed install: what failed, the log's first error, what to run, and where
 * the full log is. `missing`: listed packages found missing after the failure, named with the
 * command that installs them (the likeliest cause, but the log's error is quoted all the same).
 */
export function installFailure({ what, status, output, logFile, missing = [], root = false, rerun = 'the same command' }) {
  const pkg = failingPackage(output);
  const cause = firstCause(output);
  const failed = `${what} failed${pkg ? ` in ${pkg}'s install script` : ''}${cause ? ` with "${cause}"` : ` (exit code ${status})`}`;
  const next = missing.length > 0
    ? `, and ${described(missing)} ${missing.length > 1 ? 'are' : 'is'} missing now: run \`${installCommand(missing.map((p) => p.name), { root })}\`, then ${rerun} again`
    : `: see docs/setup.md ("If the install fails"), then run ${rerun} again, which starts the install afresh`;
  return `${failed}${next} (full log: ${logFile}).`;
}
