// The driver's metrics (docs/engine.md, "Metrics"): from the allocator's running totals (fast,
// after every op) or from a full heap walk (the truth in memory; tests compare the two). Figures
// that cannot be computed soundly are null, with the reason beside them.

import { totalsOf, type BlockTotals } from './blockStats';
import type { HeapMetrics, HeapWalk } from './results';

/** Metrics from block totals plus the driver's payload figures. */
export function metricsFrom(totals: BlockTotals, heapSize: number, livePayload: number, peakPayload: number): HeapMetrics {
  const { allocatedBlocks, allocatedBytes, freeBlocks, freeBytes, largestFree } = totals;
  const utilisation = utilisationOf(peakPayload, heapSize);
  return {
    livePayload,
    peakPayload,
    heapSize,
    utilisation,
    allocatedBlocks,
    internalFragmentation: allocatedBytes - livePayload,
    freeBlocks,
    freeBytes,
    largestFree,
    externalFragmentation: freeBytes === 0 ? 0 : 1 - largestFree / freeBytes,
    unknown: utilisation === null ? OVERLAP : null,
  };
}

/** Metrics recomputed from a walk of memory. */
export function metricsFromWalk(walk: HeapWalk, livePayload: number, peakPayload: number): HeapMetrics {
  return metricsFrom(totalsOf(walk), walk.heapSize, livePayload, peakPayload);
}

/** The figures that stay sound when the heap's blocks cannot be read: the payloads and the heap's size; `reason` says why the rest are unknown. */
export function metricsWithoutBlocks(heapSize: number, livePayload: number, peakPayload: number, reason: string): HeapMetrics {
  const utilisation = utilisationOf(peakPayload, heapSize);
  return blockFiguresUnknown(livePayload, peakPayload, heapSize, utilisation, utilisation === null ? `${reason}; ${OVERLAP}` : reason);
}

/** Metrics whose block figures are all unknown (null), `unknown` saying why; the rest as given. */
export function blockFiguresUnknown(livePayload: number, peakPayload: number, heapSize: number, utilisation: number | null, unknown: string | null): HeapMetrics {
  const none = null;
  return { livePayload, peakPayload, heapSize, utilisation, allocatedBlocks: none, internalFragmentation: none, freeBlocks: none, freeBytes: none, largestFree: none, externalFragmentation: none, unknown };
}

export const OVERLAP = 'utilisation is unknown: more payload was live at once than the heap holds, so payloads overlapped';

/** peak / heap size, or null when the peak exceeds the heap (only overlapping payloads can do that). */
function utilisationOf(peakPayload: number, heapSize: number): number | null {
  if (payloadsOverlapped(peakPayload, heapSize)) return null;
  return heapSize === 0 ? 0 : peakPayload / heapSize;
}

/** Whether more payload was live at once than the heap holds (then utilisation is unknown). */
export function payloadsOverlapped(peakPayload: number, heapSize: number): boolean {
  return heapSize === 0 ? peakPayload !== 0 : peakPayload > heapSize;
}
