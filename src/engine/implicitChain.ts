// The implicit list's chain as the heap's readers see it: the block layout, walks (whole, as
// columns, a window), the outline kept since a restore, the snapshot's header words, the structure
// check and the words a payload overflow reaches. ImplicitAllocator (implicitAllocator.ts) adds the
// operations.

import type { AllocatorOptions } from './allocator';
import { AllocatorBase } from './allocatorBase';
import { checkImplicitStructure } from './checker';
import type { HeapConfig } from './config';
import type { KeptChain } from './keptChain';
import { BlockLayout } from './layout';
import type { Ledger } from './ledger';
import { hex, type HeapMemory } from './memory';
import type { ChainOutline, HeapColumns, HeapIssue, HeapWalk } from './results';
import { chainHeaderWords, walkImplicitColumns, walkImplicitHeap, walkImplicitWindow } from './walker';

export abstract class ImplicitChain extends AllocatorBase {
  readonly layout: BlockLayout;
  /** The chain as restored from a snapshot and the blocks that disappeared since, or null (keptChain.ts). */
  protected kept: KeptChain | null = null;
  /** How many blocks the next walk's columns are made for: a little more than the last walk or restore found, so that they rarely grow. */
  protected columnsFor = 64;

  constructor(config: HeapConfig, memory?: HeapMemory, ledger?: Ledger, options: AllocatorOptions = {}) {
    super(config, memory, ledger, options);
    this.layout = new BlockLayout(this.memory, config);
  }

  walk(): HeapWalk {
    return walkImplicitHeap(this.layout);
  }

  override walkColumns(): HeapColumns {
    const c = walkImplicitColumns(this.layout, this.columnsFor);
    this.columnsFor = c.count + (c.count >> 3) + 64;
    return c;
  }

  override walkWindow(from: number, count: number): HeapColumns {
    return walkImplicitWindow(this.layout, from, count, Math.min(count, this.columnsFor));
  }

  /**
   * The chain kept since a restore from a snapshot (keptChain.ts; docs/performance.md, "Walking
   * only the window"). Null for a heap not restored (the run's own), restored with its bytes, or
   * once the program wrote over it, or when too many blocks changed since to keep up.
   */
  override outline(): ChainOutline | null {
    return this.scribbled || this.kept === null ? null : this.kept.outline(this.layout);
  }

  protected saveBlocks(): Uint32Array {
    return chainHeaderWords(this.layout);
  }

  protected checkStructure(walk: HeapWalk): HeapIssue[] {
    return checkImplicitStructure(walk, this.layout, this.config);
  }

  protected payloadCapacity(ptr: number): number {
    return this.layout.payloadSize(this.layout.sizeAt(this.layout.blockAddr(ptr)));
  }

  protected override describeOverflow(payloadEnd: number, from: number, to: number): string {
    const L = this.layout;
    const parts: string[] = [];
    const footer = L.footerInEveryBlock ? payloadEnd : -1;
    const nextHeader = L.footerInEveryBlock ? payloadEnd + L.wordSize : payloadEnd;
    const touches = (addr: number) => addr >= 0 && from < addr + L.wordSize && to > addr;
    if (touches(footer)) parts.push(`its own boundary tag at ${hex(footer)}`);
    if (touches(nextHeader)) {
      parts.push(nextHeader >= L.chainEnd() ? `the ${L.sentinels ? 'epilogue' : 'heap end'} at ${hex(nextHeader)}` : `the next block's header at ${hex(nextHeader)}`);
    }
    if (to > nextHeader + L.wordSize) parts.push(`${to - Math.max(from, nextHeader + L.wordSize)} bytes beyond`);
    return parts.join(' and ') || super.describeOverflow(payloadEnd, from, to);
  }
}
