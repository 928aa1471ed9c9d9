// The sorted pairs behind best fit, against a plainly sorted array:
// insertions with duplicates, removals of present and absent pairs, the first pair at or after
// a key, across many chunk splits and empty chunks.

import assert from 'node:assert/strict';
import { SortedPairs } from '../../../src/engine/sortedPairs';

const before = (x: readonly [number, number], y: readonly [number, number]) => x[0] - y[0] || x[1] - y[1];

describe('sorted pairs', () => {
  it('agree with a sorted array through 20,000 random insertions and removals', () => {
    let seed = 7;
    const random = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    const pairs = new SortedPairs();
    const model: [number, number][] = [];
    for (let step = 0; step < 20_000; step++) {
      const a = random(300);
      const b = random(40);
      if (random(3) < 2 || model.length === 0) {
        pairs.insert(a, b);
        model.push([a, b]);
        model.sort(before);
      } else {
        const present = model.findIndex((p) => p[0] === a && p[1] === b);
        assert.equal(pairs.remove(a, b), present >= 0, `step ${step}: remove (${a}, ${b})`);
        if (present >= 0) model.splice(present, 1);
        if (random(2) === 0 && model.length > 0) {
          const [ma, mb] = model[random(model.length)]!;
          assert.equal(pairs.remove(ma, mb), true, `step ${step}: remove a present pair`);
          model.splice(model.findIndex((p) => p[0] === ma && p[1] === mb), 1);
        }
      }
      const qa = random(310);
      const qb = random(45);
      const ceil = model.find((p) => before(p, [qa, qb]) >= 0);
      assert.equal(pairs.ceiling(qa, qb), ceil !== undefined, `step ${step}: ceiling exists`);
      if (ceil) assert.deepEqual([pairs.foundA, pairs.foundB], ceil, `step ${step}: ceiling (${qa}, ${qb})`);
    }
  });

  it('a bulk load of sorted pairs answers like insertions', () => {
    const a = Array.from({ length: 1000 }, (_, k) => Math.floor(k / 3));
    const b = Array.from({ length: 1000 }, (_, k) => k % 3);
    const pairs = new SortedPairs();
    pairs.loadSorted(a, b, 1000);
    assert.ok(pairs.ceiling(100, 1));
    assert.deepEqual([pairs.foundA, pairs.foundB], [100, 1]);
    assert.ok(pairs.remove(100, 1));
    assert.ok(pairs.ceiling(100, 1));
    assert.deepEqual([pairs.foundA, pairs.foundB], [100, 2]);
    assert.equal(pairs.ceiling(400, 0), false);
  });
});
