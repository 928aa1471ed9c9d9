// The study view's block diagram in real headless Chromium with a fake host (docs/editor.md, "The
// study view"): the op's block and its neighbours drawn as the panel draws its blocks, before and
// after the op at B, following the step.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { buildEvents, buildFrame, buildSeries, traceInfo } from '../../src/extension/frames';
import type { HostMessage } from '../../src/shared/protocol';
import { parseHeapScript, runTrace, type TraceRun } from '../../src/trace/index';
import { sendTo, settledOn, showBeforeOp, strictPagePerTest } from './page';

const SAMPLE = readFileSync(join(process.cwd(), 'samples', 'first-best-worst.heap'), 'utf8');
const LAST = 9;

function snapshot(run: TraceRun, step: number): HostMessage {
  return { type: 'snapshot', trace: traceInfo(run, 'file:///first-best-worst.heap', 'first-best-worst.heap'), frame: buildFrame(run, step), series: buildSeries(run), events: buildEvents(run), compare: null };
}

/** Each block box of the diagram: its name, address and role. */
const boxes = (page: Page) =>
  page.locator('.diagram svg g.block').evaluateAll((gs) => gs.map((g) => ({ name: g.querySelector('.name')?.textContent ?? null, at: g.querySelector('.addr')?.textContent ?? null, role: g.getAttribute('data-role') })));

describe('study view block diagram (Chromium, fake host)', function () {
  this.timeout(60_000);
  let page: Page;
  const best = runTrace(parseHeapScript(SAMPLE));

  strictPagePerTest('study', { width: 360, height: 900 }, (p) => (page = p));

  it("draws the op's block with one neighbour either side, and follows the step", async () => {
    await sendTo(page, snapshot(best, LAST));
    await page.locator('.diagram svg g.block').first().waitFor({ state: 'attached' });
    // Line 22, p = malloc(32): best fit took the 48-byte hole at 0x008c, between a and b.
    assert.deepEqual(await boxes(page), [
      { name: 'a', at: '0x007c', role: null },
      { name: 'p', at: '0x008c', role: 'block' },
      { name: 'b', at: '0x00bc', role: null },
    ]);
    assert.equal(await page.locator('.diagram-caption').innerText(), "The op's block and its neighbours, after the op, one box per block.");
    // The first op, a malloc into the fresh heap: its block is the first, so its neighbours are the two after it.
    await sendTo(page, { type: 'frame', frame: buildFrame(best, 0), compare: null });
    await settledOn(page);
    const first = await boxes(page);
    assert.equal(first[0]!.role, 'block');
    assert.equal(first[0]!.at, '0x000c');
    assert.ok(first.length >= 2 && first.length <= 3, `the first block and what follows it (${first.length} boxes)`);
  });

  it('B shows the same bytes before the op: the hole best fit took, free', async () => {
    await showBeforeOp(page, snapshot(best, LAST), best, LAST);
    assert.equal(await page.locator('.diagram-caption').innerText(), "The op's block and its neighbours, before the op, one box per block.");
    assert.deepEqual(await boxes(page), [
      { name: 'a', at: '0x007c', role: null },
      { name: 'free', at: '0x008c', role: 'block' },
      { name: 'b', at: '0x00bc', role: null },
    ]);
  });
});
