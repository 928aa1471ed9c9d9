// `npm start`: builds the extension and opens it on a workspace of sample traces. With a desktop
// `code` on PATH it launches that with the extension under development; otherwise it installs the
// packaged extension into the VS Code server from the npm package code-server, serves it on
// 127.0.0.1 and prints the URL. Ctrl+C stops it and every process it started.
// Options: --port N (default: a free port), --no-wait (start, check it answers, stop: for tests).

import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from './build.mjs';
import { codeServerRoot, ensureTools, freePort, node24, OFFLINE_ENV, QUIET_SETTINGS, root, TOOLS } from './vscodeServer.mjs';

const args = process.argv.slice(2);
const noWait = args.includes('--no-wait');
const portArg = args.indexOf('--port');

await build();
const workspace = prepareWorkspace();

if (!noWait && spawnSync('sh', ['-c', 'command -v code'], { stdio: 'ignore' }).status === 0) {
  console.log('Opening desktop VS Code with Heap Inspector under development...');
  const r = spawnSync('code', ['--new-window', `--extensionDevelopmentPath=${root}`, workspace], { stdio: 'inherit' });
  process.exit(r.status ?? 0);
}

try {
  ensureTools({ browser: false });
} catch (err) {
  // A set-up problem is one sentence (what is missing or what failed, what to run, where the log is).
  console.error(`\n${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
const home = join(TOOLS, 'start');
const dataDir = join(home, 'user-data');
const extensionsDir = join(home, 'extensions');
const config = join(home, 'config.yaml');
mkdirSync(join(dataDir, 'User'), { recursive: true });
writeFileSync(config, 'auth: none\ncert: false\n');
writeFileSync(join(dataDir, 'User', 'settings.json'), JSON.stringify(QUIET_SETTINGS, null, 2));
const env = {
  ...process.env,
  ...OFFLINE_ENV, // no extension gallery, no telemetry: nothing leaves 127.0.0.1
  XDG_CONFIG_HOME: join(home, 'xdg-config'),
  XDG_DATA_HOME: join(home, 'xdg-data'),
};
const entry = join(codeServerRoot, 'out', 'node', 'entry.js');
const common = ['--config', config, '--user-data-dir', dataDir, '--extensions-dir', extensionsDir];

const vsix = join(home, 'heap-inspector.vsix');
// The README links to docs/setup.md; without a public repository vsce cannot rewrite that link and would refuse.
const pack = spawnSync(process.execPath, [join(root, 'node_modules', '@vscode', 'vsce', 'vsce'), 'package', '--no-dependencies', '--no-rewrite-relative-links', '--out', vsix], {
  cwd: root,
  encoding: 'utf8',
  env: { ...process.env, npm_config_loglevel: 'silent' },
});
if (pack.status !== 0) {
  console.error(`Packaging the extension failed:\n${pack.stdout}${pack.stderr}`);
  process.exit(1);
}
const install = spawnSync(node24, [entry, ...common, '--disable-telemetry', '--install-extension', vsix, '--force'], { env, encoding: 'utf8' });
if (install.status !== 0) {
  console.error(`Installing the extension into the VS Code server failed:\n${install.stdout}${install.stderr}`);
  process.exit(1);
}

const port = portArg >= 0 ? Number(args[portArg + 1]) : await freePort();
const server = spawn(
  node24,
  [entry, ...common, '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override', workspace],
  { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
);
let log = '';
server.stdout.on('data', (d) => (log += d));
server.stderr.on('data', (d) => (log += d));

let stopping = false;
function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  try {
    process.kill(-server.pid, 'SIGTERM');
  } catch {
    // already gone
  }
  const deadline = Date.now() + 5000;
  const wait = () => {
    try {
      process.kill(-server.pid, 0);
    } catch {
      process.exit(code);
    }
    if (Date.now() > deadline) {
      try {
        process.kill(-server.pid, 'SIGKILL');
      } catch {
        // gone
      }
      process.exit(code);
    }
    setTimeout(wait, 100);
  };
  wait();
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => stop(0));
server.on('exit', (code) => {
  if (!stopping) {
    console.error(`The VS Code server stopped (exit code ${code}).\n${log}`);
    process.exit(1);
  }
});

const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`;
const deadline = Date.now() + 30_000;
for (;;) {
  try {
    if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) break;
  } catch {
    // not yet
  }
  if (Date.now() > deadline) {
    console.error(`The VS Code server did not answer within 30 s.\n${log}`);
    stop(1);
  }
  await new Promise((r) => setTimeout(r, 200));
}
console.log(`\nHeap Inspector is running in VS Code at\n\n  ${url}\n\nOpen it in a browser on this machine. Press Ctrl+C to stop.`);
if (noWait) stop(0);

/** A workspace of sample traces in .tools/start (kept between runs, so your edits stay there). */
function prepareWorkspace() {
  const ws = join(TOOLS, 'start', 'workspace');
  mkdirSync(ws, { recursive: true });
  for (const f of readdirSync(join(root, 'samples'))) if (!existsSync(join(ws, f))) cpSync(join(root, 'samples', f), join(ws, f));
  // The malloc lab traces stay in ../shared (course material): linked, never copied.
  const malloclab = join(root, '..', 'shared', 'traces', 'malloclab');
  if (existsSync(malloclab) && !existsSync(join(ws, 'malloclab'))) symlinkSync(malloclab, join(ws, 'malloclab'));
  return ws;
}
