// The block chain of an implicit list before an allocation, rebuilt from the chain after it and
// what the run recorded of the op (docs/performance.md, "Stepping on big heaps"): a malloc, calloc
// or realloc that moved changes the chain in at most two places, so the chain before is the one
// after with those places put back, and a frame needs no jump to the step before for its story
// and search path.

import { BLOCK_STATUSES } from '../engine/results';
import { lowerBound, upperBound } from '../shared/bisect';

const ALLOCATED = BLOCK_STATUSES.indexOf('allocated');
const FREE = BLOCK_STATUSES.indexOf('free');

/** Blocks in address order: the columns of a walk a story and a search path read. */
export interface BlockChain {
  readonly count: number;
  readonly addrs: Float64Array;
  readonly sizes: Float64Array;
  readonly status: Uint8Array;
}

/** What an allocation did to the chain, as the run recorded it. */
export interface AllocationChange {
  /** The block it placed (header address, size). */
  readonly block: { readonly addr: number; readonly size: number };
  /** Bytes split off the hole after the block (0: the block took it whole). */
  readonly remainder: number;
  /** Bytes the heap grew by first (0: the block came from a hole). */
  readonly grownBy: number;
  /**
   * A realloc that moved: the block it moved out of, as it was before the op. It was freed once
   * the new block was placed (merged with its free neighbours, if the allocator coalesces).
   */
  readonly old: { readonly addr: number; readonly size: number } | null;
}

/** A run of bytes [lo, hi) of the chain after, and the blocks that held them before. */
interface Patch {
  lo: number;
  hi: number;
  blocks: { addr: number; size: number; status: number }[];
}

/**
 * The chain before an allocation. The block and the rest split off it were one free hole (or,
 * when the heap grew, the free last block the new space merged with, if there was one, and the
 * new space was not there); a realloc's old block was allocated, and the free block it is part of
 * after the op held, before, its free neighbours on either side of it, apart from the rest split
 * off the hole, which was that hole's. Null when the chain after does not agree with the record
 * (a block not where the record puts it): the heap before must be walked then.
 */
export function chainBefore(after: BlockChain, change: AllocationChange): BlockChain | null {
  const n = after.count;
  if (n === 0) return null;
  const { block, remainder, grownBy, old } = change;
  const end = after.addrs[n - 1]! + after.sizes[n - 1]!;
  const holeEnd = block.addr + block.size + remainder;
  // The block, and the rest split off it, are where the record puts them.
  const k = lowerBound(after.addrs, block.addr, n);
  if (after.addrs[k] !== block.addr || after.sizes[k] !== block.size || after.status[k] !== ALLOCATED) return null;
  if (grownBy > 0 && holeEnd !== end) return null;
  const patches: Patch[] = [];
  const hole: Patch = { lo: block.addr, hi: holeEnd, blocks: [] };
  const endBefore = end - grownBy;
  if (block.addr < endBefore) hole.blocks.push({ addr: block.addr, size: Math.min(holeEnd, endBefore) - block.addr, status: FREE });
  patches.push(hole);
  if (old !== null) {
    const oldEnd = old.addr + old.size;
    const j = upperBound(after.addrs, old.addr, n) - 1;
    if (j < 0 || after.status[j] !== FREE) return null;
    const from = after.addrs[j]!;
    const to = from + after.sizes[j]!;
    if (to < oldEnd) return null;
    const freed: Patch = { lo: from, hi: to, blocks: [] };
    // The free block before the old one, unless it is the rest split off the hole (the hole's).
    const restOfHole = from >= hole.lo && old.addr <= hole.hi;
    if (from < old.addr && !restOfHole) freed.blocks.push({ addr: from, size: old.addr - from, status: FREE });
    freed.blocks.push({ addr: old.addr, size: old.size, status: ALLOCATED });
    if (oldEnd < to) freed.blocks.push({ addr: oldEnd, size: to - oldEnd, status: FREE });
    patches.push(freed);
  }
  return patched(after, merged(patches), end, grownBy);
}

/** The patches in address order, those that overlap made one. */
function merged(patches: Patch[]): Patch[] {
  patches.sort((a, b) => a.lo - b.lo);
  const out: Patch[] = [];
  for (const p of patches) {
    const last = out[out.length - 1];
    if (last !== undefined && p.lo < last.hi) {
      last.hi = Math.max(last.hi, p.hi);
      last.blocks.push(...p.blocks);
      last.blocks.sort((a, b) => a.addr - b.addr);
    } else {
      out.push({ lo: p.lo, hi: p.hi, blocks: [...p.blocks] });
    }
  }
  return out;
}

/**
 * The chain after with each patch's bytes holding its blocks instead. Each patch starts and ends
 * at a block of the chain after, and its blocks fill it exactly (up to the end of the heap before,
 * for the patch at the end of a heap that grew); null otherwise.
 */
function patched(after: BlockChain, patches: readonly Patch[], end: number, grownBy: number): BlockChain | null {
  const n = after.count;
  const spans: { from: number; to: number; patch: Patch }[] = [];
  let count = n;
  for (const patch of patches) {
    const from = lowerBound(after.addrs, patch.lo, n);
    const to = lowerBound(after.addrs, patch.hi, n);
    if (after.addrs[from] !== patch.lo || (to < n ? after.addrs[to] !== patch.hi : patch.hi !== end)) return null;
    const fills = patch.hi === end ? end - grownBy : patch.hi;
    let at = patch.lo;
    for (const b of patch.blocks) {
      if (b.addr !== at || b.size <= 0) return null;
      at += b.size;
    }
    if (at !== fills) return null;
    spans.push({ from, to, patch });
    count += patch.blocks.length - (to - from);
  }
  const addrs = new Float64Array(count);
  const sizes = new Float64Array(count);
  const status = new Uint8Array(count);
  let read = 0;
  let write = 0;
  const copy = (to: number): void => {
    addrs.set(after.addrs.subarray(read, to), write);
    sizes.set(after.sizes.subarray(read, to), write);
    status.set(after.status.subarray(read, to), write);
    write += to - read;
    read = to;
  };
  for (const { from, to, patch } of spans) {
    copy(from);
    for (const b of patch.blocks) {
      addrs[write] = b.addr;
      sizes[write] = b.size;
      status[write] = b.status;
      write++;
    }
    read = to;
  }
  copy(n);
  return { count, addrs, sizes, status };
}
