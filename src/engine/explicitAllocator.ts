// The explicit free list allocator: the implicit list's blocks, boundary tags, splitting and
// coalescing (implicitAllocator.ts), plus a doubly linked list of the free blocks in their
// payloads (freeList.ts) that the fit search walks instead of the whole chain.

import type { AllocatorOptions } from './allocator';
import type { HeapConfig } from './config';
import { checkFreeList } from './freeListChecker';
import { FreeList, NULL_LINK } from './freeList';
import type { FitResult, FitSearch } from './fitSearch';
import { ImplicitAllocator } from './implicitAllocator';
import type { AllocatorSnapshot, FreeListEnds, FreeListNodes, HeapIssue, HeapWalk } from './results';

export class ExplicitAllocator extends ImplicitAllocator {
  // Made on first use: the implicit constructor already frees the first chunk through track().
  private declare listState: FreeList | undefined;
  private declare searchState: FitSearch | undefined;

  /** A fresh heap, or the state a snapshot describes (see ImplicitAllocator). */
  constructor(config: HeapConfig, snapshot?: AllocatorSnapshot, recycle?: ImplicitAllocator, options: AllocatorOptions = {}) {
    super(config, snapshot, recycle, options);
    if (snapshot) this.restoreList(snapshot.freeList);
  }

  /** The free list: its ends, rover and operations; its links are in the heap's bytes. */
  get list(): FreeList {
    return (this.listState ??= new FreeList(this.layout, this.config.order));
  }

  /** The rover of next fit: a list node (0: the head). */
  override get rover(): number {
    return this.list.rover;
  }

  /** The list's ends and rover, for a reader that draws the links. */
  get listEnds(): FreeListEnds {
    const { head, tail, rover } = this.list;
    return { head, tail, rover };
  }

  /** Free blocks appear and disappear only through track(): that is where they join and leave the list. */
  /** The one list, its link words as stored, and the rover (docs/engine.md, "The explicit free list"). */
  override freeLists(): readonly FreeListNodes[] {
    return [this.list.view('free list')];
  }

  protected override track(addr: number, size: number, allocated: boolean, delta: 1 | -1): void {
    super.track(addr, size, allocated, delta);
    if (allocated) return;
    if (delta > 0) this.list.insert(addr);
    else this.list.remove(addr);
  }

  protected override findFit(asize: number): FitResult {
    const search = this.substitute ?? (this.searchState ??= this.list.search(this.config.policy as Exclude<HeapConfig['policy'], 'sbrk'>));
    const found = search.findFit(asize, this.list.rover);
    // The chosen block leaves the list at once, and the rover with it moves to its successor.
    if (found.addr !== null && this.config.policy === 'next') this.list.rover = found.addr;
    return found;
  }

  protected override checkStructure(walk: HeapWalk): HeapIssue[] {
    return [...super.checkStructure(walk), ...checkFreeList(walk, this.layout, this.list, this.config.order)];
  }

  /** The links are in the bytes, so an explicit list's snapshot always keeps them. */
  override snapshot(_withBytes: boolean, withFreed = true): AllocatorSnapshot {
    return { ...super.snapshot(true, withFreed), freeList: this.listEnds };
  }

  private restoreList(ends: FreeListEnds | undefined): void {
    const list = this.list;
    if (ends) {
      list.head = ends.head;
      list.tail = ends.tail;
      list.rover = ends.rover;
      return;
    }
    // A snapshot without the ends (not one this class made): the free blocks in address order.
    list.rebuild(this.walk().blocks.filter((b) => b.status === 'free').map((b) => b.addr));
    list.rover = NULL_LINK;
  }
}
