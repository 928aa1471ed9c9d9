// What the student's allocator prints, placed op by op (harness/printed.c): printf and stderr,
// write(2), a writev the driver cannot count (found by its periodic look at the log file, then
// asked after every op), and the last line printed before a crash, all in the log in order.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileAllocator, runAllocator, type CompileOptions } from '../../../src/native/ownAllocator';
import { OwnSource, parseTrace } from '../../../src/trace/index';
import { fixtureCompiles } from '../support/ownAllocators';

/** A bump allocator (CS:APP interface) whose n-th malloc prints "<n>" by the means `how(n)` names, and crashes at the malloc `crashAt`. */
function talkingAllocator(crashAt: number): string {
  return [
    '#include <stdio.h>',
    '#include <string.h>',
    '#include <sys/uio.h>',
    '#include <unistd.h>',
    '#include "mm.h"',
    '#include "memlib.h"',
    'static int calls;',
    'int mm_init(void) { printf("init\\n"); return 0; }',
    'void *mm_malloc(size_t n) {',
    '  int k = calls++;',
    '  char text[32]; int len = snprintf(text, sizeof text, "<%d>", k);',
    '  if (k % 4 == 0) printf("%s", text);',
    '  else if (k % 4 == 1) fputs(text, stderr);',
    '  else if (k % 4 == 2) write(1, text, (size_t)len);',
    '  else if (k == 703) { struct iovec v = {text, (size_t)len}; writev(2, &v, 1); }',
    '  else printf("%s\\n", text);',
    `  if (k == ${crashAt}) { printf("about to crash\\n"); *(volatile int *)0 = 1; }`,
    '  size_t a = (n + 7) & ~(size_t)7; char *p = mem_sbrk(a + 8);',
    '  if (p == (void *)-1) return NULL;',
    '  *(size_t *)p = a; return p + 8;',
    '}',
    'void mm_free(void *p) { (void)p; }',
    'void *mm_realloc(void *p, size_t n) { (void)p; return mm_malloc(n); }',
    '',
  ].join('\n');
}

/** A trace of `n` mallocs of 8 bytes. */
function mallocs(n: number): string {
  const lines = ['1000000', String(n), String(n), '1'];
  for (let i = 0; i < n; i++) lines.push(`a ${i} 8`);
  return lines.join('\n') + '\n';
}

describe("what your allocator prints, placed by the op that printed it", function () {
  this.timeout(120_000);
  const compiles = fixtureCompiles();
  let options: CompileOptions;
  let dir = '';
  before(() => {
    options = compiles();
    dir = mkdtempSync(join(tmpdir(), 'heap-inspector-src-'));
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  function run(ops: number, crashAt: number) {
    const file = join(dir, `talk-${crashAt}.c`);
    writeFileSync(file, talkingAllocator(crashAt));
    const compiled = compileAllocator(file, options);
    assert.ok(compiled.ok, compiled.ok ? '' : compiled.text);
    const trace = parseTrace(mallocs(ops), 'rep');
    const result = runAllocator(compiled.executable, trace);
    return { ...result, source: new OwnSource(trace, result.recording, 'talk.c', []) };
  }

  const said = (k: number) => (k % 4 === 3 && k !== 703 ? `<${k}>\n` : `<${k}>`);

  it('printf, stderr and write(2) each at their op; a writev at its op or within the 512 ops after; nothing lost or doubled', () => {
    const ops = 1500;
    const { source, log, recording } = run(ops, -1);
    assert.equal(log.slice(0, recording.initLogPosition), 'init\n', "mm_init's banner is before the first op");
    let whole = log.slice(0, recording.initLogPosition);
    let late = '';
    for (let i = 0; i < ops; i++) {
      const during = source.printedDuring(i, log, Infinity);
      whole += during;
      if (i < 703) assert.equal(during, said(i), `op ${i}`);
      else if (i >= 703 + 512) assert.equal(during, said(i), `op ${i}, once the driver asks the file after every op`);
      else late += during;
    }
    assert.equal(whole, log, "the ops' output, one after another, is the whole log");
    let expected = '';
    for (let i = 703; i < 703 + 512; i++) expected += said(i);
    assert.equal(late, expected, 'what the writev and the ops after it printed, in order, before the driver noticed');
  });

  it("a line printed just before a crash is in the log, in the op that crashed", () => {
    const { source, log, recording } = run(40, 30);
    assert.equal(recording.crash?.op, 30);
    assert.match(log, /<30>about to crash\n$/);
    assert.equal(source.printedDuring(29, log), said(29));
  });
});
