// The panel's charts in real headless Chromium, on the page and CSP VS Code serves (page.ts):
// axes with ticks in units, the figures under the cursor against the run's own metrics, click to
// go to an op, drag to zoom and back, the current op marked without a rebuild, the four themes,
// and a million-op trace.

import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { buildFrame } from '../../src/extension/frames';
import type { HostMessage, SeriesDto } from '../../src/shared/protocol';
import { parseHeapScript, runTrace, sourceOf, type TraceRun } from '../../src/trace/index';
import { postedBy, sendTo, snapshotOf, strictPagePerTest, THEMES } from './page';

const ROOT = process.cwd();

/** 500 ops on the CS:APP heap: mallocs of 16 to 515 bytes, every third freed, then more mallocs into the holes. */
function workload(): TraceRun {
  const lines = ['set preset = csapp'];
  for (let i = 0; i < 300; i++) lines.push(`p${i} = malloc(${16 + ((i * 37) % 500)})`);
  for (let i = 0; i < 300; i += 3) lines.push(`free(p${i})`);
  for (let i = 300; i < 400; i++) lines.push(`p${i} = malloc(${16 + ((i * 53) % 300)})`);
  return runTrace(parseHeapScript(lines.join('\n')));
}

const snapshot = (run: TraceRun, step: number) => snapshotOf(run, step, 'workload.heap');

describe('charts (Chromium, the real CSP, fake host)', function () {
  this.timeout(60_000);
  let page: Page;
  const run = workload();
  const ops = run.replay.recorded;
  const source = sourceOf(run);
  const posted = () => postedBy(page);
  const send = (m: unknown) => sendTo(page, m);
  const chart = (id: string) => page.locator(`.uplot[data-chart="${id}"]`);
  /** The ops in view (the x scale), from the chart box. */
  const range = () => page.locator('.chart-box').evaluate((e) => ({ min: Number((e as HTMLElement).dataset.xMin), max: Number((e as HTMLElement).dataset.xMax) }));
  /** The page x of op `op` (numbered from 1) in a chart, and the y of the plot's middle. */
  const at = async (id: string, op: number) => {
    // In view first: the block diagram above may push the charts below the page's fold.
    await chart(id).scrollIntoViewIfNeeded();
    const box = (await chart(id).locator('.u-over').boundingBox())!;
    const { min, max } = await range();
    // Half a pixel inside the plot at its ends (an op is more than a pixel wide in these tests).
    return { x: Math.min(box.x + box.width - 0.5, Math.max(box.x + 0.5, box.x + ((op - min) / (max - min)) * box.width)), y: box.y + box.height / 2 };
  };
  const readout = { innerText: () => page.locator('.chart-readout').innerText(), getAttribute: (name: string) => page.locator('.chart-readout').getAttribute(name) };
  const readoutOp = (op: number) => page.waitForFunction((o) => (document.querySelector('.chart-readout') as HTMLElement | null)?.dataset.op === String(o), op);
  const shown = async (message: HostMessage) => {
    await send(message);
    await page.locator('.uplot').nth(2).waitFor({ state: 'attached' });
  };
  /** What the readout must say of the heap after op `op` (step op - 1), from the run's own metrics. */
  const expected = (op: number) => {
    const m = source.metricsAt(op - 1);
    return [`op ${op}:`, new RegExp(`heap size [^·]*\\b${m.heapSize} B`), new RegExp(`live payload [^·]*\\b${m.livePayload} B`), `utilisation ${(m.utilisation! * 100).toFixed(1)}%`, `external fragmentation ${(m.externalFragmentation! * 100).toFixed(1)}%`, `free blocks ${m.freeBlocks}`];
  };
  const assertSays = (text: string, parts: readonly (string | RegExp)[]) => {
    for (const p of parts) assert.ok(typeof p === 'string' ? text.includes(p) : p.test(text), `${String(p)} in "${text}"`);
  };

  strictPagePerTest('panel', { width: 900, height: 1000 }, (p) => (page = p));

  it('loads under the CSP VS Code serves, with uPlot\'s stylesheet from the extension', async () => {
    assert.deepEqual(await posted(), [{ type: 'ready' }]);
    await shown(snapshot(run, 0));
    // uPlot's own stylesheet is applied (its .u-over is absolutely placed), and ours over it.
    assert.equal(await chart('bytes').locator('.u-over').evaluate((e) => getComputedStyle(e).position), 'absolute');
    assert.equal(await page.locator('.chart-step').first().evaluate((e) => getComputedStyle(e).pointerEvents), 'none');
  });

  it('axes have ticks in units: bytes as B/KiB/MiB, ratios as %, counts and ops as whole numbers', async () => {
    await shown(snapshot(run, ops - 1));
    const ticks = async (id: string, axis: 'x' | 'y') => ((await chart(id).getAttribute(`data-${axis}-ticks`)) ?? '').split(' | ');
    const bytes = await ticks('bytes', 'y');
    assert.ok(bytes.length >= 3, `several byte ticks: ${bytes.join(', ')}`);
    for (const t of bytes) assert.match(t, /^\d+(\.\d+)? (B|KiB|MiB)$/);
    assert.ok(bytes.some((t) => t.endsWith('KiB')), `the heap of ${source.metricsAt(ops - 1).heapSize} bytes is counted in KiB: ${bytes.join(', ')}`);
    const ratios = await ticks('ratios', 'y');
    for (const t of ratios) assert.match(t, /^\d+(\.\d+)?%$/);
    assert.equal(ratios[0], '0%');
    assert.equal(ratios[ratios.length - 1], '100%');
    for (const t of await ticks('counts', 'y')) assert.match(t, /^\d+$/);
    const x = await ticks('counts', 'x');
    for (const t of x) assert.match(t, /^\d+$/);
    assert.ok(Number(x[x.length - 1]) <= ops && Number(x[x.length - 1]) >= ops - 100, `the op axis runs to the last op: ${x.join(', ')}`);
    // The ticks are the charts' accessible description too.
    assert.match((await chart('ratios').getAttribute('aria-label')) ?? '', /utilisation and external fragmentation: ticks 0% .* 100%, over ops /);
  });

  it('hovering at an op reads out that op\'s figures, as the run computed them; leaving shows the current op again', async () => {
    await shown(snapshot(run, 9));
    assertSays(await readout.innerText(), ['Current ', ...expected(10)]);
    for (const [id, op] of [['bytes', 1], ['ratios', 250], ['counts', 400], ['ratios', ops]] as const) {
      const p = await at(id, op);
      await page.mouse.move(p.x, p.y);
      await readoutOp(op);
      assertSays(await readout.innerText(), expected(op));
    }
    assert.equal(await readout.getAttribute('aria-live'), 'polite');
    await page.mouse.move(5, 5);
    await readoutOp(10);
    assertSays(await readout.innerText(), ['Current op 10:']);
  });

  it('a click goes to the op under the cursor; the marker follows each step without rebuilding the charts', async () => {
    await shown(snapshot(run, 9));
    await page.evaluate(() => ((window as unknown as { firstChart: Element | null }).firstChart = document.querySelector('.uplot')));
    const p = await at('bytes', 250);
    await page.mouse.click(p.x, p.y);
    assert.deepEqual((await posted()).slice(-1), [{ type: 'step', step: 249 }]);
    await send({ type: 'frame', frame: buildFrame(run, 249), compare: null });
    await page.waitForFunction(() => (document.querySelector('.chart-box') as HTMLElement).dataset.op === '250');
    // Every chart's marker at op 250.
    const { min, max } = await range();
    for (const id of ['bytes', 'ratios', 'counts']) {
      const over = (await chart(id).locator('.u-over').boundingBox())!;
      const marker = (await chart(id).locator('.chart-step').boundingBox())!;
      const expectedX = over.x + ((250 - min) / (max - min)) * over.width;
      assert.ok(Math.abs(marker.x + marker.width / 2 - expectedX) < 1.5, `${id}: marker at ${marker.x + marker.width / 2}, op 250 at ${expectedX}`);
    }
    assert.ok(await page.evaluate(() => (window as unknown as { firstChart: Element | null }).firstChart === document.querySelector('.uplot')), 'the same chart, not a new one');
    // From the keyboard: the chart takes focus, the arrows step, and the readout says the current op.
    await page.mouse.move(5, 5);
    await page.locator('.chart-box').focus();
    await page.keyboard.press('ArrowRight');
    assert.deepEqual((await posted()).slice(-1), [{ type: 'step', step: 250 }]);
    await send({ type: 'frame', frame: buildFrame(run, 250), compare: null });
    await readoutOp(251);
    assertSays(await readout.innerText(), ['Current ', ...expected(251)]);
  });

  it('dragging zooms every chart into the ops dragged over; double-click and Escape show them all again', async () => {
    await shown(snapshot(run, 0));
    assert.deepEqual(await range(), { min: 1, max: ops });
    const reset = page.locator('.chart-reset');
    assert.equal(await reset.isHidden(), true);
    const zoom = async () => {
      const from = await at('bytes', 100);
      const to = await at('bytes', 300);
      await page.mouse.move(from.x, from.y);
      await page.mouse.down();
      await page.mouse.move(to.x, to.y, { steps: 5 });
      await page.mouse.up();
      await page.waitForFunction((last) => (document.querySelector('.chart-box') as HTMLElement).dataset.xMax !== String(last), ops);
    };
    const stepsPosted = async () => (await posted()).filter((m) => (m as { type: string }).type === 'step').length;
    await zoom();
    const r = await range();
    assert.ok(Math.abs(r.min - 100) < 1 && Math.abs(r.max - 300) < 1, `zoomed to ops ${r.min} to ${r.max}`);
    assert.equal(await stepsPosted(), 0, 'a drag is not a click');
    const xTicks = await Promise.all(['bytes', 'ratios', 'counts'].map((id) => chart(id).getAttribute('data-x-ticks')));
    assert.equal(new Set(xTicks).size, 1, `the three charts show the same ops: ${xTicks.join(' / ')}`);
    assert.equal(await reset.isVisible(), true);
    // Zoomed in, every op has its own place: hovering op 200 reads op 200.
    const p = await at('ratios', 200);
    await page.mouse.move(p.x, p.y);
    await readoutOp(200);
    assertSays(await readout.innerText(), expected(200));
    await page.mouse.dblclick(p.x, p.y);
    await page.waitForFunction(() => (document.querySelector('.chart-box') as HTMLElement).dataset.xMin === '1');
    assert.deepEqual(await range(), { min: 1, max: ops });
    assert.equal(await reset.isHidden(), true);
    await zoom();
    await page.locator('.chart-box').focus();
    await page.keyboard.press('Escape');
    assert.deepEqual(await range(), { min: 1, max: ops });
  });

  it('draws in each theme\'s colours (screenshots in artifacts/)', async () => {
    await shown(snapshot(run, 199));
    mkdirSync(join(ROOT, 'artifacts'), { recursive: true });
    const rgb = (hex: string) => `rgb(${[1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)).join(', ')})`;
    for (const [cls, vars] of Object.entries(THEMES)) {
      await page.evaluate((c) => (document.body.className = c), cls);
      // The heap size line's key in the legend takes the theme's charts-blue.
      await page.waitForFunction((colour) => {
        const row = [...document.querySelectorAll('.uplot[data-chart="bytes"] .u-series')].find((r) => r.textContent === 'heap size');
        const marker = row?.querySelector('.u-marker') ?? null;
        return marker !== null && getComputedStyle(marker).borderTopColor === colour;
      }, rgb(vars['--vscode-charts-blue']));
      assert.equal(await page.locator('.chart-step').first().evaluate((e) => getComputedStyle(e).backgroundColor), rgb(vars['--vscode-focusBorder']), 'the marker in the focus colour');
      await page.locator('.charts').screenshot({ path: join(ROOT, 'artifacts', `charts-${cls}.png`) });
    }
  });

  it('a trace of no ops and one of one op: the charts stand, the readout says where the trace is', async () => {
    const none = runTrace(parseHeapScript('set preset = csapp\n'));
    assert.equal(none.replay.recorded, 0);
    await shown(snapshot(none, -1));
    await readoutOp(0);
    assert.match(await readout.innerText(), /^Before the first op: heap size /);
    const one = runTrace(parseHeapScript('p = malloc(10)\n'));
    await shown(snapshot(one, 0));
    await readoutOp(1);
    assertSays(await readout.innerText(), ['Current op 1:', `free blocks ${sourceOf(one).metricsAt(0).freeBlocks}`]);
    const p = await at('bytes', 1);
    await page.mouse.click(p.x, p.y);
    assert.deepEqual((await posted()).slice(-1), [{ type: 'step', step: 0 }]);
  });

  it('a million-op trace: ops on the axis in k and M, and the readout and a click at the sample under the cursor', async () => {
    const n = 1_000_000;
    const steps: number[] = [];
    for (let s = 0; s < n; s += 500) steps.push(s);
    steps.push(n - 1);
    const series: SeriesDto = {
      steps,
      heapSize: steps.map((s) => 4096 + Math.floor(s / 10) * 16),
      livePayload: steps.map((s) => Math.floor(s / 10) * 12),
      utilisation: steps.map((s) => 0.5 + 0.4 * Math.sin(s / 50_000)),
      externalFragmentation: steps.map((s) => (s % 7000 === 0 ? null : 0.1)),
      freeBlocks: steps.map((s) => s % 1000),
    };
    const small = snapshot(run, 0);
    await shown({ ...small, trace: { ...small.trace, ops: n }, series });
    const x = ((await chart('counts').getAttribute('data-x-ticks')) ?? '').split(' | ');
    assert.ok(x.some((t) => /^\d+(\.\d+)?k$/.test(t) || /^\d+(\.\d+)?M$/.test(t)), `ops in k or M: ${x.join(', ')}`);
    assert.ok((await chart('bytes').getAttribute('data-y-ticks'))!.includes('MiB'), 'a heap of 1.6 MB in MiB');
    const p = await at('ratios', 400_001);
    await page.mouse.move(p.x, p.y);
    await page.waitForFunction(() => Math.abs(Number((document.querySelector('.chart-readout') as HTMLElement).dataset.op) - 400_001) <= 1000);
    const op = Number(await readout.getAttribute('data-op'));
    const k = steps.indexOf(op - 1);
    assert.ok(k >= 0, `the readout names a sampled op (${op})`);
    assertSays(await readout.innerText(), [`op ${op}:`, `utilisation ${(series.utilisation[k]! * 100).toFixed(1)}%`, `free blocks ${series.freeBlocks[k]}`]);
    await page.mouse.click(p.x, p.y);
    assert.deepEqual((await posted()).slice(-1), [{ type: 'step', step: op - 1 }]);
  });
});
