// The panel's block diagram in real headless Chromium with a fake host (docs/editor.md, "Block
// diagrams"): the labels of samples/first-best-worst.heap at its last op (names, sizes, addresses,
// header and footer words as stored, the sentinels and the break), the two layouts, the heap
// before the op at a key press, the fit search's path in order, and the exported picture.

import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { beforeFrame } from '../../src/extension/diagramFrames';
import { buildEvents, buildFrame, buildSeries, traceInfo } from '../../src/extension/frames';
import type { HostMessage } from '../../src/shared/protocol';
import { parseHeapScript, runTrace, type TraceRun } from '../../src/trace/index';
import { postedBy, sendTo, settledOn, showBeforeOp, strictPagePerTest } from './page';

const ARTIFACTS = join(process.cwd(), 'artifacts');
const SAMPLE = readFileSync(join(process.cwd(), 'samples', 'first-best-worst.heap'), 'utf8');
const runWith = (policy: string): TraceRun => runTrace(parseHeapScript(SAMPLE.replace('set policy = best', `set policy = ${policy}`)));
const LAST = 9;

function snapshot(run: TraceRun, step: number): HostMessage {
  return { type: 'snapshot', trace: traceInfo(run, 'file:///first-best-worst.heap', 'first-best-worst.heap'), frame: buildFrame(run, step), series: buildSeries(run), events: buildEvents(run), compare: null };
}

/** Each block box of the diagram: its address, the texts drawn in it, and its marks. */
const boxes = (page: Page) =>
  page.locator('.diagram svg g.block').evaluateAll((gs) =>
    gs.map((g) => {
      const text = (cls: string) => g.querySelector(`.${cls}`)?.textContent ?? null;
      const word = (kind: string) => {
        const w = g.querySelector(`g.${kind}`);
        return w ? `${w.querySelector('.word-hex')?.textContent} ${w.querySelector('.word-dec')?.textContent} @${w.getAttribute('data-addr')}` : null;
      };
      return { addr: Number(g.getAttribute('data-addr')), name: text('name'), at: text('addr'), sizes: text('sizes'), payload: text('payload-label'), request: text('request-label'), free: text('free-label'), header: word('header'), footer: word('footer'), role: g.getAttribute('data-role'), searched: g.getAttribute('data-searched'), padding: g.querySelector('rect.padding') !== null };
    }),
  );

describe('block diagram (Chromium, fake host)', function () {
  this.timeout(60_000);
  let page: Page;
  const best = runWith('best');

  strictPagePerTest('panel', { width: 1000, height: 900 }, (p) => (page = p));

  it('labels every block of first-best-worst.heap at its last op: names, sizes, addresses, header and footer words as stored, the sentinels and the break', async () => {
    await sendTo(page, snapshot(best, LAST));
    await page.locator('.diagram svg g.block').first().waitFor({ state: 'attached' });
    const got = await boxes(page);
    assert.deepEqual(got.map((b) => b.name), ['free', 'a', 'p', 'b', 'free', 'c', 'free']);
    assert.deepEqual(got.map((b) => b.at), ['0x000c', '0x007c', '0x008c', '0x00bc', '0x00cc', '0x019c', '0x01ac']);
    const p = got[2]!;
    assert.equal(p.sizes, 'block 48 B · pad 8 B');
    assert.equal(p.payload, 'payload 40 B');
    assert.equal(p.request, 'req 32 B');
    assert.ok(p.padding, 'the 8 bytes past the request are drawn as padding');
    assert.equal(p.header, '0x00000031 48 | 1 @140', "p's header: 48 | allocated, a 4-byte word at 0x008c");
    assert.equal(p.footer, '0x00000031 48 | 1 @184', 'its boundary tag, the last word of the block');
    assert.equal(p.role, 'block', "the op's block");
    const big = got[0]!;
    assert.equal(big.free, 'free 112 B');
    assert.equal(big.header, '0x00000070 112 | 0 @12');
    assert.equal(big.footer, '0x00000070 112 | 0 @120');
    assert.equal(got[1]!.header, '0x00000011 16 | 1 @124');
    assert.equal(got[6]!.free, 'free 3680 B');
    // The words are the heap's bytes as the frame carries them, not recomputed from the sizes.
    const frame = buildFrame(best, LAST);
    assert.deepEqual(got.map((b) => Number(b.header!.split(' ')[0])), Array.from(frame.headers));
    assert.equal(await page.locator('.diagram svg g.prologue .name').textContent(), 'prologue 8 B');
    assert.equal(await page.locator('.diagram svg g.prologue .addr').textContent(), '0x0004');
    assert.equal(await page.locator('.diagram svg g.epilogue .addr').textContent(), '0x100c');
    assert.equal(await page.locator('.diagram svg g.break .addr').textContent(), '0x1010');
    assert.match((await page.locator('.diagram svg g.block').nth(2).locator('title').first().textContent())!, /^p at 0x008c: allocated, block 48 B; requested 32 B; payload 40 B at 0x0090; padding 8 B; header 0x00000031 \(48 \| 1\) at 0x008c; footer 0x00000031 \(48 \| 1\) at 0x00b8; this op's block; fit search step 3$/);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'webview-diagram.png'), fullPage: true });
  });

  it('while the diagram holds every block, the overview above it is one row of the whole heap; zooming in widens it into rows and the diagram follows the rows in view', async () => {
    await sendTo(page, snapshot(best, LAST));
    await page.locator('.diagram svg g.block').first().waitFor({ state: 'attached' });
    const rows = () => page.locator('.blocks li').evaluateAll((lis) => lis.map((li) => Number((li as HTMLElement).dataset.row)));
    assert.deepEqual([...new Set(await rows())], [0], 'every block, the 3680-byte hole too, on the first row');
    const canvasHeight = async () => (await page.locator('canvas.heap').boundingBox())!.height;
    assert.ok((await canvasHeight()) <= 40, `the overview is one row high (${await canvasHeight()} px)`);
    assert.equal((await boxes(page)).length, 7, 'the diagram shows all seven blocks');
    await page.locator('canvas.heap').focus();
    for (let k = 0; k < 4; k++) await page.keyboard.press('+');
    await settledOn(page);
    assert.ok(Math.max(...(await rows())) > 0, 'zoomed in, the heap takes several rows');
    assert.ok((await canvasHeight()) > 40, 'and the overview grows to show them');
    // Scrolled to the last rows, where only the 3680-byte hole lies, the diagram shows it alone.
    await page.locator('.canvas-box').evaluate((box) => box.scrollTo(0, box.scrollHeight));
    await settledOn(page);
    await page.waitForFunction(() => document.querySelectorAll('.diagram svg g.block').length === 1);
    assert.deepEqual((await boxes(page)).map((b) => b.addr), [0x1ac], 'the diagram follows the rows in view');
  });

  it('switches layouts with L: one box per block (equal widths) and to scale (widths by bytes)', async () => {
    await sendTo(page, snapshot(best, LAST));
    await page.locator('.diagram svg g.block').first().waitFor({ state: 'attached' });
    const widths = () => page.locator('.diagram svg g.block rect.outline').evaluateAll((rs) => rs.map((r) => Number(r.getAttribute('width'))));
    const boxes = await widths();
    assert.equal(new Set(boxes).size, 1, `one box per block: ${boxes.join(', ')}`);
    assert.equal(await page.locator('.diagram').getAttribute('data-layout'), 'boxes');
    await page.keyboard.press('l');
    assert.equal(await page.locator('.diagram').getAttribute('data-layout'), 'scale');
    const scaled = await widths();
    // The 112-byte hole is 7 times a 16-byte block, the 3680-byte one capped at a row.
    assert.ok(Math.abs(scaled[0]! / scaled[1]! - 7) < 0.01, `112 vs 16 bytes: ${scaled[0]} / ${scaled[1]}`);
    assert.ok(scaled[6]! > scaled[4]!, 'the biggest block is the widest');
    assert.deepEqual(await page.evaluate(() => (window as unknown as { state: { diagram: unknown } }).state.diagram), { layout: 'scale', before: false }, 'kept over a reload');
    await page.keyboard.press('l');
    assert.equal(await page.locator('.diagram').getAttribute('data-layout'), 'boxes');
  });

  it('B shows the heap before the op (asked of the host once) with the hole best fit took marked, and B again the heap after', async () => {
    await showBeforeOp(page, snapshot(best, LAST), best, LAST);
    assert.equal(await page.locator('.diagram').getAttribute('data-showing'), 'before');
    assert.match(await page.locator('.diagram-caption').innerText(), /^The heap before line 22: /);
    const before = await boxes(page);
    assert.deepEqual(before.map((b) => b.name), ['free', 'a', 'free', 'b', 'free', 'c', 'free'], 'p is not there yet: its hole is free');
    assert.deepEqual(before.filter((b) => b.role).map((b) => [b.at, b.free, b.role]), [['0x008c', 'free 48 B', 'block']]);
    assert.equal(before[2]!.header, '0x00000030 48 | 0 @140', 'the hole as stored before the op');
    await page.keyboard.press('b');
    assert.equal(await page.locator('.diagram').getAttribute('data-showing'), 'after');
    assert.equal((await boxes(page))[2]!.name, 'p');
    await page.keyboard.press('b');
    assert.equal(await page.locator('.diagram').getAttribute('data-showing'), 'before', 'the same step: no second question');
    assert.equal((await postedBy(page)).filter((m) => m.type === 'before').length, 1);
    // Another step asks again, and shows the heap after until the answer comes.
    await sendTo(page, { type: 'frame', frame: buildFrame(best, LAST - 1), compare: null });
    await settledOn(page);
    assert.deepEqual((await postedBy(page)).filter((m) => m.type === 'before').at(-1), { type: 'before', step: LAST - 1 });
    assert.equal(await page.locator('.diagram').getAttribute('data-showing'), 'after');
  });

  for (const [policy, path] of [
    ['first', ['0x000c']],
    ['best', ['0x000c', '0x007c', '0x008c', '0x00bc', '0x00cc', '0x019c', '0x01ac']],
  ] as const) {
    it(`${policy} fit's search path, numbered on the blocks and listed in order`, async () => {
      const r = runWith(policy);
      await sendTo(page, snapshot(r, LAST));
      await page.keyboard.press('b');
      await sendTo(page, { type: 'before', step: LAST, frame: beforeFrame(r, LAST) });
      await settledOn(page);
      const listed = await page.locator('.fit-path li[data-addr]').allInnerTexts();
      assert.deepEqual(listed.map((t) => t.split(' ')[1]), path);
      assert.match(listed[0]!, /^#1 0x000c \(free, 112 B\)$/);
      const numbered = (await boxes(page)).filter((b) => b.searched).map((b) => `${b.searched} ${b.at}`);
      assert.deepEqual(numbered, path.map((a, k) => `${k + 1} ${a}`));
    });
  }

  it('exports the diagram as an SVG document that parses, with its labels, in colours that do not follow the theme; and as a PNG', async () => {
    await sendTo(page, snapshot(best, LAST));
    await page.locator('.diagram svg g.block').first().waitFor({ state: 'attached' });
    await page.evaluate(() => document.body.classList.replace('vscode-light', 'vscode-dark'));
    await sendTo(page, { type: 'exportRequest', format: 'svg' });
    await page.waitForFunction(() => (window as unknown as { posted: { type: string }[] }).posted.some((m) => m.type === 'export'));
    const svg = (await postedBy(page)).find((m) => m.type === 'export')!;
    assert.equal(svg.format, 'svg');
    assert.equal(svg.step, LAST);
    const parsed = await page.evaluate((text) => {
      const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
      return { error: doc.querySelector('parsererror')?.textContent ?? null, root: doc.documentElement.localName, texts: Array.from(doc.querySelectorAll('text'), (t) => t.textContent), fills: Array.from(doc.querySelectorAll('text'), (t) => t.getAttribute('fill')) };
    }, svg.data as string);
    assert.equal(parsed.error, null);
    assert.equal(parsed.root, 'svg');
    for (const label of ['p', 'free 112 B', '0x008c', '0x00000031', '48 | 1', 'prologue 8 B', 'epilogue', 'break', '0x1010']) assert.ok(parsed.texts.includes(label), `the export says ${label}`);
    assert.ok(parsed.texts.some((t) => t?.startsWith('first-best-worst.heap · best fit · the heap after line 22')), 'titled');
    assert.ok(parsed.fills.every((f) => f === '#000000' || f === '#ffffff' || f === '#1f7a1f' || f === '#0057b8' || f === '#b07800'), `print colours, not the dark theme's: ${[...new Set(parsed.fills)].join(' ')}`);
    await sendTo(page, { type: 'exportRequest', format: 'png' });
    await page.waitForFunction(() => (window as unknown as { posted: { type: string; format?: string }[] }).posted.some((m) => m.type === 'export' && m.format === 'png'));
    const png = (await postedBy(page)).find((m) => m.type === 'export' && m.format === 'png')!;
    assert.match(png.data as string, /^iVBORw0KGgo[A-Za-z0-9+/]+=*$/, 'a PNG file in base64');
    const size = await page.evaluate(async (data) => {
      const image = new Image();
      image.src = `data:image/png;base64,${data}`;
      await image.decode();
      return [image.naturalWidth, image.naturalHeight];
    }, png.data as string);
    assert.ok(size[0]! >= 1000 && size[1]! > 300, `drawn at twice the diagram's size: ${size.join('x')}`);
  });

  it('with the comparison shown, the export carries every policy\'s heap too', async () => {
    const frames = (['first', 'best'] as const).map((p) => ({ policy: p, label: `${p} fit`, frame: buildFrame(runWith(p), LAST) }));
    await sendTo(page, { ...snapshot(best, LAST), compare: { frames } });
    await page.locator('.diagram svg g.block').first().waitFor({ state: 'attached' });
    await page.getByRole('button', { name: 'Export the diagram as SVG', exact: true }).click();
    await page.waitForFunction(() => (window as unknown as { posted: { type: string }[] }).posted.some((m) => m.type === 'export'));
    const svg = (await postedBy(page)).find((m) => m.type === 'export')!.data as string;
    assert.match(svg, /first fit: -&gt; 0x0010/);
    assert.match(svg, /best fit: -&gt; 0x0090/);
  });

  it('every family labels what it knows: an explicit list, the buddy system, the sbrk baseline (no words), OSTEP\'s model (no header words)', async () => {
    const cases = [
      { script: 'set preset = csapp\nset freeList = explicit\na = malloc(24)\nb = malloc(24)\nfree(a)', step: 2, name: 'b', header: /^0x00000021 32 \| 1 @44$/, first: { header: '0x00000020 32 | 0 @12', footer: '0x00000020 32 | 0 @40' } },
      { script: 'set preset = csapp\nset freeList = buddy\na = malloc(100)', step: 0, name: 'a', header: /^0x[0-9a-f]{8} 128 \| 1 @\d+$/, first: null },
      { script: 'set policy = sbrk\na = malloc(200)', step: 0, name: 'a', header: null, first: null },
      { script: 'set preset = ostep\na = malloc(3)\nb = malloc(5)', step: 1, name: 'b', header: null, first: null },
    ];
    for (const c of cases) {
      const r = runTrace(parseHeapScript(c.script));
      await sendTo(page, snapshot(r, c.step));
      await settledOn(page);
      const got = await boxes(page);
      const named = got.find((b) => b.name === c.name);
      assert.ok(named, `${c.script.split('\n')[1]}: the block is named (${got.map((b) => b.name).join(', ')})`);
      if (c.header) assert.match(named.header ?? '', c.header, c.script);
      else assert.equal(named.header, null, `${c.script}: no header word, none drawn`);
      if (c.first) assert.deepEqual({ header: got[0]!.header, footer: got[0]!.footer }, c.first);
    }
  });

  it('a heap of 20,000 blocks: no diagram over the whole heap, and one of the blocks in view once zoomed in', async () => {
    const lines = ['set preset = csapp'];
    for (let i = 0; i < 20_000; i++) lines.push(`p${i} = malloc(${16 + (i % 5) * 8})`);
    const big = runTrace(parseHeapScript(lines.join('\n')));
    await sendTo(page, snapshot(big, big.replay.recorded - 1));
    await page.locator('.diagram-caption').getByText(/zoom in/).waitFor();
    assert.equal(await page.locator('.diagram svg g.block').count(), 0);
    for (let k = 0; k < 12; k++) await page.keyboard.press('+');
    await page.locator('.diagram svg g.block').first().waitFor({ state: 'attached' });
    const n = await page.locator('.diagram svg g.block').count();
    assert.ok(n > 0 && n <= 300, `${n} blocks drawn`);
    assert.equal(await page.locator('.diagram svg g.block').first().locator('.name').textContent(), 'p0');
  });
});
