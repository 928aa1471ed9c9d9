// The 13 malloc lab traces on segregated fits: mdriver's checks pass on every op and the heap
// checker is clean under LIFO and address order; simple segregated storage on the traces it can
// hold in the lab's 20 MB; and a jump to any step rebuilds every class list as the run left it.

import assert from 'node:assert/strict';
import { allocatorFor, SegregatedAllocator, type Allocator, type HeapOptions } from '../../../src/engine/index';
import { applyOp, parseRep, Replay, replaySource, runTrace, traceConfig, type Trace } from '../../../src/trace/index';
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

/** Replays the trace op by op on a fresh allocator, the checker after the first 1000 ops and every 50th after. */
function replayChecked(trace: Trace, run: Replay): void {
  const heap = allocatorFor(run.config);
  const slots = new Int32Array(trace.names.length).fill(-1);
  for (let i = 0; i < trace.ops.length; i++) {
    const r = applyOp(heap, trace.ops, i, slots, false);
    assert.equal(r.ptr, run.step(i).ptr, `op ${i}: the same pointer as the replay`);
    // Every op of the first thousand, then every 50th and the last: a full check is O(blocks).
    if (i < 1000 || i % 50 === 0 || i === trace.ops.length - 1) assert.deepEqual(heap.check(), [], `op ${i}: the heap checker`);
  }
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
        replayChecked(trace, run);
      });
    }
  }

  for (const name of ['short1-bal', 'short2-bal', 'amptjp-bal', 'coalescing-bal', 'binary-bal']) {
    it(`${name}, simple segregated storage: mdriver's checks pass and the checker is clean`, function () {
      requireMalloclab(this);
      const trace = parseRep(readMalloclab(name));
      const run = replay(trace, { freeList: 'simple-segregated' });
      assert.deepEqual(run.diagnostics, []);
      replayChecked(trace, run);
    });
  }

  it('a jump to any step rebuilds the blocks, every class list and its rover', function () {
    requireMalloclab(this);
    const trace = parseRep(readMalloclab('random-bal'));
    const run = replay(trace, { order: 'lifo', policy: 'next' });
    const fromStart = (i: number) => {
      const heap = allocatorFor(run.config);
      const slots = new Int32Array(trace.names.length).fill(-1);
      for (let k = 0; k <= i; k++) applyOp(heap, trace.ops, k, slots, false);
      return heap as SegregatedAllocator;
    };
    for (const i of [0, 1, 777, 2400, 4799, 1500]) {
      const expected = fromStart(i);
      const at = run.heapAt(i) as SegregatedAllocator;
      assert.deepEqual(at.walk(), expected.walk(), `op ${i}`);
      assert.deepEqual(listsOf(at), listsOf(expected), `the lists at op ${i}`);
      assert.deepEqual(at.classLists, expected.classLists, `the ends and rovers at op ${i}`);
      assert.deepEqual(at.check(), []);
    }
  });

  it('simple storage: the read model shows the head it took, and nothing for an empty class', () => {
    const trace = parseRep('0\n2\n3\n1\na 0 24\nf 0\na 1 24\n');
    const run = runTrace(trace, { overrides: { preset: 'csapp', freeList: 'simple-segregated' } });
    assert.deepEqual([...replaySource(run).opAt(0).examined], []);
    assert.deepEqual([...replaySource(run).opAt(2).examined], [12]);
  });
});
