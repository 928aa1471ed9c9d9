// The 13 malloc lab traces from ../shared: the csapp preset reproduces the textbook allocator's
// final heap sizes and utilisations, formats round-trip, and any step can be rebuilt exactly.

import assert from 'node:assert/strict';
import { allocatorFor } from '../../../src/engine/index';
import { applyOp, parseHeapScript, parseRep, printHeapScript, printRep, Replay, traceConfig, type Trace } from '../../../src/trace/index';
import { readMalloclab, REFERENCE, requireMalloclab } from '../support/malloclab';

function csapp(trace: Trace): Replay {
  const { config, diagnostics } = traceConfig(trace, { overrides: { preset: 'csapp' } });
  assert.deepEqual(diagnostics, []);
  return Replay.run(trace, config);
}

/** Everything a replay recorded, op by op, as plain data. */
function records(replay: Replay) {
  return Array.from({ length: replay.recorded }, (_, i) => {
    const { op: _op, ...rest } = replay.step(i);
    return rest;
  });
}

describe('malloc lab traces (csapp preset)', () => {
  for (const ref of REFERENCE) {
    it(`${ref.trace}: final heap ${ref.heap} bytes, utilisation ${ref.util}`, function () {
      requireMalloclab(this);
      const trace = parseRep(readMalloclab(ref.trace));
      assert.deepEqual(trace.diagnostics, [], 'the trace is valid');
      assert.equal(trace.ops.length, ref.ops);
      const replay = csapp(trace);
      assert.deepEqual(replay.diagnostics, [], 'mdriver checks pass on every op');
      const m = replay.finalMetrics;
      assert.equal(m.heapSize, ref.heap);
      assert.equal(m.utilisation?.toFixed(6), ref.util.toFixed(6));
      assert.equal(m.livePayload, 0, 'balanced: everything is freed');
    });
  }

  it('short1-bal op by op: the worked example', function () {
    requireMalloclab(this);
    const replay = csapp(parseRep(readMalloclab('short1-bal')));
    const rows = records(replay).slice(0, 5).map((s) => [s.ptr, s.metrics.heapSize]);
    assert.deepEqual(rows, [
      [16, 4112],
      [2064, 4112],
      [2064, 4112],
      [2064, 4112],
      [2120, 8208],
    ]);
  });

  for (const ref of REFERENCE) {
    it(`${ref.trace}: .rep prints back to the same text and parses to the same ops`, function () {
      requireMalloclab(this);
      const text = readMalloclab(ref.trace);
      const trace = parseRep(text);
      const printed = printRep(trace);
      assert.deepEqual(printed.dropped, []);
      assert.equal(printed.text, text);
      assert.deepEqual(parseRep(printed.text).ops, trace.ops);
    });
  }

  for (const ref of REFERENCE) {
    it(`${ref.trace}: .rep -> .heap -> .rep gives identical replay results`, function () {
      requireMalloclab(this);
      const trace = parseRep(readMalloclab(ref.trace));
      const script = parseHeapScript(printHeapScript(trace));
      assert.deepEqual(script.diagnostics, []);
      assert.equal(script.ops.length, trace.ops.length);
      const back = parseRep(printRep(script).text);
      assert.deepEqual(back.diagnostics, []);
      const original = records(csapp(trace));
      assert.deepEqual(records(csapp(script)), original, 'the .heap script replays the same');
      assert.deepEqual(records(csapp(back)), original, 'and so does the .rep made from it');
    });
  }

  for (const name of ['amptjp-bal', 'realloc-bal', 'random-bal', 'coalescing-bal']) {
    it(`${name}: stepping to any op gives the same heap as replaying from the start`, function () {
      requireMalloclab(this);
      const trace = parseRep(readMalloclab(name));
      const { config } = traceConfig(trace, { overrides: { preset: 'csapp' } });
      const replay = Replay.run(trace, config);
      let seed = 2024;
      const random = (n: number) => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) % n;
      // The reference: a fresh allocator driven op by op from the start, no checkpoints involved.
      const fromStart = (i: number) => {
        const heap = allocatorFor(config);
        const slots = new Int32Array(trace.names.length).fill(-1);
        for (let k = 0; k <= i; k++) applyOp(heap, trace.ops, k, slots, false);
        return heap.walk();
      };
      // Random jumps, forwards and backwards, and single steps back and forth.
      const targets = [0, trace.ops.length - 1, ...Array.from({ length: 8 }, () => random(trace.ops.length))];
      for (const i of targets) {
        const expected = fromStart(i);
        assert.deepEqual(replay.heapAt(i).walk(), expected, `op ${i}`);
        assert.deepEqual(replay.heapAt(i).metrics(), replay.metricsAt(i), `metrics at op ${i}`);
        if (i > 0) assert.deepEqual(replay.heapAt(i - 1).walk(), fromStart(i - 1), `one step back from op ${i}`);
        assert.deepEqual(replay.heapAt(i).walk(), expected, `and forward again to op ${i}`);
      }
    });
  }
});
