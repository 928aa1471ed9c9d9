// The 13 malloc lab traces on the buddy system (csapp preset): mdriver's checks pass on every op
// and the heap checker is clean, under LIFO and address-ordered lists; the replay's pointers are
// the allocator's own; and a jump to any step rebuilds the blocks and every order's list.

import assert from 'node:assert/strict';
import { BuddyAllocator, type Allocator, type ListOrder } from '../../../src/engine/index';
import { parseRep, runEngine, type Trace, type EngineRun } from '../../../src/trace/index';
import { readMalloclab, REFERENCE, requireMalloclab } from '../support/malloclab';
import { assertJumpsRebuild, assertReplayChecked } from '../support/replayChecks';

/** The trace on the csapp preset's buddy system, its lists in `order`: the whole run, problems of the configuration and of the ops alike. */
function buddyRun(trace: Trace, order: ListOrder): EngineRun {
  const run = runEngine(trace, { overrides: { preset: 'csapp', freeList: 'buddy', order } });
  assert.equal(run.config.freeList, 'buddy', 'a configuration the engine accepts');
  return run;
}

/** Every order's list in list order, as `size: addr addr ...`. */
function listsOf(heap: Allocator): string[] {
  assert.ok(heap instanceof BuddyAllocator);
  return heap.orderLists.map((l) => `${l.size}: ${heap.list(l.order)!.nodes().join(' ')}`);
}

describe('malloc lab traces on the buddy system (csapp preset)', () => {
  for (const order of ['lifo', 'address'] as const) {
    for (const ref of REFERENCE) {
      it(`${ref.trace}, ${order}: mdriver's checks pass and the checker is clean (every op of the first 1000, then every 50th)`, function () {
        requireMalloclab(this);
        const trace = parseRep(readMalloclab(ref.trace));
        const { replay: run, diagnostics } = buddyRun(trace, order);
        assert.deepEqual(diagnostics.filter((d) => d.code !== 'heap-limit'), [], 'mdriver checks pass on every op');
        assert.equal(run.finalMetrics.livePayload, 0);
        // The random traces keep the most payload live (the textbook heap ends at 15.8 and 16.9 MB):
        // with power-of-two blocks they need more than 16 MiB, the largest arena that fits in 20 MB
        // (the next is 32 MiB), so some of their requests get NULL.
        if (ref.trace.startsWith('random')) {
          assert.ok(run.nullCount > 0 && diagnostics.every((d) => d.severity === 'warning'), 'NULLs, as warnings, at the heap\'s limit');
          assert.equal(run.finalMetrics.heapSize, 12 + 2 ** 24 + 4);
        } else {
          assert.equal(run.nullCount, 0, 'every request fits');
        }
        assertReplayChecked(trace, run);
        const heap = run.heapAt(trace.ops.length - 1);
        assert.ok(heap instanceof BuddyAllocator);
        assert.equal(heap.arenaSize & (heap.arenaSize - 1), 0, 'the arena is a power of two');
        assert.equal(run.finalMetrics.heapSize, heap.arenaStart + heap.arenaSize + 4);
      });
    }
  }

  it('a jump to any step rebuilds the blocks and every order\'s list', function () {
    requireMalloclab(this);
    const trace = parseRep(readMalloclab('random-bal'));
    const run = buddyRun(trace, 'lifo').replay;
    assertJumpsRebuild(trace, run, [0, 1, 777, 2400, 4799, 1500], listsOf);
  });
});
