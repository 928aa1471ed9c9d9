// The 13 malloc lab traces on explicit free lists: mdriver's checks pass on every op and the heap
// checker is clean under LIFO and address order; address-ordered first fit chooses what the
// implicit list's first fit chooses, so it reproduces the textbook's heap sizes exactly; and a
// jump to any step rebuilds the list as the run left it.

import assert from 'node:assert/strict';
import { ExplicitAllocator, type Allocator, type HeapOptions } from '../../../src/engine/index';
import { parseRep, Replay, replaySource, runEngine, traceConfig, type Trace } from '../../../src/trace/index';
import { assertJumpsRebuild, assertReplayChecked } from '../support/replayChecks';
import { readMalloclab, REFERENCE, requireMalloclab } from '../support/malloclab';

function replay(trace: Trace, overrides: HeapOptions): Replay {
  const { config, diagnostics } = traceConfig(trace, { overrides: { preset: 'csapp', freeList: 'explicit', ...overrides } });
  assert.deepEqual(diagnostics, []);
  return Replay.run(trace, config);
}

/** The list in list order, as `addr/size`. */
function listOf(heap: Allocator): string[] {
  assert.ok(heap instanceof ExplicitAllocator);
  return heap.list.nodes().map((addr) => `${addr}/${heap.layout.sizeAt(addr)}`);
}

describe('malloc lab traces on explicit free lists (csapp preset)', () => {
  for (const order of ['lifo', 'address'] as const) {
    for (const ref of REFERENCE) {
      it(`${ref.trace}, ${order}: mdriver's checks pass and the checker is clean (every op of the first 1000, then every 50th)`, function () {
        requireMalloclab(this);
        const trace = parseRep(readMalloclab(ref.trace));
        const run = replay(trace, { order });
        assert.deepEqual(run.diagnostics, [], 'mdriver checks pass on every op');
        assert.equal(run.finalMetrics.livePayload, 0);
        if (order === 'address') {
          // docs/engine.md: address-ordered first fit chooses what the implicit list's first fit chooses.
          assert.equal(run.finalMetrics.heapSize, ref.heap);
          assert.equal(run.finalMetrics.utilisation?.toFixed(6), ref.util.toFixed(6));
        }
        assertReplayChecked(trace, run);
      });
    }
  }

  it('a jump to any step rebuilds the blocks and the list order', function () {
    requireMalloclab(this);
    const trace = parseRep(readMalloclab('random-bal'));
    const run = replay(trace, { order: 'lifo', policy: 'next' });
    assertJumpsRebuild(trace, run, [0, 1, 777, 2400, 4799, 1500], (heap) => ({ list: listOf(heap), rover: heap.rover }));
  });

  it('the read model shows the list nodes a search visited, in list order', () => {
    // csapp blocks 12/112, 124/16, 140/208, 348/16, 364/3744; 0 and 2 freed (LIFO: 140 -> 12 -> 364); 300 bytes fit only the last.
    const trace = parseRep('0\n5\n7\n1\na 0 100\na 1 8\na 2 200\na 3 8\nf 0\nf 2\na 4 300\n');
    const run = runEngine(trace, { overrides: { preset: 'csapp', freeList: 'explicit' } });
    assert.deepEqual([...replaySource(run).opAt(6).examined], [140, 12, 364]);
  });
});
