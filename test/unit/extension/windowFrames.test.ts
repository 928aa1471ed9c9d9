// Windowed frames (docs/performance.md, "Windowed frames"): a big heap's frame carries the blocks in
// view and a density summary of the whole; its blocks are the whole frame's, cut, at random steps,
// the summary's totals are the heap's, and the search path read from the recorded run is the one
// the op, run again, walks.

import assert from 'node:assert/strict';
import { COALESCE_MODES, FIT_POLICIES } from '../../../src/engine/index';
import { buildFrame } from '../../../src/extension/frames';
import { parseHostMessage, parseViewMessage, type FrameDto } from '../../../src/shared/protocol';
import { MAX_WINDOW_BLOCKS, parseRep, runEngine, type HeapView } from '../../../src/trace/index';
import { ReplaySource, replaySource } from '../../../src/trace/replaySource';
import { pathAddresses } from '../../../src/trace/heapWindow';
import { generatedRep, seededRandom } from '../support/generatedTrace';

const COLUMNS = ['addrs', 'sizes', 'requested', 'headers', 'footers', 'headerSizes', 'headerAllocated', 'footerSizes', 'footerAllocated', 'payloadAddrs', 'owners', 'allocLines', 'freeLines', 'payloadSizes'] as const;

/** A heap of `blocks` blocks with every third one freed, then `more` mallocs and reallocs into the holes, first fit. */
function bigRun(blocks: number, more: number, seed: number) {
  const random = seededRandom(seed);
  const size = () => 8 + Math.floor(random() * 193);
  const lines: string[] = [];
  for (let i = 0; i < blocks; i++) lines.push(`a ${i} ${size()}`);
  for (let i = 0; i < blocks; i += 3) lines.push(`f ${i}`);
  for (let j = 0; j < more; j++) lines.push(random() < 0.2 ? `r ${3 * j + 1} ${size() * 2}` : `a ${blocks + j} ${size()}`);
  return runEngine(parseRep(['0', String(blocks + more), String(lines.length), '1', ...lines].join('\n')), { overrides: { preset: 'csapp', maxHeap: 256 * 2 ** 20 } });
}

/** The window's blocks equal the whole frame's blocks [first, first + n), column by column; its search path is the whole one's within the window's bytes. */
function assertSlice(window: FrameDto, whole: FrameDto, where: string): void {
  const first = window.window.first;
  const n = window.addrs.length;
  assert.equal(window.window.total, whole.addrs.length, `${where}: the heap's blocks`);
  for (const column of COLUMNS) assert.deepEqual(Array.from(window[column]), Array.from(whole[column].subarray(first, first + n)), `${where}: ${column}`);
  assert.equal(window.states, whole.states.slice(first, first + n), `${where}: states`);
  for (const k of ['step', 'story', 'text', 'heapSize'] as const) assert.equal(window[k], whole[k], `${where}: ${k}`);
  assert.deepEqual({ ...window.highlight, examined: null, examinedOrder: null }, { ...whole.highlight, examined: null, examinedOrder: null, examinedCount: whole.highlight.examined.length }, `${where}: what the op touched`);
  const from = n > 0 ? window.addrs[0]! : 0;
  const to = n > 0 ? window.addrs[n - 1]! + window.sizes[n - 1]! : 0;
  const places: number[] = [];
  whole.highlight.examined.forEach((addr, k) => {
    if (addr >= from && addr < to) places.push(k + 1);
  });
  assert.deepEqual(Array.from(window.highlight.examinedOrder ?? []), places, `${where}: the path's places in the window`);
  assert.deepEqual(Array.from(window.highlight.examined), places.map((k) => whole.highlight.examined[k - 1]), `${where}: the path in the window`);
}

describe('windowed frames', () => {
  it("carry the whole frame's blocks in view, cut, at random steps and views, with the summary's totals the heap's", function () {
    this.timeout(120_000);
    const run = bigRun(30_000, 3000, 5);
    const random = seededRandom(11);
    let windows = 0;
    for (let t = 0; t < 12; t++) {
      const step = run.replay.recorded - 1 - Math.floor(random() * 3000);
      const whole = buildFrame(run, step);
      assert.ok(whole.addrs.length > MAX_WINDOW_BLOCKS, `step ${step}: a heap too big to send whole (${whole.addrs.length} blocks)`);
      const from = Math.floor(random() * whole.heapSize);
      const zoomed: HeapView = { from, to: from + Math.max(64, Math.floor(whole.heapSize / (2 + random() * 200))), columns: 1000 * 12, focus: null };
      const overview: HeapView = { from: 0, to: whole.heapSize, columns: 1000 * 8, focus: random() < 0.5 ? null : Math.floor(random() * whole.heapSize) };
      for (const view of [zoomed, overview]) {
        const where = `step ${step}, bytes ${view.from}-${view.to}`;
        const w = buildFrame(run, step, view);
        assert.ok(w.addrs.length <= MAX_WINDOW_BLOCKS && w.addrs.length > 0, `${where}: ${w.addrs.length} blocks sent`);
        assertSlice(w, whole, where);
        // Every block in view is there (a view of fewer blocks than the window holds), or the one the pointer is on.
        const inView = whole.addrs.filter((a, k) => a + whole.sizes[k]! > view.from && a < view.to).length;
        if (inView <= MAX_WINDOW_BLOCKS) assert.ok(w.addrs[0]! <= Math.max(view.from, whole.addrs[0]!) && w.addrs[w.addrs.length - 1]! + w.sizes[w.addrs.length - 1]! >= Math.min(view.to, whole.heapSize - 8), `${where}: the view's bytes are covered`);
        if (view.focus !== null) assert.ok(w.addrs[0]! <= view.focus && w.addrs[w.addrs.length - 1]! + w.sizes[w.addrs.length - 1]! > view.focus, `${where}: the block under the pointer is sent`);
        const d = w.window.density;
        let allocatedBytes = 0;
        let otherBytes = 0;
        for (let k = 0; k < whole.addrs.length; k++) (whole.states[k] === 'a' ? (allocatedBytes += whole.sizes[k]!) : (otherBytes += whole.sizes[k]!));
        const sum = (a: ArrayLike<number>) => Array.from(a).reduce((x, y) => x + y, 0);
        assert.equal(sum(d.blocks), whole.addrs.length, `${where}: every block counted once`);
        assert.ok(Math.abs(sum(d.allocated) - allocatedBytes) <= allocatedBytes * 1e-5, `${where}: allocated bytes ${sum(d.allocated)} of ${allocatedBytes}`);
        assert.ok(Math.abs(sum(d.free) - otherBytes) <= otherBytes * 1e-5 + 1, `${where}: free bytes ${sum(d.free)} of ${otherBytes}`);
        assert.equal(w.window.allocated, [...whole.states].filter((s) => s === 'a').length, `${where}: allocated blocks`);
        assert.equal(w.window.free, [...whole.states].filter((s) => s === 'f').length, `${where}: free blocks`);
        assert.equal(w.window.smallest, Math.min(...whole.sizes), `${where}: the smallest block`);
        windows++;
      }
    }
    assert.equal(windows, 24);
  });

  it('a small heap goes whole, its search path unplaced, whatever the view', () => {
    const run = runEngine(parseRep(generatedRep(2000, 200, 3)), { overrides: { preset: 'csapp' } });
    const step = run.replay.recorded - 1;
    const whole = buildFrame(run, step);
    const w = buildFrame(run, step, { from: 100, to: 200, columns: 500, focus: null });
    assert.equal(w.window.first, 0);
    assert.equal(w.addrs.length, whole.addrs.length);
    assert.equal(w.highlight.examinedOrder, null);
    assert.deepEqual(Array.from(w.highlight.examined), Array.from(whole.highlight.examined));
  });

  it("reads the search path from the recorded run as the op, run again, walks it, for every policy and coalescing mode", function () {
    this.timeout(60_000);
    for (const policy of FIT_POLICIES) {
      for (const coalesce of COALESCE_MODES) {
        for (const realloc of ['naive', 'in-place'] as const) {
          const run = runEngine(parseRep(generatedRep(600, 40, 7)), { overrides: { preset: 'csapp', policy, coalesce, realloc, chunkSize: 256 } });
          const source = replaySource(run);
          let compared = 0;
          for (let i = 0; i < source.steps; i++) {
            const record = run.replay.step(i);
            if (record.examined === 0) continue;
            const rerun = source.examinedBy(i, record, run.replay.heapAt(i - 1));
            assert.deepEqual(Array.from(source.opAt(i).examined), Array.from(rerun), `${policy} fit, coalescing ${coalesce}, ${realloc} realloc, op ${i}`);
            compared++;
          }
          assert.ok(compared > 50, `${policy}/${coalesce}/${realloc}: ${compared} searches`);
        }
      }
    }
  });

  it('tells the story and the search path of an allocation from the heap after it as the heap before it tells them', function () {
    this.timeout(60_000);
    for (const policy of FIT_POLICIES) {
      for (const coalesce of COALESCE_MODES) {
        const run = runEngine(parseRep(generatedRep(600, 40, 9)), { overrides: { preset: 'csapp', policy, coalesce, chunkSize: 256 } });
        // Two read models of one run, so that neither answers from what the other kept.
        const fromAfter = new ReplaySource(run);
        const fromBefore = new ReplaySource(run);
        let told = 0;
        for (let i = 0; i < run.replay.recorded; i++) {
          const after = fromAfter['seenAfter'](i, run.replay.step(i), () => run.replay.heapAt(i).walkColumns());
          if (after === null) continue;
          const before = fromBefore['seenBefore'](i);
          assert.equal(after.story, before.story, `${policy} fit, coalescing ${coalesce}, op ${i}`);
          assert.deepEqual(Array.from(pathAddresses(after.path)), Array.from(pathAddresses(before.path)), `${policy} fit, coalescing ${coalesce}, op ${i}: the path`);
          told++;
        }
        if (policy === 'next' || coalesce === 'deferred') assert.equal(told, 0, `${policy}/${coalesce}: the rover or a merge pass needs the heap before`);
        else assert.ok(told > 100, `${policy}/${coalesce}: ${told} allocations told from the heap after`);
      }
    }
  });

  it("the host takes a view's bytes clamped to whole bytes in range, and refuses a view that is not one", () => {
    assert.deepEqual(parseViewMessage({ type: 'view', from: 16.7, to: 4096, columns: 1400.5, focus: null }), { type: 'view', from: 16, to: 4096, columns: 1400, focus: null });
    assert.deepEqual(parseViewMessage({ type: 'view', from: -50, to: 2 ** 60, columns: 10 ** 9, focus: 2 ** 50 }), { type: 'view', from: 0, to: 2 ** 40, columns: 2 ** 20, focus: 2 ** 40 });
    for (const junk of [
      { type: 'view', from: 100, to: 100, columns: 10, focus: null },
      { type: 'view', from: 200, to: 100, columns: 10, focus: null },
      { type: 'view', from: Number.NaN, to: 100, columns: 10, focus: null },
      { type: 'view', from: 0, to: Infinity, columns: 10, focus: null },
      { type: 'view', from: '0', to: 100, columns: 10, focus: null },
      { type: 'view', from: 0, to: 100, columns: 10 },
      { type: 'view', from: 0, to: 100, columns: 10, focus: 'here' },
      { type: 'view', from: 0, to: 100, focus: null },
    ]) {
      assert.equal(parseViewMessage(junk), null, JSON.stringify(junk));
    }
  });

  it("the webview takes a windowed frame whose window fits its heap, and refuses one that does not", () => {
    const run = bigRun(30_000, 200, 2);
    const frame = buildFrame(run, run.replay.recorded - 1, { from: 0, to: 2 ** 40, columns: 8000, focus: null });
    const message = (f: unknown) => ({ type: 'frame', frame: f, compare: null });
    assert.ok(parseHostMessage(message(frame)));
    const w = frame.window;
    const d = w.density;
    for (const window of [
      { ...w, total: frame.addrs.length - 1 },
      { ...w, first: w.total - frame.addrs.length + 1 },
      { ...w, first: -1 },
      { ...w, density: { ...d, free: d.free.subarray(1) } },
      { ...w, density: { ...d, blocks: Array.from(d.blocks) } },
      { ...w, density: { ...d, to: d.from } },
      null,
    ]) {
      assert.equal(parseHostMessage(message({ ...frame, window })), null, JSON.stringify(window, (_k, v: unknown) => (ArrayBuffer.isView(v) ? '[array]' : v)));
    }
    const h = frame.highlight;
    for (const highlight of [{ ...h, examinedOrder: new Int32Array(h.examined.length + 1) }, { ...h, examinedCount: h.examined.length - 1 }, { ...h, examinedOrder: Array.from(h.examined) }]) {
      assert.equal(parseHostMessage(message({ ...frame, highlight })), null);
    }
  });
});
