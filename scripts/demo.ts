// `npm start` until the extension lands: replays a small malloc/free story through the engine
// under every placement policy and prints each op's result and the block chain after it.

import { createAllocator, formatChain, hex, POLICIES, type Allocator, type OpResult } from '../src/engine/index';

type Step = [label: string, run: (heap: Allocator, ptrs: (number | null)[]) => OpResult];

const story: Step[] = [
  ['p0 = malloc(100)', (h, p) => keep(p, 0, h.malloc(100))],
  ['p1 = malloc(8)', (h, p) => keep(p, 1, h.malloc(8))],
  ['p2 = malloc(40)', (h, p) => keep(p, 2, h.malloc(40))],
  ['p3 = malloc(8)', (h, p) => keep(p, 3, h.malloc(8))],
  ['p4 = malloc(200)', (h, p) => keep(p, 4, h.malloc(200))],
  ['p5 = malloc(8)', (h, p) => keep(p, 5, h.malloc(8))],
  ['free(p0)', (h, p) => h.free(p[0] ?? null)],
  ['free(p2)', (h, p) => h.free(p[2] ?? null)],
  ['free(p4)', (h, p) => h.free(p[4] ?? null)],
  ['p6 = malloc(32)', (h, p) => keep(p, 6, h.malloc(32))],
];

function keep(ptrs: (number | null)[], i: number, r: OpResult): OpResult {
  ptrs[i] = r.ptr;
  return r;
}

for (const policy of POLICIES) {
  const heap = createAllocator({ preset: 'csapp', policy });
  const ptrs: (number | null)[] = [];
  console.log(`\n== csapp preset, ${policy} fit`);
  for (const [label, run] of story) {
    const r = run(heap, ptrs);
    const result = r.op === 'free' ? '' : ` -> ${r.ptr === null ? 'NULL' : hex(r.ptr)}`;
    const searched = r.examined > 0 ? `  (examined ${r.examined})` : '';
    console.log(`${label.padEnd(18)}${result.padEnd(12)}${formatChain(heap.walk()).padEnd(60)}${searched}`);
  }
  const m = heap.metrics();
  console.log(`heap ${m.heapSize} bytes, utilisation ${(m.utilisation * 100).toFixed(1)}%, external fragmentation ${(m.externalFragmentation * 100).toFixed(1)}%`);
}
