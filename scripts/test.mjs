// `npm test`: type-check, purity check, unit tests, and the integration suite in a real VS Code
// (installing the VS Code server and Chromium on first use); ends with one line
// `N passed, N failed` counting every check and every test, and exits non-zero if anything failed.
// Usage: node scripts/test.mjs [--only typecheck|purity|unit|webview|integration] [--grep PATTERN]

import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import Mocha from 'mocha';
import { build, bundleTests } from './build.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const only = valueOf('--only');
const grep = valueOf('--grep');
let passed = 0;
let failed = 0;

function valueOf(flag) {
  const i = args.indexOf(flag);
  return i >= 0 ? args[i + 1] : undefined;
}

function record(name, ok, detail = '') {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? '  ✔' : '  ✘'} ${name}${detail ? `\n${detail}` : ''}`);
}

/**
 * First, before the suites that need them: the Debian packages for the unit, webview and
 * integration suites (scripts/systemPackages.mjs). As root the missing ones are installed now;
 * otherwise their names and the apt-get command are said here in one line, and those suites fail
 * with the same line instead of a compiler log. Type-check and purity need nothing but Node; the
 * unit tests need ltrace only for the tests that log real programs (docs/setup.md).
 */
async function systemPackages() {
  const suites = ['unit', 'webview', 'integration'].filter((s) => !only || only === s);
  if (suites.length === 0) return;
  console.log(`\nSystem packages (for the ${suites.join(' and ')} suite${suites.length > 1 ? 's' : ''})`);
  const browser = suites.includes('webview') || suites.includes('integration');
  try {
    const { ensureSystemNeeds } = await import('./vscodeServer.mjs');
    const { present, installed } = ensureSystemNeeds({ browser, server: browser, integration: suites.includes('integration'), logs: suites.includes('unit') });
    if (installed.length > 0) console.log(`  installed with apt-get: ${installed.join(' ')}`);
    if (present.length > 0) console.log(`  present: ${present.join(' ')}`);
  } catch (err) {
    console.log(`  ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Every tsconfig is one check: the pure one has no Node or DOM types, so globals like Buffer fail. */
function typecheck() {
  console.log('\nType-check');
  for (const project of ['tsconfig.pure.json', 'tsconfig.json', 'tsconfig.extension.json', 'tsconfig.webview.json', 'tsconfig.webview-tests.json', 'tsconfig.bench.json']) {
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    const run = spawnSync(process.execPath, [tsc, '-p', project, '--pretty', 'false'], { cwd: root, encoding: 'utf8' });
    record(`tsc -p ${project}`, run.status === 0, (run.stdout + run.stderr).trim());
  }
}

/** Pure entry points bundled for a neutral platform: any vscode or Node built-in import fails to resolve. */
async function purity() {
  console.log('\nPurity (esbuild --platform=neutral)');
  for (const entry of ['src/engine/index.ts', 'src/trace/index.ts', 'src/shared/protocol.ts']) {
    // A missing entry fails: a renamed file must not turn the check off unnoticed.
    if (!existsSync(join(root, entry))) {
      record(`${entry} is pure`, false, `    ${entry} does not exist: update the list of pure entry points in scripts/test.mjs`);
      continue;
    }
    try {
      await esbuild.build({ entryPoints: [join(root, entry)], bundle: true, platform: 'neutral', write: false, logLevel: 'silent' });
      record(`${entry} is pure`, true);
    } catch (err) {
      const detail = (err.errors ?? []).map((e) => `    ${e.location?.file ?? ''}:${e.location?.line ?? ''} ${e.text}`).join('\n');
      record(`${entry} is pure`, false, detail || String(err));
    }
  }
}

function findTests(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = join(dir, d.name);
    return d.isDirectory() ? findTests(p) : d.name.endsWith('.test.ts') ? [p] : [];
  });
}

/** Unit tests: each test file bundled by esbuild (tsc only type-checks), then run by mocha in Node. */
async function unit() {
  console.log('\nUnit tests');
  await build(); // the command-line tests run dist/cli.js as a user would
  const outdir = join(root, 'out', 'test', 'unit');
  const entries = findTests(join(root, 'test', 'unit'));
  await bundleTests(entries, outdir, join(root, 'test', 'unit'));
  await runMocha(entries.map((entry) => join(outdir, relative(join(root, 'test', 'unit'), entry).replace(/\.ts$/, '.js'))));
}

async function runMocha(files) {
  const mocha = new Mocha({ reporter: 'spec', timeout: 60_000, ...(grep ? { grep } : {}) });
  for (const file of files) mocha.addFile(file);
  await new Promise((resolve) => {
    const runner = mocha.run(() => resolve());
    runner.on('pass', () => passed++);
    runner.on('fail', () => failed++);
  });
}

/** The extension inside a real VS Code (server + headless Chromium), then a UI check; a suite that cannot start fails. */
async function integration() {
  console.log('\nIntegration tests (VS Code server + Chromium)');
  try {
    const { runIntegration } = await import('./integration.mjs');
    const r = await runIntegration();
    passed += r.passed;
    failed += r.failed;
  } catch (err) {
    record('the integration suite could start', false, `    ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** The webview bundle in headless Chromium with a fake host (mocha in Node drives the page). */
async function webview() {
  console.log('\nWebview tests (Chromium)');
  try {
    const { ensureTools } = await import('./vscodeServer.mjs');
    ensureTools();
    await build();
    const outdir = join(root, 'out', 'test', 'webview');
    const entries = findTests(join(root, 'test', 'webview'));
    await bundleTests(entries, outdir, join(root, 'test', 'webview'));
    await runMocha(entries.map((e) => join(outdir, relative(join(root, 'test', 'webview'), e).replace(/\.ts$/, '.js'))));
  } catch (err) {
    record('the webview suite could start', false, `    ${err instanceof Error ? err.message : String(err)}`);
  }
}

const steps = { typecheck, purity, unit, webview, integration };
await systemPackages();
try {
  for (const [name, step] of Object.entries(steps)) {
    if (!only || only === name) await step();
  }
} catch (err) {
  failed++;
  console.error(err);
}
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
