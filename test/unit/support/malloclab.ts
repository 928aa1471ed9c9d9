// The CS:APP malloc lab traces, read from ../shared (course material: never copied into the
// repository). Without that folder the cases that need it skip, except under CI, where they fail.

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { allocatorFor, type Allocator, type HeapConfig, type HeapOptions, type OpResult } from '../../../src/engine/index';
import { applyOp, Replay, traceConfig, type Trace } from '../../../src/trace/index';

export const MALLOCLAB_DIR = resolve(process.cwd(), '..', 'shared', 'traces', 'malloclab');

/** The CS:APP textbook allocator's reference figures: the textbook allocator's final heap size and utilisation. */
export const REFERENCE: readonly { trace: string; ops: number; heap: number; util: number }[] = [
  { trace: 'amptjp-bal', ops: 5694, heap: 2028880, util: 0.991818 },
  { trace: 'cccp-bal', ops: 5848, heap: 1687960, util: 0.99479 },
  { trace: 'cp-decl-bal', ops: 6648, heap: 3188640, util: 0.992688 },
  { trace: 'expr-bal', ops: 5380, heap: 3436368, util: 0.995567 },
  { trace: 'coalescing-bal', ops: 14400, heap: 12320, util: 0.664773 },
  { trace: 'random-bal', ops: 4800, heap: 16909856, util: 0.923278 },
  { trace: 'random2-bal', ops: 4800, heap: 15766824, util: 0.915377 },
  { trace: 'binary-bal', ops: 12000, heap: 2097168, util: 0.549312 },
  { trace: 'binary2-bal', ops: 24000, heap: 1122320, util: 0.513223 },
  { trace: 'realloc-bal', ops: 14401, heap: 2315296, util: 0.265642 },
  { trace: 'realloc2-bal', ops: 14401, heap: 83056, util: 0.338555 },
  { trace: 'short1-bal', ops: 12, heap: 12304, util: 0.661899 },
  { trace: 'short2-bal', ops: 12, heap: 20496, util: 0.89354 },
];

/** Skips the calling test when the traces are missing, or fails it under CI. */
export function requireMalloclab(context: Mocha.Context): void {
  if (existsSync(join(MALLOCLAB_DIR, 'short1-bal.rep'))) return;
  if (process.env.CI === 'true') throw new Error(`the malloc lab traces are missing from ${MALLOCLAB_DIR}; CI must have ../shared`);
  console.log(`      (skipped: no malloc lab traces in ${MALLOCLAB_DIR})`);
  context.skip();
}

export function readMalloclab(trace: string): string {
  return readFileSync(join(MALLOCLAB_DIR, `${trace}.rep`), 'utf8');
}

/**
 * A fresh allocator of `config` after ops 0 to `last` of `trace`, run directly on it (no replay,
 * no history): what a jump to a step must rebuild. `each` sees every op's result and the heap.
 */
export function heapAfter(trace: Trace, config: HeapConfig, last: number, each?: (i: number, result: OpResult, heap: Allocator) => void): Allocator {
  const heap = allocatorFor(config);
  const slots = new Int32Array(trace.names.length).fill(-1);
  for (let i = 0; i <= last; i++) {
    const result = applyOp(heap, trace.ops, i, slots, false);
    each?.(i, result, heap);
  }
  return heap;
}

/** Whether a trace test runs the full checker after op `i` of `n`: every op of the first thousand, then every 50th and the last (a check is O(blocks)). */
export function checkedStep(i: number, n: number): boolean {
  return i < 1000 || i % 50 === 0 || i === n - 1;
}

/** `trace` replayed on the csapp preset with `overrides`, which must make a valid configuration. */
export function replayCsapp(trace: Trace, overrides: HeapOptions): Replay {
  const { config, diagnostics } = traceConfig(trace, { overrides: { preset: 'csapp', ...overrides } });
  assert.deepEqual(diagnostics, []);
  return Replay.run(trace, config);
}
