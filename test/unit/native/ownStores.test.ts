// The way by stores (harness/track_stores.c; docs/own-allocator.md, "What the driver records"):
// where the compiler takes the instrumentation the recording executable tells the harness each
// store of the allocator, and the words recorded are the same as by the page ways, writes through
// the C library's string functions too (copies.c); the timed run is the plain executable's.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { compileAllocator, findCompiler, runAllocator } from '../../../src/native/ownAllocator';
import { parseTrace, type OwnRecording } from '../../../src/trace/index';
import { readMalloclab, requireMalloclab } from '../support/malloclab';
import { fixture, fixtureCompiles, recorded, withTracking } from '../support/ownAllocators';

/** Whether the compiler is GCC, which takes the instrumentation's flags (GCC 8 on). */
function isGcc(): boolean {
  const cc = findCompiler();
  return cc !== null && /Free Software Foundation/.test(spawnSync(cc, ['--version'], { encoding: 'utf8' }).stdout ?? '');
}

describe('your own allocator, its stores told by the compiler', function () {
  this.timeout(120_000);
  const compiles = fixtureCompiles();

  it('records by stores by default where GCC compiles the allocator, and times the plain executable', function () {
    if (!isGcc()) this.skip();
    const compiled = compileAllocator(fixture('textbook.c'), compiles());
    assert.ok(compiled.ok);
    assert.match(compiled.executable, /\.stores\.exe$/);
    assert.match(compiled.timedExecutable, /[^s]\.exe$/);
    const again = compileAllocator(fixture('textbook.c'), compiles());
    assert.ok(again.ok && again.cached);
    assert.deepEqual([again.executable, again.timedExecutable], [compiled.executable, compiled.timedExecutable], 'the cache keeps both');
    const timed = runAllocator(compiled.timedExecutable, parseTrace(readFileSync(fixture('huge-request.rep'), 'utf8'), 'rep'), { speed: true });
    assert.ok(timed.recording.speed !== null, 'the timed run goes through');
  });

  it('the words recorded by stores are the page ways\' on the malloc lab traces, those written by strcpy and its kin too', function () {
    requireMalloclab(this);
    const runs = [
      ['textbook.c', ['random-bal', 'realloc2-bal']],
      ['explicit.c', ['coalescing-bal']],
      ['stamped.c', ['short1-bal', 'amptjp-bal', 'realloc-bal']],
    ] as const;
    for (const [file, traces] of runs) {
      const compiled = compileAllocator(fixture(file), compiles());
      assert.ok(compiled.ok, file);
      for (const t of traces) {
        const trace = parseTrace(readMalloclab(t), 'rep');
        const [stores, faults, kernel] = ['stores', 'faults', 'kernel'].map((way) => withTracking(way, () => runAllocator(compiled.executable, trace)).recording) as OwnRecording[] as [OwnRecording, OwnRecording, OwnRecording];
        assert.equal(stores.ops, trace.ops.length, `${file}, ${t}: every op ran`);
        assert.deepEqual(recorded(faults), recorded(stores), `${file}, ${t}: by faults`);
        assert.deepEqual(recorded(kernel), recorded(stores), `${file}, ${t}: by the kernel`);
        if (file !== 'stamped.c') continue;
        // "bloc", as the string functions wrote it into the headers.
        const named = Array.from(stores.changeLo.subarray(0, stores.changes)).filter((lo) => lo === 0x636f6c62).length;
        assert.ok(named > trace.ops.length / 8, `${t}: names written by the library recorded (${named})`);
      }
    }
  });
});
