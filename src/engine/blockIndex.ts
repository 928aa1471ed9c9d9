// An index over the implicit list that answers every placement policy's question in O(log n)
// and says how many blocks a linear walk would have examined, without walking:
//   - every block in address order, in chunks of 32 to 64 (contiguous, so a search touches few
//     cache lines), with per-chunk counts in a Fenwick tree (a block's rank in address order) and
//     per-chunk largest free sizes in a max tree (the lowest-address free block that fits from
//     any point: first fit, next fit, and the largest for worst fit); a chunk's split or join
//     rebuilds those in O(chunks), so past MAX_CHUNKS chunks (heaps of about 50,000 blocks and
//     more) the chunks double in size, keeping a split's cost bounded instead of growing with the
//     heap (docs/performance.md, "Heaps of a million blocks");
//   - free blocks ordered by (size, address) give best fit's smallest fit, ties to the lowest address.
// Memory is O(blocks), whatever the heap's size.

import { lowerBound, upperBound } from '../shared/bisect';
import { SizeOrder } from './sortedPairs';

/** Blocks per chunk to begin with: a chunk splits at twice this. */
const CHUNK = 32;
/** Chunks beyond this: the chunks are made twice as big (a split rebuilds the summaries of all). */
const MAX_CHUNKS = 1024;

/** A run of blocks in address order: their addresses and free sizes (0: allocated). */
interface Chunk {
  readonly keys: Int32Array;
  readonly free: Int32Array;
  length: number;
  /** The largest free size in the chunk. */
  max: number;
}

export class BlockIndex {
  /** The blocks in address order, cut into chunks of CHUNK to 2 * CHUNK (the last may be shorter). */
  private chunks: Chunk[] = [];
  /** Each chunk's first address, by position. */
  private firsts = new Int32Array(0);
  /** Fenwick tree of the chunks' block counts (1-based). */
  private fenwick = new Int32Array(1);
  /** Max tree of the chunks' largest free sizes; leaves at [leaves, 2 * leaves). */
  private maxTree = new Int32Array(2);
  private leaves = 1;
  private total = 0;
  /** Blocks per chunk now (CHUNK, doubled each time the chunks outnumber MAX_CHUNKS): a chunk splits at twice this. */
  private chunk = CHUNK;
  /** Free blocks by (size, address): only best fit asks for them. */
  private readonly bySize: SizeOrder | null;
  /**
   * A removal not carried out yet (-1: none). The allocator usually puts a block back at the
   * address it just removed (a split, a free, a merge into the block before): that becomes an
   * update in place. Anything else carries the removal out first.
   */
  private pending = -1;
  /**
   * The finger: the chunk and position of the last block looked up or changed. An op looks up the
   * same few neighbouring blocks again and again (found, ranked, split, its rest added; freed,
   * merged with its neighbours), so `locate` tries the finger before any binary search. Only a
   * hint: checked against the chunk's bounds and keys, never trusted.
   */
  private fingerChunk = 0;
  private fingerPos = 0;

  constructor(
    /** The largest heap: no block starts beyond it (a corrupted size could claim otherwise). */
    private readonly maxHeap: number,
    /** Keep free blocks ordered by size too, for `smallestAtLeast` (best fit). */
    { bySize = true }: { bySize?: boolean } = {},
  ) {
    this.bySize = bySize ? new SizeOrder() : null;
  }

  /** Blocks, allocated and free, in the chain. */
  get count(): number {
    this.flush();
    return this.total;
  }

  add(addr: number, size: number, allocated: boolean): void {
    if (!this.valid(addr, size)) return; // a corrupted heap: the fit search checks memory anyway
    const free = allocated ? 0 : size;
    if (this.pending === addr) {
      this.pending = -1;
      if (this.replace(addr, free)) return;
    } else {
      this.flush();
    }
    if (this.chunks.length === 0) {
      this.chunks.push(newChunk(this.chunk));
      this.summarise();
    }
    const k = this.locate(addr);
    const c = this.fingerChunk;
    const chunk = this.chunks[c]!;
    if (k < chunk.length && chunk.keys[k] === addr) return; // already there (a corrupted heap re-adding a block)
    const keys = chunk.keys;
    const frees = chunk.free;
    // A loop beats copyWithin's call for a few dozen elements.
    if (chunk.length - k > 64) {
      keys.copyWithin(k + 1, k, chunk.length);
      frees.copyWithin(k + 1, k, chunk.length);
    } else {
      for (let j = chunk.length; j > k; j--) {
        keys[j] = keys[j - 1]!;
        frees[j] = frees[j - 1]!;
      }
    }
    chunk.keys[k] = addr;
    chunk.free[k] = free;
    chunk.length++;
    this.total++;
    if (free > 0) this.bySize?.insert(size, addr);
    if (chunk.length > 2 * this.chunk) {
      this.split(c);
      return;
    }
    if (k === 0) this.firsts[c] = addr;
    for (let i = c + 1; i < this.fenwick.length; i += i & -i) this.fenwick[i]!++;
    if (free > chunk.max) {
      chunk.max = free;
      this.setMax(c, free);
    }
  }

  remove(addr: number, size: number): void {
    if (!this.valid(addr, size)) return;
    this.flush();
    this.pending = addr;
  }

  /** Carries out the pending removal. */
  private flush(): void {
    if (this.pending < 0) return;
    const addr = this.pending;
    this.pending = -1;
    if (this.chunks.length === 0) return;
    const k = this.locate(addr);
    const c = this.fingerChunk;
    const chunk = this.chunks[c]!;
    if (k >= chunk.length || chunk.keys[k] !== addr) return;
    const free = chunk.free[k]!;
    const keys = chunk.keys;
    const frees = chunk.free;
    if (chunk.length - k > 64) {
      keys.copyWithin(k, k + 1, chunk.length);
      frees.copyWithin(k, k + 1, chunk.length);
    } else {
      for (let j = k + 1; j < chunk.length; j++) {
        keys[j - 1] = keys[j]!;
        frees[j - 1] = frees[j]!;
      }
    }
    chunk.length--;
    this.total--;
    if (free > 0) this.bySize?.remove(free, addr);
    if (chunk.length < this.chunk / 4 && this.chunks.length > 1) {
      // Too small: join a neighbour (chunks stay between a quarter and twice the chunk size but for a few).
      const left = c > 0 ? c - 1 : c;
      const a = this.chunks[left]!;
      const b = this.chunks[left + 1]!;
      if (chunk.length === 0) {
        this.chunks.splice(c, 1);
        this.summarise();
        return;
      }
      if (a.length + b.length <= (3 * this.chunk) / 2) {
        a.keys.set(b.keys.subarray(0, b.length), a.length);
        a.free.set(b.free.subarray(0, b.length), a.length);
        a.length += b.length;
        a.max = maxOf(a);
        this.chunks.splice(left + 1, 1);
        this.summarise();
        return;
      }
    }
    if (k === 0 && chunk.length > 0) this.firsts[c] = chunk.keys[0]!;
    for (let i = c + 1; i < this.fenwick.length; i += i & -i) this.fenwick[i]!--;
    if (free > 0 && free === chunk.max) {
      chunk.max = maxOf(chunk);
      this.setMax(c, chunk.max);
    }
  }

  /** The block at `addr` becomes free with `free` bytes (0: allocated) in place; false when there is none. */
  private replace(addr: number, free: number): boolean {
    if (this.chunks.length === 0) return false;
    const k = this.locate(addr);
    const c = this.fingerChunk;
    const chunk = this.chunks[c]!;
    if (k >= chunk.length || chunk.keys[k] !== addr) return false;
    const old = chunk.free[k]!;
    chunk.free[k] = free;
    if (this.bySize) {
      if (old > 0) this.bySize.remove(old, addr);
      if (free > 0) this.bySize.insert(free, addr);
    }
    if (free > chunk.max) {
      chunk.max = free;
      this.setMax(c, free);
    } else if (old === chunk.max && free < old) {
      chunk.max = maxOf(chunk);
      this.setMax(c, chunk.max);
    }
    return true;
  }

  /**
   * Replaces the whole index with the blocks of a chain, given in address order: O(n), for
   * restoring a snapshot.
   */
  load(addrs: ArrayLike<number>, sizes: ArrayLike<number>, allocated: ArrayLike<number>, n: number): void {
    this.pending = -1;
    this.chunks = [];
    while (n / this.chunk > MAX_CHUNKS / 2) this.chunk *= 2;
    this.total = 0;
    const freeSizes: number[] = [];
    const freeAddrs: number[] = [];
    let chunk: Chunk | null = null;
    let prevAddr = -1;
    for (let k = 0; k < n; k++) {
      const addr = addrs[k]!;
      const size = sizes[k]!;
      if (!this.valid(addr, size) || addr <= prevAddr) continue;
      prevAddr = addr;
      const free = allocated[k] ? 0 : size;
      if (chunk === null || chunk.length === this.chunk) {
        chunk = newChunk(this.chunk);
        this.chunks.push(chunk);
      }
      chunk.keys[chunk.length] = addr;
      chunk.free[chunk.length++] = free;
      if (free > chunk.max) chunk.max = free;
      this.total++;
      if (free > 0 && this.bySize) {
        freeSizes.push(size);
        freeAddrs.push(addr);
      }
    }
    this.bySize?.load(freeSizes, freeAddrs);
    this.summarise();
  }

  /** Blocks that start below `addr`: where a walk from the first block reaches it. */
  rank(addr: number): number {
    this.flush();
    if (this.chunks.length === 0 || addr <= this.firsts[0]!) return 0;
    const k = this.locate(addr);
    let sum = 0;
    for (let i = this.fingerChunk; i > 0; i -= i & -i) sum += this.fenwick[i]!;
    return sum + k;
  }

  /** The lowest-address free block at or after `from` with at least `size` bytes, or null. */
  firstFit(size: number, from: number): number | null {
    this.flush();
    if (this.chunks.length === 0) return null;
    const want = Math.max(1, size);
    const start = this.locate(from);
    let c = this.fingerChunk;
    let chunk = this.chunks[c]!;
    if (chunk.max >= want) {
      for (let k = start; k < chunk.length; k++) if (chunk.free[k]! >= want) return this.found(c, k);
    }
    c = this.nextChunkWith(c + 1, want);
    if (c < 0) return null;
    chunk = this.chunks[c]!;
    for (let k = 0; k < chunk.length; k++) if (chunk.free[k]! >= want) return this.found(c, k);
    return null;
  }

  /** The largest free block's size (0 when nothing is free). */
  largestFreeSize(): number {
    this.flush();
    return Math.max(0, this.maxTree[1]!);
  }

  /** The largest free block (lowest address among equals), or null when nothing is free. */
  largest(): { addr: number; size: number } | null {
    this.flush();
    const max = this.maxTree[1]!;
    if (max <= 0) return null;
    return { addr: this.firstFit(max, -1)!, size: max };
  }

  /** The smallest free block of at least `size` bytes (lowest address among equals), or null. */
  smallestAtLeast(size: number): { addr: number; size: number } | null {
    if (!this.bySize) throw new Error('this index keeps no size order');
    this.flush();
    return this.bySize.atLeast(size);
  }

  private valid(addr: number, size: number): boolean {
    return Number.isSafeInteger(addr) && addr >= 0 && addr < this.maxHeap && Number.isSafeInteger(size) && size >= 0 && size <= this.maxHeap;
  }

  /** The position of the last chunk whose first address is <= addr (0 when none is). */
  private chunkOf(addr: number): number {
    return Math.max(0, upperBound(this.firsts, addr, this.chunks.length) - 1);
  }

  /**
   * Where `addr` is or would go: its chunk (the last whose first address is <= addr, or the first)
   * becomes the finger's chunk, and the first position in it whose address is >= addr is returned
   * and becomes the finger's position. Tries the finger and its neighbours before searching.
   */
  private locate(addr: number): number {
    const chunks = this.chunks;
    let c = this.fingerChunk;
    if (c >= chunks.length || (c > 0 && this.firsts[c]! > addr) || (c + 1 < chunks.length && this.firsts[c + 1]! <= addr)) {
      c = this.chunkOf(addr);
      this.fingerChunk = c;
    }
    const chunk = chunks[c]!;
    const keys = chunk.keys;
    const n = chunk.length;
    // The first position whose address is >= addr: at the finger, just after it or just before it.
    for (let h = this.fingerPos - 1; h <= this.fingerPos + 1; h++) {
      if (h >= 0 && h <= n && (h === 0 || keys[h - 1]! < addr) && (h === n || keys[h]! >= addr)) {
        this.fingerPos = h;
        return h;
      }
    }
    const k = lowerBound(keys, addr, n);
    this.fingerPos = k;
    return k;
  }

  /** The block at position `k` of chunk `c`, which becomes the finger. */
  private found(c: number, k: number): number {
    this.fingerChunk = c;
    this.fingerPos = k;
    return this.chunks[c]!.keys[k]!;
  }

  /** The first chunk at position >= from whose largest free size is >= size, or -1. */
  private nextChunkWith(from: number, size: number): number {
    if (from >= this.chunks.length) return -1;
    const tree = this.maxTree;
    let i = from + this.leaves;
    for (;;) {
      if (tree[i]! >= size) {
        while (i < this.leaves) {
          i *= 2;
          if (tree[i]! < size) i++;
        }
        return i - this.leaves;
      }
      // On to the subtree right of this one: climb while this is a right child.
      while (i & 1) i >>= 1;
      if (i === 0) return -1;
      i++;
    }
  }

  private setMax(c: number, max: number): void {
    const tree = this.maxTree;
    let i = this.leaves + c;
    tree[i] = max;
    for (i >>= 1; i >= 1; i >>= 1) {
      const m = Math.max(tree[2 * i]!, tree[2 * i + 1]!);
      if (tree[i] === m) break;
      tree[i] = m;
    }
  }

  /** Cuts an overfull chunk in two; past MAX_CHUNKS chunks, doubles the chunk size instead. */
  private split(c: number): void {
    if (this.chunks.length >= MAX_CHUNKS) {
      this.grow();
      return;
    }
    const chunk = this.chunks[c]!;
    const right = newChunk(this.chunk);
    const half = chunk.length >> 1;
    right.keys.set(chunk.keys.subarray(half, chunk.length));
    right.free.set(chunk.free.subarray(half, chunk.length));
    right.length = chunk.length - half;
    chunk.length = half;
    chunk.max = maxOf(chunk);
    right.max = maxOf(right);
    this.chunks.splice(c + 1, 0, right);
    this.summarise();
  }

  /** The chunk size doubled: every block into chunks of the new size (O(blocks), once per doubling). */
  private grow(): void {
    const keys = new Int32Array(this.total);
    const frees = new Int32Array(this.total);
    let n = 0;
    for (const chunk of this.chunks) {
      keys.set(chunk.keys.subarray(0, chunk.length), n);
      frees.set(chunk.free.subarray(0, chunk.length), n);
      n += chunk.length;
    }
    this.chunk *= 2;
    const size = this.chunk;
    this.chunks = [];
    for (let start = 0; start < n; start += size) {
      const chunk = newChunk(size);
      const end = Math.min(n, start + size);
      chunk.keys.set(keys.subarray(start, end));
      chunk.free.set(frees.subarray(start, end));
      chunk.length = end - start;
      chunk.max = maxOf(chunk);
      this.chunks.push(chunk);
    }
    this.fingerChunk = 0;
    this.fingerPos = 0;
    this.summarise();
  }

  /** Rebuilds the per-chunk summaries (first addresses, Fenwick counts, max tree) in O(chunks). */
  private summarise(): void {
    const chunks = this.chunks;
    const n = chunks.length;
    if (this.firsts.length < n) this.firsts = new Int32Array(Math.max(16, n * 2));
    const fenwick = new Int32Array(n + 1);
    let leaves = 1;
    while (leaves < n) leaves *= 2;
    const tree = this.maxTree.length === 2 * leaves ? this.maxTree.fill(0) : new Int32Array(2 * leaves);
    for (let c = 0; c < n; c++) {
      const chunk = chunks[c]!;
      this.firsts[c] = chunk.length > 0 ? chunk.keys[0]! : 0;
      fenwick[c + 1]! += chunk.length;
      const parent = c + 1 + ((c + 1) & -(c + 1));
      if (parent <= n) fenwick[parent]! += fenwick[c + 1]!;
      tree[leaves + c] = chunk.max;
    }
    for (let i = leaves - 1; i >= 1; i--) tree[i] = Math.max(tree[2 * i]!, tree[2 * i + 1]!);
    this.fenwick = fenwick;
    this.maxTree = tree;
    this.leaves = leaves;
  }
}

function newChunk(size: number): Chunk {
  return { keys: new Int32Array(2 * size + 1), free: new Int32Array(2 * size + 1), length: 0, max: 0 };
}

function maxOf(chunk: Chunk): number {
  let max = 0;
  for (let k = 0; k < chunk.length; k++) if (chunk.free[k]! > max) max = chunk.free[k]!;
  return max;
}
