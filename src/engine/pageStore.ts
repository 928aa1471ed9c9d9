// Where the simulated heap's bytes live (docs/memory.md): page-sized slots in one growing buffer,
// shared by a heap, its snapshots and the heaps loaded from them; and the page arithmetic every
// reader of the store uses.

export const PAGE_SHIFT = 12;
/** Bytes in a page: the unit in which the heap's bytes are stored, shared and copied. */
export const PAGE_SIZE = 2 ** PAGE_SHIFT;
export const PAGE_MASK = PAGE_SIZE - 1;
/** Pages in a new store; it doubles as it fills. */
const FIRST_STORE_PAGES = 16;
/** Pages a store can hold: a byte's place in it is a 31-bit integer (2 GiB). */
const MAX_STORE_PAGES = 2 ** (31 - PAGE_SHIFT);
/** Pages zeroed at a time when a store that was reset hands out pages it held before. */
const ZERO_RUN = 256;
/** No slot: the page has no bytes. */
export const NONE = -1;

/**
 * Where pages' bytes live: one buffer of page-sized slots, which doubles (and is copied) as it
 * fills, so that the word accessors find any page's bytes through one DataView. A heap, its
 * snapshots and the heaps loaded from them share one store, and name pages by slot, never by
 * buffer. A slot is used by one heap alone (which may write it) or shared read-only by snapshots
 * and heaps; only an unshared one is ever given back.
 */
export class PageStore {
  bytes = new Uint8Array(0);
  view = new DataView(this.bytes.buffer);
  /**
   * The same bytes as 32-bit words in the host's byte order: aligned word access where that is
   * little-endian (LITTLE_ENDIAN), and comparisons a word at a time (`isFilledWords`).
   */
  words = new Int32Array(0);
  /** Set once a snapshot shares a page: from then on the store can only grow. */
  shared = false;
  /** Whether the slot `take` returned last holds zeros. */
  fresh = false;
  /** Slots given back, holding stale bytes. */
  private readonly released: number[] = [];
  /** Slots handed out since the store was made or last reset, in order; the rest follow. */
  private next = 0;
  /** Slots below this held pages before the last reset; those below `zeroed` are zeros again. */
  private dirty = 0;
  private zeroed = 0;

  take(): number {
    const given = this.released.pop();
    this.fresh = given === undefined;
    if (given !== undefined) return given;
    const slot = this.next++;
    if (slot === this.bytes.length / PAGE_SIZE) this.grow();
    if (slot >= this.zeroed && slot < this.dirty) {
      // A run of pages about to be handed out again, zeroed in one fill.
      this.zeroed = Math.min(this.dirty, slot + ZERO_RUN);
      this.bytes.fill(0, startOf(slot), startOf(this.zeroed));
    }
    return slot;
  }

  give(slot: number): void {
    this.released.push(slot);
  }

  /** Forgets every page, to hand them out again from the first. Only for a store nothing shares. */
  reset(): void {
    this.dirty = Math.max(this.dirty, this.next);
    this.next = 0;
    this.zeroed = 0;
    this.released.length = 0;
  }

  private grow(): void {
    const pages = this.bytes.length / PAGE_SIZE;
    if (pages === MAX_STORE_PAGES) throw new RangeError(`the heap and its snapshots hold more than ${MAX_STORE_PAGES * PAGE_SIZE} bytes of pages`);
    const bytes = new Uint8Array(Math.min(Math.max(FIRST_STORE_PAGES, 2 * pages), MAX_STORE_PAGES) * PAGE_SIZE);
    bytes.set(this.bytes);
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer);
    this.words = new Int32Array(bytes.buffer);
  }
}

/** Whether typed arrays hold words little-endian here, as the heap's words are (every host Node runs on, in practice). */
export const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Where a slot's page starts in its store's buffer. */
export function startOf(slot: number): number {
  return slot << PAGE_SHIFT;
}

/** Bytes from `at` to the end of its page, or `remaining` if fewer. */
export function chunk(at: number, remaining: number): number {
  return Math.min(remaining, PAGE_SIZE - (at & PAGE_MASK));
}

/** Bytes from the start of the page of `end - 1` up to `end`, or `remaining` if fewer. */
export function chunkBelow(end: number, remaining: number): number {
  return Math.min(remaining, ((end - 1) & PAGE_MASK) + 1);
}
