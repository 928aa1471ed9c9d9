// A snapshot's block chain put back into an implicit list allocator: the blocks written (when
// the snapshot came without its bytes), counted in the running totals, and the fit index loaded
// in one O(n) pass rather than n insertions.

import type { BlockIndex } from './blockIndex';
import type { BlockStats } from './blockStats';
import { decodeWord, type BlockLayout } from './layout';

/**
 * Restores the chain of `blocks` (header words, in address order) from the first block on; returns
 * where the chain ends and whether its last block is allocated (for the epilogue).
 */
export function restoreChain(L: BlockLayout, blocks: Uint32Array, writeBlocks: boolean, stats: BlockStats, index: BlockIndex | null): { addr: number; prevAllocated: boolean } {
  const n = blocks.length;
  // The index's input, when there is an index to load.
  const m = index ? n : 0;
  const addrs = new Float64Array(m);
  const sizes = new Float64Array(m);
  const allocatedBits = new Uint8Array(m);
  let addr = L.firstBlockAddr;
  let prevAllocated = true;
  for (let k = 0; k < n; k++) {
    const { size, allocated } = decodeWord(blocks[k]!);
    if (writeBlocks) L.writeBlock(addr, size, allocated, prevAllocated);
    stats.track(size, allocated, 1);
    if (m > 0) {
      addrs[k] = addr;
      sizes[k] = size;
      allocatedBits[k] = allocated ? 1 : 0;
    }
    prevAllocated = allocated;
    addr += size;
  }
  index?.load(addrs, sizes, allocatedBits, n);
  return { addr, prevAllocated };
}
