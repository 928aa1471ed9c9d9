// After a write corrupts the heap, the metrics that are read from its blocks cannot be trusted:
// they are shown as unknown (null, with a reason) in the run's columns, the summary, the JSON and
// the comparison, while the payload figures and the heap's size stay (issue 13, finding 7).

import assert from 'node:assert/strict';
import { comparePolicies, formatComparison, formatRunSummary, parseHeapScript, runJson, runEngine } from '../../../src/trace/index';
import { parseHostMessage } from '../../../src/shared/protocol';
import { assertMetricsInRange } from '../support/metricsRange';

const script = (...lines: string[]) => parseHeapScript(lines.join('\n') + '\n');
// A 64-byte memset over an 8-byte request: its boundary tag and the next block's header become 0xf4 bytes.
const OVERFLOW = script('a = malloc(8)', 'fill(a, 0, 64, 0xf4)', 'b = malloc(8)', 'c = malloc(100)', 'free(a)');

describe('metrics of a corrupted heap', () => {
  it('are known before the corrupting write and unknown from it on; every step stays in range', () => {
    const { replay } = runEngine(OVERFLOW);
    const before = replay.metricsAt(0);
    assert.equal(before.unknown, null);
    assert.equal(before.freeBlocks, 1);
    for (let i = 1; i < replay.length; i++) {
      const m = replay.metricsAt(i);
      assertMetricsInRange(m, `after op ${i}`);
      assert.equal(m.freeBytes, null, `after op ${i}: the free bytes are unknown`);
      assert.match(m.unknown ?? '', /corrupted/);
    }
    // b and c ran into the corrupted header and returned NULL; a was freed: nothing is live.
    const last = replay.finalMetrics;
    assert.equal(last.livePayload, 0, 'what the program asked for is still known');
    assert.equal(last.peakPayload, 8);
    assert.equal(last.heapSize, 4128);
    assert.equal(last.utilisation, 8 / 4128);
  });

  it('the command line\'s summary says unknown and why; the JSON has null and the reason', () => {
    const run = runEngine(OVERFLOW);
    const summary = formatRunSummary('overflow.heap', run);
    assert.match(summary, /free blocks +unknown/);
    assert.match(summary, /external frag +unknown/);
    assert.match(summary, /unknown +the heap is corrupted/);
    assert.doesNotMatch(summary, /-\d|NaN|e\+/, 'no negative or absurd number anywhere');
    const json = runJson(run);
    assert.equal(json.freeBytes, null);
    assert.equal(json.freeBlocks, null);
    assert.equal(json.externalFragmentation, null);
    assert.equal(json.internalFragmentation, null);
    assert.match(json.metricsUnknown ?? '', /corrupted/);
    assert.equal(json.peakPayload, 8);
    assert.equal(json.utilization, 8 / 4128);
  });

  it('the comparison marks every corrupted policy\'s figures unknown and says why under the table', () => {
    const c = comparePolicies(OVERFLOW);
    for (const row of c.policies.filter((p) => p.policy !== 'sbrk')) {
      assert.equal(row.freeBlocks, null, row.policy);
      assert.match(row.unknown ?? '', /corrupted/);
    }
    const text = formatComparison('overflow.heap', c);
    assert.match(text, /first .* unknown/);
    assert.match(text, /^first: the heap is corrupted/m);
  });

  it('a stray write that leaves the blocks intact keeps every figure, read from memory', () => {
    // A use-after-free write into the middle of a big free block's payload touches no header.
    const run = runEngine(script('a = malloc(200)', 'b = malloc(8)', 'free(a)', 'fill(a, 64, 16, 0x55)', 'c = malloc(16)'));
    assert.deepEqual(run.diagnostics.map((d) => `${d.range.line} ${d.code}`), ['4 freed-pointer']);
    const m = run.replay.finalMetrics;
    assertMetricsInRange(m, 'end');
    assert.equal(m.unknown, null);
    assert.equal(m.freeBlocks, 2);
  });

  it('a frame with unknown figures passes the webview\'s guard; a frame with a figure that is not a number does not', () => {
    const frame = (metrics: unknown) => ({
      type: 'frame',
      compare: null,
      frame: {
        step: 0, line: 1, text: '', story: '', printed: '', heapSize: 0, addrs: new Float64Array(0), states: '', sizes: new Float64Array(0), requested: new Float64Array(0),
        headers: new Float64Array(0), footers: new Float64Array(0), headerSizes: new Float64Array(0), footerSizes: new Float64Array(0), headerAllocated: new Int8Array(0), footerAllocated: new Int8Array(0), payloadAddrs: new Float64Array(0), payloadSizes: new Float64Array(0), allocLines: new Int32Array(0), freeLines: new Int32Array(0),
        owners: new Int32Array(0), ownerNames: null, highlight: { examined: new Float64Array(0), examinedOrder: null, examinedCount: 0 }, freeLists: [], buddyArena: null, problems: [], metrics,
        window: { first: 0, total: 0, allocated: 0, free: 0, smallest: 0, density: { from: 0, to: 1, allocated: new Float32Array(1), free: new Float32Array(1), blocks: new Uint32Array(1) } },
      },
    });
    const known = { livePayload: 1, peakPayload: 1, heapSize: 16, utilisation: 0.5, internalFragmentation: 3, externalFragmentation: 0, freeBlocks: 1, largestFree: 8, unknown: null };
    assert.ok(parseHostMessage(frame(known)));
    assert.ok(parseHostMessage(frame({ ...known, freeBlocks: null, largestFree: null, internalFragmentation: null, externalFragmentation: null, unknown: 'the heap is corrupted' })));
    assert.equal(parseHostMessage(frame({ ...known, freeBlocks: 'many' })), null);
    assert.equal(parseHostMessage(frame({ ...known, heapSize: null })), null, 'the heap size is always known');
    assert.equal(parseHostMessage(frame({ ...known, utilisation: Number.NaN })), null);
  });
});
