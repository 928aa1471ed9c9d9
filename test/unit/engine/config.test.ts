// Presets and configuration validation.

import assert from 'node:assert/strict';
import { createAllocator, HeapConfigError, POLICIES, policyLabel, PRESETS, resolveConfig, validateConfig, type HeapConfig } from '../../../src/engine/index';

describe('configuration', () => {
  it('each policy has one name in sentences: the sbrk baseline and four fits', () => {
    assert.deepEqual(POLICIES.map(policyLabel), ['sbrk baseline', 'first fit', 'next fit', 'best fit', 'worst fit']);
  });

  it('every preset is valid as it stands', () => {
    for (const [name, config] of Object.entries(PRESETS)) assert.deepEqual(validateConfig(config), [], name);
  });

  it('the csapp preset is the textbook allocator', () => {
    assert.deepEqual(PRESETS.csapp, {
      wordSize: 4,
      alignment: 8,
      footers: 'all',
      minSplit: 16,
      chunkSize: 4096,
      maxHeap: 20 * 2 ** 20,
      sentinels: true,
      policy: 'first',
      coalesce: 'immediate',
      realloc: 'naive',
      search: 'indexed',
    } satisfies HeapConfig);
  });

  it('overrides apply on top of a preset', () => {
    const { config, problems } = resolveConfig({ preset: 'csapp', policy: 'best', coalesce: 'deferred' });
    assert.deepEqual(problems, []);
    assert.equal(config.policy, 'best');
    assert.equal(config.coalesce, 'deferred');
    assert.equal(config.wordSize, 4);
  });

  it('changing the word size or alignment keeps the split rule valid unless it is set too', () => {
    assert.equal(resolveConfig({ preset: 'csapp', wordSize: 8, alignment: 16 }).config.minSplit, 32);
    assert.equal(resolveConfig({ preset: 'csapp', wordSize: 8, alignment: 16, minSplit: 64 }).config.minSplit, 64);
  });

  it('reports every problem in words', () => {
    const { problems } = resolveConfig({
      preset: 'csapp',
      policy: 'fastest' as never,
      alignment: 12 as never,
      maxHeap: -5,
    });
    assert.equal(problems.length, 3);
    assert.match(problems.join('\n'), /policy must be one of sbrk, first, next, best, worst \(got fastest\)/);
    assert.match(problems.join('\n'), /alignment must be one of 8, 16/);
    assert.match(problems.join('\n'), /maxHeap must be a whole number of bytes/);
    assert.match(resolveConfig({ preset: 'nope' as never }).problems[0]!, /Unknown preset "nope"/);
    assert.match(resolveConfig({ preset: 'csapp', chunkSize: 100 }).problems[0]!, /chunkSize must be a positive multiple of the alignment/);
    assert.match(resolveConfig({ preset: 'csapp', minSplit: 8 }).problems[0]!, /minSplit must be .* at least the minimum block of 16 bytes/);
  });

  it('createAllocator refuses an invalid configuration with the problems listed', () => {
    assert.throws(() => createAllocator({ preset: 'csapp', wordSize: 3 as never }), (err: unknown) => {
      assert.ok(err instanceof HeapConfigError);
      assert.match(err.message, /wordSize must be one of 4, 8/);
      return true;
    });
  });
});
