// Replay: per-op records in typed arrays, replay diagnostics with the lines they concern,
// mdriver's checks, and the heap at any step.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { formatChain } from '../../../src/engine/index';
import { OUTCOME, parseHeapScript, parseRep, Replay, traceConfig, type Diagnostic, type Trace } from '../../../src/trace/index';

const brief = (d: readonly Diagnostic[]) => d.map((x) => `${x.range.line} ${x.severity} ${x.code}`);

function replayOf(text: string, format: 'heap' | 'rep' = 'heap'): { trace: Trace; replay: Replay } {
  const trace = format === 'heap' ? parseHeapScript(text) : parseRep(text);
  return { trace, replay: Replay.run(trace, traceConfig(trace).config) };
}

function outcomeNames(bits: number): string[] {
  return Object.entries(OUTCOME)
    .filter(([, bit]) => bits & bit)
    .map(([name]) => name);
}

describe('replay', () => {
  it('records what every op did: the worked example of the textbook allocator', () => {
    const { replay } = replayOf('set preset = csapp\np0 = malloc(2040)\np1 = malloc(2040)\nfree(p1)\np2 = malloc(48)\np3 = malloc(4072)\n');
    const steps = Array.from({ length: replay.recorded }, (_, i) => replay.step(i));
    assert.deepEqual(
      steps.map((s) => [s.ptr, s.block?.size ?? null, outcomeNames(s.outcome), s.remainder, s.mergedSize, s.grownBy, s.metrics.heapSize]),
      [
        [16, 2048, ['SPLIT'], 2048, 0, 0, 4112],
        [2064, 2048, ['EXACT'], 0, 0, 0, 4112],
        [2064, 2048, ['FREED'], 0, 0, 0, 4112],
        [2064, 56, ['SPLIT'], 1992, 0, 0, 4112],
        [2120, 4080, ['SPLIT', 'EXTENDED', 'COALESCED_PREV'], 2008, 6088, 4096, 8208],
      ],
    );
    assert.deepEqual(steps.map((s) => s.examined), [1, 2, 0, 2, 3]);
    assert.equal(replay.examinedTotal, 8);
    assert.equal(steps[4]!.metrics.livePayload, 2040 + 48 + 4072);
  });

  it('the heap at any step, including before the first op', () => {
    const { replay } = replayOf('set preset = csapp\na = malloc(24)\nb = malloc(8)\nfree(a)\n');
    assert.equal(formatChain(replay.heapAt(-1).walk()), '[F4096]');
    assert.equal(formatChain(replay.heapAt(0).walk()), '[A32][F4064]');
    assert.equal(formatChain(replay.heapAt(2).walk()), '[F32][A16][F4048]');
    assert.equal(formatChain(replay.heapAt(1).walk()), '[A32][A16][F4048]', 'stepping back');
    assert.deepEqual(replay.pointersAt(1), [16, 48]);
  });

  it('detail(i) runs op i again and gives the full result the record summarises', () => {
    const { replay } = replayOf('set preset = csapp\na = malloc(24)\nb = malloc(8)\nfree(a)\nc = malloc(4000)\n');
    for (let i = 0; i < replay.recorded; i++) {
      const detail = replay.detail(i);
      const step = replay.step(i);
      assert.equal(detail.ptr, step.ptr);
      assert.equal(detail.examined, step.examined);
      assert.deepEqual(detail.block, step.block);
    }
    assert.deepEqual(replay.detail(3).events.map((e) => e.type), ['placed']);
  });

  it('a NULL at the heap limit is a warning on its line; later ops still run; free of it is free(NULL)', () => {
    const { replay } = replayOf('set preset = csapp\nset maxHeap = 8K\nbig = malloc(10000)\nsmall = malloc(8)\nfree(big)\nfree(small)\n');
    assert.deepEqual(brief(replay.diagnostics), ['3 warning heap-limit']);
    assert.match(replay.diagnostics[0]!.message, /NULL: 10000 bytes is more than the whole 8192-byte heap could ever hold/);
    assert.equal(replay.step(0).outcome & OUTCOME.NULL, OUTCOME.NULL);
    assert.equal(replay.step(1).ptr, 16);
    assert.equal(replay.step(2).problem, null);
    assert.equal(replay.nullCount, 1);
  });

  it('a heap overflow: the write, the corruption it causes, and the free that trips over it', () => {
    const { trace, replay } = replayOf(readFileSync('samples/overflow.heap', 'utf8'));
    assert.deepEqual(trace.diagnostics, []);
    assert.deepEqual(brief(replay.diagnostics), ['8 error write-overflow', '8 error heap-corrupted', '9 error heap-corrupted']);
    assert.match(replay.diagnostics[1]!.message, /This write corrupted the heap: the block at 0x000c says 32 bytes allocated in its header but its boundary tag at 0x0028 holds 0x5245564f/);
    assert.deepEqual(replay.diagnostics[0]!.related?.map((r) => [r.range.line, r.message]), [[5, 'the block was allocated here']]);
    assert.deepEqual(replay.diagnostics[2]!.related?.map((r) => r.range.line), [6]);
  });

  it("mdriver's overlap check: a forged header makes malloc hand out memory that is in use", () => {
    // b's header is overwritten to claim 64 free bytes, which swallows c's block.
    const { replay } = replayOf(
      [
        'set preset = csapp',
        'a = malloc(24)',
        'b = malloc(24)',
        'c = malloc(24)',
        'free(b)',
        'write(a, 24, [0x21, 0, 0, 0, 0x40, 0, 0, 0])',
        'd = malloc(56)',
      ].join('\n'),
    );
    assert.deepEqual(brief(replay.diagnostics), ['6 error write-overflow', '6 error heap-corrupted', '7 error overlapping-payloads']);
    assert.match(replay.diagnostics[2]!.message, /The payload 0x0030..0x0068 overlaps the live payload 0x0050..0x0068/);
    assert.equal(replay.step(5).outcome & OUTCOME.VIOLATION, OUTCOME.VIOLATION);
  });

  it('write through NULL is an error and writes nothing', () => {
    const { replay } = replayOf('set preset = csapp\nset maxHeap = 4K\np = malloc(100000)\nwrite(p, 0, "x")\n');
    assert.deepEqual(brief(replay.diagnostics), ['3 warning heap-limit', '4 error null-pointer']);
    assert.equal(replay.step(1).problem, 'invalid-pointer');
    assert.match(replay.detail(1).problem!.message, /write through a NULL pointer/);
  });

  it('a long replay can run in slices and records the same', () => {
    const ops = Array.from({ length: 3000 }, (_, i) => (i % 3 === 2 ? `f ${i - 2}` : `a ${i} ${(i * 37) % 500 + 1}`));
    const text = ['0', '3000', '3000', '1', ...ops].join('\n');
    const trace = parseRep(text);
    const config = traceConfig(trace, { overrides: { preset: 'csapp' } }).config;
    const whole = Replay.run(trace, config);
    const sliced = new Replay(trace, config);
    let slices = 0;
    while (!sliced.done) {
      sliced.advance(250);
      slices++;
    }
    assert.equal(slices, 12);
    for (const i of [0, 999, 2999]) assert.deepEqual(sliced.step(i), whole.step(i));
  });

  it('a replay in slices is done once every op is recorded; warming its cursor to the last op (twice: the second time from a restore onto its own heap) is a call of its own, as many steps a slice as asked', () => {
    const ops = Array.from({ length: 3000 }, (_, i) => (i % 3 === 2 ? `f ${i - 2}` : `a ${i} ${(i * 37) % 500 + 1}`));
    const trace = parseRep(['0', '3000', '3000', '1', ...ops].join('\n'));
    const config = traceConfig(trace, { overrides: { preset: 'csapp' } }).config;
    // No checkpoint after the empty heap: the cursor has all 3000 ops to step through.
    const sliced = new Replay(trace, config, { minCheckpointInterval: 10_000 });
    assert.equal(sliced.warm(250), false, 'nothing to warm before every op is recorded');
    const advances: boolean[] = [];
    do advances.push(sliced.advance(250));
    while (!sliced.done);
    // 12 slices of 250 ops record them all, and the 12th says so.
    assert.deepEqual(advances, [...Array<boolean>(11).fill(false), true]);
    // The cursor steps from the empty heap to op 249, 499, ... 2999 (12 calls), is restored from
    // its checkpoint onto its own heap (the path every later jump takes) and steps on to op 2999
    // again (12 calls more): only the last returns true.
    const warms: boolean[] = [];
    do warms.push(sliced.warm(250));
    while (!warms.at(-1));
    assert.deepEqual(warms, [...Array<boolean>(23).fill(false), true]);
    assert.equal(sliced.warm(250), true, 'a warm cursor stays warm');
    const whole = Replay.run(trace, config);
    assert.deepEqual(sliced.heapAt(2999).walk(), whole.heapAt(2999).walk());
    assert.deepEqual(sliced.heapAt(1234).walk(), whole.heapAt(1234).walk());
  });

  it('keeps its history under 100 bytes an op: about 31 in the per-op columns, checkpoints bounded by 48 (the last one aside)', () => {
    const ops = Array.from({ length: 8000 }, (_, i) => (i % 4 === 3 ? `f ${i - 3}` : `a ${i} ${(i * 53) % 900 + 1}`));
    const trace = parseRep(['0', '8000', '8000', '1', ...ops].join('\n'));
    const replay = Replay.run(trace, traceConfig(trace).config);
    const n = trace.ops.length;
    const { columns, checkpoints } = replay.memory;
    assert.ok(columns / n > 29 && columns / n < 33, `${(columns / n).toFixed(1)} bytes per op in columns`);
    // Each checkpoint is at most 48 bytes for every op until the next one; the last one's ops run
    // past the end of the trace, hence a byte of slack.
    assert.ok(checkpoints / n > 30 && checkpoints / n <= 49, `${(checkpoints / n).toFixed(1)} bytes per op in checkpoints`);
    assert.equal(replay.memoryBytes, columns + checkpoints);
    assert.ok(replay.memoryBytes / n < 100);
  });
});

describe('a replay without history (for comparisons)', () => {
  const SAMPLES = ['first-best-worst.heap', 'coalescing.heap', 'realloc.heap', 'overflow.heap', 'tiny.rep'];
  it('ends with the same totals as one with history, under every policy, and keeps about 4 bytes an op', () => {
    for (const name of SAMPLES) {
      const text = readFileSync(`samples/${name}`, 'utf8');
      const trace = name.endsWith('.rep') ? parseRep(text) : parseHeapScript(text);
      for (const policy of ['sbrk', 'first', 'next', 'best', 'worst'] as const) {
        const config = traceConfig(trace, { overrides: { policy } }).config;
        const full = Replay.run(trace, config);
        const totals = Replay.run(trace, config, { history: false });
        const where = `${name}, ${policy}`;
        assert.ok(totals.done, where);
        assert.deepEqual(totals.finalMetrics, full.finalMetrics, `${where}: final metrics`);
        assert.equal(totals.examinedTotal, full.examinedTotal, `${where}: blocks examined`);
        assert.equal(totals.nullCount, full.nullCount, `${where}: NULLs`);
        assert.deepEqual(totals.diagnostics, full.diagnostics, `${where}: diagnostics`);
        assert.deepEqual(totals.lifetimes.diagnostics, full.lifetimes.diagnostics, `${where}: lifetimes`);
        assert.equal(totals.memory.checkpoints, 0);
        assert.ok(totals.memory.columns <= 4 * trace.ops.length + 4096, `${where}: ${totals.memory.columns} bytes of columns`);
        assert.throws(() => totals.step(0), /keeps its totals only/);
        assert.throws(() => totals.heapAt(0), /keeps its totals only/);
      }
    }
  });
});
