// The fit search behind an interface: today a linear walk of the implicit list, as CS:APP's
// find_fit does; later an index that must choose the same block and report the same count.
// "Blocks examined" follows docs/engine.md ("Definitions pinned down") exactly (sentinels are not counted).

import type { FitPolicy } from './config';
import type { BlockIndex } from './blockIndex';
import { allocatedOfWord, sizeOfWord, type BlockLayout } from './layout';

export interface FitResult {
  /** Header address of the chosen free block, or null when none fits. */
  readonly addr: number | null;
  /** Blocks, allocated and free, a walk of the implicit list visits for this request. */
  readonly examined: number;
  /** The chosen block's size as the search read it from its header (0 or absent: not read). */
  readonly size?: number;
}

export interface FitSearch {
  /** Finds a free block of at least `asize` bytes; next fit starts at `rover`. */
  findFit(asize: number, rover: number): FitResult;
}

/**
 * What a search walks: the implicit list's block chain, or an explicit list's nodes. One search
 * (`searchAlong`) serves both, so first, next, best and worst fit mean the same on either.
 */
export interface SearchPath {
  /** Where first, best and worst fit begin. */
  first(): number;
  /** Whether the walk has run out at `addr` (the chain's end, or the null link). */
  end(addr: number): boolean;
  next(addr: number): number;
  /** The block's size when it is free, -1 when it is allocated. */
  freeSize(addr: number): number;
  /** Where next fit begins, given the rover. */
  start(rover: number): number;
  /** Whether next fit's second leg, from `first()`, has come back to `start`. */
  reached(addr: number, start: number): boolean;
}

/**
 * First, next, best or worst fit along a path. `visit`, when given, is told every block the walk
 * examines, in order (the blocks `FitResult.examined` counts; docs/engine.md, "Definitions pinned
 * down"): how a read model shows the search path as the engine took it rather than re-deriving it.
 */
export function searchAlong(path: SearchPath, policy: FitPolicy, visit?: (addr: number) => void): FitSearch {
  /** First fit from `from` until the path ends or `stop` says so: stops at the first block that fits. */
  const scan = (from: number, asize: number, stop: ((addr: number) => boolean) | null): FitResult => {
    let examined = 0;
    for (let addr = from; !path.end(addr) && !(stop?.(addr) ?? false); addr = path.next(addr)) {
      examined++;
      visit?.(addr);
      if (path.freeSize(addr) >= asize) return { addr, examined };
    }
    return { addr: null, examined };
  };

  /** Best or worst fit: visits every block (best fit stops at an exact fit), keeping the block `better` prefers; ties go to the earlier block. */
  const extreme = (asize: number, better: (size: number, current: number) => boolean, stopAtExact: boolean): FitResult => {
    let chosen: number | null = null;
    let chosenSize = 0;
    let examined = 0;
    for (let addr = path.first(); !path.end(addr); addr = path.next(addr)) {
      examined++;
      visit?.(addr);
      const size = path.freeSize(addr);
      if (size >= asize && (chosen === null || better(size, chosenSize))) {
        chosen = addr;
        chosenSize = size;
        if (stopAtExact && size === asize) break;
      }
    }
    return { addr: chosen, examined };
  };

  switch (policy) {
    case 'first':
      return { findFit: (asize) => scan(path.first(), asize, null) };
    case 'next':
      return {
        findFit(asize, rover) {
          const first = path.first();
          const start = path.start(rover);
          const tail = scan(start, asize, null);
          if (tail.addr !== null || start === first) return tail;
          const head = scan(first, asize, (addr) => path.reached(addr, start));
          return { addr: head.addr, examined: tail.examined + head.examined };
        },
      };
    case 'best':
      // Strictly smaller only: among equal sizes the earlier block wins; nothing beats an exact fit.
      return { findFit: (asize) => extreme(asize, (size, best) => size < best, true) };
    case 'worst':
      return { findFit: (asize) => extreme(asize, (size, best) => size > best, false) };
  }
}

/**
 * The reference search: walks the block chain from memory, exactly as the textbook does; `visit`
 * as in `searchAlong`.
 */
export function linearFitSearch(layout: BlockLayout, policy: FitPolicy, visit?: (addr: number) => void): FitSearch {
  return searchAlong(
    {
      first: () => layout.firstBlockAddr,
      end: (addr) => addr >= layout.chainEnd(),
      next: (addr) => layout.nextBlockAddr(addr),
      freeSize: (addr) => (layout.allocatedAt(addr) ? -1 : layout.sizeAt(addr)),
      start: (rover) => (rover >= layout.firstBlockAddr && rover < layout.chainEnd() ? rover : layout.firstBlockAddr),
      reached: (addr, start) => addr >= start,
    },
    policy,
    visit,
  );
}

/**
 * The same choices and counts from the block index in O(log n). Each choice is checked against the
 * heap's bytes; where they disagree (a heap a program has corrupted) the linear walk decides, as
 * the textbook allocator would.
 */
export function indexedFitSearch(layout: BlockLayout, policy: FitPolicy, index: BlockIndex): FitSearch {
  const linear = linearFitSearch(layout, policy);
  const first = layout.firstBlockAddr;
  // One result, rewritten by every search: the allocator reads it before it searches again.
  const result = { addr: null as number | null, examined: 0, size: 0 };
  const sound = (addr: number, asize: number): boolean => {
    // Inside the heap a word read cannot fault: no try needed on the path every search takes.
    if (!layout.memory.contains(addr, layout.wordSize)) return false;
    const word = layout.getWord(addr);
    // The size read here is the placement's: it need not read the header again (docs/performance.md,
    // "Per-op work (issue 17, seventh pass)").
    result.size = sizeOfWord(word);
    return !allocatedOfWord(word) && result.size >= asize;
  };
  const found = (addr: number | null, examined: number): FitResult => {
    result.addr = addr;
    result.examined = examined;
    result.size = 0;
    return result;
  };
  const choose = (asize: number, rover: number): FitResult => {
    // First fit, the most common, counts every block only when nothing fits.
    if (policy === 'first') {
      const addr = index.firstFit(asize, first);
      return found(addr, addr === null ? index.count : index.rank(addr) + 1);
    }
    const total = index.count;
    switch (policy) {
      case 'next': {
        const end = layout.chainEnd();
        const start = rover >= first && rover < end ? rover : first;
        const tail = index.firstFit(asize, start);
        if (tail !== null) return found(tail, index.rank(tail) - index.rank(start) + 1);
        if (start === first) return found(null, total);
        const head = index.firstFit(asize, first);
        return head === null || head >= start ? found(null, total) : found(head, total - index.rank(start) + index.rank(head) + 1);
      }
      case 'best': {
        const fit = index.smallestAtLeast(asize);
        if (fit === null) return found(null, total);
        return found(fit.addr, fit.size === asize ? index.rank(fit.addr) + 1 : total);
      }
      case 'worst': {
        const largest = index.largest();
        return largest === null || largest.size < asize ? found(null, total) : found(largest.addr, total);
      }
    }
  };
  return {
    findFit(asize, rover) {
      const result = choose(asize, rover);
      return result.addr === null || sound(result.addr, asize) ? result : linear.findFit(asize, rover);
    },
  };
}
