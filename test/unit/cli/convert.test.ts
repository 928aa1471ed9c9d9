// `heap-inspector convert` (src/cli/convertCli.ts, docs/importing.md): what it says and its exit
// codes, in process with files given by name; then the built command line on real files, writing
// all or nothing, and a log streamed in a heap too small to hold it.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../../src/cli/cli';
import { log } from '../support/importedLog';

interface Converted {
  readonly code: number;
  readonly out: string;
  readonly err: string;
  /** What was written, by path. */
  readonly written: Record<string, string>;
}

/** `heap-inspector ...argv` in process; `files` are the inputs, read in chunks of `chunk` characters. */
function convert(argv: string, files: Readonly<Record<string, string>>, chunk = 7): Converted {
  let out = '';
  let err = '';
  const written: Record<string, string> = {};
  const read = (path: string) => {
    const text = files[path];
    if (text === undefined) throw new Error('no such file');
    return text;
  };
  const code = runCli(argv.split(' '), {
    readFile: read,
    openChunks: (path) => {
      const text = read(path);
      return () => Array.from({ length: Math.ceil(text.length / chunk) }, (_, i) => text.slice(i * chunk, (i + 1) * chunk));
    },
    writeFile: (path, chunks) => {
      written[path] = [...chunks].join('');
    },
    out: (t) => void (out += t),
    err: (t) => void (err += t),
  });
  return { code, out, err, written };
}

const MTRACE = log('= Start', '@ ./prog:[0x11a0] + 0x5638583c82a0 0x18', '@ ./prog:[0x11b3] + 0x5638583c84a0 0x20', '@ ./prog:[0x11d6] < 0x5638583c82a0', '@ ./prog:[0x11d6] > 0x5638583c8540 0xfa0', '@ ./prog:[0x124a] - 0x5638583c84a0', '= End');

describe('heap-inspector convert', () => {
  it('converts an mtrace log to .rep and says so in one line', () => {
    const r = convert('convert prog.log -o prog.rep', { 'prog.log': MTRACE });
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, 'prog.log: glibc mtrace log, 7 lines → prog.rep: 4 ops, 2 ids; every line understood\n  1 block still allocated at the end; 2 lines of other calls, signals, exits or markers skipped\n');
    assert.equal(r.written['prog.rep'], '0\n2\n4\n1\na 0 24\na 1 32\nr 0 4000\nf 1\n');
  });

  it('exits 1 when a line was not understood, having converted the rest', () => {
    const r = convert('convert prog.ltrace --output=prog.rep', { 'prog.ltrace': log('lt->malloc(24) = 0x10', 'lt->malloc(24', 'lt->free(0x10) = <void>') });
    assert.equal(r.code, 1);
    assert.match(r.out, /^prog\.ltrace: ltrace log, 3 lines → prog\.rep: 2 ops, 1 id; 1 line not understood \(first at line 2: The call "lt->malloc\(24" neither returns/);
    assert.equal(r.written['prog.rep'], '0\n1\n2\n1\na 0 24\nf 0\n');
  });

  it('says when a log holds nothing to import', () => {
    const r = convert('convert empty.mtrace -o empty.rep', { 'empty.mtrace': '' });
    assert.equal(r.code, 0);
    assert.equal(r.out, 'empty.mtrace: glibc mtrace log, 0 lines → empty.rep: 0 ops, 1 id; every line understood\n  the log has no allocation, realloc or free to import\n');
    assert.equal(r.written['empty.rep'], '0\n1\n0\n1\n');
  });

  it('writes the trace to standard output with -o -, and what it did to standard error', () => {
    const r = convert('convert prog.mtrace -o -', { 'prog.mtrace': MTRACE });
    assert.equal(r.code, 0);
    assert.equal(r.out, '0\n2\n4\n1\na 0 24\na 1 32\nr 0 4000\nf 1\n');
    assert.match(r.err, /^prog\.mtrace: glibc mtrace log, 7 lines → -: 4 ops/);
  });

  it('converts between .rep and .heap, and a log to .heap', () => {
    const toHeap = convert('convert t.rep -o t.heap', { 't.rep': '0\n1\n2\n1\na 0 8\nf 0\n' });
    assert.equal(toHeap.code, 0);
    assert.equal(toHeap.written['t.heap'], '# converted from a malloc lab trace (header: 0 1 2 1)\np0 = malloc(8)\nfree(p0)\n');
    assert.equal(toHeap.out, 't.rep: malloc lab trace, 6 lines → t.heap: 2 ops\n');
    const toRep = convert('convert s.heap -o s.rep', { 's.heap': 'p = calloc(2, 4)\nfree(NULL)\nfree(p)\n' });
    assert.equal(toRep.code, 0);
    assert.equal(toRep.written['s.rep'], '0\n1\n2\n1\na 0 8\nf 0\n');
    assert.match(toRep.out, /^s\.heap: \.heap script, 3 lines → s\.rep: 3 ops\n  left out \(\.rep cannot hold them\):\n    line 1: calloc became "a 0 8"/);
    const logToHeap = convert('convert prog.mtrace -o prog.heap', { 'prog.mtrace': MTRACE });
    assert.equal(logToHeap.written['prog.heap'], '# converted from a glibc mtrace log\np0 = malloc(24)\np1 = malloc(32)\np0 = realloc(p0, 4000)\nfree(p1)\n');
    assert.match(logToHeap.out, /^prog\.mtrace: glibc mtrace log, 7 lines → prog\.heap: 4 ops, 2 ids; every line understood/);
    const broken = convert('convert b.heap -o b.rep', { 'b.heap': 'p = malloc(8)\nfree(q)\n' });
    assert.equal(broken.code, 1);
    assert.match(broken.out, /1 error \(first at line 2: /);
  });

  it('says what it left out or gave a new id: posix_memalign\'s hidden blocks, allocations at an address still live', () => {
    const text = log('[pid 7] lt->malloc(8) = 0x10', '[pid 8] lt->malloc(8) = 0x10', '[pid 7] lt->posix_memalign(0x7ffe10, 64, 100) = 0', '[pid 7] lt->free(0x10) = <void>');
    const r = convert('convert f.log -o f.rep', { 'f.log': text });
    assert.equal(r.code, 0, r.err);
    assert.equal(
      r.out,
      'f.log: ltrace log, 4 lines → f.rep: 3 ops, 2 ids; every line understood\n' +
        "  left out: 1 block the log does not show (posix_memalign's, first at line 3)\n" +
        '  1 allocation at an address still live, given a new id (first at line 2); 1 block still allocated at the end\n',
    );
  });

  it('keeps only the tasks --pid names', () => {
    const text = log('1 lt->malloc(8) = 0x10', '2 lt->malloc(8) = 0x10', '2 lt->free(0x10) = <void>', '1 lt->free(0x10) = <void>');
    const r = convert('convert f.ltrace -o f.rep --pid 1', { 'f.ltrace': text });
    assert.equal(r.written['f.rep'], '0\n1\n2\n1\na 0 8\nf 0\n');
    assert.match(r.out, /2 lines of other calls, signals, exits or markers skipped/);
  });

  it('exits 2 for bad usage or an unreadable input, writing nothing', () => {
    const files = { 'prog.mtrace': MTRACE };
    for (const [argv, message] of [
      ['convert prog.mtrace', /needs an output: -o out\.rep or -o out\.heap/],
      ['convert -o x.rep', /needs an input file/],
      ['convert prog.mtrace -o x.txt', /end it in \.rep or \.heap \(got "x\.txt"\)/],
      ['convert prog.mtrace -o x.rep --fast', /unknown option "--fast"/],
      ['convert prog.mtrace -o x.rep -o y.rep', /one output at a time/],
      ['convert prog.mtrace -o x.rep --pid 12,x', /--pid takes process ids/],
      ['convert prog.mtrace -o prog.mtrace.rep --pid 12', /--pid goes with an ltrace log; prog\.mtrace is a glibc mtrace log/],
      ['convert x.rep -o x.rep', /would overwrite the input/],
      ['convert missing.mtrace -o x.rep', /^heap-inspector: cannot read missing\.mtrace: no such file$/m],
    ] as const) {
      const r = convert(argv, files);
      assert.equal(r.code, 2, argv);
      assert.match(r.err, message, argv);
      assert.deepEqual(r.written, {}, argv);
    }
    assert.match(convert('convert --help', {}).out, /^Usage:\n {2}heap-inspector convert <in> -o/);
  });

  describe('the built command line on real files', () => {
    let dir = '';
    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'heap-inspector-convert-'));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));
    const binary = join(process.cwd(), 'dist', 'cli.js');
    const run = (args: string[], nodeArgs: string[] = []) => spawnSync(process.execPath, [...nodeArgs, binary, ...args], { encoding: 'utf8', timeout: 120_000 });

    it('writes the trace, or nothing at all when it cannot', () => {
      writeFileSync(join(dir, 'prog.log'), MTRACE);
      const r = run(['convert', join(dir, 'prog.log'), '-o', join(dir, 'prog.rep')]);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(readFileSync(join(dir, 'prog.rep'), 'utf8'), '0\n2\n4\n1\na 0 24\na 1 32\nr 0 4000\nf 1\n');
      const unwritable = run(['convert', join(dir, 'prog.log'), '-o', join(dir, 'no', 'such', 'dir.rep')]);
      assert.equal(unwritable.status, 2);
      assert.match(unwritable.stderr, /^heap-inspector: cannot write .*dir\.rep: no such file\n$/);
      assert.deepEqual(readdirSync(dir).sort(), ['prog.log', 'prog.rep'], 'no temporary file left behind');
      const missing = run(['convert', join(dir, 'nope.log'), '-o', join(dir, 'nope.rep')]);
      assert.equal(missing.status, 2);
      assert.equal(existsSync(join(dir, 'nope.rep')), false);
    });

    it('streams a log too large for its heap: 2,000,000 lines in 64 MB', function () {
      this.timeout(120_000);
      const lines: string[] = ['= Start'];
      for (let i = 0; i < 1_000_000; i++) {
        const address = (0x555555560000 + (i % 5000) * 0x40).toString(16);
        lines.push(`@ ./prog:(main+0x1a)[0x401234] + 0x${address} 0x${((i % 4000) + 1).toString(16)}`, `@ ./prog:(main+0x3b)[0x401255] - 0x${address}`);
      }
      writeFileSync(join(dir, 'big.mtrace'), lines.join('\n') + '\n');
      const r = run(['convert', join(dir, 'big.mtrace'), '-o', join(dir, 'big.rep')], ['--max-old-space-size=64']);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /glibc mtrace log, 2,000,001 lines → .*big\.rep: 2,000,000 ops, 1 id; every line understood/);
      const head = readFileSync(join(dir, 'big.rep'), 'utf8').slice(0, 40).split('\n');
      assert.deepEqual(head.slice(0, 6), ['0', '1', '2000000', '1', 'a 0 1', 'f 0']);
    });
  });
});
