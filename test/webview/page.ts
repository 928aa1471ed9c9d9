// Shared by the webview tests: the four VS Code themes as CSS variables, and the panel's page
// served as VS Code serves it: the HTML and content security policy of
// src/extension/webviewHtml.ts, its stylesheets and bundle fetched from the webview's origin, so a
// style or script the CSP refuses fails the test as it would fail in VS Code.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { beforeFrame } from '../../src/extension/diagramFrames';
import { buildEvents, buildFrame, buildSeries, traceInfo } from '../../src/extension/frames';
import type { HostMessage } from '../../src/shared/protocol';
import type { TraceRun } from '../../src/trace/index';
import { WEBVIEW_ASSETS, webviewPage } from '../../src/extension/webviewPage';

const ROOT = process.cwd();

export const THEMES = {
  'vscode-light': { '--vscode-editor-background': '#ffffff', '--vscode-editor-foreground': '#1f1f1f', '--vscode-foreground': '#1f1f1f', '--vscode-charts-blue': '#1a85ff', '--vscode-charts-purple': '#652d90', '--vscode-charts-orange': '#d18616', '--vscode-charts-green': '#388a34', '--vscode-charts-red': '#e51400', '--vscode-charts-yellow': '#bf8803', '--vscode-focusBorder': '#005fb8', '--vscode-button-background': '#005fb8', '--vscode-button-foreground': '#ffffff', '--vscode-descriptionForeground': '#717171', '--vscode-errorForeground': '#e51400', '--vscode-icon-foreground': '#3b3b3b', '--vscode-toolbar-hoverBackground': '#b8b8b850', '--vscode-inputOption-activeBackground': '#bed6ed', '--vscode-inputOption-activeBorder': '#005fb8', '--vscode-dropdown-background': '#ffffff', '--vscode-dropdown-foreground': '#3b3b3b', '--vscode-dropdown-border': '#cecece' },
  'vscode-dark': { '--vscode-editor-background': '#1f1f1f', '--vscode-editor-foreground': '#cccccc', '--vscode-foreground': '#cccccc', '--vscode-charts-blue': '#3794ff', '--vscode-charts-purple': '#b180d7', '--vscode-charts-orange': '#d18616', '--vscode-charts-green': '#89d185', '--vscode-charts-red': '#f14c4c', '--vscode-charts-yellow': '#cca700', '--vscode-focusBorder': '#0078d4', '--vscode-button-background': '#0078d4', '--vscode-button-foreground': '#ffffff', '--vscode-descriptionForeground': '#9d9d9d', '--vscode-errorForeground': '#f85149', '--vscode-icon-foreground': '#cccccc', '--vscode-toolbar-hoverBackground': '#5a5d5e50', '--vscode-inputOption-activeBackground': '#2489db82', '--vscode-inputOption-activeBorder': '#2488db', '--vscode-dropdown-background': '#313131', '--vscode-dropdown-foreground': '#cccccc', '--vscode-dropdown-border': '#3c3c3c' },
  'vscode-high-contrast': { '--vscode-editor-background': '#000000', '--vscode-editor-foreground': '#ffffff', '--vscode-foreground': '#ffffff', '--vscode-charts-blue': '#3794ff', '--vscode-charts-purple': '#b180d7', '--vscode-charts-orange': '#d18616', '--vscode-charts-green': '#89d185', '--vscode-charts-red': '#f14c4c', '--vscode-charts-yellow': '#ffff00', '--vscode-focusBorder': '#f38518', '--vscode-button-background': '#000000', '--vscode-button-foreground': '#ffffff', '--vscode-descriptionForeground': '#ffffff', '--vscode-errorForeground': '#f48771', '--vscode-icon-foreground': '#ffffff', '--vscode-toolbar-hoverOutline': '#f38518', '--vscode-contrastBorder': '#6fc3df', '--vscode-contrastActiveBorder': '#f38518', '--vscode-inputOption-activeBorder': '#6fc3df', '--vscode-dropdown-background': '#000000', '--vscode-dropdown-foreground': '#ffffff', '--vscode-dropdown-border': '#6fc3df' },
  'vscode-high-contrast-light': { '--vscode-editor-background': '#ffffff', '--vscode-editor-foreground': '#000000', '--vscode-foreground': '#292929', '--vscode-charts-blue': '#1a85ff', '--vscode-charts-purple': '#652d90', '--vscode-charts-orange': '#d18616', '--vscode-charts-green': '#388a34', '--vscode-charts-red': '#e51400', '--vscode-charts-yellow': '#bf8803', '--vscode-focusBorder': '#006bbd', '--vscode-button-background': '#0f4a85', '--vscode-button-foreground': '#ffffff', '--vscode-descriptionForeground': '#292929', '--vscode-errorForeground': '#b5200d', '--vscode-icon-foreground': '#292929', '--vscode-toolbar-hoverOutline': '#006bbd', '--vscode-contrastBorder': '#0f4a85', '--vscode-contrastActiveBorder': '#006bbd', '--vscode-inputOption-activeBorder': '#0f4a85', '--vscode-dropdown-background': '#ffffff', '--vscode-dropdown-foreground': '#292929', '--vscode-dropdown-border': '#0f4a85' },
} as const;

export function themeCss(): string {
  return Object.entries(THEMES)
    .map(([cls, vars]) => `body.${cls} { ${Object.entries(vars).map(([k, v]) => `${k}: ${v};`).join(' ')} }`)
    .join('\n');
}

/** The repository's own Chromium launcher (Debian's chromium, 127.0.0.1 only), loaded at run time. */
export async function launchBrowser(): Promise<BrowserContext> {
  const server = pathToFileURL(join(ROOT, 'scripts', 'vscodeServer.mjs')).href;
  const { launchChromium } = (await import(server)) as { launchChromium: () => Promise<BrowserContext> };
  return launchChromium();
}

/** The snapshot the host sends for `run` at `step`, as if from the trace file `name`. */
export function snapshotOf(run: TraceRun, step: number, name: string): Extract<HostMessage, { type: 'snapshot' }> {
  return { type: 'snapshot', trace: traceInfo(run, `file:///${name}`, name), frame: buildFrame(run, step), series: buildSeries(run), events: buildEvents(run), compare: null };
}

/** What the view posted to the fake host so far. */
export const postedBy = (page: Page): Promise<Record<string, unknown>[]> => page.evaluate(() => (window as unknown as { posted: Record<string, unknown>[] }).posted);

/** Sends `message` to the view as the host would. */
export const sendTo = (page: Page, message: unknown): Promise<void> => page.evaluate((m) => window.postMessage(m, '*'), message as object);

/** Resolves once every message sent so far has been handled (a posted message is a later event, delivered in order). */
export const settledOn = (page: Page): Promise<void> =>
  page.evaluate(
    () =>
      new Promise<void>((resolve) => {
        const probe = (e: MessageEvent) => {
          if (e.data !== 'test-probe') return;
          window.removeEventListener('message', probe);
          resolve();
        };
        window.addEventListener('message', probe);
        window.postMessage('test-probe', '*');
      }),
  );

/** The fake host: acquireVsCodeApi records what the view posts and keeps its state. */
/**
 * Shows `run` at `step` (the snapshot `message`), presses B in its diagram, checks the page asked
 * the host for the heap before the op, once, and answers as the host does.
 */
export async function showBeforeOp(page: Page, message: HostMessage, run: TraceRun, step: number): Promise<void> {
  await sendTo(page, message);
  await page.locator('.diagram svg g.block').first().waitFor({ state: 'attached' });
  await page.keyboard.press('b');
  assert.deepEqual((await postedBy(page)).filter((m) => m.type === 'before'), [{ type: 'before', step }]);
  await sendTo(page, { type: 'before', step, frame: beforeFrame(run, step) });
  await settledOn(page);
}

export const FAKE_HOST = 'window.posted = []; window.state = undefined; window.acquireVsCodeApi = () => ({ postMessage: (m) => window.posted.push(m), getState: () => window.state, setState: (s) => { window.state = s; } });';

/** The webview's origin in these tests: requests to it are answered from the repository (never the network). */
const ORIGIN = 'https://heap-inspector.webview.test';
const NONCE = 'testnonce0123456789abcdef';
const TYPES: Readonly<Record<string, string>> = { '.js': 'text/javascript', '.css': 'text/css', '.ttf': 'font/ttf', '.html': 'text/html' };

/**
 * The page src/extension/webviewHtml.ts serves (src/extension/webviewPage.ts), its files as URLs
 * on ORIGIN, `webview.cspSource` ORIGIN and the nonce a fixed one. The fake host (a script with
 * the nonce, as the CSP allows) and the themes' stylesheet go before the bundle.
 */
export function servedPage(mode: 'panel' | 'study'): string {
  const url = (path: readonly string[]) => `${ORIGIN}/${path.join('/')}`;
  const html = webviewPage({ source: ORIGIN, nonce: NONCE, script: url(WEBVIEW_ASSETS.script), styles: WEBVIEW_ASSETS.styles.map(url), mode });
  const extra = `<link rel="stylesheet" href="${ORIGIN}/test/themes.css">\n<script nonce="${NONCE}">${FAKE_HOST}</script>\n`;
  return html.replace('</head>', `${extra}</head>`);
}

/** A new page showing servedPage(mode), its assets answered from dist/ and media/; CSP violations and console errors land in `errors`. */
export async function openStrictPage(browser: BrowserContext, mode: 'panel' | 'study', errors: string[]): Promise<Page> {
  const page = await browser.newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') errors.push(`console ${m.type()}: ${m.text()}`);
  });
  await page.route(`${ORIGIN}/**`, async (route) => {
    const path = normalize(new URL(route.request().url()).pathname).replace(/^\/+/, '');
    if (path === 'index.html') return route.fulfill({ contentType: 'text/html', body: servedPage(mode) });
    if (path === 'test/themes.css') return route.fulfill({ contentType: 'text/css', body: themeCss() });
    if (path === 'favicon.ico') return route.fulfill({ status: 204, body: '' });
    if (!/^(dist|media)\//.test(path)) return route.fulfill({ status: 404, body: '' });
    try {
      return await route.fulfill({ contentType: TYPES[extname(path)] ?? 'application/octet-stream', body: readFileSync(join(ROOT, path)) });
    } catch {
      return route.fulfill({ status: 404, body: '' });
    }
  });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP refused ${e.violatedDirective}: ${e.blockedURI || 'inline'}`));
  });
  await page.goto(`${ORIGIN}/index.html`);
  return page;
}

/**
 * A suite's pages: one browser for the suite, and for each test a fresh page served as VS Code
 * serves it (openStrictPage) at `size`, handed to `use`; each test ends with no error, warning or
 * CSP refusal in its page.
 */
export function strictPagePerTest(mode: 'panel' | 'study', size: { readonly width: number; readonly height: number }, use: (page: Page) => void): void {
  let browser: BrowserContext | undefined;
  let page: Page | undefined;
  let errors: string[] = [];
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    errors = [];
    page = await openStrictPage(browser!, mode, errors);
    await page.setViewportSize(size);
    use(page);
  });
  afterEach(async () => {
    await page?.close();
    assert.deepEqual(errors, [], 'no errors, warnings or CSP refusals in the page');
  });
}

/**
 * The colours (r, g, b, a) of `canvas` at `points` (CSS pixels from its top-left corner), read from
 * a copy made for reading, so the tests' readbacks raise no warning of their own in the page.
 */
export function canvasPixels(canvas: Locator, points: readonly { readonly x: number; readonly y: number }[]): Promise<number[][]> {
  return canvas.evaluate((c, at) => {
    const source = c as HTMLCanvasElement;
    const copy = document.createElement('canvas');
    copy.width = source.width;
    copy.height = source.height;
    const ctx = copy.getContext('2d', { willReadFrequently: true })!;
    ctx.drawImage(source, 0, 0);
    return at.map((p) => Array.from(ctx.getImageData(Math.round(p.x * devicePixelRatio), Math.round(p.y * devicePixelRatio), 1, 1).data));
  }, points);
}

/** The colour (r, g, b, a) of `canvas` at (`x`, `y`) in CSS pixels (canvasPixels). */
export const canvasPixel = async (canvas: Locator, x: number, y: number): Promise<number[]> => (await canvasPixels(canvas, [{ x, y }]))[0]!;
