// The webview bundle in real headless Chromium with a fake host, for suites beyond panel.test.ts:
// a page per test with the built bundle and the stylesheet, what the view posted, messages sent
// as the host sends them, and a wait until they are handled.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';

const ROOT = process.cwd();
const LIGHT = { '--vscode-editor-background': '#ffffff', '--vscode-editor-foreground': '#1f1f1f', '--vscode-foreground': '#1f1f1f', '--vscode-charts-blue': '#1a85ff', '--vscode-charts-yellow': '#bf8803', '--vscode-charts-green': '#388a34', '--vscode-focusBorder': '#005fb8', '--vscode-descriptionForeground': '#717171', '--vscode-errorForeground': '#e51400' };
const DARK = { '--vscode-editor-background': '#1f1f1f', '--vscode-editor-foreground': '#cccccc', '--vscode-foreground': '#cccccc', '--vscode-charts-blue': '#3794ff', '--vscode-charts-yellow': '#cca700', '--vscode-charts-green': '#89d185', '--vscode-focusBorder': '#0078d4', '--vscode-descriptionForeground': '#9d9d9d', '--vscode-errorForeground': '#f85149' };

/** The repository's own Chromium launcher (Debian's chromium, 127.0.0.1 only), loaded at run time. */
export async function launch(): Promise<BrowserContext> {
  const server = pathToFileURL(join(ROOT, 'scripts', 'vscodeServer.mjs')).href;
  const { launchChromium } = (await import(server)) as { launchChromium: () => Promise<BrowserContext> };
  return launchChromium();
}

/** A page with the panel's bundle and a fake host that records what the view posts. */
export async function panelPage(browser: BrowserContext, errors: string[]): Promise<Page> {
  const page = await browser.newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  const fakeHost = 'window.posted = []; window.state = undefined; window.acquireVsCodeApi = () => ({ postMessage: (m) => window.posted.push(m), getState: () => window.state, setState: (s) => { window.state = s; } });';
  const css = (cls: string, vars: Record<string, string>) => `body.${cls} { ${Object.entries(vars).map(([k, v]) => `${k}: ${v};`).join(' ')} }`;
  await page.setContent(`<!DOCTYPE html><html><head><script>${fakeHost}</script><style>${readFileSync(join(ROOT, 'media', 'webview.css'), 'utf8')}\n${css('vscode-light', LIGHT)}\n${css('vscode-dark', DARK)}</style></head><body class="vscode-light" data-mode="panel"><main id="app"></main></body></html>`);
  await page.setViewportSize({ width: 1000, height: 900 });
  await page.addScriptTag({ content: readFileSync(join(ROOT, 'dist', 'webview.js'), 'utf8') });
  return page;
}

/** What the view has posted so far. */
export const postedBy = (page: Page) => page.evaluate(() => (window as unknown as { posted: Record<string, unknown>[] }).posted);

/** Sends a message as the host does. */
export const sendTo = (page: Page, m: unknown) => page.evaluate((msg) => window.postMessage(msg, '*'), m as object);

/** Resolves once every message sent so far has been handled (a posted message is a later event, delivered in order). */
export const settledOn = (page: Page) =>
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
