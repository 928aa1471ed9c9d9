// The toolbars in real headless Chromium, on the page the extension serves (its strict content
// security policy, the icon font and stylesheets as files): each control's accessible name and
// key, the keys posting the steps they name, the next-event control, and the four themes.

import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { buildFrame } from '../../src/extension/frames';
import type { HostMessage } from '../../src/shared/protocol';
import { parseHeapScript, runTrace } from '../../src/trace/index';
import { launchBrowser, openStrictPage, postedBy, sendTo, snapshotOf, THEMES } from './page';

const ROOT = process.cwd();
const ARTIFACTS = join(ROOT, 'artifacts');

/** Every toolbar button: its accessible name, the key its tooltip names, and aria-keyshortcuts. */
const PANEL_BUTTONS = [
  ['First op', 'Home', 'Home'],
  ['Step back', '←', 'ArrowLeft'],
  ['Play', 'Space', 'Space'],
  ['Step forward', '→', 'ArrowRight'],
  ['Last op', 'End', 'End'],
  ['Previous event', 'Shift+N', 'Shift+N'],
  ['Next event', 'N', 'N'],
  ['Zoom in', '+', '+'],
  ['Zoom out', '-', '-'],
  ['Fit the heap to the width', '0', '0'],
  ['Compare policies', 'C', 'C'],
  ['Draw to scale', 'L', 'L'],
  ['Show the heap before the op', 'B', 'B'],
] as const;

describe('toolbars (Chromium, the served page under its CSP)', function () {
  this.timeout(60_000);
  let browser: BrowserContext;
  let page: Page;
  let errors: string[];
  // coalescing.heap: 10 ops, coalesces at ops 6, 7, 8 and 9 (0-based), no NULLs.
  const run = runTrace(parseHeapScript(readFileSync(join(ROOT, 'samples', 'coalescing.heap'), 'utf8')));
  const snapshot = (step: number) => snapshotOf(run, step, 'coalescing.heap');
  const posted = () => postedBy(page);
  const clearPosted = () => page.evaluate(() => ((window as unknown as { posted: unknown[] }).posted = []));
  const send = async (m: Extract<HostMessage, { type: 'snapshot' | 'frame' }>) => {
    await sendTo(page, m);
    await page.locator('.step-label', { hasText: `op ${m.frame.step + 1} / ` }).waitFor();
  };
  const button = (name: string) => page.getByRole('button', { name, exact: true });

  /** Opens the page the extension serves (page.ts: its CSP, files and fake host), in `theme`. */
  async function openPage(mode: 'panel' | 'study', theme: keyof typeof THEMES = 'vscode-light'): Promise<void> {
    errors = [];
    page = await openStrictPage(browser, mode, errors);
    await page.evaluate((cls) => (document.body.className = cls), theme);
    await page.setViewportSize({ width: 900, height: 700 });
    await page.waitForFunction(() => (window as unknown as { posted: unknown[] }).posted.length > 0);
  }

  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });
  afterEach(async () => {
    await page?.close();
    assert.deepEqual(errors, [], 'no errors in the page (a refused resource would be one)');
  });

  it('names every control, with its key in the tooltip and in aria-keyshortcuts', async () => {
    await openPage('panel');
    await send(snapshot(5));
    assert.deepEqual(await page.getByRole('toolbar').evaluateAll((bars) => bars.map((b) => b.getAttribute('aria-label'))), ['Timeline', 'View', 'Block diagram']);
    for (const [name, key, aria] of PANEL_BUTTONS) {
      const b = button(name);
      assert.equal(await b.count(), 1, `one button named ${name}`);
      const title = (await b.getAttribute('title')) ?? '';
      assert.ok(title.includes(`(${key})`), `${name}'s tooltip names its key ${key}: "${title}"`);
      assert.equal(await b.getAttribute('aria-keyshortcuts'), aria, name);
      // An icon, not words: the button's only content is a codicon hidden from screen readers.
      assert.equal((await b.innerText()).trim(), '', `${name} shows an icon, not text`);
      assert.match((await b.locator('.codicon').getAttribute('class')) ?? '', /codicon-[a-z]/);
    }
    // The diagram's exports have no key: their tooltip is their name.
    for (const name of ['Export the diagram as SVG', 'Export the diagram as PNG']) assert.equal(await button(name).getAttribute('title'), name);
    for (const name of ['Playback speed', 'Kind of event']) assert.equal(await page.getByRole('combobox', { name }).count(), 1, name);
    assert.equal(await page.getByRole('slider', { name: 'Step' }).count(), 1);
    assert.match(await page.locator('.help').innerText(), /N \/ Shift\+N next\/previous event/);
    // The icon font loaded under the CSP (font-src is the extension's own files).
    assert.equal(await page.evaluate(async () => (await document.fonts.load('16px codicon')).length), 1, 'the codicon font is loaded');
  });

  it('each key, and each button, posts the step it names; Space plays and pauses', async () => {
    await openPage('panel');
    await send(snapshot(5));
    await page.locator('canvas.heap').focus();
    for (const key of ['ArrowLeft', 'ArrowRight', 'Home', 'End']) await page.keyboard.press(key);
    assert.deepEqual((await posted()).slice(1), [{ type: 'step', step: 4 }, { type: 'step', step: 6 }, { type: 'step', step: -1 }, { type: 'step', step: 9 }]);
    await clearPosted();
    for (const name of ['Step back', 'Step forward', 'First op', 'Last op']) await button(name).click();
    assert.deepEqual(await posted(), [{ type: 'step', step: 4 }, { type: 'step', step: 6 }, { type: 'step', step: -1 }, { type: 'step', step: 9 }]);
    // Arrows still step while a toolbar button has the focus.
    await clearPosted();
    await button('Step back').focus();
    await page.keyboard.press('ArrowRight');
    assert.deepEqual(await posted(), [{ type: 'step', step: 6 }]);
    // Play asks for the next step and becomes Pause; each frame that comes back asks for the next.
    await clearPosted();
    await page.locator('canvas.heap').focus();
    await page.keyboard.press(' ');
    await button('Pause').waitFor();
    assert.equal(await button('Pause').getAttribute('title'), 'Pause (Space)');
    assert.deepEqual(await posted(), [{ type: 'step', step: 6 }]);
    await page.keyboard.press(' ');
    await button('Play').waitFor();
    await send({ type: 'frame', frame: buildFrame(run, 6), compare: null });
    assert.deepEqual(await posted(), [{ type: 'step', step: 6 }], 'paused: a late frame asks for nothing more');
    // +, -, 0 and C: the zoom is the page's; C asks the host for the comparison and shows it pressed.
    await clearPosted();
    assert.equal(await button('Compare policies').getAttribute('aria-pressed'), 'false');
    await page.keyboard.press('c');
    assert.deepEqual(await posted(), [{ type: 'compare', on: true }]);
    assert.equal(await button('Compare policies').getAttribute('aria-pressed'), 'true');
    await button('Compare policies').click();
    assert.equal(await button('Compare policies').getAttribute('aria-pressed'), 'false');
  });

  it('next event: the dropdown picks the kind, N and Shift+N (and the arrows beside it) jump to the next and previous one', async () => {
    await openPage('panel');
    await send(snapshot(7));
    const kind = page.getByRole('combobox', { name: 'Kind of event' });
    assert.deepEqual(await kind.locator('option').allInnerTexts(), ['NULLs (0)', 'coalesces (4)', 'heap growths (0)', 'problems (0)']);
    // No NULLs: nothing to jump to, and the buttons say so.
    assert.equal(await button('Next event').getAttribute('aria-disabled'), 'true');
    await page.locator('canvas.heap').focus();
    await page.keyboard.press('n');
    assert.deepEqual((await posted()).slice(1), []);
    await kind.selectOption('coalesces');
    assert.equal(await button('Next event').getAttribute('title'), 'Next coalesce (N)');
    assert.equal(await button('Previous event').getAttribute('title'), 'Previous coalesce (Shift+N)');
    await page.locator('canvas.heap').focus();
    await page.keyboard.press('n');
    await page.keyboard.press('Shift+N');
    await button('Next event').click();
    await button('Previous event').click();
    assert.deepEqual((await posted()).slice(1), [{ type: 'step', step: 8 }, { type: 'step', step: 6 }, { type: 'step', step: 8 }, { type: 'step', step: 6 }]);
    // Before the first coalesce there is no previous one.
    await send({ type: 'frame', frame: buildFrame(run, 3), compare: null });
    assert.equal(await button('Previous event').getAttribute('aria-disabled'), 'true');
    assert.match((await button('Previous event').getAttribute('title')) ?? '', /^Previous coalesce \(Shift\+N\): none$/);
    assert.equal(await button('Next event').getAttribute('aria-disabled'), 'false');
  });

  it("the study view has the five step buttons and their keys only, and its diagram's four", async () => {
    await openPage('study');
    await send(snapshot(5));
    const labels = (toolbar: string) => page.locator(toolbar).locator('button').evaluateAll((bs) => bs.map((b) => b.getAttribute('aria-label')));
    assert.deepEqual(await labels('[role=toolbar]:not(.diagram-bar)'), ['First op', 'Step back', 'Play', 'Step forward', 'Last op']);
    assert.deepEqual(await labels('.diagram-bar'), ['Draw to scale', 'Show the heap before the op', 'Export the diagram as SVG', 'Export the diagram as PNG']);
    assert.equal(await page.getByRole('combobox').count(), 0);
    await page.locator('canvas.heap').focus();
    for (const key of ['n', '+', 'c', 'ArrowRight']) await page.keyboard.press(key);
    assert.deepEqual((await posted()).slice(1), [{ type: 'step', step: 6 }]);
  });

  for (const theme of Object.keys(THEMES) as (keyof typeof THEMES)[]) {
    it(`${theme}: the focused button has an outline in the focus colour, and the page loads without a refused resource`, async () => {
      await openPage('panel', theme);
      await send(snapshot(7));
      await page.getByRole('combobox', { name: 'Kind of event' }).selectOption('coalesces');
      await page.locator('canvas.heap').focus();
      await page.keyboard.press('Shift+Tab'); // back into the toolbars: the View toolbar's last button
      const focused = await page.evaluate(() => {
        const e = document.activeElement as HTMLElement;
        const s = getComputedStyle(e);
        const probe = document.createElement('span');
        probe.style.color = getComputedStyle(document.body).getPropertyValue('--vscode-focusBorder');
        document.body.append(probe);
        const focus = getComputedStyle(probe).color;
        probe.remove();
        return { label: e.getAttribute('aria-label'), style: s.outlineStyle, width: s.outlineWidth, color: s.outlineColor, focus };
      });
      assert.equal(focused.label, 'Compare policies');
      assert.equal(focused.style, 'solid');
      assert.equal(focused.width, '1px');
      assert.equal(focused.color, focused.focus, 'the outline is the theme\'s focusBorder');
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.locator('.controls').screenshot({ path: join(ARTIFACTS, `toolbar-${theme}.png`) });
    });
  }
});
