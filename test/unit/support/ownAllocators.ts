// Test helper: the allocators written as fixtures (test/fixtures/allocators/, whose README says
// what each does and where the broken ones fail), compiled with the repository's harness into a
// cache of the describe block's own, removed after it. Without a C compiler the block skips,
// except under CI, where it fails.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findCompiler, type CompileOptions } from '../../../src/native/ownAllocator';
import type { OwnRecording } from '../../../src/trace/index';

export const FIXTURES = join(process.cwd(), 'test', 'fixtures', 'allocators');

export const fixture = (name: string): string => join(FIXTURES, name);

/** Registers the enclosing block's before and after; the returned function gives the compile options (valid once `before` ran). */
export function fixtureCompiles(): () => CompileOptions {
  let cache = '';
  before(function () {
    if (findCompiler() === null) {
      if (process.env.CI === 'true') throw new Error('CI must have a C compiler (cc, gcc or clang)');
      this.skip();
    }
    cache = mkdtempSync(join(tmpdir(), 'heap-inspector-cache-'));
  });
  after(() => {
    if (cache) rmSync(cache, { recursive: true, force: true });
  });
  return () => ({ cacheDir: cache, harnessDir: join(process.cwd(), 'harness') });
}

/** Runs `run` with HEAP_INSPECTOR_TRACKING set to `way` (harness/tracking.c; undefined: the driver chooses). */
export function withTracking<T>(way: string | undefined, run: () => T): T {
  const before = process.env.HEAP_INSPECTOR_TRACKING;
  if (way === undefined) delete process.env.HEAP_INSPECTOR_TRACKING;
  else process.env.HEAP_INSPECTOR_TRACKING = way;
  try {
    return run();
  } finally {
    if (before === undefined) delete process.env.HEAP_INSPECTOR_TRACKING;
    else process.env.HEAP_INSPECTOR_TRACKING = before;
  }
}

/** What a recording says, op by op, as plain data. */
export const recorded = (r: OwnRecording): Record<string, unknown> => ({
  init: [r.initOk, r.initHeapSize, r.initLogPosition],
  ops: r.ops,
  results: [Array.from(r.offsets), Array.from(r.heapSizes), Array.from(r.logPositions)],
  changes: [Array.from(r.changeStart), Array.from(r.changeAddrs.subarray(0, r.changes)), Array.from(r.changeLo.subarray(0, r.changes)), Array.from(r.changeHi.subarray(0, r.changes))],
  violations: r.violations,
  end: [r.crash, r.ended],
});
