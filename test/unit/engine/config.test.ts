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
      freeList: 'implicit',
      order: 'lifo',
      classes: [16, 32, 64, 128, 256, 512, 1024, 2048, 4096],
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
    assert.deepEqual(problems.map((p) => p.key), ['policy', 'alignment', 'maxHeap']);
    const messages = problems.map((p) => p.message).join('\n');
    assert.match(messages, /policy must be one of sbrk, first, next, best, worst \(got fastest\)/);
    assert.match(messages, /alignment must be one of 8, 16/);
    assert.match(messages, /maxHeap must be a whole number of bytes/);
    assert.match(resolveConfig({ preset: 'nope' as never }).problems[0]!.message, /Unknown preset "nope"/);
    assert.match(resolveConfig({ preset: 'csapp', chunkSize: 100 }).problems[0]!.message, /chunkSize must be a positive multiple of the alignment/);
    assert.match(resolveConfig({ preset: 'csapp', minSplit: 8 }).problems[0]!.message, /minSplit must be .* at least the minimum block of 16 bytes/);
  });

  it('each problem names the setting at fault and the settings its rule involves', () => {
    const keysOf = (options: Parameters<typeof resolveConfig>[0]) => resolveConfig(options).problems.map(({ key, related }) => ({ key, related }));
    assert.deepEqual(keysOf({ preset: 'nope' as never }), [{ key: 'preset', related: undefined }]);
    assert.deepEqual(keysOf({ preset: 'csapp', chunkSize: 100 }), [{ key: 'chunkSize', related: ['alignment'] }]);
    assert.deepEqual(keysOf({ preset: 'csapp', chunkSize: 8192, maxHeap: 4096 }), [{ key: 'chunkSize', related: ['maxHeap'] }]);
    assert.deepEqual(keysOf({ preset: 'csapp', minSplit: 8 }), [{ key: 'minSplit', related: ['alignment', 'wordSize'] }]);
    assert.deepEqual(keysOf({ preset: 'csapp', footers: 'free-only', sentinels: false }), [{ key: 'footers', related: ['sentinels'] }]);
  });

  it('createAllocator refuses an invalid configuration with the problems listed', () => {
    assert.throws(() => createAllocator({ preset: 'csapp', wordSize: 3 as never }), (err: unknown) => {
      assert.ok(err instanceof HeapConfigError);
      assert.match(err.message, /wordSize must be one of 4, 8/);
      return true;
    });
  });
});
