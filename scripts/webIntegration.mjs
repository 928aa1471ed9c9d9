// The browser build in a real web worker extension host (docs/testing.md, "The browser build"): the
// same dist/ packaged as a variant whose package.json has a `browser` entry and no `main` (so the
// VS Code server from code-server runs it in the workbench's web worker, not in Node), installed
// into a fresh server, and used in headless Chromium as a person would. Offline: 127.0.0.1 only.

import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { codeServerRoot, node24, OFFLINE_ENV, paletteCommand, root, startServer } from './vscodeServer.mjs';

/** What the variant ships: the bundles, grammars, samples and docs (no harness or recorder: they need a process). */
const SHIPPED = ['dist', 'media', 'syntaxes', 'language-configuration', 'samples', 'docs', 'README.md', 'CHANGELOG.md', 'LICENSE', '.vscodeignore'];
/** A key that runs Score My Allocator, which the palette hides in the browser: "invoked anyway". */
const SCORE_KEY = 'Shift+Alt+F9';

/** Packages the built extension as the browser-only variant; returns the .vsix path. */
export function packageWebVariant() {
  const dir = mkdtempSync(join(tmpdir(), 'heap-inspector-web-'));
  for (const entry of SHIPPED) cpSync(join(root, entry), join(dir, entry), { recursive: true });
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  delete pkg.main;
  delete pkg.bin;
  delete pkg.scripts;
  writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
  const vsix = join(dir, 'heap-inspector-web.vsix');
  const pack = spawnSync(process.execPath, [join(root, 'node_modules', '@vscode', 'vsce', 'vsce'), 'package', '--no-dependencies', '--no-rewrite-relative-links', '--out', vsix], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, npm_config_loglevel: 'silent' },
  });
  if (pack.status !== 0) throw new Error(`packaging the browser variant failed:\n${pack.stdout}${pack.stderr}`);
  return vsix;
}

/** Installs the .vsix into a new extensions folder with the code-server CLI (as npm start does); returns the folder. */
export function installInto(vsix) {
  const home = mkdtempSync(join(tmpdir(), 'heap-inspector-web-install-'));
  const extensionsDir = join(home, 'extensions');
  const args = [join(codeServerRoot, 'out', 'node', 'entry.js'), '--user-data-dir', join(home, 'user-data'), '--extensions-dir', extensionsDir, '--disable-telemetry', '--install-extension', vsix, '--force'];
  const env = { ...process.env, ...OFFLINE_ENV, XDG_CONFIG_HOME: join(home, 'xdg-config'), XDG_DATA_HOME: join(home, 'xdg-data') };
  const r = spawnSync(node24, args, { env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`installing the browser variant failed:\n${r.stdout}${r.stderr}`);
  return extensionsDir;
}

/** A notification's text, from its toast or (the headless window keeps toasts back) the notification centre. */
async function notification(page, wanted) {
  const toast = page.locator('.notifications-toasts .notification-toast', { hasText: wanted });
  if (await toast.first().waitFor({ timeout: 5_000 }).then(() => true, () => false)) return toast.first().innerText();
  const center = page.locator('.notifications-center .notification-list-item', { hasText: wanted });
  await paletteCommand(page, 'Notifications: Show Notifications');
  await center.first().waitFor({ timeout: 20_000 });
  return center.first().innerText();
}

/**
 * The checks on one page of a workbench with only the browser variant installed, then the long
 * trace check of scripts/integration.mjs (passed in) on another. Returns results as { name, ok, error }.
 */
export async function runWebChecks(browser, { makeWorkspace, artifacts, longTraceCheck, exerciseCheck }) {
  const vsix = packageWebVariant();
  // Once installed, the packaging folder is no longer needed: nothing is left behind in /tmp.
  const extensionsDir = (() => {
    try {
      return installInto(vsix);
    } finally {
      rmSync(dirname(vsix), { recursive: true, force: true });
    }
  })();
  const server = await startServer({ extensionsDir, keybindings: [{ key: SCORE_KEY.toLowerCase(), command: 'heapInspector.scoreMyAllocator' }] });
  const workspace = makeWorkspace();
  const page = await browser.newPage();
  const results = [];
  const check = async (name, run) => {
    try {
      await run();
      results.push({ name, ok: true });
    } catch (err) {
      await page.screenshot({ path: join(artifacts, `web-${results.length}-failed.png`) }).catch(() => {});
      results.push({ name, ok: false, error: err instanceof Error ? err.message.split('\n')[0] : String(err) });
    }
  };
  try {
    mkdirSync(artifacts, { recursive: true });
    await page.goto(`http://127.0.0.1:${server.port}/?folder=${encodeURIComponent(workspace)}`);
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    const editor = page.locator('.editor-instance .monaco-editor').first();
    /** Opens a sample from the Explorer and puts the cursor in it (the commands act on the active editor). */
    const focus = async (name) => {
      await page.locator('.explorer-folders-view .monaco-list-row', { hasText: name }).click();
      const group = page.locator('.editor-group-container.active');
      await group.locator('.tab.active', { hasText: name }).waitFor({ timeout: 30_000 });
      await group.locator('.editor-instance .view-line').first().click();
    };
    await check('web: a trace opens with its lenses and status bar', async () => {
      const file = page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'first-best-worst.heap' });
      await file.waitFor({ timeout: 60_000 });
      await file.click();
      await editor.locator('.codelens-decoration', { hasText: 'best fit · csapp · 10 ops · heap 4112 B' }).first().waitFor({ timeout: 60_000 });
      await editor.locator('.codelens-decoration', { hasText: '-> 0x0090 · block 48 B · whole block' }).first().waitFor({ timeout: 30_000 });
      await page.locator('.statusbar', { hasText: 'best fit · 8.9%' }).waitFor({ timeout: 30_000 });
    });
    await check('web: the extension runs in the web worker extension host (typeof process is undefined there)', async () => {
      if (!(await paletteCommand(page, 'Heap Inspector: Show Output'))) throw new Error('Show Output is not in the palette');
      // The line activate.ts writes from `typeof process`; the output may wrap it over several view lines.
      for (let i = 0; ; i++) {
        const text = (await page.locator('.view-line').allInnerTexts()).join('').replace(/\s+/g, ' ');
        if (text.includes('Heap Inspector activated in the web worker extension host')) break;
        if (i === 40) throw new Error(`the output does not say the extension runs in the web worker host:\n${text.slice(0, 400)}`);
        await page.waitForTimeout(500);
      }
    });
    await check('web: Run Trace reports', async () => {
      await focus('first-best-worst.heap');
      if (!(await paletteCommand(page, 'Heap Inspector: Run Trace'))) throw new Error('Run Trace is not in the palette');
      const text = await notification(page, 'first-best-worst.heap: heap 4112 bytes');
      if (!/utilisation 8\.85%, 10 ops \(best fit, csapp preset\)/.test(text)) throw new Error(`unexpected notification: ${text}`);
    });
    await check('web: a trace with an overflow shows its diagnostics', async () => {
      await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'overflow.heap' }).click();
      await editor.locator('.view-line', { hasText: 'OVERFLOW' }).first().waitFor({ timeout: 30_000 });
      await editor.locator('.squiggly-error').first().waitFor({ timeout: 30_000 });
    });
    await check('web: Compare Policies shows every policy', async () => {
      await focus('first-best-worst.heap');
      if (!(await paletteCommand(page, 'Heap Inspector: Compare Policies'))) throw new Error('Compare Policies is not in the palette');
      await page.locator('.tab', { hasText: 'every policy' }).first().waitFor({ timeout: 30_000 });
      await page.locator('.editor-instance .view-line', { hasText: /worst/ }).first().waitFor({ timeout: 30_000 });
    });
    await check('web: the heap panel opens and steps', async () => {
      await focus('first-best-worst.heap');
      if (!(await paletteCommand(page, 'Heap Inspector: Open Heap Panel'))) throw new Error('Open Heap Panel is not in the palette');
      const view = page.frameLocator('iframe.webview').first().frameLocator('#active-frame');
      await view.locator('.op', { hasText: /Line \d+: / }).first().waitFor({ timeout: 30_000 });
      await view.getByRole('button', { name: 'Last op', exact: true }).click();
      await view.locator('.op', { hasText: 'Line 22: -> 0x0090' }).waitFor({ timeout: 15_000 });
      await view.getByRole('button', { name: 'Step back', exact: true }).click();
      await view.locator('.op', { hasText: 'Line 15: free -> 208 B free' }).waitFor({ timeout: 15_000 });
      await page.screenshot({ path: join(artifacts, 'web-heap-panel.png') });
    });
    await check('web: the desktop-only commands are not in the palette, and invoked anyway say they need the desktop app', async () => {
      await focus('first-best-worst.heap');
      for (const title of ['Heap Inspector: Score My Allocator', 'Heap Inspector: Run My Allocator']) {
        if (await paletteCommand(page, title, 1)) throw new Error(`"${title}" is in the palette`);
      }
      // Invoked anyway: by a key the user's keybindings.json binds to it.
      await paletteCommand(page, 'Notifications: Clear All Notifications');
      await focus('first-best-worst.heap');
      await page.keyboard.press(SCORE_KEY);
      await notification(page, 'Score My Allocator needs the desktop VS Code app');
    });
    await check('web: Convert Trace opens the other format in a new untitled editor', async () => {
      await focus('tiny.rep');
      if (!(await paletteCommand(page, 'Heap Inspector: Convert Trace'))) throw new Error('Convert Trace is not in the palette');
      await page.locator('.tab.active', { hasText: 'Untitled' }).waitFor({ timeout: 30_000 });
      await page.locator('.editor-group-container.active .view-line', { hasText: 'p0 = malloc(24)' }).first().waitFor({ timeout: 30_000 });
    });
    // Last on this page: it leaves the Heap Inspector container showing instead of the Explorer.
    await check('web: the study side view shows the active trace', async () => {
      await focus('first-best-worst.heap');
      await page.locator('.activitybar .action-item a[aria-label^="Heap Inspector"]').first().click();
      // The study view is the webview whose page says data-mode="study" (the heap panel may be open too).
      const study = async () => {
        for (let k = 0; k < (await page.locator('iframe.webview').count()); k++) {
          const frame = page.frameLocator('iframe.webview').nth(k).frameLocator('#active-frame');
          if ((await frame.locator('body[data-mode="study"]').count()) > 0) return frame;
        }
        return null;
      };
      let view = null;
      for (let i = 0; i < 60 && view === null; i++) {
        view = await study();
        if (view === null) await page.waitForTimeout(500);
      }
      if (view === null) throw new Error('no study view appeared');
      await view.locator('.title', { hasText: 'first-best-worst.heap' }).waitFor({ timeout: 30_000 });
      await view.locator('.op', { hasText: /Line \d+: |initial heap/ }).first().waitFor({ timeout: 30_000 });
    });
    // New OSTEP Exercise as a student uses it (scripts/integration.mjs's check, on this workbench).
    const exercise = makeWorkspace();
    const e = await exerciseCheck(browser, server.port, exercise, `http://127.0.0.1:${server.port}/?folder=${encodeURIComponent(exercise)}`, 'web-');
    results.push({ name: 'web: New OSTEP Exercise asks for its flags and opens the exercise with its answers hidden until asked', ...e });
    // The long replay in the worker: sliced, under a progress notification whose Cancel stops it (scripts/integration.mjs's check, on this workbench).
    const long = makeWorkspace();
    const r = await longTraceCheck(browser, server.port, long, `http://127.0.0.1:${server.port}/?folder=${encodeURIComponent(long)}`, 'web-');
    results.push({ name: 'web: a million-line trace replays in slices in the worker under a progress notification whose Cancel stops it; the status bar resumes it', ...r });
  } finally {
    await page.close().catch(() => {});
    server.stop();
    rmSync(join(extensionsDir, '..'), { recursive: true, force: true });
  }
  return results;
}

/** On its own: node scripts/webIntegration.mjs (after a build). */
if (process.argv[1] && new URL(import.meta.url).pathname === process.argv[1]) {
  const { launchChromium } = await import('./vscodeServer.mjs');
  const { makeWorkspace, removeWorkspaces, ARTIFACTS, longTraceCheck, exerciseCheck } = await import('./integration.mjs');
  const { build } = await import('./build.mjs');
  await build();
  const browser = await launchChromium();
  const results = await runWebChecks(browser, { makeWorkspace, artifacts: ARTIFACTS, longTraceCheck, exerciseCheck }).finally(async () => {
    await browser.close();
    removeWorkspaces();
  });
  for (const r of results) console.log(`  ${r.ok ? '✔' : '✘'} ${r.name}${r.ok ? '' : `\n    ${r.error}`}`);
  process.exit(results.every((r) => r.ok) ? 0 : 1);
}
