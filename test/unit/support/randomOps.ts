// Test helper: random malloc / calloc / realloc / free sequences for property tests (fast-check),
// mostly small requests with some large ones and the odd zero, and their description for a failure.

import fc from 'fast-check';

/** One op; `pick` chooses among the live pointers (modulo their count). */
export type Op = { readonly op: 'malloc'; readonly size: number } | { readonly op: 'calloc'; readonly size: number } | { readonly op: 'free'; readonly pick: number } | { readonly op: 'realloc'; readonly pick: number; readonly size: number };

const size = fc.oneof({ weight: 12, arbitrary: fc.integer({ min: 1, max: 200 }) }, { weight: 2, arbitrary: fc.integer({ min: 201, max: 6000 }) }, { weight: 1, arbitrary: fc.constant(0) });
const pick = fc.nat({ max: 1000 });

/** Up to 80 ops. */
export const heapOps = fc.array(
  fc.oneof(
    { weight: 6, arbitrary: fc.record({ op: fc.constant('malloc' as const), size }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('calloc' as const), size }) },
    { weight: 5, arbitrary: fc.record({ op: fc.constant('free' as const), pick }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('realloc' as const), pick, size }) },
  ),
  { maxLength: 80 },
);

export function describeOps(list: readonly Op[]): string {
  return list.map((o) => (o.op === 'free' ? `free(#${o.pick})` : o.op === 'realloc' ? `realloc(#${o.pick}, ${o.size})` : `${o.op}(${o.size})`)).join(', ');
}
