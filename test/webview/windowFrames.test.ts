// A big heap's windowed frames in real headless Chromium, on the served page under its CSP
// (docs/performance.md, "Windowed frames"): the whole heap drawn from the density summary and
// counted from it, the view told to the host, and a block the window does not hold asked for when
// the pointer is on it, its details shown once the host's frame brings it.

import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { buildEvents, buildFrame, buildSeries, FIRST_VIEW, traceInfo } from '../../src/extension/frames';
import { parseViewMessage } from '../../src/shared/protocol';
import { parseHeapScript, runTrace, type HeapView } from '../../src/trace/index';
import { postedBy, sendTo, settledOn, strictPagePerTest } from './page';

describe('windowed frames of a big heap (Chromium, the served page under its CSP)', function () {
  this.timeout(120_000);
  let page: Page;
  // 20,000 blocks, allocated and free in turn; the last op frees a block near the heap's end.
  const lines = ['set preset = csapp'];
  for (let i = 0; i < 20_000; i++) lines.push(`p${i} = malloc(${16 + (i % 5) * 8})`);
  for (let i = 0; i < 20_000; i += 2) lines.push(`free(p${i})`);
  const big = runTrace(parseHeapScript(lines.join('\n')));
  const last = big.replay.recorded - 1;
  /** The views the page told the host, as the host's guard reads them. */
  const views = async (): Promise<HeapView[]> => (await postedBy(page)).map(parseViewMessage).flatMap((m) => (m?.type === 'view' ? [m] : []));

  strictPagePerTest('panel', { width: 1000, height: 900 }, (p) => (page = p));

  it('draws and counts the whole heap from a window of it, tells the host its view, and shows a block the window lacked once the pointer asks for it', async () => {
    const frame = buildFrame(big, last, FIRST_VIEW);
    assert.ok(frame.addrs.length < 20_001 && frame.window.first > 0, `a window of ${frame.addrs.length} blocks from block ${frame.window.first}`);
    await sendTo(page, { type: 'snapshot', trace: traceInfo(big, 'file:///big.heap', 'big.heap'), frame, series: buildSeries(big), events: buildEvents(big), compare: null });
    await settledOn(page);
    const label = await page.locator('canvas.heap').getAttribute('aria-label');
    assert.match(label ?? '', /with 20001 blocks \(10000 allocated, 10001 free\)/, 'counted from the summary');
    // The first row's start, which the window does not hold, is drawn from the summary: allocated bars over hatching.
    const inked = await page.locator('canvas.heap').evaluate((c: HTMLCanvasElement) => {
      const px = c.getContext('2d')!.getImageData(0, 0, Math.floor(c.width / 10), Math.floor(c.height / 8)).data;
      let n = 0;
      for (let k = 3; k < px.length; k += 4) if (px[k]! > 0) n++;
      return n / (px.length / 4);
    });
    assert.ok(inked > 0.3, `the heap's start is drawn (${(inked * 100).toFixed(0)}% of its pixels inked)`);
    await page.waitForFunction(() => (window as unknown as { posted: { type: string }[] }).posted.some((m) => m.type === 'view'));
    const told = (await views()).at(-1)!;
    assert.equal(told.from, 0, 'the view starts at the heap');
    assert.ok(told.to >= frame.heapSize && told.columns >= 900, `the whole heap over its pixels: ${JSON.stringify(told)}`);
    // The pointer on the heap's first bytes, which the window does not hold: the view asks for them.
    const box = (await page.locator('canvas.heap').boundingBox())!;
    await page.mouse.move(box.x + 20, box.y + 12);
    await page.waitForFunction(() => (window as unknown as { posted: { type: string; focus?: unknown }[] }).posted.some((m) => m.type === 'view' && m.focus !== null));
    const asked = (await views()).at(-1)!;
    assert.ok(asked.focus !== null && asked.focus < frame.window.density.to / 10, `asked for byte ${asked.focus}`);
    // The host's answer: a window around that byte. Its block's details show under the still pointer.
    const around = buildFrame(big, last, asked);
    assert.ok(around.addrs[0]! <= asked.focus!, 'the window holds the byte asked for');
    await sendTo(page, { type: 'frame', frame: around, compare: null });
    await page.locator('.details').getByText('header').waitFor();
    const text = await page.locator('.details').innerText();
    const shown = Number.parseInt(/block\s+0x([0-9a-f]+)/i.exec(text)?.[1] ?? 'NaN', 16);
    const bytesPerPixel = told.to / told.columns;
    assert.ok(Math.abs(shown - asked.focus!) <= 64 + bytesPerPixel, `showed the block at 0x${shown.toString(16)} for byte 0x${asked.focus!.toString(16)}`);
  });

  it('zoomed in on a few blocks, the block diagram draws from the window the host sent for the view', async () => {
    await sendTo(page, { type: 'snapshot', trace: traceInfo(big, 'file:///big.heap', 'big.heap'), frame: buildFrame(big, last, FIRST_VIEW), series: buildSeries(big), events: buildEvents(big), compare: null });
    await settledOn(page);
    await page.locator('canvas.heap').focus();
    for (let k = 0; k < 12; k++) await page.keyboard.press('+');
    await settledOn(page);
    await page.waitForTimeout(200);
    const told = (await views()).at(-1)!;
    assert.ok(told.to - told.from < 40_000, `zoomed in: ${told.to - told.from} bytes in view`);
    await sendTo(page, { type: 'frame', frame: buildFrame(big, last, told), compare: null });
    await page.locator('.diagram svg g.block').first().waitFor({ state: 'attached' });
    const addrs = await page.locator('.diagram svg g.block').evaluateAll((gs) => gs.map((g) => Number(g.getAttribute('data-addr'))));
    assert.ok(addrs.length > 0 && addrs.length <= 300, `${addrs.length} boxes`);
    assert.ok(addrs.every((a) => a + 64 >= told.from && a < told.to), 'the boxes are the blocks in view');
  });
});
