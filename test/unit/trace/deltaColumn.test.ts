// The per-op metric columns keep each value as its step from the one before (16 bits, with the
// rare bigger step kept aside) and an exact value every 32 ops. Read back, at every op and in any
// order, they are the values pushed: small steps, steps just inside and outside 16 bits, huge
// jumps both ways, and values up to 2^32.

import assert from 'node:assert/strict';
import { DeltaColumn } from '../../../src/trace/deltaColumn';
import { seededRandom } from '../support/generatedTrace';

describe('delta columns', () => {
  it('give back every value pushed, whatever the steps between them', () => {
    const random = seededRandom(5);
    const n = 5_000;
    const start = 4096;
    const values: number[] = [];
    let v = start;
    for (let i = 0; i < n; i++) {
      const r = random();
      if (r < 0.6) v += Math.floor(random() * 200) - 100;
      else if (r < 0.7) v += [32767, -32767, 32768, -32768, -32769][Math.floor(random() * 5)]!;
      else if (r < 0.75) v = Math.floor(random() * 2 ** 32);
      v = Math.max(0, Math.min(2 ** 32 - 1, v));
      values.push(v);
    }
    const column = new DeltaColumn(n, start);
    for (const value of values) column.push(value);
    assert.equal(column.length, n);
    for (let i = 0; i < n; i++) assert.equal(column.at(i), values[i], `value ${i}`);
    for (let k = 0; k < 2_000; k++) {
      const i = Math.floor(random() * n);
      assert.equal(column.at(i), values[i], `value ${i}, read out of order`);
      assert.equal(column.step(i), values[i]! - (i === 0 ? start : values[i - 1]!), `step ${i}`);
    }
  });

  it('hold two bytes a value when the steps are small', () => {
    const column = new DeltaColumn(100_000);
    for (let i = 0; i < 100_000; i++) column.push(1000 + (i % 50));
    assert.ok(column.byteLength < 2.5 * 100_000, `${column.byteLength} bytes`);
    assert.equal(column.at(99_999), 1000 + (99_999 % 50));
  });
});
