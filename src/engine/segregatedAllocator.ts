// Segregated free lists, segregated fits: the implicit list's blocks, boundary tags, splitting and
// coalescing (implicitAllocator.ts), plus one explicit list (freeList.ts) per size class. A search
// tries the request's class, then each larger class in turn (docs/engine.md, "Segregated free lists").

import type { AllocatorOptions } from './allocator';
import { sizeClassOf, type FitPolicy, type HeapConfig } from './config';
import { checkImplicitStructure } from './checker';
import { FreeList, NULL_LINK } from './freeList';
import type { FitResult, FitSearch } from './fitSearch';
import { ImplicitAllocator } from './implicitAllocator';
import type { AllocatorSnapshot, FreeListEnds, FreeListNodes, HeapIssue, HeapWalk, SizeClassList } from './results';
import { checkSegregatedLists } from './segregatedChecker';

export class SegregatedAllocator extends ImplicitAllocator {
  // Made on first use: the implicit constructor already frees the first chunk through track().
  private declare listsState: FreeList[] | undefined;
  private declare searchState: FitSearch | undefined;

  /** A fresh heap, or the state a snapshot describes (see ImplicitAllocator). */
  constructor(config: HeapConfig, snapshot?: AllocatorSnapshot, recycle?: ImplicitAllocator, options: AllocatorOptions = {}) {
    super(config, snapshot, recycle, options);
    if (snapshot) this.restoreLists(snapshot.classLists);
  }

  /** One list per class in class order, the unbounded class last; their links are in the heap's bytes, their ends here. */
  get lists(): readonly FreeList[] {
    return (this.listsState ??= Array.from({ length: this.config.classes.length + 1 }, () => new FreeList(this.layout, this.config.order)));
  }

  /** The class a free block of `size` bytes belongs to (docs/engine.md, "Segregated free lists"). */
  classOf(size: number): number {
    return sizeClassOf(this.config.classes, size);
  }

  /** Each class's block sizes and its list's ends and rover, for a reader that draws the lists. */
  get classLists(): SizeClassList[] {
    const bounds = this.config.classes;
    const A = this.layout.alignment;
    return this.lists.map(({ head, tail, rover }, c) => ({ min: c === 0 ? this.layout.minBlockSize : bounds[c - 1]! + A, max: bounds[c] ?? null, head, tail, rover }));
  }

  /** Each class's list, named by the block sizes it holds ("33-64 B", "4097+ B"), with its link words and rover. */
  override freeLists(): readonly FreeListNodes[] {
    const classes = this.classLists;
    return this.lists.map((list, c) => {
      const { min, max } = classes[c]!;
      return list.view(max === null ? `${min}+ B` : `${min}-${max} B`);
    });
  }

  /** No rover for the whole heap: next fit keeps one per class list (`classLists`); 0 here. */
  override get rover(): number {
    return NULL_LINK;
  }

  /** Free blocks appear and disappear only through track(): that is where they join and leave their class's list. */
  protected override track(addr: number, size: number, allocated: boolean, delta: 1 | -1): void {
    super.track(addr, size, allocated, delta);
    if (allocated) return;
    const list = this.lists[this.classOf(size)]!;
    if (delta > 0) list.insert(addr);
    else list.remove(addr);
  }

  protected override findFit(asize: number): FitResult {
    const policy = this.config.policy as FitPolicy;
    const found = (this.substitute ?? (this.searchState ??= this.classSearch(policy))).findFit(asize, NULL_LINK);
    // The chosen block leaves its list at once, and that list's rover with it moves to its successor.
    if (found.addr !== null && policy === 'next') this.lists[this.classOf(this.layout.sizeAt(found.addr))]!.rover = found.addr;
    return found;
  }

  /**
   * The search of docs/engine.md ("Segregated free lists"): the request's class, then each larger
   * class, each list in list order with the fit policy (next fit from that list's rover); an empty
   * class costs nothing. `visit`, when given, is told each list node visited, in order.
   */
  classSearch(policy: FitPolicy, visit?: (addr: number) => void): FitSearch {
    const lists = this.lists;
    const searches = lists.map((list) => list.search(policy, visit));
    return {
      findFit: (asize) => {
        let examined = 0;
        for (let c = this.classOf(asize); c < lists.length; c++) {
          const list = lists[c]!;
          if (list.head === NULL_LINK) continue;
          const found = searches[c]!.findFit(asize, list.rover);
          examined += found.examined;
          if (found.addr !== null) return { addr: found.addr, examined };
        }
        return { addr: null, examined };
      },
    };
  }

  /** The configuration the block chain is checked against (simple storage never coalesces). */
  protected get chainRules(): HeapConfig {
    return this.config;
  }

  protected override checkStructure(walk: HeapWalk): HeapIssue[] {
    return [...checkImplicitStructure(walk, this.layout, this.chainRules), ...checkSegregatedLists(walk, this.layout, this.classLists, this.config)];
  }

  /** The links are in the bytes, so a segregated list's snapshot always keeps them. */
  override snapshot(_withBytes: boolean, withFreed = true): AllocatorSnapshot {
    return { ...super.snapshot(true, withFreed), classLists: this.lists.map(({ head, tail, rover }) => ({ head, tail, rover })) };
  }

  private restoreLists(ends: readonly FreeListEnds[] | undefined): void {
    const lists = this.lists;
    if (ends && ends.length === lists.length) {
      lists.forEach((list, c) => {
        const e = ends[c]!;
        list.head = e.head;
        list.tail = e.tail;
        list.rover = e.rover;
      });
      return;
    }
    // A snapshot without the ends (not one this class made): each class's free blocks in address order.
    const byClass = lists.map((): number[] => []);
    for (const b of this.walk().blocks) if (b.status === 'free') byClass[this.classOf(b.size)]!.push(b.addr);
    lists.forEach((list, c) => list.rebuild(byClass[c]!));
  }
}
