// The read model's seam: frames are packed the same way from any HeapSource, the simulated replay
// and an allocator that reports only payload addresses, sizes and bytes (the in-memory fake).

import assert from 'node:assert/strict';
import { frameOf } from '../../../src/extension/frames';
import { ownerName, parseHostMessage, type FrameDto } from '../../../src/shared/protocol';
import { formatChainColumns } from '../../../src/engine/index';
import { describeLife, formatHeapPicture, parseHeapScript, runEngine, type HeapSource } from '../../../src/trace/index';
import { replaySource } from '../../../src/trace/replaySource';
import { fakeSource } from '../support/fakeHeapSource';

/** What a frame says of the heap's layout, whichever source made it. */
const layoutOf = (f: FrameDto) => ({
  heapSize: f.heapSize,
  prologue: f.prologue,
  epilogue: f.epilogue,
  blocks: Array.from(f.addrs, (addr, k) => [addr, f.sizes[k], f.states[k], f.payloadAddrs[k], f.headers[k], f.headerSizes[k], f.headerAllocated[k], f.footers[k], f.footerSizes[k], f.footerAllocated[k], f.requested[k]]),
  block: f.highlight.block,
  grownFrom: f.highlight.grownFrom,
  livePayload: f.metrics.livePayload,
  freeBlocks: f.metrics.freeBlocks,
});

describe('heap sources', () => {
  const replay = replaySource(runEngine(parseHeapScript('set preset csapp\na = malloc(24)\nb = malloc(100)\nfree(a)\nc = malloc(5000)\n')));
  const fake = fakeSource();

  it('a source with no engine events packs into frames the webview accepts: payloads, decoded words, owners, its own story', () => {
    assert.equal(fake.steps, 4);
    for (let i = -1; i < fake.steps; i++) {
      const frame = frameOf(fake, i);
      assert.ok(parseHostMessage({ type: 'frame', frame, compare: null }), `step ${i} passes the webview's guard`);
      assert.equal(frame.highlight.examined.length, 0, 'no search is known');
    }
    const f = frameOf(fake, 1);
    assert.equal(f.states, 'aaf');
    assert.deepEqual(Array.from(f.payloadAddrs), [0x10, 0x30, 0xa0]);
    assert.deepEqual(Array.from(f.headerSizes), [32, 112, 3952]);
    assert.deepEqual(Array.from(f.headerAllocated), [1, 1, 0]);
    assert.deepEqual([ownerName(f, 0), ownerName(f, 1), ownerName(f, 2)], ['p0', 'p1', null]);
    assert.deepEqual(Array.from(f.requested), [24, 100, 0]);
    assert.equal(f.text, 'malloc(100) -> 0x0030');
    assert.match(f.story, /does not say which blocks it looked at/);
    assert.equal(frameOf(fake, 3).highlight.grownFrom, 4112);
  });

  it('a request that grows the heap into a free last block says the heap grew, not that a hole was picked', () => {
    // c = malloc(5000): no free block holds 5008 bytes, so the heap grows, and the new space
    // merges with the 3952-byte free block at the end of the heap, where c's block starts.
    assert.match(replay.opAt(3).story, /^No free block was big enough after examining \d+ blocks, so the heap grew by \d+ bytes and the new space merged with the 3952-byte free block at the end, at 0x009c; split left 3952 bytes free. The program gets 0x00a0.$/);
  });

  it('the one-line summary a lens shows is the op\'s text, for both sources', () => {
    for (const source of [replay, fake]) {
      for (let i = -1; i < source.steps; i++) assert.equal(source.summaryAt(i), source.opAt(i).text, `step ${i}`);
    }
    assert.equal(replay.summaryAt(-1), 'initial heap');
  });

  it('the replay and the fake, fed the same heaps, give the panel the same frames', () => {
    assert.equal(replay.steps, fake.steps);
    for (let i = -1; i < fake.steps; i++) assert.deepEqual(layoutOf(frameOf(fake, i)), layoutOf(frameOf(replay, i)), `step ${i}`);
  });

  it('only the replay knows the search and tells why: the blocks examined and the story of the fit', () => {
    const f = frameOf(replay, 1);
    assert.deepEqual(Array.from(f.highlight.examined), [0xc, 0x2c]);
    assert.match(f.story, /^First fit examined 2 blocks and picked the 4064-byte hole at 0x002c; split left 3952 bytes free/);
    assert.deepEqual([...replay.events().growths], [3]);
    assert.deepEqual([...fake.events().growths], [3]);
  });

  it('the per-op columns a CSV streams: the pointer each op returned or freed and the heap size after it, alike from both sources', () => {
    for (const source of [replay, fake]) {
      assert.deepEqual(
        Array.from({ length: source.steps }, (_, i) => [source.pointerAt(i), source.heapSizeAt(i)]),
        [
          [0x10, 4112],
          [0x30, 4112],
          [0x10, 4112],
          [0xa0, 9120],
        ],
        source.label,
      );
      assert.equal(source.pointerAt(-1), null, 'no op before the first');
      assert.equal(source.heapSizeAt(-1), 4112, 'the first chunk is there before the first op');
      assert.equal(source.length, 4);
    }
  });

  it('the block an op touched, cheaply, is the one its effect names, for both sources', () => {
    for (const source of [replay, fake]) {
      for (let i = -1; i < source.steps; i++) assert.equal(source.blockAt(i), source.opAt(i).block, `${source.label} step ${i}`);
    }
  });

  it('a free that freed nothing gives no pointer', () => {
    const bad = replaySource(runEngine(parseHeapScript('set preset csapp\na = malloc(8)\nfree(a)\nfree(a)\nfree(NULL)\n')));
    assert.deepEqual([0, 1, 2, 3].map((i) => bad.pointerAt(i)), [0x10, 0x10, null, null]);
  });

  it('the terminal picture of a step is the same from either source', () => {
    const picture = (source: HeapSource, i: number) => formatHeapPicture(source, i);
    for (let i = -1; i < fake.steps; i++) assert.equal(picture(fake, i), picture(replay, i), `step ${i}`);
    assert.equal(picture(replay, 1), ['heap after op 2 of 4 (3 blocks, 4112 bytes, break at 0x1010):', `|${'#'.repeat(2)}${'.'.repeat(62)}|  (# allocated  . free)`, '[P8][A32][A112][F3952][E]'].join('\n'));
  });

  it('the terminal picture of a heap of many blocks shows the first 400 characters of its chain', () => {
    // Blocks of every width of size, a few free: the chain is formatted only as far as it shows.
    const lines = ['set preset csapp'];
    for (let k = 0; k < 400; k++) lines.push(`p${k} = malloc(${[1, 30, 200, 3000, 40000][k % 5]})`);
    for (let k = 0; k < 400; k += 7) lines.push(`free(p${k})`);
    const big = replaySource(runEngine(parseHeapScript(lines.join('\n') + '\n')));
    for (const step of [-1, 0, 50, 99, 100, 101, 102, 150, big.steps - 1]) {
      const heap = big.chainAt(step);
      const whole = formatChainColumns(heap, { sentinels: true });
      const last = formatHeapPicture(big, step).split('\n')[2];
      assert.equal(last, whole.length <= 400 ? whole : `${whole.slice(0, 400)}... (${heap.count} blocks)`, `step ${step}`);
    }
    assert.ok(big.chainAt(big.steps - 1).count >= 400, 'hundreds of blocks past the first 101');
  });

  it('every block\'s life, with what each op returned, for the hover and the outline', () => {
    const lives = replay.lives();
    assert.equal(lives.count, 3);
    assert.equal(lives.of(2), lives.of(0), 'free(a) belongs to a\'s life');
    assert.deepEqual(describeLife(lives.at(lives.of(0))), ['allocated on line 2 as 24 bytes in a block of 32 at 0x0010', 'freed on line 4']);
    assert.deepEqual(describeLife(lives.at(lives.of(3))), ['allocated on line 5 as 5000 bytes in a block of 5008 at 0x00a0', 'still allocated at the end of the trace']);
    // The fake numbers its ops from line 1 (it has no `set` line) and reads block sizes from headers.
    const fakeLives = fake.lives();
    assert.deepEqual(describeLife(fakeLives.at(fakeLives.of(2))), ['allocated on line 1 as 24 bytes in a block of 32 at 0x0010', 'freed on line 3']);
  });

  it('the totals a summary prints: blocks examined only where a search is known', () => {
    assert.deepEqual(fake.totals(), { examined: null, nulls: 0 });
    assert.equal(replay.totals().nulls, 0);
    assert.ok(replay.totals().examined > 0);
  });
});
