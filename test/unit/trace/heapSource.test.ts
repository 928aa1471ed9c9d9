// The read model's seam: frames are packed the same way from any HeapSource, the simulated replay
// and an allocator that reports only payload addresses, sizes and bytes (the in-memory fake).

import assert from 'node:assert/strict';
import { frameOf } from '../../../src/extension/frames';
import { ownerName, parseHostMessage, type FrameDto } from '../../../src/shared/protocol';
import { parseHeapScript, runTrace } from '../../../src/trace/index';
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
  const replay = replaySource(runTrace(parseHeapScript('set preset csapp\na = malloc(24)\nb = malloc(100)\nfree(a)\nc = malloc(5000)\n')));
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
    assert.deepEqual(replay.events().growths, [3]);
    assert.deepEqual(fake.events().growths, [3]);
  });
});
