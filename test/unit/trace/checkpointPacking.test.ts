// A checkpoint's arrays packed (src/trace/checkpointPacking.ts; docs/memory.md, "The history of a
// long trace"): a real heap's header words and its slots with their live pointers take well under
// half the bytes, and come back as they were; slots that do not hold the live pointers one each
// (a freed pointer kept, a pointer handed out twice) keep their pairs as they are; and a trace
// whose slots keep freed pointers (a double free) still jumps to the plain run's heap.

import assert from 'node:assert/strict';
import { allocatorFor } from '../../../src/engine/index';
import { applyOp } from '../../../src/trace/replay';
import { packCheckpoint, packedBytes, PointerSizes, unpackCheckpoint } from '../../../src/trace/checkpointPacking';
import { parseRep, Replay, traceConfig } from '../../../src/trace/index';
import { generatedRep, seededRandom } from '../support/generatedTrace';
import { heapState as state } from '../support/heapState';

const NO_PTR = -1;

/** The slots holding a pointer, as a DenseSet gives them (in no particular order). */
function heldOf(slotOf: Int32Array, random: () => number): { size: number; members: Int32Array } {
  const members = Int32Array.from(slotOf.keys()).filter((s) => slotOf[s]! !== NO_PTR);
  for (let k = members.length - 1; k > 0; k--) {
    const j = Math.floor(random() * (k + 1));
    [members[k], members[j]] = [members[j]!, members[k]!];
  }
  return { size: members.length, members };
}

const pairsOf = (held: { size: number; members: Int32Array }, slotOf: Int32Array) => Int32Array.from({ length: 2 * held.size }, (_, k) => (k % 2 ? slotOf[held.members[(k - 1) / 2]!]! : held.members[k / 2]!));
const sortedPairs = (a: ArrayLike<number>) => Array.from({ length: a.length / 2 }, (_, k) => [a[2 * k]!, a[2 * k + 1]!]).sort((x, y) => x[0]! - y[0]! || x[1]! - y[1]!);

describe('packed checkpoints', () => {
  it('a heap of 3,000 live blocks: its header words and its slots with their pointers in under half the bytes, unpacked as they were', () => {
    const trace = parseRep(generatedRep(40_000, 3_000, 5));
    const replay = Replay.run(trace, traceConfig(trace, { overrides: { preset: 'csapp' } }).config);
    // Half way, where the trace keeps its blocks live (it frees them all at the end).
    const step = trace.ops.length / 2;
    const heap = replay.heapAt(step);
    const slotOf = Int32Array.from(replay.pointersAt(step), (p) => p ?? NO_PTR);
    const held = heldOf(slotOf, seededRandom(1));
    const snapshot = heap.snapshot(false, false);
    const slots = pairsOf(held, slotOf);
    assert.ok(held.size > 2_000, `${held.size} slots hold a pointer`);
    const packed = packCheckpoint({ blocks: snapshot.blocks, live: snapshot.live, slots }, slotOf, held, new PointerSizes());
    assert.notEqual(packed.held, null, 'the slots go with their pointers');
    const raw = snapshot.blocks.byteLength + snapshot.live.byteLength + slots.byteLength;
    assert.ok(packedBytes(packed) < raw / 2, `${packedBytes(packed)} bytes packed against ${raw}`);
    const back = unpackCheckpoint(packed);
    assert.deepEqual(Array.from(back.blocks), Array.from(snapshot.blocks), 'the header words');
    assert.deepEqual(sortedPairs(back.live), sortedPairs(snapshot.live), 'the live pointers and their requested sizes');
    assert.deepEqual(sortedPairs(back.slots), sortedPairs(slots), 'the slots and their pointers');
  });

  it('slots that do not hold the live pointers one each keep their pairs as they are', () => {
    // Blocks of 24, 32 and 48 bytes; pointers 0x18 (10 bytes asked) and 0x38 (30) live.
    const blocks = Uint32Array.of(24 | 1, 32, 48 | 1);
    const live = Uint32Array.of(0x18, 10, 0x38, 30);
    const cases: Record<string, Int32Array> = {
      'a slot keeps a freed pointer': Int32Array.of(0x18, 0x30, 0x38),
      'two slots hold one pointer, a live one none': Int32Array.of(0x18, 0x18),
      'a slot holds a pointer that is not live': Int32Array.of(0x18, 0x40),
    };
    for (const [what, slotOf] of Object.entries(cases)) {
      const held = heldOf(slotOf, seededRandom(2));
      const slots = pairsOf(held, slotOf);
      const packed = packCheckpoint({ blocks, live, slots }, slotOf, held, new PointerSizes());
      assert.equal(packed.held, null, what);
      const back = unpackCheckpoint(packed);
      assert.deepEqual(Array.from(back.blocks), Array.from(blocks), `${what}: the header words`);
      assert.deepEqual(Array.from(back.live), Array.from(live), `${what}: the live pairs`);
      assert.deepEqual(Array.from(back.slots), Array.from(slots), `${what}: the slot pairs`);
    }
  });

  it('a trace with double frees, whose slots keep freed pointers: every step visited is the plain run\'s heap', () => {
    const random = seededRandom(9);
    const lines: string[] = [];
    const alive: number[] = [];
    const freed: number[] = [];
    let next = 0;
    while (lines.length < 6_000) {
      const r = random();
      if (alive.length > 0 && r < 0.4) {
        const id = alive.splice(Math.floor(random() * alive.length), 1)[0]!;
        lines.push(`f ${id}`);
        freed.push(id);
      } else if (freed.length > 0 && r < 0.42) {
        lines.push(`f ${freed[Math.floor(random() * freed.length)]}`);
      } else {
        alive.push(next);
        lines.push(`a ${next++} ${8 + Math.floor(random() * 200)}`);
      }
    }
    const trace = parseRep(['0', String(next), String(lines.length), '1', ...lines].join('\n'));
    const { config } = traceConfig(trace, { overrides: { preset: 'csapp' } });
    const replay = Replay.run(trace, config, { minCheckpointInterval: 64, checkpointBytesPerOp: 8 });
    const heap = allocatorFor(config);
    const slots = new Int32Array(next).fill(NO_PTR);
    const wanted = new Set(Array.from({ length: 40 }, () => Math.floor(random() * lines.length)));
    const expected = new Map<number, ReturnType<typeof state>>();
    for (let i = 0; i < lines.length; i++) {
      applyOp(heap, trace.ops, i, slots, false);
      if (wanted.has(i)) expected.set(i, state(heap));
    }
    assert.ok(replay.diagnostics.length + trace.diagnostics.length > 0, 'the trace has lifetime errors');
    for (const i of [...wanted].sort(() => random() - 0.5)) assert.deepEqual(state(replay.heapAt(i)), expected.get(i), `the heap after op ${i}`);
  });
});
