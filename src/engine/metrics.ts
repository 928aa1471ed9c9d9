// The driver's metrics (allocator reference section 4), computed from a heap walk and the ledger.

import type { Ledger } from './ledger';
import type { HeapMetrics, HeapWalk } from './results';

export function computeMetrics(walk: HeapWalk, ledger: Ledger): HeapMetrics {
  let allocatedBlocks = 0;
  let allocatedBytes = 0;
  let freeBlocks = 0;
  let freeBytes = 0;
  let largestFree = 0;
  for (const block of walk.blocks) {
    if (block.status === 'allocated') {
      allocatedBlocks++;
      allocatedBytes += block.size;
    } else if (block.status === 'free') {
      freeBlocks++;
      freeBytes += block.size;
      if (block.size > largestFree) largestFree = block.size;
    }
  }
  const heapSize = walk.heapSize;
  return {
    livePayload: ledger.livePayload,
    peakPayload: ledger.peakPayload,
    heapSize,
    utilisation: heapSize === 0 ? 0 : ledger.peakPayload / heapSize,
    allocatedBlocks,
    internalFragmentation: allocatedBytes - ledger.livePayload,
    freeBlocks,
    freeBytes,
    largestFree,
    externalFragmentation: freeBytes === 0 ? 0 : 1 - largestFree / freeBytes,
  };
}
