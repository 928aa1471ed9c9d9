// The CS:APP malloc lab traces, read from ../shared (course material: never copied into the
// repository). Without that folder the cases that need it skip, except under CI, where they fail.

import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

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
