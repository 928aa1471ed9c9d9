// Checkpoints of scripts that write to the heap keep its bytes, sharing pages with the run
// copy-on-write: the heap rebuilt at any step holds the bytes a plain run leaves there, a
// checkpoint of a 1 GB heap costs its page table rather than its bytes, and the replay counts
// what its checkpoints really hold.

import assert from 'node:assert/strict';
import { allocatorFor, PAGE_SIZE } from '../../../src/engine/index';
import { applyOp } from '../../../src/trace/replay';
import { parseHeapScript, Replay, traceConfig } from '../../../src/trace/index';
import { seededRandom as rng } from '../support/generatedTrace';

/** A .heap script of `ops` ops: blocks of up to a few pages, written, filled, grown, freed. */
function generatedScript(ops: number, seed: number): string {
  const random = rng(seed);
  const lines = ['set preset = default', 'set max-heap = 16M'];
  const live: { name: string; size: number }[] = [];
  let next = 0;
  const size = () => (random() < 0.7 ? 1 + Math.floor(random() * 200) : 1 + Math.floor(random() * 3 * PAGE_SIZE));
  while (lines.length - 2 < ops) {
    const r = random();
    const block = live[Math.floor(random() * live.length)];
    if (block && r < 0.2) {
      lines.push(`free(${block.name})`);
      live.splice(live.indexOf(block), 1);
    } else if (block && r < 0.35) {
      block.size = size();
      lines.push(`${block.name} = realloc(${block.name}, ${block.size})`);
    } else if (block && r < 0.55) {
      const at = Math.floor(random() * block.size);
      lines.push(`fill(${block.name}, ${at}, ${Math.floor(random() * (block.size - at + 1))}, ${Math.floor(random() * 256)})`);
    } else if (block && r < 0.75) {
      const at = Math.floor(random() * block.size);
      const bytes = Array.from({ length: Math.min(block.size - at, 1 + Math.floor(random() * 12)) }, () => Math.floor(random() * 256));
      lines.push(`write(${block.name}, ${at}, [${bytes.join(', ')}])`);
    } else {
      const name = `p${next++}`;
      const n = size();
      lines.push(random() < 0.2 ? `${name} = calloc(1, ${n})` : `${name} = malloc(${n})`);
      live.push({ name, size: n });
    }
  }
  return lines.join('\n') + '\n';
}

describe('replay checkpoints with the heap bytes', () => {
  for (const seed of [1, 2, 3]) {
    it(`rebuilds the bytes a plain run leaves, at steps visited in random order (seed ${seed})`, () => {
      const trace = parseHeapScript(generatedScript(1500, seed));
      assert.deepEqual(trace.diagnostics, []);
      const { config } = traceConfig(trace);
      const replay = Replay.run(trace, config, { minCheckpointInterval: 32, checkpointBytesPerOp: 8 });
      const random = rng(seed);
      const steps = Array.from({ length: 40 }, () => Math.floor(random() * trace.ops.length));
      const expected = new Map<number, Uint8Array>();
      const heap = allocatorFor(config);
      const slots = new Int32Array(trace.names.length).fill(-1);
      for (let i = 0; i < trace.ops.length; i++) {
        applyOp(heap, trace.ops, i, slots, true);
        if (steps.includes(i)) expected.set(i, heap.read(0, heap.heapSize)!);
      }
      for (const i of steps) {
        const at = replay.heapAt(i);
        assert.deepEqual(at.read(0, at.heapSize), expected.get(i), `seed ${seed}: the bytes after op ${i}`);
      }
      // The checkpoints hold what the budget allows (8 bytes an op, a page at the least each).
      assert.ok(replay.memory.checkpoints <= trace.ops.length * 8 + 64 * PAGE_SIZE, `${replay.memory.checkpoints} bytes of checkpoints`);
    });
  }

  it('a checkpoint of a 1 GB heap filled with one byte costs its page table, not its bytes', () => {
    const trace = parseHeapScript(['set maxHeap = 1G', 'p = malloc(1000000000)', 'fill(p, 0, 1000000000, 0xab)', 'p = realloc(p, 1000000008)', 'free(p)'].join('\n'));
    const replay = Replay.run(trace, traceConfig(trace).config, { minCheckpointInterval: 1 });
    // A checkpoint after every op: each one a byte a page, and the few pages with headers.
    assert.ok(replay.memory.checkpoints < 4 * (2 ** 30 / PAGE_SIZE + 64 * PAGE_SIZE), `${replay.memory.checkpoints} bytes of checkpoints`);
    const p = replay.pointer(0)!;
    assert.equal(replay.pointer(2), p, 'the realloc grows in place');
    // Backwards and forwards: every checkpoint keeps its own bytes.
    for (const i of [3, 1, 0, 2, 3]) {
      const heap = replay.heapAt(i);
      assert.equal(heap.memory.isFilledWith(p, 1e9, 0xab), i > 0, `after op ${i}`);
      assert.ok(heap.memory.residentBytes < 64 * PAGE_SIZE + 9 * (2 ** 30 / PAGE_SIZE), `after op ${i}: ${heap.memory.residentBytes} bytes resident`);
    }
  });
});
