// The webview bundle in real headless Chromium with a fake host: a known replay drawn, the block
// chain's count, order and widths, hover details, keyboard stepping, themes, hostile messages.

import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { buildEvents, buildFrame, buildSeries, traceInfo } from '../../src/extension/frames';
import type { HostMessage } from '../../src/shared/protocol';
import { parseHeapScript, runTrace, type TraceRun } from '../../src/trace/index';
import { canvasPixel, canvasPixels, postedBy, sendTo, settledOn, snapshotOf, strictPagePerTest, THEMES } from './page';

const ROOT = process.cwd();
const ARTIFACTS = join(ROOT, 'artifacts');

function snapshot(run: TraceRun, step: number): HostMessage {
  return snapshotOf(run, step, 'first-best-worst.heap');
}

describe('heap panel webview (Chromium, fake host)', function () {
  this.timeout(60_000);
  let page: Page;
  const run = runTrace(parseHeapScript(readFileSync(join(ROOT, 'samples', 'first-best-worst.heap'), 'utf8')));
  const posted = () => postedBy(page);
  const send = (m: unknown) => sendTo(page, m);
  /** Resolves once every message sent so far has been handled. */
  const settled = () => settledOn(page);

  /** Where the panel drew the block at `addr` (from the blocks list's data attributes). */
  const drawnAt = async (addr: number) => page.locator(`.blocks li[data-addr="${addr}"]`).evaluate((e) => ({ x: Number((e as HTMLElement).dataset.x), w: Number((e as HTMLElement).dataset.w), row: Number((e as HTMLElement).dataset.row) }));
  /** Moves the pointer over the middle of the block at `addr`; the details follow. */
  const hoverBlock = async (addr: number) => {
    const b = await drawnAt(addr);
    const box = (await page.locator('canvas.heap').boundingBox())!;
    await page.mouse.move(box.x + b.x + b.w / 2, box.y + b.row * 30 + 20);
  };

  // The page as VS Code serves it (page.ts): its stylesheets, fonts and bundle under the webview's
  // content security policy, so what these tests see (and the screenshots show) is what users see.
  strictPagePerTest('panel', { width: 900, height: 900 }, (p) => (page = p));
  beforeEach(async () => {
    await page.evaluate(() => (document.body.className = 'vscode-light'));
  });

  it('says it is ready, then draws the chain of a known replay in address order with proportional widths', async () => {
    assert.deepEqual(await posted(), [{ type: 'ready' }]);
    const frame = buildFrame(run, 9);
    await send(snapshot(run, 9));
    await page.locator('.blocks li').first().waitFor({ state: 'attached' });
    const items = await page.locator('.blocks li').evaluateAll((lis) => lis.map((li) => ({ addr: Number((li as HTMLElement).dataset.addr), size: Number((li as HTMLElement).dataset.size), w: Number((li as HTMLElement).dataset.w), state: (li as HTMLElement).dataset.state, text: li.textContent })));
    // Each block once (a block wrapped over rows is listed once), in address order.
    assert.deepEqual(items.map((i) => i.addr), Array.from(frame.addrs));
    assert.deepEqual(items.map((i) => i.state).join(''), frame.states);
    assert.equal(frame.states, 'faaafaf', 'best fit took the 48-byte hole whole; the 112- and 208-byte holes stay free');
    // Widths: the 112-byte hole is 7 times the 16-byte blocks.
    const byAddr = new Map(items.map((i) => [i.addr, i]));
    const w112 = byAddr.get(12)!.w;
    const w16 = byAddr.get(124)!.w;
    assert.ok(Math.abs(w112 / w16 - 7) < 0.2, `112 vs 16 bytes: ${w112} / ${w16}`);
    assert.match(items[2]!.text!, /allocated block at 0x008c, 48 bytes, p, 32 bytes requested/);
    assert.match(await page.locator('.op').innerText(), /Line 22: -> 0x0090 · block 48 B · whole block/);
  });

  it('hovering a block shows its words, sizes and the line that allocated it', async () => {
    await send(snapshot(run, 9));
    const li = page.locator('.blocks li[data-addr="140"]');
    await li.waitFor({ state: 'attached' });
    const { x, w, row } = await li.evaluate((e) => ({ x: Number((e as HTMLElement).dataset.x), w: Number((e as HTMLElement).dataset.w), row: Number((e as HTMLElement).dataset.row) }));
    const box = (await page.locator('canvas.heap').boundingBox())!;
    await page.mouse.move(box.x + x + w / 2, box.y + row * 30 + 12);
    await page.mouse.down();
    await page.mouse.up(); // selected: the details stay when the pointer leaves
    const details = page.locator('.details');
    await details.getByText('header').waitFor();
    const text = await details.innerText();
    assert.match(text, /0x008c, 48 bytes, allocated/);
    assert.match(text, /32 bytes \(internal fragmentation 16 bytes\)/);
    assert.match(text, /pointer\s+p\b/);
    assert.match(text, /0x0031 \(size 48, allocated\)/);
    assert.match(text, /allocated on line 22: reveal/);
    await details.getByRole('button').click();
    assert.deepEqual((await posted()).slice(-1), [{ type: 'revealLine', line: 22 }]);
  });

  it('steps by keyboard: arrows, Home and End ask the host for that step', async () => {
    await send(snapshot(run, 5));
    await page.locator('.blocks li').first().waitFor({ state: 'attached' });
    await page.locator('canvas.heap').focus();
    for (const key of ['ArrowLeft', 'ArrowRight', 'Home', 'End']) await page.keyboard.press(key);
    assert.deepEqual((await posted()).slice(1), [
      { type: 'step', step: 4 },
      { type: 'step', step: 6 },
      { type: 'step', step: -1 },
      { type: 'step', step: 9 },
    ]);
    await send({ type: 'frame', frame: buildFrame(run, 4), compare: null });
    await settled();
    assert.match(await page.locator('.step-label').innerText(), /op 5 \/ 10/);
  });

  it('redraws in each theme\'s colours (screenshots in artifacts/)', async () => {
    await send(snapshot(run, 9));
    await page.locator('.blocks li').first().waitFor({ state: 'attached' });
    mkdirSync(ARTIFACTS, { recursive: true });
    const pixel = async () => {
      const li = page.locator('.blocks li[data-addr="140"]');
      const { x, w } = await li.evaluate((e) => ({ x: Number((e as HTMLElement).dataset.x), w: Number((e as HTMLElement).dataset.w) }));
      return canvasPixel(page.locator('canvas.heap'), x + w / 2, 12);
    };
    const seen = new Set<string>();
    for (const cls of Object.keys(THEMES)) {
      await page.evaluate((c) => (document.body.className = c), cls);
      await page.waitForTimeout(50);
      seen.add((await pixel()).join(','));
      await page.screenshot({ path: join(ARTIFACTS, `webview-${cls}.png`), fullPage: true });
    }
    assert.ok(seen.size >= 2, `the block's colour follows the theme (${[...seen].join(' | ')})`);
  });

  it('marks the blocks the search examined, also when next fit wraps from the rover back to the start', async () => {
    const script = ['set preset csapp', 'set policy next', 'a = malloc(100)', 'b = malloc(100)', 'c = malloc(100)', 'free(a)', 'd = malloc(3700)', 'e = malloc(50)'].join('\n');
    const next = runTrace(parseHeapScript(script));
    const frame = buildFrame(next, 5);
    // From the rover (d's block), on to the 48-byte tail that is too small, then from the start to a's hole.
    assert.deepEqual(Array.from(frame.highlight.examined), [0x15c, 0xfdc, 0xc]);
    await send({ type: 'snapshot', trace: traceInfo(next, 'file:///next.heap', 'next.heap'), frame, series: buildSeries(next), events: buildEvents(next), compare: null });
    await page.locator('.blocks li').first().waitFor({ state: 'attached' });
    const blocks = await page.locator('.blocks li').evaluateAll((lis) => lis.map((li) => ({ addr: Number((li as HTMLElement).dataset.addr), x: Number((li as HTMLElement).dataset.x), w: Number((li as HTMLElement).dataset.w), row: Number((li as HTMLElement).dataset.row) })));
    // The mark is a 3-pixel bar under the block, in the theme's charts-yellow (#bf8803 here).
    const colours = await canvasPixels(page.locator('canvas.heap'), blocks.filter((b) => b.w >= 4).map((b) => ({ x: b.x + b.w / 2, y: b.row * 30 + 2 + 24 + 2.5 })));
    const marked = colours.map(([r, g, bl]) => Math.abs(r! - 0xbf) < 8 && Math.abs(g! - 0x88) < 8 && bl! < 16);
    const markedAddrs = blocks.filter((b) => b.w >= 4).filter((_, k) => marked[k]).map((b) => b.addr);
    assert.deepEqual(markedAddrs.sort((a, b) => a - b), [0xc, 0x15c, 0xfdc]);
  });

  it('a heap of far more blocks than pixels: drawn as density, hovering still finds the block under the pointer', async () => {
    // 20,000 blocks, allocated and free in turn, in a 900-pixel view.
    const lines = ['set preset = csapp'];
    for (let i = 0; i < 20_000; i++) lines.push(`p${i} = malloc(${16 + (i % 5) * 8})`);
    for (let i = 0; i < 20_000; i += 2) lines.push(`free(p${i})`);
    const big = runTrace(parseHeapScript(lines.join('\n')));
    const message = { type: 'snapshot', trace: traceInfo(big, 'file:///big.heap', 'big.heap'), frame: buildFrame(big, big.replay.recorded - 1), series: buildSeries(big), events: buildEvents(big), compare: null };
    await send(message);
    const items = page.locator('.blocks li');
    await items.first().waitFor({ state: 'attached' });
    assert.equal(await items.count(), 500, 'the block list stops at 500 blocks');
    const label = await page.locator('canvas.heap').getAttribute('aria-label');
    assert.match(label ?? '', /with 20001 blocks \(10000 allocated, 10001 free\)/);
    // The 101st block of the list: hover its place and read its address back.
    const li = items.nth(100);
    const { addr, x, row } = await li.evaluate((e) => ({ addr: Number((e as HTMLElement).dataset.addr), x: Number((e as HTMLElement).dataset.x), row: Number((e as HTMLElement).dataset.row) }));
    const box = (await page.locator('canvas.heap').boundingBox())!;
    await page.mouse.move(box.x + x + 0.1, box.y + row * 30 + 12);
    const details = page.locator('.details');
    await details.getByText('header').waitFor();
    const text = await details.innerText();
    const shown = Number.parseInt(/block\s+0x([0-9a-f]+)/i.exec(text)?.[1] ?? 'NaN', 16);
    // A pixel covers several blocks here (and the pointer lands on whole pixels): the block
    // hovered is within a pixel's worth of bytes of the listed one.
    const further = await items.nth(110).evaluate((e) => ({ addr: Number((e as HTMLElement).dataset.addr), x: Number((e as HTMLElement).dataset.x) }));
    const bytesPerPixel = (further.addr - addr) / (further.x - x);
    assert.ok(bytesPerPixel > 16, `a pixel holds ${bytesPerPixel} bytes: more than a block`);
    assert.ok(Math.abs(shown - addr) <= 2 * bytesPerPixel, `hovered 0x${shown.toString(16)}, listed 0x${addr.toString(16)}, ${bytesPerPixel.toFixed(0)} bytes a pixel`);
  });

  /**
   * Shows step 1 of `a = malloc(20); b = malloc(50)` under `overrides`, zoomed in `zoomIns` times,
   * hovers block a and returns its frame, the details pane's text, and the canvas's colour a few
   * bytes before and after the end of a's request (mid-row, away from the block's edges).
   */
  async function payloadOfA(overrides: Record<string, string | number>, zoomIns: number) {
    const small = runTrace(parseHeapScript('a = malloc(20)\nb = malloc(50)\n'), { overrides });
    const frame = buildFrame(small, 1);
    await send({ type: 'snapshot', trace: traceInfo(small, 'file:///small.heap', 'small.heap'), frame, series: buildSeries(small), events: buildEvents(small), compare: null });
    const a = frame.addrs[0]!;
    const li = page.locator(`.blocks li[data-addr="${a}"]`);
    await li.waitFor({ state: 'attached' });
    await page.locator('canvas.heap').focus();
    for (let k = 0; k < zoomIns; k++) await page.keyboard.press('+');
    await settled();
    const { x, w, row } = await li.evaluate((e) => ({ x: Number((e as HTMLElement).dataset.x), w: Number((e as HTMLElement).dataset.w), row: Number((e as HTMLElement).dataset.row) }));
    const pixelsPerByte = w / frame.sizes[0]!;
    assert.ok(pixelsPerByte >= 4, `zoomed in enough to tell bytes apart (${pixelsPerByte.toFixed(1)} pixels a byte)`);
    const requestEnd = frame.payloadAddrs[0]! - a + frame.requested[0]!;
    const colourAt = (byte: number) =>
      canvasPixel(page.locator('canvas.heap'), x + (byte + 0.5) * pixelsPerByte, row * 30 + 14);
    const inside = await colourAt(requestEnd - 2);
    const padding = await colourAt(requestEnd + 2);
    const box = (await page.locator('canvas.heap').boundingBox())!;
    await page.mouse.move(box.x + x + 2 * pixelsPerByte, box.y + row * 30 + 14);
    const details = page.locator('.details');
    await details.getByText('header').waitFor();
    return { frame, text: await details.innerText(), inside, padding };
  }
  const hexOf = (n: number) => `0x${n.toString(16).padStart(4, '0')}`;
  const differ = (p: number[], q: number[]) => p.slice(0, 3).some((v, k) => Math.abs(v - q[k]!) > 20);

  it('an explicit free list: its nodes in list order as text, arrows from node to node with the head flagged, and a node\'s link words as stored', async () => {
    // a..d take 32-byte blocks at 0x0c, 0x2c, 0x4c, 0x6c; LIFO after free(a), free(c): c, a, then the tail.
    const script = ['set preset = csapp', 'set freeList = explicit', 'set order = lifo', 'a = malloc(24)', 'b = malloc(24)', 'c = malloc(24)', 'd = malloc(24)', 'free(a)', 'free(c)'].join('\n');
    const lifo = runTrace(parseHeapScript(script));
    await send({ type: 'snapshot', trace: traceInfo(lifo, 'file:///lifo.heap', 'lifo.heap'), frame: buildFrame(lifo, 5), series: buildSeries(lifo), events: buildEvents(lifo), compare: null });
    await page.locator('.blocks li').first().waitFor({ state: 'attached' });
    assert.equal(await page.locator('.free-lists').innerText(), 'free list (3 nodes): head → 0x004c → 0x000c → 0x008c');
    // Zoomed in so that the 32-byte blocks are wide enough to point at.
    await page.locator('canvas.heap').focus();
    for (let k = 0; k < 3; k++) await page.keyboard.press('+');
    const head = await drawnAt(0x4c);
    assert.ok(head.w > 20, `the head block is ${head.w} pixels wide`);
    // The head's flag, in the focus colour (#005fb8 in the light theme), at its top-left corner.
    const flag = await canvasPixel(page.locator('canvas.heap'), head.x + 2, head.row * 30 + 3);
    assert.ok(Math.abs(flag[0]! - 0x00) < 24 && Math.abs(flag[1]! - 0x5f) < 24 && Math.abs(flag[2]! - 0xb8) < 24, `flag pixel ${flag.join(',')}`);
    // Hover a's block: the second node, whose next link is the tail and prev link is c's block.
    await hoverBlock(0x0c);
    const details = page.locator('.details');
    await details.getByText('next link').waitFor();
    const text = await details.innerText();
    assert.match(text, /list\s+free list, node 2 of 3/);
    assert.match(text, /next link\s+0x008c/);
    assert.match(text, /prev link\s+0x004c/);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'webview-explicit-list.png'), fullPage: true });
  });

  it("OSTEP's model: addresses in decimal from its base, the list in list order, and a chunk's place in it without link words", async () => {
    // SIZESORT- after free(a), free(c): the rest (52 bytes at 1048), c's 40 at 1008, a's 3 at 1000; b stays allocated at 1003.
    const script = ['set preset = ostep', 'set order = SIZESORT-', 'a = malloc(3)', 'b = malloc(5)', 'c = malloc(40)', 'free(a)', 'free(c)'].join('\n');
    const ostep = runTrace(parseHeapScript(script));
    await send({ type: 'snapshot', trace: traceInfo(ostep, 'file:///ostep.heap', 'ostep.heap'), frame: buildFrame(ostep, 4), series: buildSeries(ostep), events: buildEvents(ostep), compare: null });
    await page.locator('.blocks li').first().waitFor({ state: 'attached' });
    assert.equal(await page.locator('.free-lists').innerText(), 'free list (SIZESORT-) (3 nodes): head → 1048 → 1008 → 1000');
    assert.match(await page.locator('h1, .title').first().innerText(), /BEST fit, SIZESORT-/);
    await hoverBlock(8);
    const details = page.locator('.details');
    await details.getByText('links').waitFor();
    const text = await details.innerText();
    assert.match(text, /block\s+1008, 40 bytes, free/, text);
    assert.match(text, /list\s+free list \(SIZESORT-\), node 2 of 3/);
    assert.match(text, /links\s+none in the heap: the model keeps its list outside it/);
    assert.doesNotMatch(text, /next link|0x/);
    assert.match(text, /header\s+none\n/, 'no header in this model (-H 0)');
    // With a 4-byte header (-H 4) the chunk keeps 4 bytes before its payload and stores nothing in them.
    const headed = runTrace(parseHeapScript(['set preset = ostep', 'set headerSize = 4', 'a = malloc(8)'].join('\n')));
    await send({ type: 'snapshot', trace: traceInfo(headed, 'file:///headed.heap', 'headed.heap'), frame: buildFrame(headed, 0), series: buildSeries(headed), events: buildEvents(headed), compare: null });
    await settled();
    await hoverBlock(0); // addresses are offsets from the base (1000) in the frame
    await details.getByText('requested').waitFor();
    assert.match(await details.innerText(), /payload\s+1004, 8 bytes[\s\S]*header\s+4 bytes, no value stored/);
  });

  it('side by side: every frame at one scale, a run that stopped early (your allocator crashed) at its last step and saying so', async () => {
    const best = runTrace(parseHeapScript(readFileSync(join(ROOT, 'samples', 'first-best-worst.heap'), 'utf8').replace(/^/, 'set policy = best\n')));
    const frame = buildFrame(run, 6);
    const small = buildFrame(runTrace(parseHeapScript('set policy = sbrk\na = malloc(200)')), 0);
    assert.ok(small.heapSize * 10 < frame.heapSize, `a heap of ${small.heapSize} bytes beside ${frame.heapSize}`);
    const compare = { frames: [{ policy: 'first', label: 'first fit', frame }, { policy: 'best', label: 'best fit', frame: buildFrame(best, 6) }, { policy: 'own', label: 'your allocator (mm.c)', frame: { ...small, step: 3 } }] };
    await send(snapshot(run, 6));
    await page.locator('.blocks li').first().waitFor({ state: 'attached' });
    if (!(await page.locator('.compare').isVisible())) await page.keyboard.press('c');
    await send({ type: 'frame', frame, compare });
    await page.locator('.compare-row').nth(2).waitFor();
    const labels = await page.locator('.compare-label').allInnerTexts();
    assert.match(labels[0]!, /^first fit: /);
    assert.match(labels[2]!, /^your allocator \(mm\.c\) \(its run stopped: the heap after op 4\): /);
    assert.doesNotMatch(labels[1]!, /stopped/);
    // Small multiples: each row's figures in the table beside its strip, under one heading row.
    assert.deepEqual(await page.locator('.compare-table th').allInnerTexts(), ['policy, and what the op did', 'heap', 'utilisation', 'ext frag', 'free blocks', 'largest free']);
    const figures = await page.locator('.compare-row').evaluateAll((rows) => rows.map((r) => Array.from(r.querySelectorAll('.compare-figure'), (c) => (c as HTMLElement).innerText)));
    compare.frames.forEach(({ frame: f }, k) => assert.deepEqual(figures[k], [`${f.metrics.heapSize} B`, `${(f.metrics.utilisation! * 100).toFixed(1)}%`, f.metrics.externalFragmentation === null ? 'unknown' : `${(f.metrics.externalFragmentation * 100).toFixed(1)}%`, String(f.metrics.freeBlocks), `${f.metrics.largestFree} B`], `row ${k}`));
    // One scale: the small heap's strip is one row, drawn over a fraction of the width (its bytes at the big heaps' bytes per pixel).
    const heights = await page.locator('canvas.compare-heap').evaluateAll((cs) => cs.map((c) => (c as HTMLCanvasElement).clientHeight));
    assert.ok(heights[2]! <= heights[0]!, `strip heights ${heights.join(', ')}`);
    const strip = page.locator('canvas.compare-heap').nth(2);
    const { width, height } = await strip.evaluate((c) => ({ width: (c as HTMLCanvasElement).clientWidth, height: (c as HTMLCanvasElement).clientHeight }));
    const [start, past] = await canvasPixels(strip, [0.01, 0.5].map((fraction) => ({ x: Math.floor(width * fraction), y: Math.floor(height / 2) })));
    const drawn = { start: start![3], past: past![3] };
    assert.ok(drawn.start! > 0 && drawn.past === 0, `the small heap is drawn at its start and not past a tenth of the strip: ${JSON.stringify(drawn)}`);
    await page.keyboard.press('c');
    // What your allocator printed during the op, with the step; nothing shown for a step where it printed nothing.
    assert.equal(await page.locator('.printed').isVisible(), false);
    await send({ type: 'frame', frame: { ...frame, printed: 'mm_checkheap: block 0x0010 ok\n' }, compare: null });
    await page.locator('.printed').waitFor({ state: 'visible' });
    assert.equal(await page.locator('.printed').innerText(), 'It printed:\nmm_checkheap: block 0x0010 ok\n');
    await send({ type: 'frame', frame, compare: null });
    await page.locator('.printed').waitFor({ state: 'hidden' });
  });

  it('segregated lists: a line per class that holds blocks, named by its sizes, and the empty classes on one line', async () => {
    const seg = runTrace(parseHeapScript(['set preset = csapp', 'set freeList = segregated', 'set classes = 32, 64, 128', 'a = malloc(20)', 'b = malloc(20)', 'free(a)'].join('\n')));
    await send({ type: 'snapshot', trace: traceInfo(seg, 'file:///seg.heap', 'seg.heap'), frame: buildFrame(seg, 2), series: buildSeries(seg), events: buildEvents(seg), compare: null });
    await page.locator('.blocks li').first().waitFor({ state: 'attached' });
    assert.deepEqual(await page.locator('.free-lists li').allInnerTexts(), ['16-32 B (1 node): head → 0x000c', '136+ B (1 node): head → 0x004c', 'empty: 40-64 B, 72-128 B']);
  });

  it('the buddy system: a tree of the arena above the heap, split blocks outlined and the blocks as leaves at their level', async () => {
    // malloc(100) in a 4096-byte arena: halved five times, a 128-byte leaf taken, the upper halves free.
    const buddy = runTrace(parseHeapScript(['set preset = csapp', 'set freeList = buddy', 'a = malloc(100)'].join('\n')));
    const frame = buildFrame(buddy, 0);
    assert.deepEqual(frame.buddyArena, { start: 0x0c, size: 4096 });
    await send({ type: 'snapshot', trace: traceInfo(buddy, 'file:///buddy.heap', 'buddy.heap'), frame, series: buildSeries(buddy), events: buildEvents(buddy), compare: null });
    const tree = page.locator('canvas.buddy-tree');
    await tree.waitFor({ state: 'visible' });
    assert.equal(await tree.getAttribute('aria-label'), 'Buddy tree of a 4096-byte arena: 6 levels, 6 blocks (1 allocated, 5 free)');
    const pixel = (x: number, y: number) => canvasPixel(tree, x, y);
    const box = (await tree.boundingBox())!;
    assert.equal(Math.round(box.height), 6 * 14, 'one row a level');
    // The 128-byte leaf at the bottom level, filled; the root (split) only outlined, so its middle is blank.
    const leaf = await pixel(4, 5 * 14 + 5);
    assert.ok(leaf[3]! > 0 && !(leaf[0] === 255 && leaf[1] === 255 && leaf[2] === 255), `leaf pixel ${leaf.join(',')}`);
    assert.equal((await pixel(box.width / 2 + 3, 5))[3], 0, 'a split node is an outline, not a fill');
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'webview-buddy-tree.png'), fullPage: true });
    // A frame the guard lets through whose blocks no buddy tree holds (sizes not a power of two, misaligned) draws without them.
    await send({ type: 'frame', frame: { ...frame, sizes: frame.sizes.map((s, k) => (k === 0 ? 24 : s)), addrs: frame.addrs.map((a, k) => (k === 1 ? a + 8 : a)) }, compare: null });
    await settled();
    assert.match((await tree.getAttribute('aria-label')) ?? '', /^Buddy tree of a 4096-byte arena: \d+ levels?, 4 blocks/);
    // Another family has no tree.
    await send(snapshot(run, 9));
    await page.waitForFunction(() => (document.querySelector('canvas.buddy-tree') as HTMLCanvasElement).hidden);
  });

  it('4-byte words with 16-byte alignment: the payload one word after the header, the padding after the request', async () => {
    const { frame, text, inside, padding } = await payloadOfA({ preset: 'csapp', alignment: 16 }, 6);
    assert.equal(frame.payloadAddrs[0], frame.addrs[0]! + 4, 'the host says where the payload is');
    assert.equal(frame.sizes[0], 32);
    assert.match(text, new RegExp(`payload\\s+${hexOf(frame.payloadAddrs[0]!)}, 24 bytes`));
    assert.match(text, /header\s+0x0021 \(size 32, allocated\)/);
    assert.ok(differ(inside, padding), `the request's last bytes (${inside}) and the padding after it (${padding}) are shaded apart`);
  });

  it('the sbrk baseline: blocks without headers, the payload at the block, the padding after the request', async () => {
    const { frame, text, inside, padding } = await payloadOfA({ preset: 'csapp', policy: 'sbrk' }, 0);
    assert.equal(frame.payloadAddrs[0], frame.addrs[0], 'no header: the payload is the block');
    assert.equal(frame.sizes[0], 24);
    assert.match(text, new RegExp(`payload\\s+${hexOf(frame.addrs[0]!)}, 24 bytes`));
    assert.match(text, /header\s+none/);
    assert.ok(differ(inside, padding), `the request's last bytes (${inside}) and the padding after it (${padding}) are shaded apart`);
  });

  it('ignores hostile and malformed messages', async () => {
    await send(snapshot(run, 9));
    await page.locator('.blocks li').first().waitFor({ state: 'attached' });
    const before = await page.locator('.op').innerText();
    for (const junk of [null, 42, 'snapshot', { type: 'snapshot' }, { type: 'frame', frame: { step: 'x' } }, { type: 'frame', frame: { ...buildFrame(run, 2), addrs: [1, 2] } }, { type: 'eval', code: 'alert(1)' }, { type: 'empty', message: 7 }, ...[undefined, null, { base: -1, radix: 10 }, { base: 0, radix: 8 }, { base: 2 ** 41, radix: 16 }, { base: 0.5, radix: 10 }].map((addresses) => ({ ...snapshot(run, 2), trace: { ...(snapshot(run, 2) as { trace: object }).trace, addresses } }))]) {
      await send(junk);
    }
    await settled();
    assert.equal(await page.locator('.op').innerText(), before);
  });
});
