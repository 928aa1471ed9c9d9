// The command line's start-up code cache (src/cli/codeCache.ts; docs/cli.md, "Start-up"): the
// built dist/cli.js run as a user runs it, with the cache in a folder of the test's own. The
// cache only ever makes a start faster: with none, a damaged one, or a folder it cannot write,
// every command prints the same and nothing else.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = process.cwd();
const binary = join(root, 'dist', 'cli.js');

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function heapInspector(cache: string, ...args: string[]): Run {
  const r = spawnSync(process.execPath, [binary, ...args], { cwd: root, encoding: 'utf8', timeout: 30_000, env: { ...process.env, HEAP_INSPECTOR_CODE_CACHE: cache } });
  assert.equal(r.error, undefined, String(r.error));
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe('the command line\'s start-up code cache', () => {
  let scratch = '';
  const RUN = ['run', 'samples/tiny.rep', '--preset', 'csapp'];

  before(() => {
    assert.ok(existsSync(binary), `${binary} is missing: npm test builds it (node scripts/build.mjs)`);
    scratch = mkdtempSync(join(tmpdir(), 'heap-inspector-code-cache-'));
  });

  after(() => {
    if (scratch) {
      chmodSync(scratch, 0o755);
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it('a first run writes a cache for its command; a second reads it and prints the same', () => {
    const dir = join(scratch, 'fresh');
    const none = heapInspector('off', ...RUN);
    const first = heapInspector(dir, ...RUN);
    assert.deepEqual(first, none);
    const files = readdirSync(dir);
    assert.equal(files.length, 1, files.join(', '));
    assert.match(files[0]!, /^cli-[0-9a-f]{16}-v\d+\.\d+\.\d+-\w+-run\.v8cache$/);
    const written = statSync(join(dir, files[0]!));
    assert.ok(written.size > 10_000, `a cache of ${written.size} bytes`);
    assert.deepEqual(heapInspector(dir, ...RUN), none);
    // Read, not written again: the same file, untouched.
    assert.equal(statSync(join(dir, files[0]!)).mtimeMs, written.mtimeMs);
    assert.deepEqual(readdirSync(dir), files, 'no temporary file left behind');
  });

  it('another command has a cache of its own; an unknown one shares "other"', () => {
    const dir = join(scratch, 'commands');
    heapInspector(dir, ...RUN);
    heapInspector(dir, 'compare', 'samples/tiny.rep');
    heapInspector(dir, '--version');
    heapInspector(dir, 'frobnicate');
    const kinds = readdirSync(dir).map((f) => /-(\w+)\.v8cache$/.exec(f)?.[1]).sort();
    assert.deepEqual(kinds, ['compare', 'other', 'run']);
  });

  it('a damaged cache is refused by V8, the run is the same, and the cache is written anew', () => {
    const dir = join(scratch, 'damaged');
    const good = heapInspector(dir, ...RUN);
    const [file] = readdirSync(dir);
    const path = join(dir, file!);
    const size = statSync(path).size;
    for (const damage of [Buffer.alloc(0), Buffer.from('not a code cache'), Buffer.alloc(size, 0xa5)]) {
      writeFileSync(path, damage);
      assert.deepEqual(heapInspector(dir, ...RUN), good);
      assert.ok(statSync(path).size > 10_000, 'written anew');
      if (damage.length > 0) assert.notDeepEqual(readFileSync(path).subarray(0, damage.length), damage);
    }
  });

  it('a folder it cannot write, a file where the folder should be, or "off": the same output, nothing written', () => {
    const good = heapInspector('off', ...RUN);
    const blocked = join(scratch, 'a-file');
    writeFileSync(blocked, 'x');
    assert.deepEqual(heapInspector(join(blocked, 'cache'), ...RUN), good);
    const readOnly = join(scratch, 'read-only');
    heapInspector(readOnly, '--version');
    for (const f of readdirSync(readOnly)) rmSync(join(readOnly, f));
    chmodSync(readOnly, 0o555);
    try {
      assert.deepEqual(heapInspector(readOnly, ...RUN), good);
      if (process.getuid?.() !== 0) assert.deepEqual(readdirSync(readOnly), []);
    } finally {
      chmodSync(readOnly, 0o755);
    }
    assert.deepEqual(heapInspector('0', ...RUN), good);
  });

  it('writing a cache removes those of other builds left unwritten for a week, and nothing else', () => {
    const dir = join(scratch, 'pruned');
    mkdirSync(dir, { recursive: true });
    const weeks = (n: number) => new Date(Date.now() - n * 7 * 24 * 3600 * 1000);
    const old = ['cli-0123456789abcdef-v18.0.0-x64-run.v8cache', 'cli-0123456789abcdef-v18.0.0-x64-run.v8cache.123.tmp'];
    const recent = 'cli-fedcba9876543210-v20.0.0-x64-run.v8cache';
    const notOurs = 'notes.txt';
    for (const name of [...old, recent, notOurs]) writeFileSync(join(dir, name), 'x');
    for (const name of [...old, notOurs]) utimesSync(join(dir, name), weeks(2), weeks(2));
    utimesSync(join(dir, recent), weeks(0.5), weeks(0.5));
    heapInspector(dir, ...RUN);
    const left = readdirSync(dir).sort();
    assert.deepEqual(left.filter((f) => !f.endsWith('-run.v8cache') || f === recent), [recent, notOurs].sort());
    assert.equal(left.length, 3, left.join(', '));
  });

  it('a loader without its program beside it says so in a sentence and exits 2', () => {
    const alone = join(scratch, 'alone');
    mkdirSync(alone, { recursive: true });
    copyFileSync(binary, join(alone, 'cli.js'));
    const r = spawnSync(process.execPath, [join(alone, 'cli.js'), '--version'], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^heap-inspector: cannot read its program .*cli-main\.js \(ENOENT\): reinstall Heap Inspector, or run `npm run build` in its folder\.\n$/);
  });

  it('a program\'s failure is reported as without the cache (exit code, message, no stack trace)', () => {
    const dir = join(scratch, 'failures');
    for (const args of [['run', 'no/such/file.rep'], ['run'], ['check', 'samples/overflow.heap']]) {
      const plain = heapInspector('off', ...args);
      assert.deepEqual(heapInspector(dir, ...args), plain);
      assert.deepEqual(heapInspector(dir, ...args), plain);
      assert.notEqual(plain.code, 0);
    }
  });
});
