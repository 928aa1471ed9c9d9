// The 13 malloc lab traces on the buddy system (csapp preset): mdriver's checks pass on every op
// and the heap checker is clean, under LIFO and address-ordered lists; the replay's pointers are
// the allocator's own; and a jump to any step rebuilds the blocks and every order's list.

import assert from 'node:assert/strict';
import { allocatorFor, BuddyAllocator, type Allocator, type HeapOptions } from '../../../src/engine/index';
import { applyOp, parseRep, Replay, traceConfig, type Trace } from '../../../src/trace/index';
import { readMalloclab, REFERENCE, requireMalloclab } from '../support/malloclab';

function replay(trace: Trace, overrides: HeapOptions): Replay {
  const { config, diagnostics } = traceConfig(trace, { overrides: { preset: 'csapp', freeList: 'buddy', ...overrides } });
  assert.deepEqual(diagnostics, []);
  return Replay.run(trace, config);
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
        const run = replay(trace, { order });
        assert.deepEqual(run.diagnostics.filter((d) => d.code !== 'heap-limit'), [], 'mdriver checks pass on every op');
        assert.equal(run.finalMetrics.livePayload, 0);
        // The random traces keep the most payload live (the textbook heap ends at 15.8 and 16.9 MB):
        // with power-of-two blocks they need more than 16 MiB, the largest arena that fits in 20 MB
        // (the next is 32 MiB), so some of their requests get NULL.
        if (ref.trace.startsWith('random')) {
          assert.ok(run.nullCount > 0 && run.diagnostics.every((d) => d.severity === 'warning'), 'NULLs, as warnings, at the heap\'s limit');
          assert.equal(run.finalMetrics.heapSize, 12 + 2 ** 24 + 4);
        } else {
          assert.equal(run.nullCount, 0, 'every request fits');
        }
        const heap = allocatorFor(run.config);
        const slots = new Int32Array(trace.names.length).fill(-1);
        for (let i = 0; i < trace.ops.length; i++) {
          const r = applyOp(heap, trace.ops, i, slots, false);
          assert.equal(r.ptr, run.step(i).ptr, `op ${i}: the same pointer as the replay`);
          if (i < 1000 || i % 50 === 0 || i === trace.ops.length - 1) assert.deepEqual(heap.check(), [], `op ${i}: the heap checker`);
        }
        assert.ok(heap instanceof BuddyAllocator);
        assert.equal(heap.arenaSize & (heap.arenaSize - 1), 0, 'the arena is a power of two');
        assert.equal(run.finalMetrics.heapSize, heap.arenaStart + heap.arenaSize + 4);
      });
    }
  }

  it('a jump to any step rebuilds the blocks and every order\'s list', function () {
    requireMalloclab(this);
    const trace = parseRep(readMalloclab('random-bal'));
    const run = replay(trace, { order: 'lifo' });
    const fromStart = (i: number) => {
      const heap = allocatorFor(run.config);
      const slots = new Int32Array(trace.names.length).fill(-1);
      for (let k = 0; k <= i; k++) applyOp(heap, trace.ops, k, slots, false);
      return heap;
    };
    for (const i of [0, 1, 777, 2400, 4799, 1500]) {
      const expected = fromStart(i);
      const at = run.heapAt(i);
      assert.deepEqual(at.walk(), expected.walk(), `op ${i}`);
      assert.deepEqual(listsOf(at), listsOf(expected), `the lists at op ${i}`);
      assert.deepEqual(at.check(), []);
    }
  });
});
