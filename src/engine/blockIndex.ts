// An index over the implicit list that answers every placement policy's question in O(log n)
// and says how many blocks a linear walk would have examined, without walking:
//   - a Fenwick tree of block starts gives each block's rank in address order;
//   - a max segment tree of free sizes by address finds the lowest-address free block that fits
//     from any point (first fit, next fit, and the largest for worst fit);
//   - free blocks ordered by (size, address) give best fit's smallest fit, ties to the lowest address.
// Addresses map to slots of one alignment unit each; the arrays double as the heap grows.

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

export class BlockIndex {
  private capacity = 0;
  /** 1 where a block starts. */
  private starts = new Uint8Array(0);
  /** Fenwick tree over `starts` (1-based). */
  private fenwick = new Int32Array(1);
  /** Max segment tree over free sizes by slot; leaves at [leaves, 2 * leaves). */
  private tree = new Int32Array(2);
  private leaves = 1;
  private readonly bySize = new SizeOrder();
  /** Blocks, allocated and free, in the chain. */
  count = 0;

  constructor(
    /** Address of the first real block. */
    private readonly base: number,
    /** Bytes per slot: every block starts a multiple of this past `base`. */
    private readonly unit: number,
    /** The largest heap: no block starts beyond it (a corrupted size could claim otherwise). */
    private readonly maxHeap: number,
  ) {
    this.grow(1 << 12);
  }

  add(addr: number, size: number, allocated: boolean): void {
    const slot = this.slot(addr);
    if (!this.valid(slot, size)) return; // a corrupted heap: the fit search checks memory anyway
    if (slot >= this.capacity) this.grow(slot + 1);
    this.count++;
    this.starts[slot] = 1;
    for (let i = slot + 1; i <= this.capacity; i += i & -i) this.fenwick[i]!++;
    if (!allocated) {
      this.setFree(slot, size);
      this.bySize.insert(size, addr);
    }
  }

  remove(addr: number, size: number, allocated: boolean): void {
    const slot = this.slot(addr);
    if (!this.valid(slot, size) || slot >= this.capacity || this.starts[slot] === 0) return;
    this.count--;
    this.starts[slot] = 0;
    for (let i = slot + 1; i <= this.capacity; i += i & -i) this.fenwick[i]!--;
    if (!allocated) {
      this.setFree(slot, 0);
      this.bySize.remove(size, addr);
    }
  }

  /** Blocks that start below `addr`: where a walk from the first block reaches it. */
  rank(addr: number): number {
    let sum = 0;
    for (let i = Math.min(this.slot(addr), this.capacity); i > 0; i -= i & -i) sum += this.fenwick[i]!;
    return sum;
  }

  /** The lowest-address free block at or after `from` with at least `size` bytes, or null. */
  firstFit(size: number, from: number): number | null {
    const slot = this.descend(1, 0, this.leaves, Math.max(0, this.slot(from)), size);
    return slot < 0 ? null : this.base + slot * this.unit;
  }

  /** The largest free block (lowest address among equals), or null when nothing is free. */
  largest(): { addr: number; size: number } | null {
    const max = this.tree[1]!;
    if (max <= 0) return null;
    const addr = this.firstFit(max, this.base)!;
    return { addr, size: max };
  }

  /** The smallest free block of at least `size` bytes (lowest address among equals), or null. */
  smallestAtLeast(size: number): { addr: number; size: number } | null {
    return this.bySize.atLeast(size);
  }

  private valid(slot: number, size: number): boolean {
    return Number.isSafeInteger(slot) && slot >= 0 && slot * this.unit < this.maxHeap && size >= 0 && size <= this.maxHeap;
  }

  private slot(addr: number): number {
    return Math.floor((addr - this.base) / this.unit);
  }

  private setFree(slot: number, size: number): void {
    let i = this.leaves + slot;
    this.tree[i] = size;
    for (i >>= 1; i >= 1; i >>= 1) {
      const m = Math.max(this.tree[2 * i]!, this.tree[2 * i + 1]!);
      if (this.tree[i] === m) break;
      this.tree[i] = m;
    }
  }

  /** The leftmost slot >= `from` in node's range [lo, hi) whose free size is >= `size`, or -1. */
  private descend(node: number, lo: number, hi: number, from: number, size: number): number {
    if (hi <= from || this.tree[node]! < size) return -1;
    if (hi - lo === 1) return lo;
    const mid = (lo + hi) >> 1;
    const left = this.descend(2 * node, lo, mid, from, size);
    return left >= 0 ? left : this.descend(2 * node + 1, mid, hi, from, size);
  }

  private grow(needed: number): void {
    let capacity = Math.max(this.capacity, 1 << 12);
    while (capacity < needed) capacity *= 2;
    if (capacity === this.capacity) return;
    const starts = new Uint8Array(capacity);
    starts.set(this.starts);
    let leaves = 1;
    while (leaves < capacity) leaves *= 2;
    const tree = new Int32Array(2 * leaves);
    tree.set(this.tree.subarray(this.leaves, this.leaves + this.capacity), leaves);
    for (let i = leaves - 1; i >= 1; i--) tree[i] = Math.max(tree[2 * i]!, tree[2 * i + 1]!);
    // Fenwick rebuilt in O(n) from the starts.
    const fenwick = new Int32Array(capacity + 1);
    for (let i = 1; i <= capacity; i++) {
      fenwick[i]! += starts[i - 1]!;
      const parent = i + (i & -i);
      if (parent <= capacity) fenwick[parent]! += fenwick[i]!;
    }
    this.starts = starts;
    this.tree = tree;
    this.leaves = leaves;
    this.fenwick = fenwick;
    this.capacity = capacity;
  }
}
