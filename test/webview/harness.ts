// The webview bundle in real headless Chromium with a fake host, for suites beyond panel.test.ts:
// a page per test with the built bundle and the stylesheet, what the view posted, messages sent
// as the host sends them, and a wait until they are handled.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { FAKE_HOST, launchBrowser, postedBy, sendTo, settledOn, themeCss } from './page';

const ROOT = process.cwd();

/** The repository's own Chromium launcher (page.ts). */
export const launch = launchBrowser;

/** A page with the panel's bundle and a fake host that records what the view posts. */
export async function panelPage(browser: BrowserContext, errors: string[]): Promise<Page> {
  const page = await browser.newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  await page.setContent(`<!DOCTYPE html><html><head><script>${FAKE_HOST}</script><style>${readFileSync(join(ROOT, 'media', 'webview.css'), 'utf8')}\n${themeCss()}</style></head><body class="vscode-light" data-mode="panel"><main id="app"></main></body></html>`);
  await page.setViewportSize({ width: 1000, height: 900 });
  await page.addScriptTag({ content: readFileSync(join(ROOT, 'dist', 'webview.js'), 'utf8') });
  return page;
}

export { postedBy, sendTo, settledOn };
