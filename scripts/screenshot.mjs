// `node scripts/screenshot.mjs`: the README's picture, docs/images/panel.png. Replays a sample with
// the real trace layer, packs the panel's snapshot with src/extension/frames.ts, and draws it with
// the built webview bundle in headless Chromium behind a fake host (as test/webview/ does).
// Usage: node scripts/screenshot.mjs [--sample first-best-worst.heap] [--step 9] [--zoom 0] [--compare]
//          [--out docs/images/panel.png]
// --compare: with the comparison shown (first, next, best and worst fit at the same step, the panel's C).
// --study: the study view of the side bar instead of the panel, 360 pixels wide.

import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { build } from './build.mjs';
import { ensureTools, launchChromium } from './vscodeServer.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const valueOf = (flag, fallback) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : fallback);
const sample = valueOf('--sample', 'first-best-worst.heap');
const step = Number(valueOf('--step', '9'));
const out = join(root, valueOf('--out', 'docs/images/panel.png'));

/** VS Code's Light Modern colours, the variables media/webview.css reads. */
const LIGHT = {
  '--vscode-editor-background': '#ffffff',
  '--vscode-editor-foreground': '#1f1f1f',
  '--vscode-foreground': '#1f1f1f',
  '--vscode-charts-blue': '#1a85ff',
  '--vscode-charts-purple': '#652d90',
  '--vscode-charts-orange': '#d18616',
  '--vscode-charts-green': '#388a34',
  '--vscode-charts-red': '#e51400',
  '--vscode-charts-yellow': '#bf8803',
  '--vscode-focusBorder': '#005fb8',
  '--vscode-button-background': '#005fb8',
  '--vscode-button-foreground': '#ffffff',
  '--vscode-descriptionForeground': '#717171',
  '--vscode-errorForeground': '#e51400',
  '--vscode-font-family': 'sans-serif',
  '--vscode-font-size': '13px',
};

await build();
// The host's side, bundled for Node from the TypeScript sources: the same functions the panel uses.
const snapshotModule = join(root, 'out', 'screenshot', 'snapshot.mjs');
await esbuild.build({
  stdin: {
    contents: `
      import { buildEvents, buildFrame, buildSeries, traceInfo } from './src/extension/frames';
      import { formatOf, parseTrace, runTrace } from './src/trace/index';
      export function snapshot(text, name, step, compare) {
        const trace = parseTrace(text, formatOf(name));
        const run = runTrace(trace);
        const frames = ['first', 'next', 'best', 'worst'].map((policy) => ({ policy, label: policy + ' fit', frame: buildFrame(runTrace(trace, { overrides: { policy } }), step) }));
        return { type: 'snapshot', trace: traceInfo(run, 'file:///' + name, name), frame: buildFrame(run, step), series: buildSeries(run), events: buildEvents(run), compare: compare ? { frames } : null };
      }`,
    resolveDir: root,
    loader: 'ts',
  },
  outfile: snapshotModule,
  bundle: true,
  platform: 'node',
  format: 'esm',
  logLevel: 'warning',
});
const { snapshot } = await import(pathToFileURL(snapshotModule).href);
const compare = args.includes('--compare');
const study = args.includes('--study');
const pageWidth = study ? 360 : 1000;
const message = snapshot(readFileSync(join(root, 'samples', sample), 'utf8'), sample, step, compare);

ensureTools();
const browser = await launchChromium();
try {
  const page = await browser.newPage();
  const maxHeight = compare ? 2400 : 1400;
  await page.setViewportSize({ width: pageWidth, height: maxHeight });
  const fakeHost = 'window.acquireVsCodeApi = () => ({ postMessage() {}, getState() {}, setState() {} });';
  const theme = `body.vscode-light { ${Object.entries(LIGHT).map(([k, v]) => `${k}: ${v};`).join(' ')} }`;
  // The toolbars' icon font, inlined: the page has no files beside it.
  const font = readFileSync(join(root, 'dist', 'codicons', 'codicon.ttf')).toString('base64');
  const codicons = readFileSync(join(root, 'dist', 'codicons', 'codicon.css'), 'utf8').replace(/url\("\.\/codicon\.ttf[^"]*"\)/, `url("data:font/ttf;base64,${font}")`);
  // The stylesheets in the page's order (src/extension/webviewPage.ts, WEBVIEW_ASSETS): the charts', the icons', ours.
  const css = `${readFileSync(join(root, 'dist', 'uPlot.min.css'), 'utf8')}\n${codicons}\n${readFileSync(join(root, 'media', 'webview.css'), 'utf8')}`;
  await page.setContent(`<!DOCTYPE html><html><head><script>${fakeHost}</script><style>${css}\n${theme}</style></head><body class="vscode-light" data-mode="${study ? 'study' : 'panel'}"><main id="app"></main></body></html>`);
  await page.addScriptTag({ content: readFileSync(join(root, 'dist', 'webview.js'), 'utf8') });
  await page.evaluate((m) => window.postMessage(m, '*'), message);
  await page.locator('.blocks li').first().waitFor({ state: 'attached' });
  // Zoom in: the sample's blocks sit at the start of a 4 KiB chunk that is mostly one free block.
  const zoom = Number(valueOf('--zoom', '0'));
  for (let k = 0; k < zoom; k++) await page.keyboard.press('+');
  if (compare) await page.keyboard.press('c');
  // Select the block the op placed, so the details pane shows its header and footer words.
  const addr = message.frame.highlight?.block ?? message.frame.addrs[0];
  const li = page.locator(`.blocks li[data-addr="${addr}"]`);
  if ((await li.count()) > 0) {
    const { x, w, row } = await li.evaluate((e) => ({ x: Number(e.dataset.x), w: Number(e.dataset.w), row: Number(e.dataset.row) }));
    const box = await page.locator('canvas.heap').boundingBox();
    if (box) {
      await page.mouse.click(box.x + x + w / 2, box.y + row * 30 + 12);
      await page.mouse.move(0, 0);
    }
  }
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  mkdirSync(dirname(out), { recursive: true });
  // Down to the last line of the panel (the keys), not the empty page below it.
  const bottom = await page.evaluate(() => Math.max(...[...document.querySelectorAll('#app *')].map((e) => e.getBoundingClientRect().bottom)));
  await page.screenshot({ path: out, clip: { x: 0, y: 0, width: pageWidth, height: Math.min(Math.ceil(bottom) + 16, maxHeight) } });
  console.log(`${out}: ${sample} at step ${step}, ${(statSync(out).size / 1024).toFixed(0)} KB`);
} finally {
  await browser.close();
}
