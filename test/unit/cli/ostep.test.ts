// `heap-inspector ostep` against OSTEP's malloc.py itself: every fixture in test/fixtures/ostep/ is
// what python3 malloc.py printed for its arguments (scripts/ostepFixtures.mjs), and must come out
// byte for byte with the same exit code. Then bad flags: one line, exit 2, nothing on stdout.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { runCli } from '../../../src/cli/cli';
import { ostepFixtureFiles, readFixture } from '../support/ostepFixtures';

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function ostep(args: readonly string[]): Run {
  let stdout = '';
  let stderr = '';
  const code = runCli(['ostep', ...args], { readFile: () => assert.fail('ostep reads no file'), out: (t) => void (stdout += t), err: (t) => void (stderr += t) });
  return { code, stdout, stderr };
}

describe('heap-inspector ostep: byte for byte what malloc.py prints', () => {
  const files = ostepFixtureFiles();

  it('has fixtures of every mode: random and -A, with and without -c, and where malloc.py stops', () => {
    assert.ok(files.length >= 150, `${files.length} fixtures`);
    for (const part of ['random-', 'list-', '-c.txt', 'crash-', '-C-c.txt']) assert.ok(files.some((f) => f.includes(part)), part);
  });

  for (const file of files) {
    it(file.replace(/\.txt$/, ''), () => {
      const { args, exit, stdout } = readFixture(file);
      const run = ostep(args);
      assert.equal(run.stdout, stdout, `heap-inspector ostep ${args.join(' ')}`);
      assert.equal(run.code, exit === 0 ? 0 : 1);
      if (exit === 0) assert.equal(run.stderr, '');
      else assert.match(run.stderr, /^heap-inspector ostep: malloc\.py stops here \(an? \w+Error\): [^\n]+\n$/);
    });
  }

  it('dist/cli.js prints the same, run as a user runs it', () => {
    const { args, stdout } = readFixture('random-BEST-ADDRSORT-C-c.txt');
    const run = spawnSync(process.execPath, [join(process.cwd(), 'dist', 'cli.js'), 'ostep', ...args], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, stdout);
  });
});

describe('heap-inspector ostep: bad flags are one line and exit 2', () => {
  const BAD: readonly (readonly [string, readonly string[], RegExp])[] = [
    ['an unknown flag', ['-x'], /no such flag: -x/],
    ['an unknown long flag', ['--nope'], /no such flag: --nope/],
    ['an ambiguous prefix', ['--al', '4'], /ambiguous flag: --al \(--alignment, --allocList\?\)/],
    ['a missing value', ['-s'], /-s needs a value/],
    ['a value that is not an integer', ['-n', 'ten'], /-n takes an integer \(got "ten"\)/],
    ['an octal digit out of range', ['-s', '08'], /-s takes an integer/],
    ['a value for a switch', ['--compute=yes'], /--compute takes no value/],
    ['an unknown policy', ['-p', 'best'], /-p must be one of BEST, WORST, FIRST/],
    ['an unknown list order', ['-l', 'LIFO'], /-l must be one of ADDRSORT/],
    ['an alignment of 0', ['-a', '0'], /-a must be -1/],
    ['no allocations at all', ['-P', '0'], /-P must be at least 1/],
    ['a huge op count', ['-n', '1000000000'], /-n must be between -10000 and 10000/],
    ['a huge heap', ['-S', String(2 ** 60)], /-S must be between/],
    ['a huge header', ['-H', String(2 ** 33)], /-H must be between/],
    ['an empty op', ['-A', '+10,,-0'], /-A: op 2 \(""\) is empty/],
    ['an op without a sign', ['-A', '+10,10'], /-A: op 2 \("10"\) must start with \+/],
    ['an op without a number', ['-A', '+10,-x'], /-A: op 2 \("-x"\) needs a whole number/],
    ['a huge allocation', ['-A', `+${2 ** 50}`], /-A: an allocation must be between/],
    ['a seed of 5,000 digits', ['-s', '9'.repeat(5000)], /-s takes a seed of at most 4300 digits/],
  ];
  for (const [what, args, message] of BAD) {
    it(what, () => {
      const run = ostep(args);
      assert.equal(run.code, 2);
      assert.equal(run.stdout, '');
      assert.match(run.stderr, /^heap-inspector ostep: [^\n]+\n$/);
      assert.match(run.stderr, message);
    });
  }

  it('-h and --help (and a unique prefix of it) print the flags and exit 0', () => {
    for (const args of [['-h'], ['--help'], ['--hel'], ['-c', '-h', '-x']]) {
      const run = ostep(args);
      assert.equal(run.code, 0, args.join(' '));
      assert.match(run.stdout, /^Usage: heap-inspector ostep \[flags\]/);
    }
  });

  it('the largest -n runs; an output past 64 MiB stops there with one line and exit 2', () => {
    let chars = 0;
    let stderr = '';
    const io = { readFile: () => '', out: (t: string) => void (chars += t.length), err: (t: string) => void (stderr += t) };
    assert.equal(runCli(['ostep', '-n', '10000', '-S', String(2 ** 40), '-r', '1000', '-l', 'SIZESORT+'], io), 0);
    assert.equal(stderr, '');
    chars = 0;
    assert.equal(runCli(['ostep', '-n', '10000', '-S', String(2 ** 40), '-r', '1000', '-c', '-P', '60'], io), 2);
    assert.ok(chars <= 64 * 2 ** 20, `${chars} chars written`);
    assert.match(stderr, /^heap-inspector ostep: the output stopped at 64 MiB; [^\n]+\n$/);
  });
});
