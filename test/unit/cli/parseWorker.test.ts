// The built command line, dist/cli.js, parsing a long .rep trace on its worker thread while it
// replays (docs/performance.md, "The parse beside the replay"): with the worker (by size, or
// forced by HEAP_INSPECTOR_PARSE_WORKER=always) every output, diagnostic and exit code is the
// sequential one's (HEAP_INSPECTOR_PARSE_WORKER=never), on long traces clean and hostile.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generatedRep } from '../support/generatedTrace';

const binary = join(process.cwd(), 'dist', 'cli.js');

/** `node dist/cli.js ...args` with HEAP_INSPECTOR_PARSE_WORKER set (or unset), killed after 60 seconds. */
function heapInspector(worker: string | undefined, ...args: string[]): { code: number; stdout: string; stderr: string } {
  const env = { ...process.env };
  delete env.HEAP_INSPECTOR_PARSE_WORKER;
  if (worker !== undefined) env.HEAP_INSPECTOR_PARSE_WORKER = worker;
  const r = spawnSync(process.execPath, [binary, ...args], { encoding: 'utf8', timeout: 60_000, maxBuffer: 256 * 2 ** 20, env });
  assert.equal(r.error, undefined, `heap-inspector ${args.join(' ')}: ${String(r.error)} (a timeout means it hung)`);
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** The same output, diagnostics and exit code with the worker (by size and forced) as without. */
function assertSameAsSequential(...args: string[]): void {
  const sequential = heapInspector('never', ...args);
  for (const worker of [undefined, 'always']) assert.deepEqual(heapInspector(worker, ...args), sequential, `${worker ?? 'by size'}: ${args.join(' ')}`);
}

describe('the command line parsing on a worker while it replays', function () {
  this.timeout(600_000);
  let dir = '';
  const trace = generatedRep(150_000, 2_000, 3);
  const lines = trace.split('\n');
  const files: Record<string, string> = {};

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'heap-inspector-parse-worker-'));
    const write = (name: string, text: string) => {
      files[name] = join(dir, name);
      writeFileSync(files[name]!, text);
    };
    write('long.rep', trace);
    write('crlf.rep', trace.replace(/\n/g, '\r\n'));
    write('double-free.rep', [...lines.slice(0, 4), 'a 0 8', 'f 0', 'f 0', ...lines.slice(7)].join('\n'));
    write('header-lies.rep', trace.replace(/^(\d+)\n(\d+)\n(\d+)\n/, (_, h, ids, ops) => `${h}\n${ids}\n${Number(ops) - 1000}\n`));
    write('bad-lines.rep', [...lines.slice(0, 5000), 'x 1 5', 'a 1', 'a 70000 0', 'a 2 99999999999', ...lines.slice(5000)].join('\n'));
    write('not-ascii.rep', [...lines.slice(0, 90_000), '# é', ...lines.slice(90_000)].join('\n'));
    write('small.rep', generatedRep(300, 20, 4));
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it('a long clean trace: run, --json, check, under several heaps', () => {
    assertSameAsSequential('run', files['long.rep']!, '--preset', 'csapp');
    assertSameAsSequential('run', files['long.rep']!, '--policy', 'best', '--json');
    assertSameAsSequential('check', files['long.rep']!);
    assertSameAsSequential('run', files['crlf.rep']!, '--free-list', 'segregated');
    assertSameAsSequential('run', files['long.rep']!, '--max-heap', '64K');
  });

  it('hostile long traces: lifetime errors, a lying header, bad lines, bytes beyond ASCII', () => {
    for (const name of ['double-free.rep', 'header-lies.rep', 'bad-lines.rep', 'not-ascii.rep']) {
      assertSameAsSequential('run', files[name]!, '--preset', 'csapp');
      assertSameAsSequential('run', files[name]!, '--json');
      assertSameAsSequential('check', files[name]!);
    }
  });

  it('what it does not replay as it parses: --ops, compare, a small file, a usage error', () => {
    assertSameAsSequential('run', files['small.rep']!, '--ops');
    assertSameAsSequential('run', files['small.rep']!);
    assertSameAsSequential('compare', files['small.rep']!);
    assertSameAsSequential('run', files['long.rep']!, '--bogus');
    assertSameAsSequential('run', files['long.rep']!, '--json', '--ops');
  });
});
