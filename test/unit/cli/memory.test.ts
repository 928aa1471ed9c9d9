// The built command line's memory on hostile but legal inputs (issue 13, finding 6): a 1 GiB heap
// that one malloc fills, a million frees of an unknown pointer, a million unreadable lines. Each
// run is a process of its own that reports its peak resident memory when it exits; none may pass
// 1 GiB (docs/limits.md states the worst cases measured).

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const binary = join(process.cwd(), 'dist', 'cli.js');
const GiB = 2 ** 30;
let dir: string;

/** Runs `node dist/cli.js ...args` and returns its exit code and its peak resident memory in bytes. */
function peakOf(...args: string[]): { code: number; peak: number; stdout: string } {
  const reporter = join(dir, 'peak.cjs');
  writeFileSync(reporter, "process.on('exit', () => require('fs').writeSync(2, `\\npeak-rss ${process.resourceUsage().maxRSS * 1024}\\n`));\n");
  const r = spawnSync(process.execPath, ['--require', reporter, binary, ...args], { encoding: 'utf8', timeout: 300_000, maxBuffer: 256 * 2 ** 20 });
  assert.equal(r.error, undefined, String(r.error));
  const peak = Number(/peak-rss (\d+)/.exec(r.stderr)?.[1]);
  assert.ok(peak > 0, `no peak reported: ${r.stderr.slice(-500)}`);
  return { code: r.status ?? -1, peak, stdout: r.stdout };
}

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const mb = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MB`;

describe('the command line\'s memory on hostile inputs', function () {
  this.timeout(600_000);
  before(() => (dir = mkdtempSync(join(tmpdir(), 'heap-inspector-memory-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  const scripts: Record<string, string> = {
    'a 1 GB malloc, filled, grown by realloc and freed': 'set maxHeap = 1G\np = malloc(1000000000)\nfill(p, 0, 1000000000, 0xab)\np = realloc(p, 1000000008)\nfree(p)\n',
    'a 1 GB malloc with a small fill and a write': 'set maxHeap = 1G\np = malloc(1000000000)\nfill(p, 12345, 100, 0xab)\nwrite(p, 999999990, "tail")\np = realloc(p, 1000000008)\nfree(p)\n',
    'a 1 GB calloc and a realloc that moves it': 'set maxHeap = 1G\nq = malloc(100)\np = calloc(1, 500000000)\nfree(q)\np = realloc(p, 500000100)\nfree(p)\n',
  };
  for (const [what, text] of Object.entries(scripts)) {
    for (const command of ['run', 'check', 'compare']) {
      it(`${command}: ${what}`, () => {
        const r = peakOf(command, file('big.heap', text));
        assert.ok(r.code === 0 || r.code === 1, `exit ${r.code}`);
        assert.ok(r.peak < GiB, `peak resident memory ${mb(r.peak)}`);
      });
    }
  }

  it('check: a million frees of an unknown pointer', () => {
    const r = peakOf('check', file('unknown.rep', `0\n6\n1000001\n1\na 0 8\n${'f 5\n'.repeat(1_000_000)}`));
    assert.equal(r.code, 1);
    assert.ok(r.peak < GiB, `peak resident memory ${mb(r.peak)}`);
    assert.match(r.stdout, /and 999,000 more "unknown-pointer" problems/);
  });

  it('check: a million lines the parser cannot read', () => {
    const r = peakOf('check', file('garbage.heap', 'p = = malloc(8) ((\n'.repeat(1_000_000)));
    assert.equal(r.code, 1);
    assert.ok(r.peak < GiB, `peak resident memory ${mb(r.peak)}`);
  });
});
