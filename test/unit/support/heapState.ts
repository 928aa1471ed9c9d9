// What two heaps must share to be the same heap at a step (a rebuilt one and a plain run's, or
// two histories'): the block chain, the live pointers in address order, the rover, the metrics.

import type { Allocator, AllocatorSnapshot } from '../../../src/engine/index';

export function heapState(heap: Allocator) {
  const s: AllocatorSnapshot = heap.snapshot(false, false);
  const live: [number, number][] = [];
  for (let k = 0; k < s.live.length; k += 2) live.push([s.live[k]!, s.live[k + 1]!]);
  live.sort((a, b) => a[0] - b[0]);
  return { heapSize: s.heapSize, rover: s.rover, blocks: Array.from(s.blocks), live, metrics: heap.metrics() };
}
