// The one binary search (src/shared/bisect.ts) against a plain scan: the first index where a
// monotone condition holds, and the lower and upper bounds of a value in sorted numbers, with
// runs of equal values, empty ranges, a range starting past 0, and a buffer only partly in use.

import assert from 'node:assert/strict';
import fc from 'fast-check';
import { firstIndex, lowerBound, upperBound } from '../../../src/shared/bisect';

/** The first i in [from, n) where holds(i), by looking at every index. */
function scan(n: number, holds: (i: number) => boolean, from = 0): number {
  for (let i = from; i < n; i++) if (holds(i)) return i;
  return n;
}

const sortedNumbers = fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 40 }).map((a) => a.sort((x, y) => x - y));

describe('binary search', () => {
  it('block addresses 0, 32, 32, 96: where 32 starts and ends, and where 40 and 200 would go', () => {
    const addrs = Float64Array.from([0, 32, 32, 96]);
    assert.equal(lowerBound(addrs, 32), 1, 'the first block at 32');
    assert.equal(upperBound(addrs, 32), 3, 'one past the last block at 32');
    assert.equal(lowerBound(addrs, 40), 3);
    assert.equal(upperBound(addrs, 200) - 1, 3, 'the last block at or before 200');
    assert.equal(upperBound(addrs, -1) - 1, -1, 'no block at or before -1');
  });

  it('only the first n entries of a growable buffer are searched', () => {
    const buffer = Int32Array.from([1, 5, 9, 0, 0, 0]); // three in use, then spare capacity
    assert.equal(lowerBound(buffer, 10, 3), 3);
    assert.equal(upperBound(buffer, 0, 3), 0);
  });

  it('an empty range answers its end without asking the condition', () => {
    assert.equal(firstIndex(0, () => assert.fail('asked about an index of an empty range')), 0);
    assert.equal(firstIndex(5, () => assert.fail('asked about an index of an empty range'), 5), 5);
  });

  it('firstIndex finds where a monotone condition starts to hold, never asking outside the range', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 70 }), fc.integer({ min: 0, max: 60 }), (n, threshold, from0) => {
        const from = Math.min(from0, n);
        const holds = (i: number) => {
          assert.ok(i >= from && i < n, `asked about ${i}, outside [${from}, ${n})`);
          return i >= threshold;
        };
        assert.equal(firstIndex(n, holds, from), scan(n, holds, from));
      }),
    );
  });

  it('lowerBound and upperBound agree with a scan on sorted numbers with repeats', () => {
    fc.assert(
      fc.property(sortedNumbers, fc.integer({ min: -2, max: 22 }), fc.nat(40), (a, value, from0) => {
        const from = Math.min(from0, a.length);
        assert.equal(lowerBound(a, value, a.length, from), scan(a.length, (i) => a[i]! >= value, from));
        assert.equal(upperBound(a, value, a.length, from), scan(a.length, (i) => a[i]! > value, from));
      }),
    );
  });
});
