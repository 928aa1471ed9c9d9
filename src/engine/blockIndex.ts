// An index over the implicit list that answers every placement policy's question in O(log n)
// and says how many blocks a linear walk would have examined, without walking:
//   - every block in a treap by address, each node holding its subtree's block count (a block's
//     rank in address order) and largest free size (the lowest-address free block that fits from
//     any point: first fit, next fit, and the largest for worst fit);
//   - free blocks ordered by (size, address) give best fit's smallest fit, ties to the lowest address.
// Memory is O(blocks), whatever the heap's size.

/** Free blocks ordered by (size, address), in sorted chunks (no tree to rebalance). */
class SizeOrder {
  private chunks: { sizes: number[]; addrs: number[] }[] = [];
  private static readonly CHUNK = 256;

  insert(size: number, addr: number): void {
    if (this.chunks.length === 0) {
      this.chunks.push({ sizes: [size], addrs: [addr] });
      return;
    }
    const c = Math.max(0, this.chunkOf(size, addr));
    const chunk = this.chunks[c]!;
    const k = lowerBound(chunk.sizes, chunk.addrs, size, addr);
    chunk.sizes.splice(k, 0, size);
    chunk.addrs.splice(k, 0, addr);
    if (chunk.sizes.length > 2 * SizeOrder.CHUNK) {
      this.chunks.splice(c + 1, 0, { sizes: chunk.sizes.splice(SizeOrder.CHUNK), addrs: chunk.addrs.splice(SizeOrder.CHUNK) });
    }
  }

  remove(size: number, addr: number): void {
    const c = this.chunkOf(size, addr);
    if (c < 0) return;
    const chunk = this.chunks[c]!;
    const k = lowerBound(chunk.sizes, chunk.addrs, size, addr);
    if (chunk.sizes[k] !== size || chunk.addrs[k] !== addr) return;
    chunk.sizes.splice(k, 1);
    chunk.addrs.splice(k, 1);
    if (chunk.sizes.length === 0) this.chunks.splice(c, 1);
  }

  clear(): void {
    this.chunks = [];
  }

  /** Replaces the contents with free blocks given in address order. */
  load(sizes: readonly number[], addrs: readonly number[]): void {
    // One numeric sort of (size, position) keys: sizes are below 2^31 and positions below 2^22.
    const n = sizes.length;
    if (n >= 4194304) {
      this.chunks = [];
      for (let k = 0; k < n; k++) this.insert(sizes[k]!, addrs[k]!);
      return;
    }
    const keys = new Float64Array(n);
    for (let k = 0; k < n; k++) keys[k] = sizes[k]! * 4194304 + k;
    keys.sort();
    this.chunks = [];
    for (let start = 0; start < n; start += SizeOrder.CHUNK) {
      const end = Math.min(n, start + SizeOrder.CHUNK);
      const chunk = { sizes: new Array<number>(end - start), addrs: new Array<number>(end - start) };
      for (let k = start; k < end; k++) {
        const at = keys[k]! % 4194304;
        chunk.sizes[k - start] = sizes[at]!;
        chunk.addrs[k - start] = addrs[at]!;
      }
      this.chunks.push(chunk);
    }
  }

  /** The smallest (size, address) with size >= `size`, or null. */
  atLeast(size: number): { size: number; addr: number } | null {
    let c = Math.max(0, this.chunkOf(size, -1));
    for (; c < this.chunks.length; c++) {
      const chunk = this.chunks[c]!;
      const k = lowerBound(chunk.sizes, chunk.addrs, size, -1);
      if (k < chunk.sizes.length) return { size: chunk.sizes[k]!, addr: chunk.addrs[k]! };
    }
    return null;
  }

  /** The chunk whose first key is the last one <= (size, addr), or -1. */
  private chunkOf(size: number, addr: number): number {
    let lo = 0;
    let hi = this.chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const ch = this.chunks[mid]!;
      const s = ch.sizes[0]!;
      if (s < size || (s === size && ch.addrs[0]! <= addr)) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }
}

/** The first position whose (size, addr) is >= the key. */
function lowerBound(sizes: readonly number[], addrs: readonly number[], size: number, addr: number): number {
  let lo = 0;
  let hi = sizes.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const s = sizes[mid]!;
    if (s < size || (s === size && addrs[mid]! < addr)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Word offsets of a node's fields in BlockIndex's array. */
const KEY = 0;
const FREE = 1;
const WEIGHT = 2;
const PRIO = 3;
const LEFT = 4;
const RIGHT = 5;
const COUNT = 6;
const MAX = 7;

export class BlockIndex {
  /**
   * The nodes, 8 words each (two to a cache line): address, free size (0 when allocated
   * or removed), weight (1 for a block of the chain, 0 for a removed one kept in place until the
   * next rebuild), priority, left, right, blocks in the subtree, largest free size in the subtree.
   */
  private a = new Int32Array(0);
  /** Node 0 is the empty tree (all zeros); unused nodes are chained through RIGHT. */
  private unused = 0;
  private root = 0;
  private nodes = 0;
  private path = new Int32Array(128);
  /**
   * The last removal's address and path: the allocator usually puts a block back at the address
   * it just removed (a split, a free, a merge into the left block), which then needs no descent.
   * Valid while the tree keeps its shape (no node inserted, no rebuild).
   */
  private removedAddr = -1;
  private removedPath = new Int32Array(128);
  private removedDepth = 0;
  private readonly bySize = new SizeOrder();

  constructor(
    /** The largest heap: no block starts beyond it (a corrupted size could claim otherwise). */
    private readonly maxHeap: number,
  ) {
    this.grow(1024);
  }

  /** Blocks, allocated and free, in the chain. */
  get count(): number {
    return this.a[(this.root << 3) + COUNT]!;
  }

  add(addr: number, size: number, allocated: boolean): void {
    if (!this.valid(addr, size)) return; // a corrupted heap: the fit search checks memory anyway
    const free = allocated ? 0 : size;
    let path = this.path;
    let depth: number;
    if (addr === this.removedAddr) {
      path = this.removedPath;
      depth = this.removedDepth;
    } else {
      depth = this.find(addr);
    }
    this.removedAddr = -1;
    const t = depth > 0 ? path[depth - 1]! : 0;
    if (t !== 0 && this.a[(t << 3) + KEY] === addr) {
      // A block removed at this address comes back: revive its node in place.
      if (this.a[(t << 3) + WEIGHT] === 1) return; // already there (a corrupted heap re-adding a block)
      this.a[(t << 3) + WEIGHT] = 1;
      this.a[(t << 3) + FREE] = free;
      const a = this.a;
      for (let d = depth - 1; d >= 0; d--) {
        const at = path[d]! << 3;
        a[at + COUNT]!++;
        if (a[at + MAX]! < free) a[at + MAX] = free;
      }
    } else {
      this.root = this.insert(this.root, this.node(addr, free));
      this.nodes++;
    }
    if (free > 0) this.bySize.insert(size, addr);
  }

  remove(addr: number, size: number): void {
    if (!this.valid(addr, size)) return;
    const depth = this.find(addr);
    const t = depth > 0 ? this.path[depth - 1]! : 0;
    if (t === 0 || this.a[(t << 3) + KEY] !== addr || this.a[(t << 3) + WEIGHT] === 0) return;
    const freeSize = this.a[(t << 3) + FREE]!;
    // Removed in place (a removal is usually followed by a block at the same address: a split,
    // a merge, a free); the tree is rebuilt once removed nodes outnumber the blocks.
    this.a[(t << 3) + WEIGHT] = 0;
    this.a[(t << 3) + FREE] = 0;
    // Counts drop by one up the path; the largest free size changes only where it was this block's.
    const a = this.a;
    let maxChanged = freeSize > 0;
    for (let d = depth - 1; d >= 0; d--) {
      const x = this.path[d]!;
      a[(x << 3) + COUNT]!--;
      if (maxChanged) {
        const before = a[(x << 3) + MAX]!;
        this.pull(x);
        maxChanged = a[(x << 3) + MAX] !== before;
      }
    }
    if (freeSize > 0) this.bySize.remove(freeSize, addr);
    if (this.nodes - this.count > this.count + 1024) {
      this.compact();
    } else {
      // Keep the path for a block put back at this address (swap, so neither is copied).
      const kept = this.removedPath;
      this.removedPath = this.path;
      this.path = kept;
      this.removedDepth = depth;
      this.removedAddr = addr;
    }
  }

  /**
   * Replaces the whole index with the blocks of a chain, given in address order: O(n), for
   * restoring a snapshot.
   */
  load(addrs: ArrayLike<number>, sizes: ArrayLike<number>, allocated: ArrayLike<number>, n: number): void {
    const keys: number[] = [];
    const frees: number[] = [];
    const freeSizes: number[] = [];
    const freeAddrs: number[] = [];
    let prevAddr = -1;
    for (let k = 0; k < n; k++) {
      const addr = addrs[k]!;
      const size = sizes[k]!;
      if (!this.valid(addr, size) || addr <= prevAddr) continue;
      prevAddr = addr;
      const free = allocated[k] ? 0 : size;
      keys.push(addr);
      frees.push(free);
      if (free > 0) {
        freeSizes.push(size);
        freeAddrs.push(addr);
      }
    }
    this.build(keys, frees);
    this.bySize.load(freeSizes, freeAddrs);
  }

  /** Blocks that start below `addr`: where a walk from the first block reaches it. */
  rank(addr: number): number {
    let sum = 0;
    for (let t = this.root; t !== 0; ) {
      if (this.a[(t << 3) + KEY]! < addr) {
        sum += this.a[((this.a[(t << 3) + LEFT]!) << 3) + COUNT]! + this.a[(t << 3) + WEIGHT]!;
        t = this.a[(t << 3) + RIGHT]!;
      } else {
        t = this.a[(t << 3) + LEFT]!;
      }
    }
    return sum;
  }

  /** The lowest-address free block at or after `from` with at least `size` bytes, or null. */
  firstFit(size: number, from: number): number | null {
    const t = this.findFrom(this.root, from, Math.max(1, size));
    return t === 0 ? null : this.a[(t << 3) + KEY]!;
  }

  /** The largest free block (lowest address among equals), or null when nothing is free. */
  largest(): { addr: number; size: number } | null {
    const max = this.a[(this.root << 3) + MAX]!;
    if (max <= 0) return null;
    return { addr: this.a[((this.findFirst(this.root, max)) << 3) + KEY]!, size: max };
  }

  /** The smallest free block of at least `size` bytes (lowest address among equals), or null. */
  smallestAtLeast(size: number): { addr: number; size: number } | null {
    return this.bySize.atLeast(size);
  }

  private valid(addr: number, size: number): boolean {
    return Number.isSafeInteger(addr) && addr >= 0 && addr < this.maxHeap && Number.isSafeInteger(size) && size >= 0 && size <= this.maxHeap;
  }

  /** Descends towards `addr`, recording the nodes passed in `path`; returns the path's length. */
  private find(addr: number): number {
    let depth = 0;
    for (let t = this.root; t !== 0; ) {
      if (depth === this.path.length) {
        const longer = new Int32Array(depth * 2);
        longer.set(this.path);
        this.path = longer;
      }
      this.path[depth++] = t;
      const k = this.a[(t << 3) + KEY]!;
      if (k === addr) break;
      t = addr < k ? this.a[(t << 3) + LEFT]! : this.a[(t << 3) + RIGHT]!;
    }
    return depth;
  }

  /** Whether node a belongs above node b (higher priority; ties to the lower address). */
  private above(a: number, b: number): boolean {
    const pa = this.a[(a << 3) + PRIO]!;
    const pb = this.a[(b << 3) + PRIO]!;
    return pa > pb || (pa === pb && this.a[(a << 3) + KEY]! < this.a[(b << 3) + KEY]!);
  }

  private pull(t: number): void {
    const l = this.a[(t << 3) + LEFT]!;
    const r = this.a[(t << 3) + RIGHT]!;
    this.a[(t << 3) + COUNT] = this.a[(l << 3) + COUNT]! + this.a[(r << 3) + COUNT]! + this.a[(t << 3) + WEIGHT]!;
    const f = this.a[(t << 3) + FREE]!;
    const ml = this.a[(l << 3) + MAX]!;
    const mr = this.a[(r << 3) + MAX]!;
    this.a[(t << 3) + MAX] = f > ml ? (f > mr ? f : mr) : ml > mr ? ml : mr;
  }

  private insert(t: number, x: number): number {
    if (t === 0) return x;
    if (this.above(x, t)) {
      this.split(t, this.a[(x << 3) + KEY]!);
      this.a[(x << 3) + LEFT] = this.splitLeft;
      this.a[(x << 3) + RIGHT] = this.splitRight;
      this.pull(x);
      return x;
    }
    if (this.a[(x << 3) + KEY]! < this.a[(t << 3) + KEY]!) this.a[(t << 3) + LEFT] = this.insert(this.a[(t << 3) + LEFT]!, x);
    else this.a[(t << 3) + RIGHT] = this.insert(this.a[(t << 3) + RIGHT]!, x);
    this.pull(t);
    return t;
  }

  private splitLeft = 0;
  private splitRight = 0;

  /** Splits t into keys < key (splitLeft) and keys > key (splitRight). */
  private split(t: number, key: number): void {
    if (t === 0) {
      this.splitLeft = this.splitRight = 0;
      return;
    }
    if (this.a[(t << 3) + KEY]! < key) {
      this.split(this.a[(t << 3) + RIGHT]!, key);
      this.a[(t << 3) + RIGHT] = this.splitLeft;
      this.pull(t);
      this.splitLeft = t;
    } else {
      this.split(this.a[(t << 3) + LEFT]!, key);
      this.a[(t << 3) + LEFT] = this.splitRight;
      this.pull(t);
      this.splitRight = t;
    }
  }

  /** The lowest-address node at or after `from` whose free size is >= size, or 0. */
  private findFrom(t: number, from: number, size: number): number {
    while (t !== 0 && this.a[(t << 3) + MAX]! >= size) {
      if (this.a[(t << 3) + KEY]! < from) {
        t = this.a[(t << 3) + RIGHT]!;
        continue;
      }
      const left = this.findFrom(this.a[(t << 3) + LEFT]!, from, size);
      if (left !== 0) return left;
      if (this.a[(t << 3) + FREE]! >= size) return t;
      return this.findFirst(this.a[(t << 3) + RIGHT]!, size);
    }
    return 0;
  }

  /** The lowest-address node in t whose free size is >= size, or 0. */
  private findFirst(t: number, size: number): number {
    while (t !== 0 && this.a[(t << 3) + MAX]! >= size) {
      const l = this.a[(t << 3) + LEFT]!;
      if (this.a[(l << 3) + MAX]! >= size) t = l;
      else if (this.a[(t << 3) + FREE]! >= size) return t;
      else t = this.a[(t << 3) + RIGHT]!;
    }
    return 0;
  }

  /** Drops the removed nodes: the blocks in address order, then one O(n) build. */
  private compact(): void {
    const keys: number[] = [];
    const frees: number[] = [];
    const stack: number[] = [];
    for (let t = this.root; t !== 0 || stack.length > 0; ) {
      if (t !== 0) {
        stack.push(t);
        t = this.a[(t << 3) + LEFT]!;
        continue;
      }
      t = stack.pop()!;
      if (this.a[(t << 3) + WEIGHT] === 1) {
        keys.push(this.a[(t << 3) + KEY]!);
        frees.push(this.a[(t << 3) + FREE]!);
      }
      t = this.a[(t << 3) + RIGHT]!;
    }
    this.build(keys, frees);
  }

  /** The tree of the given blocks (ascending addresses): a Cartesian tree by priority, in O(n). */
  private build(keys: readonly number[], frees: readonly number[]): void {
    this.removedAddr = -1;
    const n = keys.length;
    this.root = 0;
    this.nodes = 0;
    if (n + 1 > this.capacity) this.grow(n + 1);
    this.chainUnused();
    // A node's subtree is complete when it leaves the stack, so its totals are pulled then.
    const stack = new Int32Array(n + 1);
    let top = 0;
    for (let k = 0; k < n; k++) {
      const x = this.node(keys[k]!, frees[k]!);
      let last = 0;
      while (top > 0 && this.above(x, stack[top - 1]!)) {
        last = stack[--top]!;
        this.pull(last);
      }
      this.a[(x << 3) + LEFT] = last;
      if (top > 0) this.a[((stack[top - 1]!) << 3) + RIGHT] = x;
      stack[top++] = x;
    }
    while (top > 1) this.pull(stack[--top]!);
    if (top === 1) {
      this.pull(stack[0]!);
      this.root = stack[0]!;
    }
    this.nodes = n;
  }

  private node(addr: number, free: number): number {
    if (this.unused === 0) this.grow(this.capacity * 2);
    const x = this.unused;
    this.unused = this.a[(x << 3) + RIGHT]!;
    this.a[(x << 3) + KEY] = addr;
    this.a[(x << 3) + FREE] = free;
    this.a[(x << 3) + WEIGHT] = 1;
    this.a[(x << 3) + PRIO] = priorityOf(addr);
    this.a[(x << 3) + LEFT] = 0;
    this.a[(x << 3) + RIGHT] = 0;
    this.a[(x << 3) + COUNT] = 1;
    this.a[(x << 3) + MAX] = free;
    return x;
  }

  private get capacity(): number {
    return this.a.length >> 3;
  }

  private grow(capacity: number): void {
    const old = this.capacity;
    const a = new Int32Array(capacity << 3);
    a.set(this.a);
    this.a = a;
    // Nodes old.. join the unused chain (node 0 stays the empty tree).
    const first = Math.max(1, old);
    for (let x = first; x < capacity - 1; x++) a[(x << 3) + RIGHT] = x + 1;
    a[((capacity - 1) << 3) + RIGHT] = this.unused;
    this.unused = first;
  }

  /** Every node but the empty tree is unused. */
  private chainUnused(): void {
    const capacity = this.capacity;
    const a = this.a;
    for (let x = 1; x < capacity - 1; x++) a[(x << 3) + RIGHT] = x + 1;
    a[((capacity - 1) << 3) + RIGHT] = 0;
    this.unused = capacity > 1 ? 1 : 0;
  }
}

/** A block's priority: a hash of its address (deterministic, so the tree depends only on the block set). */
function priorityOf(addr: number): number {
  let h = Math.imul(addr ^ 0x9e3779b9, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}
