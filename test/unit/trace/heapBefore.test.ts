// The heap before an allocation or a realloc that moved, rebuilt from the heap after it and the
// run's record (src/trace/heapBefore.ts), against the heap before itself, walked, on the CS:APP
// malloc lab traces; and the story and search path a frame tells from it, against those the heap
// before tells.

import assert from 'node:assert/strict';
import { BLOCK_STATUSES, FIT_POLICIES, type HeapColumns } from '../../../src/engine/index';
import { chainBefore, type BlockChain } from '../../../src/trace/heapBefore';
import { pathAt } from '../../../src/trace/heapWindow';
import { OUTCOME, parseRep, runEngine, type StepRecord } from '../../../src/trace/index';
import { ReplaySource } from '../../../src/trace/replaySource';
import { readMalloclab, REFERENCE, requireMalloclab } from '../support/malloclab';

const FREE = BLOCK_STATUSES.indexOf('free');
const TRACES = REFERENCE.map((r) => r.trace);
/** CS:APP's textbook allocator under each fit policy, and first fit in two more layouts: 64-bit words with in-place realloc, and no coalescing. */
const CONFIGS = [...FIT_POLICIES.map((policy) => ({ preset: 'csapp', policy }) as const), { preset: 'default', policy: 'first' }, { preset: 'csapp', policy: 'first', coalesce: 'off' }] as const;

/** An allocation that returned a block of its own: a malloc, a calloc, or a realloc that moved (not one that resized in place). */
function placed(record: StepRecord): boolean {
  const kind = record.op.kind;
  return (kind === 'malloc' || kind === 'calloc' || kind === 'realloc') && record.ptr !== null && record.block !== null && !(record.outcome & OUTCOME.IN_PLACE);
}

/** Where two columns first differ (a heap of thousands of blocks at every op is too many for deepEqual), or -1. */
function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>, n: number): number {
  for (let k = 0; k < n; k++) if (a[k] !== b[k]) return k;
  return -1;
}

/**
 * The ops a case checks: every realloc that moved and every allocation that grew the heap (the
 * ops whose heap before a frame used to walk), and every 16th other one (the heap's walk at every
 * op of every trace, policy and layout takes minutes).
 */
function checked(record: StepRecord): boolean {
  return placed(record) && (record.op.kind === 'realloc' || (record.outcome & OUTCOME.EXTENDED) !== 0 || record.index % 16 === 0);
}

function copied(c: HeapColumns): BlockChain {
  return { count: c.count, addrs: c.addrs.slice(0, c.count), sizes: c.sizes.slice(0, c.count), status: c.status.slice(0, c.count) };
}

describe('the heap before an allocation, from the heap after it', () => {
  it('is the heap before, walked, at the mallocs, callocs and moving reallocs of the malloc lab traces, under first, next, best and worst fit, and first fit in two more layouts', function () {
    requireMalloclab(this);
    this.timeout(600_000);
    let moved = 0;
    let grown = 0;
    let intoFreedNeighbour = 0;
    for (const trace of TRACES) {
      const parsed = parseRep(readMalloclab(trace));
      for (const overrides of CONFIGS) {
        const run = runEngine(parsed, { overrides });
        const source = new ReplaySource(run);
        const where = `${trace}, ${JSON.stringify(overrides)}`;
        for (let i = 0; i < run.replay.recorded; i++) {
          const record = run.replay.step(i);
          if (!checked(record)) continue;
          const old = record.op.kind === 'realloc' ? source['movedOutOf'](i) : null;
          assert.notEqual(old, undefined, `${where}, op ${i}: the realloc's old block is known`);
          const before = copied(run.replay.heapAt(i - 1).walkColumns());
          const after = run.replay.heapAt(i).walkColumns();
          const rebuilt = chainBefore(after, { block: record.block!, remainder: record.remainder, grownBy: record.grownBy, old: old ?? null });
          assert.ok(rebuilt !== null, `${where}, op ${i}: the heap after agrees with the record`);
          assert.equal(rebuilt.count, before.count, `${where}, op ${i}: blocks`);
          for (const column of ['addrs', 'sizes', 'status'] as const) {
            const k = firstDifference(rebuilt[column], before[column], before.count);
            assert.equal(k, -1, `${where}, op ${i}: block ${k}'s ${column}: ${rebuilt[column][k]} rebuilt, ${before[column][k]} walked`);
          }
          // The heap's invariants, as the rebuilt chain holds them: blocks end to end, and no two free ones side by side where freed blocks merge.
          const merges = run.config.coalesce === 'immediate';
          for (let k = 1; k < rebuilt.count; k++) {
            if (rebuilt.addrs[k] !== rebuilt.addrs[k - 1]! + rebuilt.sizes[k - 1]!) assert.fail(`${where}, op ${i}: block ${k} does not follow the one before`);
            if (merges && rebuilt.status[k] === FREE && rebuilt.status[k - 1] === FREE) assert.fail(`${where}, op ${i}: blocks ${k - 1} and ${k} both free`);
          }
          if (old) {
            moved++;
            // The old block freed into the rest split off the hole before it.
            if (old.addr === record.block!.addr + record.block!.size + record.remainder && record.remainder > 0 && run.config.coalesce === 'immediate') intoFreedNeighbour++;
          }
          if (record.outcome & OUTCOME.EXTENDED) grown++;
        }
      }
    }
    assert.ok(moved > 10_000, `${moved} reallocs that moved`);
    assert.ok(grown > 1000, `${grown} allocations that grew the heap`);
    assert.ok(intoFreedNeighbour > 0, `${intoFreedNeighbour} old blocks merged with the rest of the hole`);
  });

  it("tells the allocations' and moving reallocs' story and search path of the malloc lab traces as the heap before tells them, under first, best and worst fit", function () {
    requireMalloclab(this);
    this.timeout(600_000);
    for (const trace of TRACES) {
      const parsed = parseRep(readMalloclab(trace));
      for (const policy of FIT_POLICIES.filter((p) => p !== 'next')) {
        const run = runEngine(parsed, { overrides: { preset: 'csapp', policy } });
        // Two read models of one run, so that neither answers from what the other kept.
        const fromAfter = new ReplaySource(run);
        const fromBefore = new ReplaySource(run);
        const where = `${trace}, ${policy} fit`;
        let told = 0;
        for (let i = 0; i < run.replay.recorded; i++) {
          const record = run.replay.step(i);
          if (!checked(record)) continue;
          // The heap before first, then after: the replay's cursor steps on rather than restoring.
          const before = fromBefore['seenBefore'](i);
          const after = fromAfter['seenAfter'](i, record, () => run.replay.heapAt(i).walkColumns());
          assert.ok(after !== null, `${where}, op ${i}: the heap after tells`);
          assert.equal(after.story, before.story, `${where}, op ${i}`);
          assert.equal(after.path.length, before.path.length, `${where}, op ${i}: the path's length`);
          for (let k = 0; k < before.path.length; k++) if (pathAt(after.path, k) !== pathAt(before.path, k)) assert.fail(`${where}, op ${i}: the path's block ${k}: ${pathAt(after.path, k)}, not ${pathAt(before.path, k)}`);
          told++;
        }
        assert.ok(told > 0 || trace.startsWith('short'), `${where}: ${told} told`);
      }
    }
  });
});
