// The indexed fit search makes the same choices as the linear walk and reports the same number of
// blocks examined: checked op by op on random traces and on every malloc lab trace, for every
// policy, both presets and every coalescing mode.

import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createAllocator, FIT_POLICIES, COALESCE_MODES, type HeapOptions, type OpResult } from '../../../src/engine/index';
import { parseRep, Replay, traceConfig } from '../../../src/trace/index';
import { readMalloclab, REFERENCE, requireMalloclab } from '../support/malloclab';

type Op = { kind: 'malloc'; size: number } | { kind: 'free'; pick: number } | { kind: 'realloc'; pick: number; size: number };

const ops = fc.array(
  fc.oneof(
    { weight: 5, arbitrary: fc.record({ kind: fc.constant('malloc' as const), size: fc.oneof(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1, max: 5000 })) }) },
    { weight: 4, arbitrary: fc.record({ kind: fc.constant('free' as const), pick: fc.nat(1000) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('realloc' as const), pick: fc.nat(1000), size: fc.integer({ min: 1, max: 3000 }) }) },
  ),
  { minLength: 50, maxLength: 400 },
);

/** Runs the ops on a fresh allocator and returns every result (the essentials of each). */
function run(options: HeapOptions, list: readonly Op[]): unknown[] {
  const heap = createAllocator(options);
  const live: number[] = [];
  const out: unknown[] = [];
  const keep = (r: OpResult) => ({ ptr: r.ptr, block: r.block, examined: r.examined, events: r.events, problem: r.problem?.code ?? null, rover: heap.rover });
  for (const op of list) {
    if (op.kind === 'malloc') {
      const r = heap.malloc(op.size);
      if (r.ptr !== null) live.push(r.ptr);
      out.push(keep(r));
    } else if (live.length > 0) {
      const k = op.pick % live.length;
      if (op.kind === 'free') out.push(keep(heap.free(live.splice(k, 1)[0]!)));
      else {
        const r = heap.realloc(live[k]!, op.size);
        if (r.ptr !== null) live[k] = r.ptr;
        out.push(keep(r));
      }
    }
  }
  return out;
}

describe('indexed fit search = linear walk', () => {
  for (const preset of ['csapp', 'default'] as const) {
    for (const policy of FIT_POLICIES) {
      it(`random traces, ${preset} preset, ${policy} fit, every coalescing mode`, () => {
        fc.assert(
          fc.property(ops, fc.constantFrom(...COALESCE_MODES), fc.constantFrom(16 * 1024, 20 * 2 ** 20), (list, coalesce, maxHeap) => {
            const base: HeapOptions = { preset, policy, coalesce, maxHeap, chunkSize: maxHeap < 4096 * 8 ? 1024 : 4096 };
            assert.deepEqual(run({ ...base, search: 'indexed' }, list), run({ ...base, search: 'linear' }, list));
          }),
          { numRuns: 150 },
        );
      });
    }
  }

  it('every malloc lab trace, every policy, csapp preset: the same step records op by op', function () {
    requireMalloclab(this);
    this.timeout(120_000);
    for (const ref of REFERENCE) {
      const trace = parseRep(readMalloclab(ref.trace));
      for (const policy of FIT_POLICIES) {
        const config = traceConfig(trace, { overrides: { preset: 'csapp', policy } }).config;
        const indexed = Replay.run(trace, { ...config, search: 'indexed' }, { checks: false, fillPayloads: false });
        const linear = Replay.run(trace, { ...config, search: 'linear' }, { checks: false, fillPayloads: false });
        for (let i = 0; i < trace.ops.length; i++) {
          const a = indexed.step(i);
          const b = linear.step(i);
          if (a.ptr !== b.ptr || a.examined !== b.examined || a.outcome !== b.outcome || a.metrics.heapSize !== b.metrics.heapSize) {
            assert.deepEqual(a, b, `${ref.trace}, ${policy} fit, op ${i}`);
          }
        }
        assert.equal(indexed.examinedTotal, linear.examinedTotal, `${ref.trace} ${policy}`);
      }
    }
  });
});
