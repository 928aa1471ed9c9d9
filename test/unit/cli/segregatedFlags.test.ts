// `--free-list segregated|simple-segregated` and `--classes` on the command line, and `set classes`
// in a script: the lists run, the summary and the JSON say so, the JSON shows the classes only for
// a segregated list, and bad bounds are usage errors or diagnostics on the line that set them.

import assert from 'node:assert/strict';
import { cli } from '../support/cliRun';

// csapp: a 112-byte hole at 12 (class 3), then 60 bytes (a 72-byte block, class 3) take it.
const HOLE = { 'hole.rep': '0\n3\n4\n1\na 0 100\na 1 8\nf 0\na 2 60\n' };

describe('--free-list segregated and --classes', () => {
  it('run: the summary names the variant and the classes; the JSON shows the classes only for a segregated list', () => {
    const r = cli('run hole.rep --preset csapp --free-list segregated', HOLE);
    assert.equal(r.code, 0);
    assert.match(r.out, /segregated fits, lifo lists, classes up to 16\/32\/64\/128\/256\/512\/1024\/2048\/4096 bytes and one above, first fit, immediate coalescing/);
    const j = JSON.parse(cli('run hole.rep --preset csapp --free-list segregated --classes 32,128 --json', HOLE).out);
    assert.equal(j.config.freeList, 'segregated');
    assert.deepEqual(j.config.classes, [32, 128]);
    const explicit = JSON.parse(cli('run hole.rep --preset csapp --free-list explicit --json', HOLE).out);
    assert.equal('classes' in explicit.config, false, 'the explicit list prints its configuration as before');
    const implicit = JSON.parse(cli('run hole.rep --preset csapp --json', HOLE).out);
    assert.equal('classes' in implicit.config, false);
    assert.match(cli('run hole.rep --preset csapp --free-list simple-segregated', HOLE).out, /simple segregated storage, lifo lists, .*, no coalescing/);
  });

  it('run --ops: the hole of the request\'s class is taken', () => {
    const last = cli('run hole.rep --preset csapp --free-list segregated --ops', HOLE).out.trimEnd().split('\n').at(-1)!.split(',');
    assert.equal(last[4], '16');
  });

  it('a script sets the classes; a flag wins; bad bounds are a diagnostic on the line that set them', () => {
    const script = 'set preset = csapp\nset freeList = segregated\nset classes = 64, 256\np = malloc(24)\nfree(p)\n';
    assert.match(cli('run s.heap', { 's.heap': script }).out, /classes up to 64\/256 bytes/);
    assert.match(cli('run s.heap --classes 32,1K', { 's.heap': script }).out, /classes up to 32\/1024 bytes/);
    const bad = cli('check s.heap', { 's.heap': script.replace('64, 256', '256, 64') });
    assert.equal(bad.code, 1);
    assert.match(bad.out, /s\.heap:3:1: error: class bounds must rise strictly \(got 256 then 64\)/);
  });

  it('a bound that is not a byte count, or bounds that do not fit the layout, are usage errors', () => {
    const words = cli('run hole.rep --free-list segregated --classes 32,lots', HOLE);
    assert.equal(words.code, 2);
    assert.match(words.err, /--classes takes class bounds in bytes like 32,64,128 \(got "32,lots"\)/);
    const odd = cli('run hole.rep --preset csapp --free-list segregated --classes 36', HOLE);
    assert.equal(odd.code, 2);
    assert.match(odd.err, /multiple of the alignment \(8\)/);
  });
});
