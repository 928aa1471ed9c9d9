// A heap's bytes held by sharing its pages, not copying them: a snapshot of the whole heap
// (HeapBytes, for load) and a kept range (KeptBytes, to compare with later). Opaque outside the
// engine's memory modules.

import { PAGE_SIZE, type PageStore } from './pageStore';

/**
 * A heap's bytes at one moment (`HeapMemory.snapshot`), for `HeapMemory.load`. It shares its
 * pages with the heap it came from, which copies a page before it next writes it: later writes
 * never change a snapshot. Opaque outside the memory modules.
 */
export class HeapBytes {
  constructor(
    readonly store: PageStore,
    /** The heap's size (its break) when it was taken. */
    readonly size: number,
    /** Per page of the heap, the byte a page without bytes holds throughout. */
    readonly values: Uint8Array,
    /** The pages with bytes, in order, and their slots. */
    readonly pageNumbers: Uint32Array,
    readonly slots: Int32Array,
    /**
     * Bytes this snapshot holds that the earlier snapshots of the same heap do not: its own
     * table, and the pages written since the last one.
     */
    readonly ownBytes: number,
  ) {}

  /** Bytes this snapshot refers to: its pages (some perhaps shared with other snapshots) and its table. */
  get residentBytes(): number {
    return this.slots.length * PAGE_SIZE + this.slots.byteLength + this.pageNumbers.byteLength + this.values.byteLength;
  }
}

/**
 * A range of a heap's bytes as they were (`HeapMemory.keep`), to compare with a range later
 * (`matches`) and then let go (`release`): the range's pages are shared for the while, not
 * copied, so keeping a gigabyte costs a table of its pages, not a gigabyte. Opaque outside the
 * memory modules.
 */
export class KeptBytes {
  constructor(
    readonly store: PageStore,
    readonly addr: number,
    readonly length: number,
    /** The first page of the range. */
    readonly firstPage: number,
    /** Per page of the range: its slot, or NONE for a page that held `values[k]` throughout. */
    readonly slots: Int32Array,
    readonly values: Uint8Array,
    /** Per page: 1 when the heap used the page alone before it was kept (and may have it back). */
    readonly wasOwn: Uint8Array,
    /** The heap's snapshot count when kept: a snapshot since may share the pages for good. */
    readonly epoch: number,
  ) {}
}
