// The driver's metrics (allocator reference section 4): from the allocator's running totals
// (fast, after every op) or from a full heap walk (the truth in memory; tests compare the two).

import { totalsOf, type BlockTotals } from './blockStats';
import type { HeapMetrics, HeapWalk } from './results';

/** Metrics from running totals plus the driver's payload figures. */
export function metricsFrom(totals: BlockTotals, heapSize: number, livePayload: number, peakPayload: number): HeapMetrics {
  const { allocatedBlocks, allocatedBytes, freeBlocks, freeBytes, largestFree } = totals;
  return {
    livePayload,
    peakPayload,
    heapSize,
    utilisation: heapSize === 0 ? 0 : peakPayload / heapSize,
    allocatedBlocks,
    internalFragmentation: allocatedBytes - livePayload,
    freeBlocks,
    freeBytes,
    largestFree,
    externalFragmentation: freeBytes === 0 ? 0 : 1 - largestFree / freeBytes,
  };
}

/** Metrics recomputed from a walk of memory. */
export function metricsFromWalk(walk: HeapWalk, livePayload: number, peakPayload: number): HeapMetrics {
  return metricsFrom(totalsOf(walk), walk.heapSize, livePayload, peakPayload);
}
