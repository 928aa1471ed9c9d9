// mdriver's overlap check keeps the live payload ranges in start order: each new range is checked
// against the last range starting at or before it and the first starting after it. Checked here
// against a plain array, through payloads that tile, touch, overlap, repeat a start, and thousands
// of chunk splits and emptied chunks.

import assert from 'node:assert/strict';
import { LiveRanges } from '../../../src/trace/liveRanges';
import { seededRandom } from '../support/generatedTrace';

/** The plain model: ranges in start order, equal starts in the order they were added. */
class Model {
  readonly ranges: [number, number][] = [];

  add(start: number, end: number): [number, number] | null {
    let k = 0;
    while (k < this.ranges.length && this.ranges[k]![0] <= start) k++;
    const before = this.ranges[k - 1];
    const after = this.ranges[k];
    const clash = before && before[1] > start ? before : after && after[0] < end ? after : null;
    this.ranges.splice(k, 0, [start, end]);
    return clash ? [clash[0], clash[1]] : null;
  }

  remove(start: number): boolean {
    const k = this.ranges.findIndex((r) => r[0] === start);
    if (k >= 0) this.ranges.splice(k, 1);
    return k >= 0;
  }
}

function check(ranges: LiveRanges, model: Model, start: number, end: number, what: string): void {
  const expected = model.add(start, end);
  const clash = ranges.add(start, end);
  assert.equal(clash, expected !== null, `${what}: add [${start}, ${end}) clashes`);
  if (expected) assert.deepEqual([ranges.clashStart, ranges.clashEnd], expected, `${what}: the range it overlaps`);
}

describe('live payload ranges', () => {
  it('find the payload a new one overlaps, and none when payloads only touch', () => {
    const ranges = new LiveRanges();
    assert.equal(ranges.add(0x10, 0x28), false);
    assert.equal(ranges.add(0x30, 0x40), false);
    assert.equal(ranges.add(0x28, 0x30), false, 'fills the gap exactly');
    assert.equal(ranges.add(0x38, 0x48), true, 'starts inside 0x30..0x40');
    assert.deepEqual([ranges.clashStart, ranges.clashEnd], [0x30, 0x40]);
    assert.equal(ranges.add(0x08, 0x11), true, 'ends inside 0x10..0x28');
    assert.deepEqual([ranges.clashStart, ranges.clashEnd], [0x10, 0x28]);
    assert.equal(ranges.remove(0x30), true);
    assert.equal(ranges.remove(0x30), false, 'already removed');
    assert.equal(ranges.remove(0x31), false, 'never added');
  });

  it("keep each payload's exact end through the granules, for payloads in granules side by side", () => {
    const ranges = new LiveRanges();
    assert.equal(ranges.add(0x10, 0x1b), false);
    assert.equal(ranges.add(0x20, 0x2d), false, 'starts in the granule after the last one of 0x10..0x1b');
    assert.equal(ranges.add(0x30, 0x38), false);
    assert.equal(ranges.remove(0x20), true);
    assert.equal(ranges.add(0x20, 0x21), false, 'the granules of 0x20..0x2d are free again');
    assert.equal(ranges.add(0x1a, 0x1c), true, 'misaligned: the ordered ranges answer from now on');
    assert.deepEqual([ranges.clashStart, ranges.clashEnd], [0x10, 0x1b]);
    assert.equal(ranges.add(0x37, 0x40), true);
    assert.deepEqual([ranges.clashStart, ranges.clashEnd], [0x30, 0x38]);
    assert.equal(ranges.add(0x21, 0x22), false, 'past the end of 0x20..0x21');
  });

  it('agree with a plain array through 30,000 random adds and removals', () => {
    for (const [seed, span] of [[1, 400], [2, 40_000], [3, 4_000_000]] as const) {
      const random = seededRandom(seed);
      const int = (n: number) => Math.floor(random() * n);
      const ranges = new LiveRanges();
      const model = new Model();
      for (let step = 0; step < 30_000; step++) {
        const what = `seed ${seed}, step ${step}`;
        // Grow to a few thousand ranges (many chunks), then shrink to a handful, then grow again.
        const growing = Math.floor(step / 5_000) % 2 === 0;
        if (model.ranges.length === 0 || random() < (growing ? 0.7 : 0.25)) {
          const start = int(span);
          check(ranges, model, start, start + int(span / 50), what);
        } else {
          const start = random() < 0.9 ? model.ranges[int(model.ranges.length)]![0] : int(span);
          assert.equal(ranges.remove(start), model.remove(start), `${what}: remove ${start}`);
        }
      }
      // What is left is what the model holds: remove it all, in random order.
      while (model.ranges.length > 0) {
        const start = model.ranges[int(model.ranges.length)]![0];
        assert.equal(ranges.remove(start), model.remove(start), `seed ${seed}: drain ${start}`);
      }
      assert.equal(ranges.remove(0), false);
      check(ranges, model, 5, 9, `seed ${seed}: after draining`);
    }
  });

  it('agree with a plain array while payloads are aligned and apart (the bitmap), and after the first that is not', () => {
    for (const seed of [4, 5, 6, 7, 8, 9]) {
      const random = seededRandom(seed);
      const int = (n: number) => Math.floor(random() * n);
      const ranges = new LiveRanges();
      const model = new Model();
      // Payloads placed as an allocator places them: 8-byte aligned starts, free gaps between them,
      // ends anywhere; the bitmap grows from a few kilobytes to megabytes.
      const free = (start: number, end: number) => model.ranges.every(([s, e]) => e <= start || s >= end);
      const breakAt = 2_000 + int(6_000);
      for (let step = 0; step < 10_000; step++) {
        const what = `seed ${seed}, step ${step}`;
        if (model.ranges.length === 0 || random() < 0.55) {
          const span = step < 3_000 ? 20_000 : 4_000_000;
          const start = 8 * int(span / 8);
          const end = start + 1 + int(random() < 0.9 ? 100 : 5_000);
          // Apart until `breakAt`; then an overlap, a misaligned or an empty payload now and then.
          if (step < breakAt ? free(start, end) : true) {
            const odd = step >= breakAt && random() < 0.2;
            check(ranges, model, odd ? start + int(8) : start, odd && random() < 0.5 ? start : end, what);
          }
        } else {
          const start = random() < 0.9 ? model.ranges[int(model.ranges.length)]![0] : 8 * int(500);
          assert.equal(ranges.remove(start), model.remove(start), `${what}: remove ${start}`);
        }
      }
      while (model.ranges.length > 0) {
        const start = model.ranges[int(model.ranges.length)]![0];
        assert.equal(ranges.remove(start), model.remove(start), `seed ${seed}: drain ${start}`);
      }
    }
  });

  it('the bitmap tells payloads sharing no granule from payloads sharing one', () => {
    const ranges = new LiveRanges();
    assert.equal(ranges.add(0, 1), false);
    assert.equal(ranges.add(8, 264), false, 'the next granule, across a word of the bitmap');
    assert.equal(ranges.add(264, 265), false, 'touches the end');
    assert.equal(ranges.remove(8), true);
    assert.equal(ranges.add(16, 256), false, 'inside the freed payload');
    assert.equal(ranges.add(256, 257), false);
    assert.equal(ranges.add(256, 300), true, 'the same start');
    assert.deepEqual([ranges.clashStart, ranges.clashEnd], [256, 257]);
    assert.equal(ranges.add(8, 24), true, 'the ordered ranges answer from then on');
    assert.deepEqual([ranges.clashStart, ranges.clashEnd], [16, 256]);
  });
});
