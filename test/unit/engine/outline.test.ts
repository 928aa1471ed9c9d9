// The chain's outline (ImplicitAllocator.outline: kept since a restore from a snapshot,
// keptChain.ts) against the walk of memory, and the walk of a window of blocks (walkWindow) against
// the whole walk cut, op by op: a frame reads them instead of walking the whole heap
// (docs/performance.md, "Walking only the window").

import assert from 'node:assert/strict';
import { COALESCE_MODES, createAllocator, FIT_POLICIES, FREE_LISTS, restoreAllocator, type Allocator, type HeapColumns } from '../../../src/engine/index';
import { cutColumns } from '../../../src/engine/walker';
import { applyOp, parseRep, traceConfig } from '../../../src/trace/index';
import { seededRandom } from '../support/generatedTrace';
import { readMalloclab, REFERENCE, requireMalloclab } from '../support/malloclab';

const NO_PTR = -1;
const COLUMNS = ['addrs', 'sizes', 'payloadAddrs', 'payloadSizes', 'headers', 'footers', 'status'] as const;

/** Where two columns first differ (NaN equal to NaN), or -1. */
function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>, n: number): number {
  for (let k = 0; k < n; k++) if (a[k] !== b[k] && !(Number.isNaN(a[k]) && Number.isNaN(b[k]))) return k;
  return -1;
}

function assertSame(got: Partial<HeapColumns>, want: HeapColumns, columns: readonly (typeof COLUMNS)[number][], where: string): void {
  assert.equal(got.count, want.count, `${where}: blocks`);
  for (const column of columns) {
    const k = firstDifference(got[column]!, want[column], want.count);
    assert.equal(k, -1, `${where}: block ${k}'s ${column}: ${got[column]?.[k]} against ${want[column][k]} walked`);
  }
}

/** The outline (when `outlined`) and a window's walk of `heap` against its whole walk. */
function check(heap: Allocator, random: () => number, where: string, outlined = true): void {
  const whole = heap.walkColumns();
  if (outlined) {
    const outline = heap.outline();
    assert.ok(outline !== null, `${where}: an outline`);
    assert.equal(outline.heapSize, whole.heapSize, `${where}: heap size`);
    assert.equal(outline.stopped, null);
    assertSame(outline, whole, ['addrs', 'sizes', 'payloadAddrs', 'status'], `${where}, outline`);
  }
  const first = Math.floor(random() * whole.count);
  const count = Math.floor(random() * (whole.count - first + 2));
  const window = heap.walkWindow(whole.addrs[first] ?? 0, count);
  const cut = cutColumns(whole, first, Math.min(whole.count, first + count));
  assertSame(window, cut, COLUMNS, `${where}, blocks [${first}, ${first + count})`);
  assert.deepEqual([window.prologue, window.epilogue, window.heapSize, window.stopped], [whole.prologue, whole.epilogue, whole.heapSize, whole.stopped], `${where}: sentinels`);
}

describe('the chain outline and a window walk', () => {
  it('a window\'s walk is the whole walk cut, op by op, on the malloc lab traces, for every free list but the buddy system, placement policy and coalescing mode', function () {
    requireMalloclab(this);
    this.timeout(120_000);
    const random = seededRandom(7);
    let checked = 0;
    for (const ref of REFERENCE) {
      const trace = parseRep(readMalloclab(ref.trace));
      for (const freeList of FREE_LISTS.filter((f) => f !== 'buddy')) {
        // Linked lists under one policy a trace, in turn (their index is kept by the same code as the implicit list's).
        for (const policy of freeList === 'implicit' ? FIT_POLICIES : [FIT_POLICIES[REFERENCE.indexOf(ref) % FIT_POLICIES.length]!]) {
          for (const coalesce of freeList === 'implicit' ? COALESCE_MODES : (['immediate'] as const)) {
            const preset = checked % 2 === 0 ? 'csapp' : 'default';
            const { config } = traceConfig(trace, { overrides: { preset, policy, freeList, coalesce } });
            const heap = createAllocator({ ...config, search: 'indexed' });
            const slots = new Int32Array(Math.max(1, trace.names.length)).fill(NO_PTR);
            // Every 24th op of the small traces, every 96th of the long ones (a walk of the whole heap at every op takes minutes).
            const every = trace.ops.length > 4000 ? 96 : 24;
            for (let i = 0; i < trace.ops.length; i++) {
              applyOp(heap, trace.ops, i, slots, false);
              if (i % every === 0 || i === trace.ops.length - 1) check(heap, random, `${ref.trace}, ${freeList} ${policy} ${coalesce} ${preset}, op ${i}`, false);
            }
            checked++;
          }
        }
      }
    }
    assert.ok(checked > 150);
  });

  it('the outline is the walk of memory, op by op, on an implicit list restored from a snapshot, as the history\'s cursor is, under every fit policy and coalescing mode', function () {
    requireMalloclab(this);
    this.timeout(120_000);
    const random = seededRandom(11);
    let checked = 0;
    for (const ref of REFERENCE) {
      const trace = parseRep(readMalloclab(ref.trace));
      for (const policy of FIT_POLICIES) {
        const freeList = 'implicit';
        const coalesce = COALESCE_MODES[checked % COALESCE_MODES.length]!;
        const { config } = traceConfig(trace, { overrides: { preset: 'csapp', policy, freeList, coalesce } });
        const run = createAllocator({ ...config, search: 'indexed' });
        const runSlots = new Int32Array(Math.max(1, trace.names.length)).fill(NO_PTR);
        let cursor: Allocator | null = null;
        let slots = runSlots;
        // A restore every 600 ops (some cursors step past the next restore point: up to 1,800 ops kept).
        for (let i = 0; i < trace.ops.length; i++) {
          applyOp(run, trace.ops, i, runSlots, false);
          if (i % 600 === 0 && (cursor === null || random() < 0.7)) {
            // With the fit index for speed (the history's cursor has none; the outline does not read it).
            cursor = restoreAllocator(config, run.snapshot(false, true), cursor ?? undefined, { quiet: true, totalsOnDemand: true });
            slots = runSlots.slice();
            check(cursor, random, `${ref.trace}, ${freeList} ${policy} ${coalesce}, restored at op ${i}`);
          } else if (cursor !== null) {
            applyOp(cursor, trace.ops, i, slots, false);
            if (i % 25 === 0) check(cursor, random, `${ref.trace}, ${freeList} ${policy} ${coalesce}, op ${i} of a cursor`);
          }
        }
        checked++;
      }
    }
  });

  // Linked lists' snapshots keep the heap's bytes (their links are in them), so a heap restored from one is walked.
  it('no outline: a heap not restored, one restored with its bytes, the buddy system, or once a program wrote past a payload', () => {
    const run = createAllocator({ preset: 'csapp' });
    const p = run.malloc(24).ptr!;
    run.malloc(24);
    assert.equal(run.outline(), null);
    assert.equal(restoreAllocator(run.config, run.snapshot(true)).outline(), null);
    const explicit = createAllocator({ preset: 'csapp', freeList: 'explicit' });
    explicit.malloc(24);
    assert.equal(restoreAllocator(explicit.config, explicit.snapshot(false)).outline(), null);
    const buddy = createAllocator({ preset: 'csapp', freeList: 'buddy' });
    buddy.malloc(24);
    assert.equal(restoreAllocator(buddy.config, buddy.snapshot(false)).outline(), null);
    const heap = restoreAllocator(run.config, run.snapshot(false));
    assert.ok(heap.outline() !== null);
    heap.write(p, 0, new Uint8Array(64).fill(0xab));
    assert.equal(heap.outline(), null);
  });
});
