// An index over the implicit list that answers every placement policy's question in O(log heap)
// and says how many blocks a linear walk would have examined, without walking. It is keyed by
// the heap's address itself (docs/performance.md, "At scale"): the heap is cut into slots of
// `granule` bytes (the alignment: every block of a sound heap starts on one), 32 slots to a
// group (one word of bits), and
//   - a bit per slot says a block starts there, another that a free block does; a Fenwick tree
//     of the groups' block counts, with the bits below a slot in its group, gives a block's rank
//     in address order (where a walk from the first block reaches it);
//   - a max tree over the groups holds each group's largest free size: the lowest-address free
//     block that fits from any point (first fit, next fit, the largest for worst fit) is one
//     descent, and a change one ascent, with no search and nothing to split or join;
//   - the free blocks' sizes are in a table by slot (SlotTable), and free blocks ordered by
//     (size, address) give best fit's smallest fit, ties to the lowest address.
// Memory: the bits and trees cover the heap up to its highest block (5 bits a slot: 8% of the
// heap at 8-byte slots, 4% at 16), grown by doubling; the table and the size order are O(free
// blocks). A block on no slot (only a heap a program has corrupted has one, and then the fit
// search walks the heap instead) is ignored, as are blocks beyond the largest heap.

import { SizeOrder } from './sortedPairs';
import { SlotTable } from './slotTable';
import { descend, lowerFrom, nextWith, raiseFrom, summariseTree } from './maxTree';

/** Groups to begin with (32 slots each): a heap of 64 KiB at 8-byte slots; doubled as the heap grows. */
const FIRST_GROUPS = 256;

export class BlockIndex {
  /** Blocks, allocated and free. */
  private total = 0;
  /** A bit per slot: a block starts there. */
  private starts = new Int32Array(FIRST_GROUPS);
  /** A bit per slot: a free block starts there. */
  private frees = new Int32Array(FIRST_GROUPS);
  /** Groups covered (a power of two); the max tree's leaves are at [groups, 2 * groups). */
  private groups = FIRST_GROUPS;
  /** Max tree of the groups' largest free sizes (src/engine/maxTree.ts). */
  private maxTree = new Int32Array(2 * FIRST_GROUPS);
  /**
   * Fenwick tree of the groups' block counts (1-based). Its loops read it and `groups` into locals:
   * a store into a typed array in the loop otherwise has V8 check `this` and load both again each turn
   * (docs/performance.md, "The fit index's per-op work (issue 17, eighth pass)").
   */
  private fenwick = new Int32Array(FIRST_GROUPS + 1);
  /** Free sizes by slot. */
  private readonly sizes = new SlotTable();
  /** Free blocks by (size, address): only best fit asks for them. */
  private readonly bySize: SizeOrder | null;
  /** log2 of the granule. */
  private readonly shift: number;
  private readonly offset: number;
  /**
   * A removal not carried out yet (-1: none). The allocator usually puts a block back at the
   * address it just removed (a split, a free, a merge into the block before): that becomes an
   * update in place. Anything else carries the removal out first.
   */
  private pending = -1;

  constructor(
    /** The largest heap: no block starts beyond it (a corrupted size could claim otherwise). */
    private readonly maxHeap: number,
    {
      bySize = true,
      granule = 8,
      offset = 0,
    }: {
      /** Keep free blocks ordered by size too, for `smallestAtLeast` (best fit). */
      bySize?: boolean;
      /** Bytes a slot, a power of two: every block starts `offset` bytes past a multiple of it. */
      granule?: number;
      offset?: number;
    } = {},
  ) {
    this.bySize = bySize ? new SizeOrder() : null;
    this.shift = Math.log2(granule);
    if (!Number.isInteger(this.shift)) throw new RangeError(`the fit index's granule must be a power of two (got ${granule})`);
    this.offset = offset;
  }

  /** Blocks, allocated and free, in the chain. */
  get count(): number {
    this.flush();
    return this.total;
  }

  add(addr: number, size: number, allocated: boolean): void {
    const slot = this.slotOf(addr, size);
    if (slot < 0) return; // a corrupted heap: the fit search walks it instead
    const free = allocated ? 0 : size;
    if (this.pending === slot) {
      this.pending = -1;
      if (this.replace(slot, addr, free)) return;
    } else {
      this.flush();
    }
    if (slot >= 32 * this.groups) this.grow(slot);
    const g = slot >> 5;
    const bit = 1 << (slot & 31);
    if (this.starts[g]! & bit) return; // already there (a corrupted heap re-adding a block)
    this.starts[g]! |= bit;
    this.total++;
    for (let i = g + 1, n = this.groups, fenwick = this.fenwick; i <= n; i += i & -i) fenwick[i]!++;
    if (free > 0) {
      this.frees[g]! |= bit;
      this.sizes.set(slot, free);
      this.bySize?.insert(free, addr);
      if (free > this.maxTree[this.groups + g]!) this.raise(g, free);
    }
  }

  /**
   * The free block of `total` bytes at `addr` becomes an allocated one of `size`, the rest a free
   * block after it: `add(rest)`, `remove(block)`, `add(block)` in one step, with their outcome
   * (docs/performance.md, "Per-op work (issue 17, seventh pass)"); anything odd takes those. */
  allocate(addr: number, total: number, size: number): void {
    const slot = this.slotOf(addr, total);
    const rest = total - size;
    const restSlot = rest > 0 ? this.slotOf(addr + size, rest) : -1;
    this.flush();
    const g = slot >> 5;
    const bit = 1 << (slot & 31);
    const rg = restSlot >> 5;
    const restBit = 1 << (restSlot & 31);
    if (
      slot < 0 || size <= 0 || slot >= 32 * this.groups || (this.frees[g]! & bit) === 0 ||
      (rest > 0 && (restSlot <= slot || (restSlot < 32 * this.groups && (this.starts[rg]! & restBit) !== 0)))
    ) {
      if (rest > 0) this.add(addr + size, rest, false);
      this.remove(addr, total);
      this.add(addr, size, true);
      return;
    }
    // The rest first (`add`'s insertion written out: shared as a method it cost 3% more instructions,
    // 5.72 against 5.55 G): its size climbs the max tree only until it meets the block's own, which
    // still stands above it; the block's leaving then lowers the path once, to the rest's size.
    if (rest > 0) {
      if (restSlot >= 32 * this.groups) this.grow(restSlot);
      this.starts[rg]! |= restBit;
      this.total++;
      for (let i = rg + 1, n = this.groups, fenwick = this.fenwick; i <= n; i += i & -i) fenwick[i]!++;
      this.frees[rg]! |= restBit;
      this.sizes.set(restSlot, rest);
      this.bySize?.insert(rest, addr + size);
      if (rest > this.maxTree[this.groups + rg]!) this.raise(rg, rest);
    }
    this.dropFree(slot, g, bit, addr);
  }

  /**
   * The allocated block of `size` bytes at `addr` is freed into the free block of `total` bytes at
   * `start` (itself, or the free block before it), which takes in the `withNext` free bytes after
   * it too: `remove(block)`, `remove(before)`, `add(start)`, `remove(after)` in one step, with
   * their outcome (docs/performance.md, as `allocate`); anything odd takes those steps.
   */
  free(addr: number, size: number, start: number, total: number, withNext: number): void {
    this.flush();
    const slot = this.slotOf(addr, size);
    const at = this.slotOf(start, total);
    const g = slot >> 5;
    const bit = 1 << (slot & 31);
    if (
      slot < 0 || at < 0 || at > slot || slot >= 32 * this.groups || (this.starts[g]! & bit) === 0 || (this.frees[g]! & bit) !== 0 ||
      (at < slot && (this.starts[at >> 5]! & (1 << (at & 31))) === 0)
    ) {
      this.remove(addr, size);
      if (start < addr) this.remove(start, addr - start);
      this.add(start, total, false);
      if (withNext > 0) this.remove(addr + size, withNext);
      return;
    }
    if (at < slot) {
      this.starts[g]! &= ~bit; // merged into the block before: the freed block's start goes
      this.total--;
      for (let i = g + 1, n = this.groups, fenwick = this.fenwick; i <= n; i += i & -i) fenwick[i]!--;
    }
    this.replace(at, start, total);
    // The block after goes as a pending removal, as `remove` leaves it.
    if (withNext > 0) this.pending = this.slotOf(addr + size, withNext);
  }

  remove(addr: number, size: number): void {
    const slot = this.slotOf(addr, size);
    if (slot < 0) return;
    this.flush();
    this.pending = slot;
  }

  /** Carries out the pending removal. */
  private flush(): void {
    const slot = this.pending;
    if (slot < 0) return;
    this.pending = -1;
    const g = slot >> 5;
    const bit = 1 << (slot & 31);
    if (slot >= 32 * this.groups || !(this.starts[g]! & bit)) return;
    this.starts[g]! &= ~bit;
    this.total--;
    for (let i = g + 1, n = this.groups, fenwick = this.fenwick; i <= n; i += i & -i) fenwick[i]!--;
    if (this.frees[g]! & bit) this.dropFree(slot, g, bit, this.addrOf(slot));
  }

  /** The block at `slot` becomes free with `free` bytes (0: allocated) in place; false when there is none. */
  private replace(slot: number, addr: number, free: number): boolean {
    const g = slot >> 5;
    const bit = 1 << (slot & 31);
    if (slot >= 32 * this.groups || !(this.starts[g]! & bit)) return false;
    if (this.frees[g]! & bit) {
      if (free > 0) {
        const old = this.sizes.get(slot);
        if (old === free) return true;
        this.sizes.set(slot, free);
        if (this.bySize) {
          this.bySize.remove(old, addr);
          this.bySize.insert(free, addr);
        }
        const leaf = this.maxTree[this.groups + g]!;
        if (free > leaf) this.raise(g, free);
        else if (old === leaf) this.lower(g);
        return true;
      }
      this.dropFree(slot, g, bit, addr);
    } else if (free > 0) {
      this.frees[g]! |= bit;
      this.sizes.set(slot, free);
      this.bySize?.insert(free, addr);
      if (free > this.maxTree[this.groups + g]!) this.raise(g, free);
    }
    return true;
  }

  /** The free block at `slot` (bit `bit` of group `g`) is free no more. */
  private dropFree(slot: number, g: number, bit: number, addr: number): void {
    this.frees[g]! &= ~bit;
    const old = this.sizes.delete(slot);
    this.bySize?.remove(old, addr);
    if (old === this.maxTree[this.groups + g]!) this.lower(g);
  }

  /**
   * Replaces the whole index with the blocks of a chain, given in address order: O(n + heap / granule / 32),
   * for restoring a snapshot.
   */
  load(addrs: ArrayLike<number>, sizes: ArrayLike<number>, allocated: ArrayLike<number>, n: number): void {
    this.pending = -1;
    this.total = 0;
    this.starts.fill(0);
    this.frees.fill(0);
    let free = 0;
    for (let k = 0; k < n; k++) if (!allocated[k]) free++;
    this.sizes.clear(free);
    const freeSizes: number[] = [];
    const freeAddrs: number[] = [];
    for (let k = 0; k < n; k++) {
      const addr = addrs[k]!;
      const size = sizes[k]!;
      const slot = this.slotOf(addr, size);
      if (slot < 0) continue;
      if (slot >= 32 * this.groups) this.grow(slot);
      const bit = 1 << (slot & 31);
      if (this.starts[slot >> 5]! & bit) continue;
      this.starts[slot >> 5]! |= bit;
      this.total++;
      if (!allocated[k] && size > 0) {
        this.frees[slot >> 5]! |= bit;
        this.sizes.set(slot, size);
        if (this.bySize) {
          freeSizes.push(size);
          freeAddrs.push(addr);
        }
      }
    }
    this.bySize?.load(freeSizes, freeAddrs);
    this.summarise();
  }

  /** Blocks that start below `addr`: where a walk from the first block reaches it. */
  rank(addr: number): number {
    this.flush();
    const slot = this.ceilSlot(addr);
    if (slot >= 32 * this.groups) return this.total;
    const g = slot >> 5;
    let sum = 0;
    for (let i = g, fenwick = this.fenwick; i > 0; i -= i & -i) sum += fenwick[i]!;
    return sum + bitCount(this.starts[g]! & ((1 << (slot & 31)) - 1));
  }

  /** The lowest-address free block at or after `from` with at least `size` bytes, or null. */
  firstFit(size: number, from: number): number | null {
    this.flush();
    const want = Math.max(1, size);
    const slot = this.ceilSlot(from);
    if (slot >= 32 * this.groups) return null;
    const g = slot >> 5;
    if ((this.frees[g]! & ~(-1 << (slot & 31))) === 0) {
      // Nothing free in the group below the slot: the first group that fits, the group itself
      // included; from the first group (first fit) one descent from the root.
      const found = g === 0 ? this.firstGroupWith(want) : nextWith(this.maxTree, this.groups, g, want);
      return found < 0 ? null : this.addrOf(this.fitIn(found, this.frees[found]!, want));
    }
    if (this.maxTree[this.groups + g]! >= want) {
      const found = this.fitIn(g, this.frees[g]! & (-1 << (slot & 31)), want);
      if (found >= 0) return this.addrOf(found);
    }
    const next = nextWith(this.maxTree, this.groups, g + 1, want);
    return next < 0 ? null : this.addrOf(this.fitIn(next, this.frees[next]!, want));
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

  /** The slot a block at `addr` starts on, or -1 when it is not one the index keeps. */
  private slotOf(addr: number, size: number): number {
    // Whole numbers within the largest heap (at most 1 GiB), so 32-bit ones: `x | 0` is x exactly then.
    if (!(addr === (addr | 0) && addr >= this.offset && addr < this.maxHeap && size === (size | 0) && size >= 0 && size <= this.maxHeap)) return -1;
    const rel = addr - this.offset;
    return (rel & ((1 << this.shift) - 1)) === 0 ? rel >> this.shift : -1;
  }

  private addrOf(slot: number): number {
    return this.offset + (slot << this.shift);
  }

  /** The first slot at or after `addr` (0 below the first). */
  private ceilSlot(addr: number): number {
    if (addr <= this.offset) return 0;
    // Below 2^32 (the groups cover at most twice the largest heap, itself at most 1 GiB): an unsigned shift.
    const rel = Math.min(Math.ceil(addr - this.offset), 32 * this.groups * (1 << this.shift));
    return (rel + (1 << this.shift) - 1) >>> this.shift;
  }

  /** The first slot of group `g` among `bits` whose free size is at least `want`, or -1. */
  private fitIn(g: number, bits: number, want: number): number {
    while (bits !== 0) {
      const low = bits & -bits;
      const slot = 32 * g + 31 - Math.clz32(low);
      if (this.sizes.get(slot) >= want) return slot;
      bits ^= low;
    }
    return -1;
  }

  /** The first group whose largest free size is >= size, or -1: one descent from the root. */
  private firstGroupWith(size: number): number {
    return this.maxTree[1]! < size ? -1 : descend(this.maxTree, this.groups, 1, size);
  }

  /** Group `g`'s largest free size rose to `max`. */
  private raise(g: number, max: number): void {
    raiseFrom(this.maxTree, this.groups + g, max);
  }

  /** Group `g`'s largest free size may have fallen: found again from its free blocks. */
  private lower(g: number): void {
    // Most groups hold one block start or none: often nothing free is left to look up.
    this.maxTree[this.groups + g] = this.frees[g] === 0 ? 0 : this.largestIn(g);
    lowerFrom(this.maxTree, this.groups + g);
  }

  private largestIn(g: number): number {
    let max = 0;
    for (let bits = this.frees[g]!; bits !== 0; bits &= bits - 1) {
      const size = this.sizes.get(32 * g + 31 - Math.clz32(bits & -bits));
      if (size > max) max = size;
    }
    return max;
  }

  /** Covers `slot`: the groups doubled until they do (the largest heap's slots at most). */
  private grow(slot: number): void {
    let groups = this.groups;
    while (32 * groups <= slot) groups *= 2;
    const starts = new Int32Array(groups);
    const frees = new Int32Array(groups);
    starts.set(this.starts);
    frees.set(this.frees);
    this.starts = starts;
    this.frees = frees;
    this.groups = groups;
    this.summarise();
  }

  /** Rebuilds the trees from the bits and the sizes: O(groups + free blocks). */
  private summarise(): void {
    const groups = this.groups;
    const tree = this.maxTree.length === 2 * groups ? this.maxTree.fill(0) : new Int32Array(2 * groups);
    const fenwick = this.fenwick.length === groups + 1 ? this.fenwick.fill(0) : new Int32Array(groups + 1);
    this.maxTree = tree;
    this.fenwick = fenwick;
    for (let g = 0; g < groups; g++) {
      fenwick[g + 1]! += bitCount(this.starts[g]!);
      const parent = g + 1 + ((g + 1) & -(g + 1));
      if (parent <= groups) fenwick[parent]! += fenwick[g + 1]!;
      tree[groups + g] = this.largestIn(g);
    }
    summariseTree(tree, groups);
  }
}

/** Set bits in a 32-bit word. */
function bitCount(v: number): number {
  v -= (v >>> 1) & 0x55555555;
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24);
}
