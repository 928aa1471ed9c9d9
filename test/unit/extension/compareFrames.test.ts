// The panel's side by side without VS Code: every policy's heap at the same step, packed from one
// comparison replayed with history, the run on show standing for its own policy.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { buildCompare } from '../../../src/extension/compareFrames';
import { buildFrame } from '../../../src/extension/frames';
import { Comparison, ComparisonCache, parseHeapScript, runEngine } from '../../../src/trace/index';

describe('the panel\'s comparison of every policy', () => {
  it('every policy at the same step, each replayed once, the run on show not again', () => {
    const trace = parseHeapScript(readFileSync('samples/first-best-worst.heap', 'utf8'));
    const shown = runEngine(trace, { overrides: { policy: 'best' } });
    const comparison = Comparison.of(trace, {}, { history: true, known: shown, cache: new ComparisonCache() });
    assert.equal(buildCompare(comparison, 9), null, 'nothing to show before the other policies are replayed');

    comparison.advance(Infinity);
    const c = buildCompare(comparison, 9)!;
    assert.deepEqual(c.frames.map((x) => x.policy), ['sbrk', 'first', 'next', 'best', 'worst']);
    assert.deepEqual(c.frames.map((x) => x.frame.highlight.block), [368, 12, 0x1ac, 0x8c, 0x1ac], 'where each policy put op 9\'s block');
    assert.deepEqual(c.frames[3]!.frame, buildFrame(shown, 9), 'the run on show stands for best fit');
    assert.equal(comparison.replayed, 4 * trace.ops.length, 'the four other policies, once each');

    const later = buildCompare(comparison, 3)!;
    assert.equal(comparison.replayed, 4 * trace.ops.length, 'another step replays nothing');
    assert.deepEqual(later.frames.map((x) => x.frame.step), [3, 3, 3, 3, 3]);
  });
});
