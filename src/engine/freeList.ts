// An explicit free list in the heap's bytes: free blocks linked through next and prev words in
// their payloads (layout.ts draws one), with the head, the tail and next fit's rover held outside
// the heap as the textbook's globals are. Insertion order and the list search follow docs/engine.md.

import type { FitPolicy, ListOrder } from './config';
import type { FitResult, FitSearch } from './fitSearch';
import type { BlockLayout } from './layout';
import { HeapFault, hex } from './memory';
import type { FreeListEnds } from './results';

/** The null link: offset 0, where no block starts (config.ts refuses the one layout where one would). */
export const NULL_LINK = 0;

/** The list's ends and rover, and the three ways a free block joins it. */
export class FreeList implements FreeListEnds {
  head = NULL_LINK;
  tail = NULL_LINK;
  /** Next fit's rover: the node the next search starts at (NULL_LINK: the head). */
  rover = NULL_LINK;

  constructor(
    readonly layout: BlockLayout,
    readonly order: ListOrder,
  ) {}

  /** More nodes than blocks could fit in the heap: the links run in a cycle. */
  private guard(steps: number, at: number): void {
    if (steps > this.layout.memory.brk / this.layout.minBlockSize + 1) {
      throw new HeapFault(`the free list does not end: its links run in a cycle through ${hex(at)}`, at);
    }
  }

  /** Links the free block at `addr` in: at the head (lifo), the tail (fifo) or by address. */
  insert(addr: number): void {
    const L = this.layout;
    let prev = NULL_LINK;
    let next = this.head;
    if (this.order === 'fifo') {
      prev = this.tail;
      next = NULL_LINK;
    } else if (this.order === 'address') {
      for (let steps = 0; next !== NULL_LINK && next < addr; steps++) {
        this.guard(steps, next);
        prev = next;
        next = L.nextLinkAt(next);
      }
    }
    L.setNextLink(addr, next);
    L.setPrevLink(addr, prev);
    if (prev === NULL_LINK) this.head = addr;
    else L.setNextLink(prev, addr);
    if (next === NULL_LINK) this.tail = addr;
    else L.setPrevLink(next, addr);
  }

  /** Unlinks the free block at `addr`; a rover on it moves to its successor. */
  remove(addr: number): void {
    const L = this.layout;
    const next = L.nextLinkAt(addr);
    const prev = L.prevLinkAt(addr);
    if (prev === NULL_LINK) {
      if (this.head !== addr) throw new HeapFault(`the free block at ${hex(addr)} has no prev link but is not the list's head (${hex(this.head)})`, addr);
      this.head = next;
    } else {
      L.setNextLink(prev, next);
    }
    if (next === NULL_LINK) this.tail = prev;
    else L.setPrevLink(next, prev);
    if (this.rover === addr) this.rover = next;
  }

  /** Links `addrs` in the order given (a list rebuilt from a snapshot without its ends). */
  rebuild(addrs: readonly number[]): void {
    this.head = this.tail = this.rover = NULL_LINK;
    let prev = NULL_LINK;
    for (const addr of addrs) {
      this.layout.setPrevLink(addr, prev);
      if (prev === NULL_LINK) this.head = addr;
      else this.layout.setNextLink(prev, addr);
      prev = addr;
    }
    if (prev !== NULL_LINK) this.layout.setNextLink(prev, NULL_LINK);
    this.tail = prev;
  }

  /** The list's nodes in list order, stopping at a cycle or a link that leaves the heap. */
  nodes(): number[] {
    const out: number[] = [];
    const seen = new Set<number>();
    for (let node = this.head; node !== NULL_LINK && !seen.has(node); ) {
      seen.add(node);
      out.push(node);
      try {
        node = this.layout.nextLinkAt(node);
      } catch (err) {
        if (!(err instanceof HeapFault)) throw err;
        break;
      }
    }
    return out;
  }

  /** The node a search visits: a free block inside the chain, or a corrupted list (a HeapFault). */
  private visit(node: number): number {
    const L = this.layout;
    if (node < L.firstBlockAddr || node >= L.chainEnd() || L.allocatedAt(node)) {
      throw new HeapFault(`the free list links to ${hex(node)}, which is not a free block`, node);
    }
    return L.sizeAt(node);
  }

  /**
   * The search of docs/engine.md ("The explicit free list") over the list in list order. "Blocks
   * examined" counts list nodes visited; `visit`, when given, is told each one, in order.
   */
  search(policy: FitPolicy, visit?: (addr: number) => void): FitSearch {
    const L = this.layout;
    // First fit over the nodes from `from` up to (not including) `stop`.
    const scan = (from: number, stop: number, asize: number): FitResult => {
      let examined = 0;
      for (let node = from; node !== stop && node !== NULL_LINK; node = L.nextLinkAt(node)) {
        this.guard(examined, node);
        examined++;
        visit?.(node);
        if (this.visit(node) >= asize) return { addr: node, examined };
      }
      return { addr: null, examined };
    };
    // Best or worst fit: every node (best stops at an exact fit); ties go to the earlier node in list order.
    const extreme = (asize: number, better: (size: number, current: number) => boolean, stopAtExact: boolean): FitResult => {
      let chosen: number | null = null;
      let chosenSize = 0;
      let examined = 0;
      for (let node = this.head; node !== NULL_LINK; node = L.nextLinkAt(node)) {
        this.guard(examined, node);
        examined++;
        visit?.(node);
        const size = this.visit(node);
        if (size >= asize && (chosen === null || better(size, chosenSize))) {
          chosen = node;
          chosenSize = size;
          if (stopAtExact && size === asize) break;
        }
      }
      return { addr: chosen, examined };
    };
    switch (policy) {
      case 'first':
        return { findFit: (asize) => scan(this.head, NULL_LINK, asize) };
      case 'next':
        return {
          findFit: (asize) => {
            const start = this.rover === NULL_LINK ? this.head : this.rover;
            const tail = scan(start, NULL_LINK, asize);
            if (tail.addr !== null || start === this.head) return tail;
            const head = scan(this.head, start, asize);
            return { addr: head.addr, examined: tail.examined + head.examined };
          },
        };
      case 'best':
        return { findFit: (asize) => extreme(asize, (size, best) => size < best, true) };
      case 'worst':
        return { findFit: (asize) => extreme(asize, (size, best) => size > best, false) };
    }
  }
}
