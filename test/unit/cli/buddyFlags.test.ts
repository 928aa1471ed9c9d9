// `--free-list buddy` on the command line and `set freeList = buddy` in a script: the buddy system
// runs, the summary and the JSON say so, compare runs only the policies it has, and a fit policy
// it does not have is a usage error naming the key.

import assert from 'node:assert/strict';
import { cli } from '../support/cliRun';

// Two 128-byte blocks from a 4 KiB arena on csapp (payloads 16 and 144), the first freed, then 100 bytes again.
const BUDDIES = '0\n3\n6\n1\na 0 100\na 1 100\nf 0\na 2 100\nf 1\nf 2\n';

describe('--free-list buddy', () => {
  it('run: the summary names the buddy system and its lists; the heap ends as one free arena', () => {
    const r = cli('run b.rep --preset csapp --free-list buddy', { 'b.rep': BUDDIES });
    assert.equal(r.code, 0);
    assert.match(r.out, /csapp preset \(4-byte words, 8-byte alignment\), binary buddy system \(lifo lists\), immediate coalescing/);
    assert.match(r.out, /\[P8\]\[F4096\]\[E\]/);
  });

  it('run --ops: the pointers the buddy system returns; --json carries the list kind and order', () => {
    const ptrs = cli('run b.rep --preset csapp --free-list buddy --ops', { 'b.rep': BUDDIES })
      .out.trimEnd()
      .split('\n')
      .slice(1)
      .map((row) => row.split(',')[4]);
    assert.deepEqual(ptrs, ['16', '144', '16', '16', '144', '16']);
    const j = JSON.parse(cli('run b.rep --preset csapp --free-list buddy --order address --json', { 'b.rep': BUDDIES }).out);
    assert.equal(j.config.freeList, 'buddy');
    assert.equal(j.config.order, 'address');
    assert.equal(j.blocksExamined, 6 + 1 + 1, 'the lists of 128 to 4096 bytes, then the 128 list twice');
  });

  it('a script sets it too', () => {
    const script = 'set preset = csapp\nset freeList = buddy\np = malloc(100)\nfree(p)\n';
    assert.match(cli('run s.heap', { 's.heap': script }).out, /binary buddy system/);
  });

  it('compare runs the baseline and the buddy system\'s own placement only', () => {
    const r = cli('compare b.rep --preset csapp --free-list buddy', { 'b.rep': BUDDIES });
    assert.equal(r.code, 0);
    assert.deepEqual(
      r.out
        .split('\n')
        .slice(4)
        .filter((l) => l.length > 0)
        .map((l) => l.split(/\s+/)[0]),
      ['sbrk', 'first'],
    );
  });

  it('best fit, or deferred coalescing, with the buddy system is a usage error', () => {
    const best = cli('run b.rep --free-list buddy --policy best', { 'b.rep': BUDDIES });
    assert.equal(best.code, 2);
    assert.match(best.err, /buddy system places a block itself/);
    assert.equal(cli('run b.rep --free-list buddy --coalesce deferred', { 'b.rep': BUDDIES }).code, 2);
    assert.equal(cli('run b.rep --free-list buddy --policy sbrk', { 'b.rep': BUDDIES }).code, 0, 'sbrk stays the baseline');
  });
});
