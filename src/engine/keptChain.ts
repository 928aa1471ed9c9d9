// The block chain of a heap restored from a snapshot, kept up without a walk of memory: the
// snapshot's header words, and the addresses of the blocks that disappeared since (every block
// change passes through the allocator's `track`). A block of the snapshot that never disappeared
// is still there, and no block that appeared since overlaps it, so the chain now is the
// snapshot's with each run of blocks that disappeared walked again from memory (and the heap's
// growth after its old end): a frame's outline of a heap of 100,000 blocks from a few thousand
// header reads rather than 100,000 (docs/performance.md, "Walking only the window").

import { allocatedOfWord, sizeOfWord, type BlockLayout } from './layout';
import { BLOCK_STATUSES, type ChainOutline } from './results';
import { grown } from './typedArrays';
import { ColumnsBuilder, walkBlocks } from './walker';

const ALLOCATED = BLOCK_STATUSES.indexOf('allocated');
const FREE = BLOCK_STATUSES.indexOf('free');
/** Blocks that may disappear beyond the snapshot's count before keeping them is given up (a walk of memory costs less then). */
const SLACK = 4096;

export class KeptChain {
  private removed = new Float64Array(256);
  private removedCount = 0;
  private added = 0;

  /** `words`: the snapshot's header words in chain order (kept: copy a buffer that is reused). */
  constructor(private readonly words: Uint32Array) {}

  /** A block at `addr` appeared (+1) or disappeared (-1); false once too many did to keep up. */
  track(addr: number, delta: 1 | -1): boolean {
    if (delta > 0) {
      this.added++;
      return true;
    }
    if (this.removedCount === this.removed.length) {
      if (this.removedCount > this.words.length + SLACK) return false;
      this.removed = grown(this.removed, this.removedCount * 2);
    }
    this.removed[this.removedCount++] = addr;
    return true;
  }

  /** The chain now; null where memory disagrees with what was kept (a run that does not walk to its end). */
  outline(layout: BlockLayout): ChainOutline | null {
    const removed = this.removed.slice(0, this.removedCount).sort();
    const out = new ColumnsBuilder(this.words.length + this.added + 64);
    const end = layout.chainEnd();
    if (!rebuild(this.words, removed, layout, out)) return null;
    const n = out.count;
    if (n > 0 ? out.addrs[n - 1]! + out.sizes[n - 1]! !== end : layout.firstBlockAddr < end) return null;
    return { count: n, addrs: out.addrs, sizes: out.sizes, payloadAddrs: out.payloadAddrs, status: out.status, heapSize: layout.memory.brk, stopped: null };
  }
}

/**
 * Adds the chain now to `out`: the kept blocks (`words`) but those at the addresses `removed`
 * (ascending), whose runs are walked again from memory, and the heap's growth after them; false
 * where memory disagrees. A loop of its own, apart from the object made after it (docs/performance.md,
 * "The heap before from the heap after").
 */
function rebuild(words: Uint32Array, removed: Float64Array, layout: BlockLayout, out: ColumnsBuilder): boolean {
  const m = words.length;
  const brk = layout.memory.brk;
  const end = layout.chainEnd();
  let addr = layout.firstBlockAddr;
  let j = 0;
  let k = 0;
  while (k < m) {
    while (j < removed.length && removed[j]! < addr) j++;
    // The blocks up to the next one that disappeared are as they were.
    const stop = j < removed.length ? removed[j]! : Infinity;
    if (addr < stop) {
      k = copyKept(words, k, addr, stop, layout.wordSize, out);
      addr = out.addrs[out.count - 1]! + out.sizes[out.count - 1]!;
      continue;
    }
    // A run of blocks that disappeared: what holds their bytes now is read from memory.
    const start = addr;
    while (k < m && removed[j] === addr) {
      addr += sizeOfWord(words[k]!);
      k++;
      while (j < removed.length && removed[j]! < addr) j++;
    }
    const to = k < m ? addr : end;
    if (walkBlocks(layout, start, to, brk, out, Infinity) !== null) return false;
    addr = to;
  }
  // What the heap grew by since.
  return addr >= end || walkBlocks(layout, addr, end, brk, out, Infinity) === null;
}

/**
 * Adds the kept blocks from the `k`th (at `addr`) up to the one at `stop` (or the last) to `out`:
 * their addresses, sizes, states and payloads only (an outline reads no more); the next one's place.
 */
function copyKept(words: Uint32Array, k: number, addr: number, stop: number, wordSize: number, out: ColumnsBuilder): number {
  const m = words.length;
  let n = out.count;
  const { addrs, sizes, status, payloadAddrs } = out;
  while (k < m && addr < stop) {
    const word = words[k++]!;
    const size = sizeOfWord(word);
    addrs[n] = addr;
    sizes[n] = size;
    status[n] = allocatedOfWord(word) ? ALLOCATED : FREE;
    payloadAddrs[n++] = addr + wordSize;
    addr += size;
  }
  out.count = n;
  return k;
}
