// `--free-list` and `--order` on the command line, and `set freeList` / `set order` in a script:
// the explicit list runs, says so in the summary and the JSON, and a bad value is a usage error.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { runCli } from '../../../src/cli/cli';

function cli(argv: string, files: Readonly<Record<string, string>> = {}): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const io = { readFile: (path: string) => files[path] ?? readFileSync(path, 'utf8'), out: (t: string) => void (out += t), err: (t: string) => void (err += t) };
  const code = runCli(argv.split(' '), io, '0.0.0');
  return { code, out, err };
}

// Blocks 12/112, 124/16, 140/208, 348/16 on csapp; 0 and 2 freed; then 50 bytes: LIFO takes 140, address order 12.
const HOLES = '0\n5\n7\n1\na 0 100\na 1 8\na 2 200\na 3 8\nf 0\nf 2\na 4 50\n';

describe('--free-list and --order', () => {
  it('run --ops: LIFO takes the block freed last, address order the lowest, as the implicit list does', () => {
    const ptrOfLast = (flags: string) => cli(`run holes.rep --preset csapp --ops ${flags}`, { 'holes.rep': HOLES }).out.trimEnd().split('\n').at(-1)!.split(',')[4];
    assert.equal(ptrOfLast('--free-list explicit'), '144');
    assert.equal(ptrOfLast('--free-list explicit --order lifo'), '144');
    assert.equal(ptrOfLast('--free-list explicit --order=address'), '16');
    assert.equal(ptrOfLast('--free-list implicit'), '16');
  });

  it('the summary and the JSON name the list; blocks examined are list nodes', () => {
    const r = cli('run holes.rep --preset csapp --free-list explicit --order fifo', { 'holes.rep': HOLES });
    assert.equal(r.code, 0);
    assert.match(r.out, /csapp preset \(4-byte words, 8-byte alignment\), explicit fifo list, first fit/);
    const j = JSON.parse(cli('run holes.rep --preset csapp --free-list explicit --json', { 'holes.rep': HOLES }).out);
    assert.equal(j.config.freeList, 'explicit');
    assert.equal(j.config.order, 'lifo');
    assert.equal(j.blocksExamined, 5, 'one node for each of the four mallocs and one for the last');
    const implicit = JSON.parse(cli('run holes.rep --preset csapp --json', { 'holes.rep': HOLES }).out);
    assert.equal('freeList' in implicit.config, false, 'implicit runs print their configuration as before');
  });

  it('a script sets them too, and flags win', () => {
    const script = 'set preset = csapp\nset freeList = explicit\nset order = address\np = malloc(24)\nfree(p)\n';
    assert.match(cli('run s.heap', { 's.heap': script }).out, /explicit address list/);
    assert.match(cli('run s.heap --order lifo', { 's.heap': script }).out, /explicit lifo list/);
  });

  it('bad values and deferred coalescing are usage errors', () => {
    const bad = cli('run holes.rep --free-list segregated', { 'holes.rep': HOLES });
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--free-list must be one of implicit, explicit/);
    assert.equal(cli('run holes.rep --order random', { 'holes.rep': HOLES }).code, 2);
    const deferred = cli('run holes.rep --free-list explicit --coalesce deferred', { 'holes.rep': HOLES });
    assert.equal(deferred.code, 2);
    assert.match(deferred.err, /deferred/);
  });
});
