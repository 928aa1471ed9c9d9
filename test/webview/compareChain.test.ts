// The comparison's small multiples in real headless Chromium with a fake host (docs/editor.md,
// "Compare Policies"): a small heap's row shows its chain of blocks by name and size under a
// one-row strip, the op's block outlined; a heap with more blocks keeps the strips alone.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { buildEvents, buildFrame, buildSeries, traceInfo } from '../../src/extension/frames';
import type { CompareDto, HostMessage } from '../../src/shared/protocol';
import { parseHeapScript, runTrace, type TraceRun } from '../../src/trace/index';
import { CHAIN_BLOCKS } from '../../src/webview/compareView';
import { sendTo, strictPagePerTest } from './page';

const SAMPLE = readFileSync(join(process.cwd(), 'samples', 'first-best-worst.heap'), 'utf8');
const LAST = 9;
const POLICIES = ['first', 'next', 'best', 'worst'] as const;

function snapshot(run: TraceRun, step: number, compare: CompareDto): HostMessage {
  return { type: 'snapshot', trace: traceInfo(run, 'file:///t.heap', 't.heap'), frame: buildFrame(run, step), series: buildSeries(run), events: buildEvents(run), compare };
}

/** The sample under each policy, at `step`. */
function compareOf(script: string, step: number): { runs: TraceRun[]; compare: CompareDto } {
  const under = (p: string) => (/^set policy = \w+$/m.test(script) ? script.replace(/^set policy = \w+$/m, `set policy = ${p}`) : `set policy = ${p}\n${script}`);
  const runs = POLICIES.map((p) => runTrace(parseHeapScript(under(p))));
  return { runs, compare: { frames: runs.map((run, k) => ({ policy: POLICIES[k]!, label: `${POLICIES[k]} fit`, frame: buildFrame(run, step) })) } };
}

/** Each row's chain: its chips' texts and which is the op's. */
const chains = (page: Page) =>
  page.locator('.compare-row').evaluateAll((rows) =>
    rows.map((r) => Array.from(r.querySelectorAll('.chain-block'), (c) => `${c.textContent}${c.classList.contains('chain-op') ? ' <' : ''}`)),
  );

describe('the comparison of a small heap (Chromium, fake host)', function () {
  this.timeout(60_000);
  let page: Page;

  strictPagePerTest('panel', { width: 1000, height: 1400 }, (p) => (page = p));

  it("shows every policy's chain of blocks under a one-row strip: where each put p = malloc(32)", async () => {
    const { runs, compare } = compareOf(SAMPLE, LAST);
    await sendTo(page, snapshot(runs[2]!, LAST, compare));
    if (!(await page.locator('.compare').isVisible())) await page.keyboard.press('c');
    await sendTo(page, { type: 'frame', frame: buildFrame(runs[2]!, LAST), compare });
    await page.locator('.compare-chain').nth(3).waitFor();
    const rows = await chains(page);
    // Each chain is its frame's blocks in address order, named by owner (or free) with their sizes.
    compare.frames.forEach(({ frame }, k) => {
      assert.equal(rows[k]!.length, frame.addrs.length, `${POLICIES[k]}: a chip per block`);
      assert.equal(rows[k]!.filter((t) => t.endsWith(' <')).length, 1, `${POLICIES[k]}: the op's block marked once`);
    });
    // First fit took the first hole and split it; best fit the 48-byte hole whole; next and worst the heap's end.
    assert.deepEqual(rows[0]!.slice(0, 3), ['p 40 <', 'free 72', 'a 16']);
    assert.ok(rows[2]!.includes('p 48 <'), rows[2]!.join(' '));
    for (const k of [1, 3]) assert.deepEqual(rows[k]!.slice(-2), ['p 40 <', 'free 3640'], `${POLICIES[k]}`);
    // One row of strip each.
    const heights = await page.locator('canvas.compare-heap').evaluateAll((cs) => cs.map((c) => (c as HTMLCanvasElement).clientHeight));
    assert.equal(new Set(heights).size, 1, `strip heights ${heights.join(', ')}`);
    assert.equal(await page.locator('.chain-op').first().getAttribute('title'), 'block at 0x000c, 40 bytes, allocated to p, payload at 0x0010');
  });

  it(`keeps the strips alone, up to three rows, for heaps of more than ${CHAIN_BLOCKS} blocks`, async () => {
    const lines = Array.from({ length: CHAIN_BLOCKS + 4 }, (_, i) => `p${i} = malloc(${24 + 8 * (i % 5)})`);
    for (let i = 0; i < CHAIN_BLOCKS; i += 3) lines.push(`free(p${i})`);
    const { runs, compare } = compareOf(lines.join('\n'), lines.length - 1);
    await sendTo(page, snapshot(runs[0]!, lines.length - 1, compare));
    if (!(await page.locator('.compare').isVisible())) await page.keyboard.press('c');
    await sendTo(page, { type: 'frame', frame: buildFrame(runs[0]!, lines.length - 1), compare });
    await page.locator('.compare-row').nth(3).waitFor();
    assert.equal(await page.locator('.compare-chain').count(), 0);
    assert.equal(await page.locator('canvas.compare-heap').count(), 4);
  });
});
