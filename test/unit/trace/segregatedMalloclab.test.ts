// The 13 malloc lab traces on segregated fits: mdriver's checks pass on every op and the heap
// checker is clean under LIFO and address order; simple segregated storage on the traces it can
// hold in the lab's 20 MB; and a jump to any step rebuilds every class list as the run left it.

import assert from 'node:assert/strict';
import { SegregatedAllocator, type Allocator, type HeapOptions } from '../../../src/engine/index';
import { parseRep, Replay, replaySource, runEngine, traceConfig, type Trace } from '../../../src/trace/index';
import { assertJumpsRebuild, assertReplayChecked } from '../support/replayChecks';
import { readMalloclab, REFERENCE, requireMalloclab } from '../support/malloclab';

function replay(trace: Trace, overrides: HeapOptions): Replay {
  const { config, diagnostics } = traceConfig(trace, { overrides: { preset: 'csapp', freeList: 'segregated', ...overrides } });
  assert.deepEqual(diagnostics, []);
  return Replay.run(trace, config);
}

/** Every class list in list order, as `addr/size`. */
function listsOf(heap: Allocator): string[][] {
  assert.ok(heap instanceof SegregatedAllocator);
  return heap.lists.map((list) => list.nodes().map((addr) => `${addr}/${heap.layout.sizeAt(addr)}`));
}

describe('malloc lab traces on segregated free lists (csapp preset)', () => {
  for (const order of ['lifo', 'address'] as const) {
    for (const ref of REFERENCE) {
      it(`${ref.trace}, segregated fits, ${order}: mdriver's checks pass and the checker is clean`, function () {
        requireMalloclab(this);
        const trace = parseRep(readMalloclab(ref.trace));
        const run = replay(trace, { order });
        assert.deepEqual(run.diagnostics, [], 'mdriver checks pass on every op');
        assert.equal(run.finalMetrics.livePayload, 0);
        assertReplayChecked(trace, run);
      });
    }
  }

  for (const name of ['short1-bal', 'short2-bal', 'amptjp-bal', 'coalescing-bal', 'binary-bal']) {
    it(`${name}, simple segregated storage: mdriver's checks pass and the checker is clean`, function () {
      requireMalloclab(this);
      const trace = parseRep(readMalloclab(name));
      const run = replay(trace, { freeList: 'simple-segregated' });
      assert.deepEqual(run.diagnostics, []);
      assertReplayChecked(trace, run);
    });
  }

  it('a jump to any step rebuilds the blocks, every class list and its rover', function () {
    requireMalloclab(this);
    const trace = parseRep(readMalloclab('random-bal'));
    const run = replay(trace, { order: 'lifo', policy: 'next' });
    assertJumpsRebuild(trace, run, [0, 1, 777, 2400, 4799, 1500], (heap) => ({ lists: listsOf(heap), ends: (heap as SegregatedAllocator).classLists }));
  });

  it('simple storage: the read model shows the head it took, and nothing for an empty class', () => {
    const trace = parseRep('0\n2\n3\n1\na 0 24\nf 0\na 1 10\n');
    const run = runEngine(trace, { overrides: { preset: 'csapp', freeList: 'simple-segregated' } });
    assert.deepEqual([...replaySource(run).opAt(0).examined], []);
    assert.deepEqual([...replaySource(run).opAt(2).examined], [12]);
  });

});
