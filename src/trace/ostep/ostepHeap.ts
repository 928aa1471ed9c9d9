// OSTEP's free-space model (vm-freespace/malloc.py): a list of free chunks in list order and a map
// of allocated chunks, no bytes. Its rules, quirks included, are pinned in docs/ostep.md.

export const OSTEP_POLICIES = ['BEST', 'WORST', 'FIRST'] as const;
export type OstepPolicy = (typeof OSTEP_POLICIES)[number];

export const OSTEP_ORDERS = ['ADDRSORT', 'SIZESORT+', 'SIZESORT-', 'INSERT-FRONT', 'INSERT-BACK'] as const;
export type OstepOrder = (typeof OSTEP_ORDERS)[number];

/** A free chunk: its first address and its size in bytes. */
export interface OstepChunk {
  readonly addr: number;
  readonly size: number;
}

export interface OstepHeapOptions {
  readonly size: number;
  readonly baseAddr: number;
  readonly headerSize: number;
  readonly policy: OstepPolicy;
  readonly order: OstepOrder;
  readonly coalesce: boolean;
  /** -1 for none, else a positive unit the request is rounded up to. */
  readonly alignment: number;
}

/** What a malloc did: the chunk's address (-1 for none) and how many list elements it examined. */
export interface OstepAlloc {
  readonly addr: number;
  readonly searched: number;
  /** The bytes it took: the request rounded up to the alignment, plus the header. */
  readonly size: number;
  /** The size of the free chunk it was cut from (-1 for none). */
  readonly chunkSize: number;
}

/** Thrown where malloc.py stops with an assertion: a chunk recorded twice at one address. */
export class OstepAddressInUse extends Error {
  constructor(readonly addr: number) {
    super(`address ${addr} is already allocated`);
  }
}

export class OstepHeap {
  private list: OstepChunk[];
  private readonly allocated = new Map<number, number>();

  constructor(private readonly options: OstepHeapOptions) {
    this.list = [{ addr: options.baseAddr, size: options.size }];
  }

  /** The free list in list order. */
  get freeList(): readonly OstepChunk[] {
    return this.list;
  }

  /** The allocated chunks, address to size (in the order they were allocated). */
  get allocatedChunks(): ReadonlyMap<number, number> {
    return this.allocated;
  }

  /** A copy that goes its own way (chunks are immutable, so the copies of the list and map are shallow). */
  clone(): OstepHeap {
    const copy = new OstepHeap(this.options);
    copy.list = this.list.slice();
    for (const [addr, size] of this.allocated) copy.allocated.set(addr, size);
    return copy;
  }

  malloc(requestSize: number): OstepAlloc {
    const { alignment, headerSize, policy } = this.options;
    let size = requestSize;
    if (alignment !== -1) {
      const left = ((size % alignment) + alignment) % alignment; // Python's modulo
      if (left !== 0) size += alignment - left;
    }
    size += headerSize;
    // BEST starts above the heap's size, so a chunk larger than the heap (only a negative header
    // makes one) is never the best; WORST and FIRST start below every size.
    let bestSize = policy === 'BEST' ? this.options.size + 1 : -1;
    let bestIdx = -1;
    let searched = 0;
    for (let i = 0; i < this.list.length; i++) {
      const chunk = this.list[i]!;
      searched++;
      if (chunk.size >= size && (policy === 'FIRST' || (policy === 'BEST' ? chunk.size < bestSize : chunk.size > bestSize))) {
        bestSize = chunk.size;
        bestIdx = i;
        if (policy === 'FIRST') break;
      }
    }
    if (bestIdx === -1) return { addr: -1, searched, size, chunkSize: -1 };
    const { addr } = this.list[bestIdx]!;
    // Where malloc.py asserts (after cutting the chunk, which it never shows): the heap is left as it was.
    if (this.allocated.has(addr)) throw new OstepAddressInUse(addr);
    if (bestSize > size) this.list[bestIdx] = { addr: addr + size, size: bestSize - size };
    else this.list.splice(bestIdx, 1);
    this.allocated.set(addr, size);
    return { addr, searched, size, chunkSize: bestSize };
  }

  /** 0 when `addr` is an allocated chunk (now free), -1 when it is not. */
  free(addr: number): 0 | -1 {
    const size = this.allocated.get(addr);
    if (size === undefined) return -1;
    const chunk = { addr, size };
    switch (this.options.order) {
      case 'INSERT-BACK':
        this.list.push(chunk);
        break;
      case 'INSERT-FRONT':
        this.list.unshift(chunk);
        break;
      case 'ADDRSORT':
        this.list.push(chunk);
        this.list.sort((a, b) => a.addr - b.addr);
        break;
      case 'SIZESORT+':
        this.list.push(chunk);
        this.list.sort((a, b) => a.size - b.size);
        break;
      case 'SIZESORT-':
        this.list.push(chunk);
        this.list.sort((a, b) => b.size - a.size); // stable, as Python's sort with reverse=True
        break;
    }
    if (this.options.coalesce) this.list = coalesceOnePass(this.list);
    this.allocated.delete(addr);
    return 0;
  }

  /** The list as malloc.py dumps it: `Free List [ Size N ]: [ addr:A sz:S ]...`. */
  dump(): string {
    let text = `Free List [ Size ${this.list.length} ]: `;
    for (const c of this.list) text += `[ addr:${c.addr} sz:${c.size} ]`;
    return text;
  }
}

/**
 * One pass in list order: a chunk joins the running one only when it starts where that one ends,
 * so the pass merges true neighbours only when the list is sorted by address.
 */
function coalesceOnePass(list: readonly OstepChunk[]): OstepChunk[] {
  const merged: OstepChunk[] = [];
  let current = list[0]!;
  for (let i = 1; i < list.length; i++) {
    const c = list[i]!;
    if (c.addr === current.addr + current.size) current = { addr: current.addr, size: current.size + c.size };
    else {
      merged.push(current);
      current = c;
    }
  }
  merged.push(current);
  return merged;
}
