// An explicit free list in the heap's bytes: free blocks linked through next and prev words in
// their payloads (layout.ts draws one), with the head, the tail and next fit's rover held outside
// the heap as the textbook's globals are. Insertion order and the list search follow docs/engine.md.

import type { FitPolicy, ListOrder } from './config';
import { searchAlong, type FitSearch } from './fitSearch';
import type { BlockLayout } from './layout';
import { HeapFault, hex } from './memory';
import type { FreeListEnds, FreeListNodes } from './results';

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

  /** The list as a reader draws it: its nodes in order with their link words as stored, and the rover. */
  view(label: string): FreeListNodes {
    const nodes = this.nodes();
    const L = this.layout;
    // A node a corrupted link points outside the heap has no words to read: NaN.
    const read = (word: () => number): number => {
      try {
        return word();
      } catch (err) {
        if (err instanceof HeapFault) return NaN;
        throw err;
      }
    };
    const next = nodes.map((n) => read(() => L.nextLinkAt(n)));
    const prev = nodes.map((n) => read(() => L.prevLinkAt(n)));
    return { label, nodes, next, prev, rover: this.rover === NULL_LINK ? null : this.rover };
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
   * The search of docs/engine.md ("The explicit free list") over the list in list order: "blocks
   * examined" counts list nodes visited; `visit`, when given, is told each one, in order.
   */
  search(policy: FitPolicy, visit?: (addr: number) => void): FitSearch {
    let steps = 0;
    const fit = searchAlong(
      {
        first: () => this.head,
        end: (node) => node === NULL_LINK,
        next: (node) => {
          this.guard(++steps, node);
          return this.layout.nextLinkAt(node);
        },
        freeSize: (node) => this.visit(node),
        start: (rover) => (rover === NULL_LINK ? this.head : rover),
        reached: (node, start) => node === start,
      },
      policy,
      visit,
    );
    return {
      findFit(asize, rover) {
        steps = 0;
        return fit.findFit(asize, rover);
      },
    };
  }
}
