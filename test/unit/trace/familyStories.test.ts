// Stories and comparisons across the kinds of free list, at the edges a review found: the sbrk
// baseline under a list configuration keeps no list, simple storage under next fit takes its
// rover's node (not the head) and never splits, and a trace whose own configuration is refused
// compares only what its settings can run.

import assert from 'node:assert/strict';
import { resolveConfig } from '../../../src/engine/index';
import { comparePolicies, parseHeapScript, replaySource, runEngine } from '../../../src/trace/index';

const script = (...lines: string[]) => parseHeapScript(['set preset = csapp', ...lines].join('\n'));

describe('stories and comparisons across the kinds of free list', () => {
  it('the sbrk baseline under a list configuration frees into no list', () => {
    for (const freeList of ['explicit', 'segregated', 'buddy'] as const) {
      const run = runEngine(script('a = malloc(24)', 'free(a)'), { overrides: { policy: 'sbrk', freeList } });
      assert.equal(replaySource(run).opAt(1).story, 'The sbrk baseline never reuses memory: the 24-byte block at 0x0000 is freed but stays where it is, never to be handed out again.', freeList);
    }
  });

  it('simple segregated storage: whole blocks, never split; next fit takes its rover\'s node, not the head', () => {
    const trace = script('a = malloc(5000)', 'g1 = malloc(8)', 'b = malloc(6000)', 'g2 = malloc(8)', 'c = malloc(7000)', 'g3 = malloc(8)', 'free(a)', 'free(b)', 'free(c)', 'x = malloc(5500)', 'free(x)', 'y = malloc(5500)', 'z = malloc(100)');
    const next = replaySource(runEngine(trace, { overrides: { freeList: 'simple-segregated', policy: 'next' } }));
    const y = next.opAt(11);
    assert.doesNotMatch(y.story, /took the head/);
    assert.match(y.story, /^LIFO next fit examined 1 list node and picked the 6008-byte hole at 0x239c \(freed on line 9\) over the 7008-byte one at 0x3b14; simple segregated storage never splits/);
    const first = replaySource(runEngine(trace, { overrides: { freeList: 'simple-segregated', policy: 'first' } }));
    assert.equal(first.opAt(11).story, "Simple segregated storage took the head of its class's list, the 7008-byte block at 0x3b14 (freed on line 12); simple segregated storage never splits, so the whole 7008-byte block is used. The program gets 0x3b18.");
    // 100 bytes take a whole 128-byte block: simple storage never splits, whatever is left over.
    assert.match(first.summaryAt(12), /whole block \(never split\)/);
    assert.doesNotMatch(first.summaryAt(12), /too little left to split/);
  });

  it('minSplit binds only the families that split', () => {
    const options = { preset: 'default', alignment: 8, minSplit: 24 } as const;
    for (const freeList of ['buddy', 'simple-segregated', 'implicit'] as const) assert.deepEqual(resolveConfig({ ...options, freeList }).problems, [], freeList);
    for (const freeList of ['explicit', 'segregated'] as const) assert.deepEqual(resolveConfig({ ...options, freeList }).problems.map((p) => p.key), ['minSplit'], freeList);
  });

  it('a trace whose own configuration is refused compares only rows that run what they say, and counts its errors', () => {
    const trace = script('set freeList = buddy', 'set policy = best', 'a = malloc(24)', 'b = malloc(100)', 'free(a)', 'c = malloc(8)');
    const c = comparePolicies(trace, {}, { families: true });
    const rows = c.policies.map((p) => `${p.list} ${p.policy}`);
    assert.equal(new Set(rows).size, rows.length, `no row twice: ${rows.join(', ')}`);
    assert.ok(rows.includes('buddy lifo first') && rows.includes('implicit best'), rows.join(', '));
    assert.ok(c.errors >= 1, 'the refused setting is an error of the comparison');
  });
});
