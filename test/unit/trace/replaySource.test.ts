// The replay as a read model: the blocks each fit search examined, as the engine visited them, for
// every policy and coalescing mode, and the decoded words and payload addresses of every step.

import assert from 'node:assert/strict';
import { BLOCK_STATUSES, COALESCE_MODES, FIT_POLICIES } from '../../../src/engine/index';
import { OUTCOME, parseHeapScript, parseRep, runEngine } from '../../../src/trace/index';
import { replaySource } from '../../../src/trace/replaySource';
import { generatedRep } from '../support/generatedTrace';

describe('replay read model', () => {
  it('records the blocks every search examined: as many as counted, in walk order, ending at the block a first or next fit chose', function () {
    this.timeout(60_000);
    for (const policy of FIT_POLICIES) {
      for (const coalesce of COALESCE_MODES) {
        for (const seed of [3, 8]) {
          const where = `${policy} fit, coalescing ${coalesce}, seed ${seed}`;
          // A small chunk makes the heap grow often, and deferred coalescing search twice.
          const run = runEngine(parseRep(generatedRep(400, 30, seed)), { overrides: { preset: 'csapp', policy, coalesce, chunkSize: 256 } });
          const source = replaySource(run);
          let searched = 0;
          let secondSearches = 0;
          for (let i = 0; i < source.steps; i++) {
            const record = run.replay.step(i);
            const { examined } = source.opAt(i);
            assert.equal(examined.length, record.examined, `${where}, op ${i}: the list has the recorded count`);
            if (examined.length === 0) continue;
            searched++;
            const before = source.heapAt(i - 1);
            const blocksBefore = new Set(before.addrs);
            const twice = (record.outcome & OUTCOME.COALESCED_ALL) !== 0;
            if (twice) secondSearches++;
            // Without a merge pass every examined block is a block of the heap before the op.
            if (!twice) for (const addr of examined) assert.ok(blocksBefore.has(addr), `${where}, op ${i}: ${addr} is a block before the op`);
            const found = record.block !== null && !(record.outcome & (OUTCOME.EXTENDED | OUTCOME.NULL));
            if (!found) continue;
            const chosen = record.block!.addr;
            if (policy === 'first' || policy === 'next' || (policy === 'best' && record.outcome & OUTCOME.EXACT)) {
              assert.equal(examined[examined.length - 1], chosen, `${where}, op ${i}: the search stopped at the block it chose`);
            } else {
              assert.ok(examined.includes(chosen), `${where}, op ${i}: the chosen block was examined`);
            }
          }
          assert.ok(searched > 50, `${where}: ${searched} searches`);
          if (coalesce === 'deferred') assert.ok(secondSearches > 0, `${where}: some searches ran again after merging`);
        }
      }
    }
  });

  it('next fit examines from the rover on, then wraps to the start', () => {
    const script = ['set preset csapp', 'set policy next', 'a = malloc(100)', 'b = malloc(100)', 'c = malloc(100)', 'free(a)', 'd = malloc(3700)', 'e = malloc(50)'].join('\n');
    const source = replaySource(runEngine(parseHeapScript(script)));
    assert.deepEqual(Array.from(source.opAt(5).examined), [0x15c, 0xfdc, 0xc], "d's block, the 48-byte tail too small, then a's hole");
  });

  it('every step names each payload and decodes each word, for 4-byte words with 16-byte alignment, without sentinels, and the sbrk baseline', () => {
    const script = ['a = malloc(20)', 'b = malloc(40)', 'c = malloc(8)', 'free(b)'].join('\n');
    const ALLOCATED = BLOCK_STATUSES.indexOf('allocated');
    for (const overrides of [
      { preset: 'csapp', alignment: 16 },
      { preset: 'csapp', sentinels: false },
      { preset: 'default', footers: 'free-only' },
      { preset: 'csapp', policy: 'sbrk' },
    ] as const) {
      const run = runEngine(parseHeapScript(script), { overrides });
      const source = replaySource(run);
      const headerless = overrides.preset === 'csapp' && 'policy' in overrides;
      for (let i = -1; i < source.steps; i++) {
        const heap = source.heapAt(i);
        const walk = run.replay.heapAt(i).walk();
        const where = `${JSON.stringify(overrides)}, step ${i}`;
        assert.deepEqual(Array.from(heap.payloadAddrs), walk.blocks.map((b) => b.payloadAddr), where);
        for (let k = 0; k < heap.count; k++) {
          if (headerless) {
            assert.equal(heap.payloadAddrs[k], heap.addrs[k], `${where}: the sbrk baseline's blocks are all payload`);
            assert.ok(Number.isNaN(heap.headerSizes[k]!) && heap.headerAllocated[k] === -1, `${where}: no header to decode`);
            continue;
          }
          assert.equal(heap.headerSizes[k], heap.sizes[k], `${where}, block ${k}: the header holds the block's size`);
          assert.equal(heap.headerAllocated[k], heap.states[k] === ALLOCATED ? 1 : 0, `${where}, block ${k}: and its allocated bit`);
          if (heap.footerAllocated[k] !== -1) assert.equal(heap.footerSizes[k], heap.sizes[k], `${where}, block ${k}: the footer agrees`);
          if (heap.states[k] === ALLOCATED) assert.equal(heap.payloadAddrs[k]! % run.config.alignment, 0, `${where}, block ${k}: payload aligned`);
        }
      }
    }
  });
});
