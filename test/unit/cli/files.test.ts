// The built command line, dist/cli.js, on paths that are not plain trace files: named pipes,
// devices, symlink loops, directories, sockets, over-long paths, files too large; on files in
// UTF-16 or with a byte order mark (read as VS Code shows them); and on hostile contents. Every run
// has a timeout, so a read that blocks or never ends fails the test instead of hanging it.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { textOfBytes } from '../../../src/cli/cli';

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

const binary = join(process.cwd(), 'dist', 'cli.js');

/** `node dist/cli.js ...args`, killed after 20 seconds: a hang is a failure, not a stuck suite. */
function heapInspector(...args: string[]): Run {
  const r = spawnSync(process.execPath, [binary, ...args], { encoding: 'utf8', timeout: 20_000, maxBuffer: 64 * 2 ** 20 });
  assert.equal(r.error, undefined, `heap-inspector ${args.join(' ')}: ${String(r.error)} (a timeout means it hung)`);
  const run = { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  assert.doesNotMatch(run.stdout + run.stderr, /^\s+at .+:\d+:\d+\)?$/m, 'a stack trace');
  assert.doesNotMatch(run.stdout + run.stderr, /\b(TypeError|RangeError|Error):|\bE[A-Z]{3,}:/, 'a raw exception or errno');
  return run;
}

/** Exit 2, nothing on stdout, and one line on stderr that names the path and says why. */
function assertRefused(path: string, reason: RegExp): void {
  for (const command of ['check', 'run', 'compare']) {
    const r = heapInspector(command, path);
    assert.equal(r.code, 2, `${command} ${path}: exit ${r.code}\n${r.stdout}${r.stderr}`);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr.split('\n').length, 2, `one line: ${r.stderr}`);
    assert.ok(r.stderr.startsWith(`heap-inspector: cannot read ${path}: `), r.stderr);
    assert.match(r.stderr, reason);
  }
}

const onWindows = process.platform === 'win32';

/** A fresh directory for the files of the enclosing describe block, removed after it. */
function scratchDirectory(prefix: string): () => string {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), prefix));
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  return () => dir;
}

describe('heap-inspector on paths that are not regular files', () => {
  const scratch = scratchDirectory('heap-inspector-files-');
  let server: Server | null = null;

  after(() => server?.close());

  it('a named pipe (FIFO) with no writer is refused at once, not waited on', function () {
    if (onWindows) this.skip();
    const fifo = join(scratch(), 'pipe.rep');
    const made = spawnSync('mkfifo', [fifo]);
    if (made.error || made.status !== 0) this.skip();
    assertRefused(fifo, /it is a named pipe \(FIFO\), not a regular file$/m);
  });

  it('a symlink to /dev/zero is refused, not read without end', function () {
    if (onWindows) this.skip();
    const zero = join(scratch(), 'zero.rep');
    symlinkSync('/dev/zero', zero);
    assertRefused(zero, /it is a character device, not a regular file$/m);
  });

  it('a symlink loop says so in a sentence, not ELOOP', function () {
    if (onWindows) this.skip();
    const a = join(scratch(), 'loop-a.rep');
    const b = join(scratch(), 'loop-b.rep');
    symlinkSync(b, a);
    symlinkSync(a, b);
    assertRefused(a, /too many symbolic links/);
  });

  it('a directory, and a directory behind a symlink', function () {
    const dir = join(scratch(), 'traces.rep');
    mkdirSync(dir);
    assertRefused(dir, /it is a directory$/m);
    if (onWindows) return;
    const link = join(scratch(), 'link-to-dir.rep');
    symlinkSync(dir, link);
    assertRefused(link, /it is a directory$/m);
  });

  it('a Unix socket', async function () {
    if (onWindows) this.skip();
    const socket = join(scratch(), 'sock.rep');
    server = createServer();
    await new Promise<void>((resolve) => server!.listen(socket, resolve));
    assertRefused(socket, /not a regular file|socket/);
  });

  it('a missing file, a path through a file, an over-long path', () => {
    assertRefused(join(scratch(), 'missing.rep'), /no such file$/m);
    const file = join(scratch(), 'plain.rep');
    writeFileSync(file, '0\n1\n1\n1\na 0 8\n');
    assertRefused(join(file, 'inside.rep'), /a part of the path is not a directory$/m);
    assertRefused(join(scratch(), `${'x'.repeat(5000)}.rep`), /the path is too long$/m);
  });

  it('a file it may not read', function () {
    if (onWindows || process.getuid?.() === 0) this.skip(); // root reads anything
    const locked = join(scratch(), 'locked.rep');
    writeFileSync(locked, '0\n1\n1\n1\na 0 8\n');
    chmodSync(locked, 0o000);
    assertRefused(locked, /permission denied$/m);
  });

  it('a file beyond the size limit is refused by its size, without reading it', () => {
    const huge = join(scratch(), 'huge.rep');
    writeFileSync(huge, '');
    truncateSync(huge, 600 * 2 ** 20); // sparse: no disk used
    assertRefused(huge, /it is 629145600 bytes; traces up to \d+ bytes are read$/m);
  });

  it('a symlink to a regular file is read as the file', function () {
    if (onWindows) this.skip();
    const target = join(scratch(), 'target.rep');
    writeFileSync(target, '0\n1\n2\n1\na 0 8\nf 0\n');
    const link = join(scratch(), 'link.rep');
    symlinkSync(target, link);
    assert.deepEqual(heapInspector('check', link), { code: 0, stdout: '', stderr: '' });
  });
});

describe('heap-inspector reads a file as VS Code shows it', () => {
  const scratch = scratchDirectory('heap-inspector-encodings-');

  /** A trace with an error at a known line and column, so positions are compared too. */
  const TRACES = { rep: '20000\n1\n3\n1\na 0 8\n  f 0 9\nf 0\n', heap: 'p = malloc(8)\n  write(p, 0, "\\q")\nfree(p)\nfree(p)\n' } as const;
  const ENCODINGS: readonly [string, (text: string) => Buffer][] = [
    ['UTF-8 with a byte order mark', (t) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(t, 'utf8')])],
    ['UTF-16LE with a byte order mark', (t) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(t, 'utf16le')])],
    ['UTF-16BE with a byte order mark', (t) => Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(t, 'utf16le').swap16()])],
  ];

  for (const [format, text] of Object.entries(TRACES)) {
    for (const [name, encode] of ENCODINGS) {
      it(`${format}, ${name}: the same diagnostics, lines and columns as the plain UTF-8 file`, () => {
        const plain = join(scratch(), `plain.${format}`);
        const encoded = join(scratch(), `encoded.${format}`);
        writeFileSync(plain, text);
        writeFileSync(encoded, encode(text));
        const expected = heapInspector('check', plain);
        assert.equal(expected.code, 1);
        assert.ok(expected.stdout.length > 0);
        const r = heapInspector('check', encoded);
        assert.deepEqual({ ...r, stdout: r.stdout.replaceAll(encoded, plain) }, expected);
      });
    }

    it(`${format}, UTF-16 without a byte order mark: one error that says to save it as UTF-8`, () => {
      const path = join(scratch(), `nobom.${format}`);
      writeFileSync(path, Buffer.from(text, 'utf16le'));
      const r = heapInspector('check', path);
      assert.equal(r.code, 1);
      assert.match(r.stdout, new RegExp(`^${path.replace(/[.\\\\/]/g, '\\$&')}:1:1: error: This file is UTF-16 text .*save it as UTF-8`));
      assert.equal(r.stdout.split('\n').length, 2);
    });
  }

  it('textOfBytes: a byte order mark picks the encoding and is no part of the text', () => {
    const utf16le = Buffer.from('a 0 8\n', 'utf16le');
    assert.equal(textOfBytes(Buffer.from([0xef, 0xbb, 0xbf, 0x61])), 'a');
    assert.equal(textOfBytes(Buffer.concat([Buffer.from([0xff, 0xfe]), utf16le])), 'a 0 8\n');
    assert.equal(textOfBytes(Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(utf16le).swap16()])), 'a 0 8\n');
    assert.equal(textOfBytes(Buffer.from([0xef, 0xbb, 0xbf])), '');
    assert.equal(textOfBytes(Buffer.from([0x61, 0xff, 0x62])), 'a\ufffdb', 'bytes that are not UTF-8 become replacement characters');
    assert.equal(textOfBytes(utf16le), utf16le.toString('utf8'), 'no mark: read as UTF-8, and the parsers say what it is');
  });
});

describe('heap-inspector check on hostile contents never throws and never hangs', () => {
  const scratch = scratchDirectory('heap-inspector-hostile-');

  const many = Array.from({ length: 100_000 }, (_, k) => String(k % 10)).join(' ');
  const CASES: readonly [string, string, string | Buffer, number][] = [
    ['an empty .rep', 'rep', '', 1],
    ['an empty .heap', 'heap', '', 0],
    ['a .rep of only whitespace', 'rep', ' \n\t\r\n\v\f\n', 1],
    ['a .heap of only a byte order mark', 'heap', Buffer.from([0xef, 0xbb, 0xbf]), 0],
    ['a .rep of only a byte order mark', 'rep', Buffer.from([0xef, 0xbb, 0xbf]), 1],
    ['a 1 MB single line', 'rep', 'a'.repeat(2 ** 20), 1],
    ['a 1 MB single line of digits', 'heap', `p = malloc(${'9'.repeat(2 ** 20)})\n`, 1],
    ['a line of 100,000 tokens', 'rep', `0\n1\n1\n1\na 0 ${many}\n`, 1],
    ['a .heap line of 100,000 arguments', 'heap', `p = malloc(${many.replace(/ /g, ', ')})\n`, 1],
    ['NUL bytes in the middle', 'rep', `0\n1\n2\n1\n${'\n'.repeat(5000)}a 0 8\0\0\nf 0\n`, 1],
    ['invalid UTF-8', 'rep', Buffer.from([...Buffer.from('0\n1\n2\n1\na 0 8\nf '), 0xc3, 0x28, 0xff, 0x0a]), 1],
    ['a .heap with a 10 MB string literal', 'heap', `p = malloc(8)\nwrite(p, 0, "${'s'.repeat(10 * 2 ** 20)}")\nfree(p)\n`, 1],
  ];

  for (const [name, format, contents, exit] of CASES) {
    it(`${name}: exit ${exit}, a message per problem`, () => {
      const path = join(scratch(), `hostile.${format}`);
      writeFileSync(path, contents);
      const r = heapInspector('check', path);
      assert.equal(r.code, exit, r.stdout.slice(0, 500) + r.stderr);
      assert.equal(r.stderr, '');
      for (const line of r.stdout.split('\n').filter((l) => l.length > 0)) {
        assert.match(line, /^.+:\d+:\d+: (error|warning): \S/);
        assert.ok(line.length < 600, `a line of ${line.length} characters`);
        assert.doesNotMatch(line, /[\u0000-\u0008\u000e-\u001f]/, 'a raw control character');
      }
    });
  }
});
