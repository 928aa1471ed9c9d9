// Allocators written the ways other students write them (test/fixtures/allocators/README.md, "Other
// styles"): the CMU lab's 2013 interface, footers on free blocks only, a heads array at the heap's
// start, a buddy system, and one that goes wrong four ways (memory from the C library, NULL, a realloc that loses
// the bytes, exit) and one whose mm_init fails. Each file in, the CSV, the diagnostics on their
// lines and the heap's picture out. Every fixture is compiled once.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, type CliIo } from '../../../src/cli/cli';
import { cliAllocatorRunner, compileAllocator, compileAllocatorAsync, interfaceOf, runAllocator, type CompileOptions } from '../../../src/native/ownAllocator';
import { mergeDiagnostics } from '../../../src/trace/diagnostics';
import { ownDiagnostics, OwnSource, parseOwnLayout, parseTrace, runEngine, sourceOf, type Diagnostic, type OwnLayout, type Trace } from '../../../src/trace/index';
import { readMalloclab, requireMalloclab } from '../support/malloclab';
import { fixture, fixtureCompiles } from '../support/ownAllocators';

const sample = (name: string) => readFileSync(join(process.cwd(), 'samples', name), 'utf8');
const lines = (ds: readonly Diagnostic[], severity: Diagnostic['severity'] = 'error') => ds.filter((d) => d.severity === severity).map((d) => `${d.range.line} ${d.code}`);

describe('allocators in other styles: the CMU 2013 interface, footers on free blocks only, a heads array, and the ways a run goes wrong', function () {
  this.timeout(120_000);
  const compiles = fixtureCompiles();
  let options: CompileOptions;
  before(() => {
    options = compiles();
  });

  /** The trace on a fixture: the compile, the recording, the diagnostics and the read model. */
  function onAllocator(file: string, trace: Trace, layout: OwnLayout | null = null, checkheap = false) {
    const compiled = compileAllocator(file.includes('/') ? file : fixture(file), options);
    assert.ok(compiled.ok, `${file} compiles: ${compiled.ok ? '' : compiled.text}`);
    const run = runAllocator(compiled.executable, trace, { checkheap });
    const diagnostics = mergeDiagnostics(trace.diagnostics, ownDiagnostics(trace, run.recording, { alignment: compiled.alignment, opLimitMs: 5000 }, run.problem));
    return { ...run, compiled, diagnostics, source: new OwnSource(trace, run.recording, file, diagnostics, layout) };
  }

  /** The command line on a trace's text: its exit code and what it printed. */
  function cli(args: string[], text: string): { code: number; out: string; err: string } {
    let out = '';
    let err = '';
    const io: CliIo = { readFile: () => text, out: (t) => void (out += t), err: (t) => void (err += t), runAllocator: cliAllocatorRunner(options) };
    const code = runCli(args, io);
    return { code, out, err };
  }

  it("the CMU lab's 2013-2015 interface (int mm_init, void mm_checkheap, 8-byte alignment) compiles, checks 8-byte alignment and is the csapp preset op for op", function () {
    requireMalloclab(this);
    const source = readFileSync(fixture('cmu2013.c'), 'utf8');
    assert.equal(interfaceOf(source), 'cmu');
    assert.equal(interfaceOf('void *mm_malloc(size_t size);\nvoid *malloc (size_t size) {\n    return NULL;\n}\n'), 'cmu', "a prototype of the driver's mm_malloc copied into the file is no definition");
    for (const t of ['short1-bal', 'amptjp-bal', 'realloc-bal']) {
      const text = readMalloclab(t);
      const own = cli(['run', `${t}.rep`, '--ops', '--allocator', fixture('cmu2013.c')], text);
      assert.equal(own.code, 0, `${t}: ${own.err}`);
      assert.equal(own.out, cli(['run', `${t}.rep`, '--ops', '--preset', 'csapp'], text).out, `${t}: the CSV`);
      const run = onAllocator('cmu2013.c', parseTrace(text, 'rep'), null, true);
      assert.equal(run.compiled.ok && run.compiled.alignment, 8);
      assert.deepEqual(lines(run.diagnostics), [], `${t}: no check fails, its payloads 8-byte aligned as its driver asks`);
      assert.equal(run.log, '', `${t}: its void mm_checkheap ran after every op and found nothing to print`);
    }
    const summary = cli(['run', 'short1-bal.rep', '--allocator', fixture('cmu2013.c')], readMalloclab('short1-bal')).out;
    assert.match(summary, /your allocator cmu2013\.c \(the CMU 64-bit lab's interface, 8-byte alignment\)/);
  });

  it('footers on free blocks only, with the previous block\'s allocated bit in the header: decoded with no false "boundary tag" problem, and its explicit list drawn when its links are stated', function () {
    requireMalloclab(this);
    const trace = parseTrace(readMalloclab('amptjp-bal'), 'rep');
    const found = onAllocator('footerless.c', trace, null, true);
    assert.equal(found.compiled.ok && found.compiled.alignment, 16);
    assert.deepEqual(lines(found.diagnostics), [], 'its mm_checkheap holds after every op, and so do the driver\'s checks');
    assert.equal(found.log, '', 'its checker printed nothing');
    const stated = onAllocator('footerless.c', trace, parseOwnLayout({ wordSize: 8, flagBits: 4, prevAllocatedBit: 1, footers: 'free', next: 0, prev: 8 }).layout).source;
    for (let i = 0; i < trace.ops.length; i += 97) {
      const heap = found.source.heapAt(i);
      assert.deepEqual(heap.problems, [], `step ${i}: nothing wrong with a heap whose allocated blocks have no footer`);
      assert.equal(heap.addrs[0], 8, `step ${i}: the first block after the prologue footer word`);
      assert.equal(Array.from(heap.owners).filter((o) => o >= 0).length, Array.from(heap.states).filter((st) => st === 0).length, `step ${i}: every allocated block owned by a payload handed out`);
      const listed = stated.heapAt(i);
      assert.deepEqual(listed.problems, [], `step ${i}: the stated links are sound`);
      const free = Array.from({ length: listed.count }, (_, k) => k).filter((k) => listed.states[k] !== 0).map((k) => listed.addrs[k]!);
      const onLists = listed.freeLists.flatMap((l) => Array.from(l.nodes)).sort((a, b) => a - b);
      assert.deepEqual(onLists, free, `step ${i}: every free block on its one list, once`);
    }
  });

  it('a heads array before the first block (inside mem_sbrk memory): the blocks are found past it, the csapp preset\'s 96 bytes further on', function () {
    requireMalloclab(this);
    const trace = parseTrace(readMalloclab('short1-bal'), 'rep');
    const own = onAllocator('heads-array.c', trace);
    const engine = sourceOf(runEngine(trace, { overrides: { preset: 'csapp' } }));
    assert.deepEqual(lines(own.diagnostics), []);
    for (let i = 0; i < trace.ops.length; i++) {
      const [mine, theirs] = [own.source.heapAt(i), engine.heapAt(i)];
      assert.deepEqual(mine.problems, [], `step ${i}: decoded, no note that the layout is unknown`);
      assert.deepEqual([Array.from(mine.addrs), Array.from(mine.sizes), Array.from(mine.states)], [Array.from(theirs.addrs, (a) => a + 96), Array.from(theirs.sizes), Array.from(theirs.states)], `step ${i}: the textbook's blocks after the heads`);
    }
  });

  it('a buddy system: headers without footers on any block, decoded with no false "boundary tag" problem, every block a power of two', function () {
    requireMalloclab(this);
    for (const t of ['binary2-bal', 'amptjp-bal']) {
      const trace = parseTrace(readMalloclab(t), 'rep');
      const own = onAllocator('buddy.c', trace);
      assert.deepEqual(lines(own.diagnostics), [], t);
      for (let i = 0; i < trace.ops.length; i += 211) {
        const heap = own.source.heapAt(i);
        assert.deepEqual(heap.problems, [], `${t}, step ${i}`);
        assert.equal(heap.addrs[0], 0, `${t}, step ${i}: the first block at the heap's start`);
        for (let k = 0; k < heap.count; k++) assert.equal(heap.sizes[k]! & (heap.sizes[k]! - 1), 0, `${t}, step ${i}: the block at ${heap.addrs[k]} of ${heap.sizes[k]} bytes`);
        // Its 8-byte headers read as 8-byte words (a 4-byte reading walks the same chain, its payloads a word off): every allocated block a payload handed out.
        const allocated = Array.from(heap.states).filter((st) => st === 0).length;
        assert.equal(Array.from(heap.owners).filter((o) => o >= 0).length, allocated, `${t}, step ${i}: every allocated block owned`);
      }
    }
  });

  it('memory from the C library, NULL from a nearly empty heap, a realloc that loses the bytes and exit(0): each an error on its line, the CSV exact', () => {
    const text = sample('tiny.rep');
    const trace = parseTrace(text, 'rep');
    const own = onAllocator('wayward.c', trace);
    assert.deepEqual(lines(own.diagnostics), ['6 payload-outside-heap', '9 allocator-null', '10 realloc-lost-data', '13 allocator-failed']);
    const [outside, nul, , exited] = own.diagnostics;
    assert.match(outside!.message, /^The payload of 100 bytes at address 0x[0-9a-f]+ \([\d,]+ bytes before the heap's start\) does not lie inside the heap \[0x0000, 0x1010\): it is not memory mem_sbrk handed out/);
    assert.match(nul!.message, /^malloc returned NULL for 40 bytes, with the heap at 4,112 of its 20,971,520 bytes: the lab's driver counts this a failure \("mm_malloc failed"\)/);
    assert.match(exited!.message, /called exit in this op/);
    assert.equal(own.source.summaryAt(1), `-> 0x${own.recording.outside.get(1)!.toString(16)} (outside the heap)`, "the op's lens names the address");
    // The CSV: the pointer from libc as its exact offset from mem_heap_lo() (negative: before it), the same when freed; NULL as -1; nothing the allocator printed.
    const csv = cli(['run', 'tiny.rep', '--ops', '--allocator', fixture('wayward.c')], text);
    assert.equal(csv.code, 1);
    const rows = csv.out.trim().split('\n').slice(1).map((r) => r.split(','));
    assert.equal(rows.length, 8, 'the ops before the one that called exit');
    const offset = rows[1]![4]!;
    assert.match(offset, /^-\d+$/);
    assert.ok(Number.isSafeInteger(Number(offset)), 'exact, not a 64-bit wrap rounded to a double');
    assert.equal(BigInt(offset) % 16n, 0n, "glibc's 16-byte aligned pointer minus the page-aligned heap's start, to the byte");
    assert.equal(rows[3]![4], offset, 'its free names the same pointer');
    assert.deepEqual(rows[4], ['4', 'a', '3', '40', '-1', '4112']);
    assert.match(own.log, /^wayward: mm_init\nwayward: malloc\(24\), call 1\n/);
    assert.doesNotMatch(csv.out, /wayward/);
  });

  it("an allocator wrong on every op of a long trace (the C library's malloc) is a thousand errors and a count, and a heap smaller than the first block's search is no crash", () => {
    const dir = mkdtempSync(join(tmpdir(), 'heap-inspector-src-'));
    try {
      const file = join(dir, 'libc.c');
      writeFileSync(file, ['#include <stdlib.h>', '#include "mm.h"', '#include "memlib.h"', 'int mm_init(void) { return mem_sbrk(64) == (void *)-1 ? -1 : 0; }', 'void *mm_malloc(size_t n) { return malloc(n); }', 'void mm_free(void *p) { free(p); }', 'void *mm_realloc(void *p, size_t n) { return realloc(p, n); }', ''].join('\n'));
      const ops = Array.from({ length: 2500 }, (_, k) => `a ${k} 16\nf ${k}`).join('\n');
      const trace = parseTrace(`0\n2500\n5000\n1\n${ops}\n`, 'rep');
      const own = onAllocator(file, trace);
      const outside = own.diagnostics.filter((d) => d.code === 'payload-outside-heap');
      assert.equal(outside.length, 1001, 'the first 1,000 in full, then one that counts the rest');
      assert.equal(outside.at(-1)!.count, 1500);
      assert.match(outside.at(-1)!.message, /and 1,500 more "payload-outside-heap" problems/);
      // Its heap is mm_init's 64 bytes: a stated layout's first block is looked for inside them only.
      const stated = onAllocator(file, parseTrace(sample('tiny.rep'), 'rep'), parseOwnLayout({ wordSize: 8 }).layout).source;
      assert.match(stated.heapAt(3).problems[0]!.message, /No first block from which the stated layout walks the heap to its end was found/);
      assert.match(onAllocator(file, parseTrace(sample('tiny.rep'), 'rep')).source.heapAt(3).problems[0]!.message, /follow none of the layouts/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("NULL once mem_sbrk refused to grow the heap past --max-heap is the heap's limit (a warning), even for a request smaller than the room left", function () {
    requireMalloclab(this);
    const checked = cli(['check', 'amptjp-bal.rep', '--allocator', fixture('textbook.c'), '--max-heap', '300K'], readMalloclab('amptjp-bal'));
    assert.equal(checked.code, 0, checked.out.slice(0, 500));
    assert.doesNotMatch(checked.out, /: error: /);
    assert.match(checked.out, /^amptjp-bal\.rep:350:1: warning: malloc returned NULL for 120 bytes after mem_sbrk refused to grow the heap \(303,168 bytes\) past its limit of 307,200 bytes/m);
    assert.match(checked.out, /^amptjp-bal\.rep:267:1: warning: malloc returned NULL for 4,072 bytes: the heap \(303,168 bytes\) cannot grow by that much/m);
  });

  it('an mm_init that works only once: recorded, the trace goes through; timed (mm_init again before each run, as the lab\'s driver does) it fails, and the score says so', () => {
    const dir = mkdtempSync(join(tmpdir(), 'heap-inspector-src-'));
    try {
      const file = join(dir, 'once.c');
      writeFileSync(file, ['#define mm_init textbook_init', `#include "${fixture('textbook.c')}"`, '#undef mm_init', 'int mm_init(void) { static int calls; return ++calls > 1 ? -1 : textbook_init(); }', ''].join('\n'));
      const run = cli(['run', 'tiny.rep', '--allocator', file], sample('tiny.rep'));
      assert.equal(run.code, 0, 'no check failed');
      assert.match(run.out, /throughput +not timed \(the timed run failed: mm_init reported a failure when called again before a timed run \(the lab's driver calls it before each run of a trace\)\)/);
      const score = cli(['score', '--allocator', file, 'tiny.rep'], sample('tiny.rep'));
      assert.equal(score.code, 1);
      assert.match(score.out, /^tiny\.rep +no .* the timed run failed: mm_init reported a failure when called again/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a heap checker that calls exit (as many do when the heap is bad) is said to have stopped in the checker after its op, not in the op', () => {
    const dir = mkdtempSync(join(tmpdir(), 'heap-inspector-src-'));
    try {
      // The 2013 CMU interface: int mm_init, void mm_checkheap, which gives up on line 9 (op 4 of tiny.rep).
      const file = join(dir, 'mm.c');
      writeFileSync(file, ['#include <stdio.h>', '#include <stdlib.h>', '#include <string.h>', '#include "mm.h"', '#include "memlib.h"', 'int mm_init(void) { return 0; }', 'void *malloc(size_t n) { size_t a = (n + 7) & ~(size_t)7; char *p = mem_sbrk(a + 8); if (p == (void *)-1) return NULL; *(size_t *)p = a; return p + 8; }', 'void free(void *p) { (void)p; }', 'void *realloc(void *p, size_t n) { void *q = malloc(n); if (p && q) { size_t o = *((size_t *)p - 1); memcpy(q, p, o < n ? o : n); } return q; }', 'void *calloc(size_t a, size_t b) { void *p = malloc(a * b); if (p) memset(p, 0, a * b); return p; }', 'void mm_checkheap(int line) { if (line == 9) { printf("bad heap at line %d\\n", line); exit(1); } }', ''].join('\n'));
      const trace = parseTrace(sample('tiny.rep'), 'rep');
      const compiled = compileAllocator(file, options);
      assert.ok(compiled.ok && compiled.interface === 'cmu' && compiled.alignment === 8, compiled.ok ? '' : compiled.text);
      const run = runAllocator(compiled.executable, trace, { checkheap: true });
      const ds = ownDiagnostics(trace, run.recording, { alignment: 8, opLimitMs: 5000 }, run.problem);
      assert.deepEqual(lines(ds), ['9 allocator-failed']);
      assert.match(ds[0]!.message, /^The allocator called exit in your heap checker \(--checkheap\), called after this op/);
      assert.equal(new OwnSource(trace, run.recording, 'mm.c', ds).notRunText(4), 'stopped here: it called exit in the heap checker after the op');
      assert.match(run.log, /bad heap at line 9/);
      assert.deepEqual(lines(ownDiagnostics(trace, runAllocator(compiled.executable, trace).recording, { alignment: 8, opLimitMs: 5000 }, null)), [], 'without --checkheap it is never called');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the same file compiled several times at once (several open traces rerun when it is saved): every compile gets the one executable, none trips over another', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'heap-inspector-src-'));
    try {
      const file = join(dir, 'mm.c');
      writeFileSync(file, `${readFileSync(fixture('textbook.c'), 'utf8')}\n/* compiled at once: ${Date.now()} */\n`);
      const results = await Promise.all([0, 1, 2, 3].map(() => compileAllocatorAsync(file, { ...options, cacheDir: join(dir, 'cache') })));
      for (const r of results) assert.ok(r.ok && !r.cached, r.ok ? '' : r.text);
      assert.equal(new Set(results.map((r) => r.ok && r.executable)).size, 1);
      const run = runAllocator((results[0] as { executable: string }).executable, parseTrace(sample('tiny.rep'), 'rep'));
      assert.equal(run.recording.ops, 9);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an mm_init that fails (mem_sbrk refused more than the heap) says so on line 1; a request past the heap\'s limit is a warning, not a failure of the allocator', () => {
    const trace = parseTrace(sample('tiny.rep'), 'rep');
    const failed = onAllocator('init-fails.c', trace);
    assert.deepEqual(lines(failed.diagnostics), ['1 allocator-failed']);
    assert.match(failed.diagnostics[0]!.message, /mm_init reported a failure: no op ran/);
    assert.equal(failed.source.steps, 0);
    assert.match(failed.log, /mem_sbrk refused 32 MiB/);
    const huge = parseTrace(readFileSync(fixture('huge-request.rep'), 'utf8'), 'rep');
    const textbook = onAllocator('textbook.c', huge);
    assert.deepEqual(lines(textbook.diagnostics), []);
    assert.deepEqual(lines(textbook.diagnostics, 'warning'), ['9 heap-limit']);
    assert.match(textbook.diagnostics.find((d) => d.code === 'heap-limit')!.message, /^malloc returned NULL for 33,554,432 bytes: the heap \(4,112 bytes\) cannot grow by that much within its limit of 20,971,520 bytes/);
    // segfault.c writes through (char *)-1 - 4: the address said exactly, not rounded to 2^64.
    const crashed = onAllocator('segfault.c', huge);
    assert.match(crashed.diagnostics.find((d) => d.code === 'allocator-failed')!.message, /at address 0xfffffffffffffffb \(outside the heap\)/);
    // compare: under the table, why the allocator's row is not the whole trace.
    const compared = cli(['compare', 'huge-request.rep', '--allocator', fixture('segfault.c')], readFileSync(fixture('huge-request.rep'), 'utf8'));
    assert.equal(compared.code, 1);
    assert.match(compared.out, /\nyour allocator \(segfault\.c\): 1 error, the first on line 9: The allocator stopped with a segmentation fault \(SIGSEGV\)[^\n]*\n {2}its row is the heap after op 4 of 7, the last it finished\.\n$/);
    const none = cli(['compare', 'tiny.rep', '--allocator', fixture('init-fails.c')], sample('tiny.rep'));
    assert.match(none.out, /your allocator \(init-fails\.c\) own: your allocator did not run \(mm_init failed or crashed, or it did not compile\): it has no heap to measure/);
    assert.match(none.out, /the first on line 1: mm_init reported a failure: no op ran\.\n {2}no op ran, its row is the empty heap\.\n$/);
  });
});
