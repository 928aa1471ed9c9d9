// Block layout: where headers, boundary tags and payloads sit in the heap's bytes, and the one
// pair of word accessors (CS:APP's GET/PUT) through which the whole engine reads and writes them.
//
// A block (W = word size, 4 or 8 bytes; sizes are multiples of the alignment A):
//
//          addr                payloadAddr = addr + W                 addr + size - W
//           |                    |                                        |
//           v                    v                                        v
//           +--------------------+----------------------------------------+---------------------+
//           | header: size|flags | payload (requestSize bytes + padding)  | footer: size|flags  |
//           +--------------------+----------------------------------------+---------------------+
//           |<- W ->|                                                     |<- W ->|
//           |<----------------------------------- size ---------------------------------------->|
//
//   flags (the low 3 bits: sizes are multiples of 8, so they are always zero in the size):
//     bit 0  allocated
//     bit 1  previous block allocated (only with footers "free-only")
//
//   With footers "all" every block has the boundary tag (Knuth), so free() finds the previous
//   block from the word just before its header. With footers "free-only" allocated blocks drop
//   the footer (their payload may use that word) and each header's bit 1 says whether the
//   previous block is allocated; only then is the word before the header a footer worth reading.
//
// A free block of an explicit free list keeps the list's links in its payload, one word each, as
// offsets from the heap's start; 0 is the null link (no block starts at offset 0: see config.ts):
//
//           +--------------------+-------------+-------------+----------+---------------------+
//           | header: size|0     | next link   | prev link   | (unused) | footer: size|0      |
//           +--------------------+-------------+-------------+----------+---------------------+
//           addr                 addr + W      addr + 2W                 addr + size - W
//
// A buddy block (freeList "buddy", docs/engine.md "The buddy system") is 2^k bytes with a header
// and no boundary tag in any block, free or allocated, and no prev-allocated bit: free() finds
// the one neighbour it may merge with, its buddy, by address arithmetic (buddyOffset below). A free
// one keeps the same two links after its header.
//
// The heap (with sentinels, as CS:APP lays it out; W = 4, A = 8 shown):
//
//   0        4            8            12                                      brk-4      brk
//   +--------+------------+------------+------------+------ ... ------+--------+-----------+
//   |  pad   | prologue   | prologue   | block      | block ...       | block  | epilogue  |
//   |        | header 8|1 | footer 8|1 | header     |                 | footer | header 0|1|
//   +--------+------------+------------+------------+------ ... ------+--------+-----------+
//                                       ^ firstBlockAddr: payloads land on multiples of A
//
//   Why the sentinels: the prologue is an allocated block before the first real block and the
//   epilogue an allocated zero-size header after the last, so coalescing never needs to ask
//   "is there a neighbour at all?" - every real block has allocated or free neighbours on both
//   sides. The epilogue is also where the next chunk starts: extendHeap turns it into the new
//   block's header and writes a fresh epilogue at the new break. The pad only aligns payloads.
//   Without sentinels, blocks start at firstBlockAddr (after the pad) and end at the break.

import type { HeapConfig } from './config';
import { firstBlockOffset, minBlockSize, roundUp } from './config';
import { HeapFault, hex, type HeapMemory } from './memory';

export const ALLOCATED_BIT = 1;
export const PREV_ALLOCATED_BIT = 2;
/** Sizes are multiples of 8, so a word's low three bits are flags, never size. */
const FLAG_SPAN = 8;

// --- the word decoder: the one place a header or footer word becomes size and flags ------------
// Arithmetic, not bitwise masks: an 8-byte word may exceed 2^32, where `&` would cut it.

/** The size field of a header or footer word (GET_SIZE, TLSF's block_size()). */
export function sizeOfWord(word: number): number {
  return word - (word % FLAG_SPAN);
}

/** The flag bits of a header or footer word (the low three). */
export function flagsOfWord(word: number): number {
  return word % FLAG_SPAN;
}

/** Bit 0 of a header or footer word: the block is allocated (GET_ALLOC). */
export function allocatedOfWord(word: number): boolean {
  return (flagsOfWord(word) & ALLOCATED_BIT) !== 0;
}

/** Bit 1 of a header word: the previous block is allocated (kept only with footers "free-only"). */
export function prevAllocatedOfWord(word: number): boolean {
  return (flagsOfWord(word) & PREV_ALLOCATED_BIT) !== 0;
}

/** A header or footer word decoded. */
export interface DecodedWord {
  readonly size: number;
  readonly allocated: boolean;
  readonly prevAllocated: boolean;
}

/** A header or footer word as its size and flags, for readers that want all three at once. */
export function decodeWord(word: number): DecodedWord {
  return { size: sizeOfWord(word), allocated: allocatedOfWord(word), prevAllocated: prevAllocatedOfWord(word) };
}

// --- the buddy system's geometry (docs/engine.md, "The buddy system") ------------------------

/** The largest order a heap of at most 1 GiB can hold (config.ts, MAX_HEAP_LIMIT). */
export const MAX_BUDDY_ORDER = 30;

/** The order of a power of two: a block of order k holds 2^k bytes. */
export function orderOf(size: number): number {
  return 31 - Math.clz32(size);
}

/** The offset of a block's buddy within the arena, `offset XOR size`, in arithmetic (offsets stay exact). */
export function buddyOffset(offset: number, size: number): number {
  return offset % (2 * size) < size ? offset + size : offset - size;
}

/** Geometry of one configuration plus raw header/footer access over the heap's memory. */
export class BlockLayout {
  /** Bytes in a header or footer word. */
  readonly wordSize: number;
  readonly alignment: number;
  /** True when every block carries a boundary tag; false for the prev-allocated-bit layout and the buddy system. */
  readonly footerInEveryBlock: boolean;
  /** True when a free block carries a boundary tag: every layout but the buddy system's, which has none. */
  readonly footerInFreeBlocks: boolean;
  /** True when each header's bit 1 says whether the previous block is allocated (footers "free-only"). */
  readonly prevAllocatedBits: boolean;
  readonly sentinels: boolean;
  readonly minBlockSize: number;
  /** Address of the prologue block's header (sentinels only). */
  readonly prologueAddr: number;
  /** The prologue block's size: header + footer, rounded to keep payloads aligned. */
  readonly prologueSize: number;
  /** Address of the first real block's header. */
  readonly firstBlockAddr: number;
  /** Bytes of an allocated block that are not payload. */
  readonly allocatedOverhead: number;

  constructor(
    readonly memory: HeapMemory,
    config: HeapConfig,
  ) {
    const W = config.wordSize;
    const A = config.alignment;
    this.wordSize = W;
    this.alignment = A;
    // The buddy system finds a block's neighbour by address arithmetic, never by a boundary tag.
    const buddy = config.freeList === 'buddy';
    this.footerInEveryBlock = !buddy && config.footers === 'all';
    this.footerInFreeBlocks = !buddy;
    this.prevAllocatedBits = !buddy && config.footers === 'free-only';
    this.sentinels = config.sentinels;
    this.minBlockSize = minBlockSize(W, A, config.freeList);
    this.allocatedOverhead = this.footerInEveryBlock ? 2 * W : W;
    this.prologueSize = config.sentinels ? roundUp(2 * W, A) : 0;
    this.firstBlockAddr = firstBlockOffset(W, A, config.sentinels);
    this.prologueAddr = this.firstBlockAddr - this.prologueSize;
  }

  // --- the word accessors: the only raw access to headers and footers ---------------------

  /** GET: the word at `addr`. */
  getWord(addr: number): number {
    return this.wordSize === 4 ? this.memory.getUint32(addr) : this.memory.getUint64(addr);
  }

  /** PUT: stores `value` as a little-endian word at `addr`. */
  putWord(addr: number, value: number): void {
    if (this.wordSize === 4) this.memory.setUint32(addr, value);
    else this.memory.setUint64(addr, value);
  }

  // --- decoding ------------------------------------------------------------------------

  /** The size field of the header at `addr` (GET_SIZE). */
  sizeAt(addr: number): number {
    return sizeOfWord(this.getWord(addr));
  }

  /** The allocated bit of the header at `addr` (GET_ALLOC). */
  allocatedAt(addr: number): boolean {
    return allocatedOfWord(this.getWord(addr));
  }

  /** Bit 1 of the header at `addr`: whether the previous block is allocated (footers "free-only"). */
  prevAllocatedAt(addr: number): boolean {
    return prevAllocatedOfWord(this.getWord(addr));
  }

  footerAddr(addr: number, size: number): number {
    return addr + size - this.wordSize;
  }

  payloadAddr(addr: number): number {
    return addr + this.wordSize;
  }

  blockAddr(payloadAddr: number): number {
    return payloadAddr - this.wordSize;
  }

  /** Payload bytes an allocated block of `size` offers the caller. */
  payloadSize(size: number): number {
    return size - this.allocatedOverhead;
  }

  /** Payload bytes of a free block of `size`: what lies between its header and its boundary tag, if it has one. */
  freePayloadSize(size: number): number {
    return size - (this.footerInFreeBlocks ? 2 * this.wordSize : this.wordSize);
  }

  /** The epilogue header's address (sentinels) or the break: where the block chain ends. */
  chainEnd(): number {
    return this.sentinels ? this.memory.brk - this.wordSize : this.memory.brk;
  }

  /** The block size that serves a request of `requestSize` bytes (CS:APP's asize). */
  adjustSize(requestSize: number): number {
    return Math.max(this.minBlockSize, roundUp(requestSize + this.allocatedOverhead, this.alignment));
  }

  /** Whether the word before `addr` is a footer that may be read to find the previous block. */
  hasFreePrev(addr: number): boolean {
    if (addr <= this.firstBlockAddr) return false;
    if (this.footerInEveryBlock) return !allocatedOfWord(this.getWord(addr - this.wordSize));
    return !this.prevAllocatedAt(addr);
  }

  /** Address of the previous block, read from its footer. Only meaningful when it is free (or with footers everywhere). */
  prevBlockAddr(addr: number): number {
    return this.prevFromFooter(addr, this.getWord(addr - this.wordSize));
  }

  /**
   * `hasFreePrev` and then `prevBlockAddr`, reading the footer once: the free previous block's
   * address, or `addr` itself when there is none (a corrupted footer can give any other number,
   * a negative one too, which the caller must see as `prevBlockAddr` gives it).
   */
  freePrevAddr(addr: number): number {
    if (addr <= this.firstBlockAddr) return addr;
    if (this.footerInEveryBlock) {
      const footer = this.getWord(addr - this.wordSize);
      return allocatedOfWord(footer) ? addr : this.prevFromFooter(addr, footer);
    }
    return this.prevAllocatedAt(addr) ? addr : this.prevBlockAddr(addr);
  }

  private prevFromFooter(addr: number, footer: number): number {
    const size = sizeOfWord(footer);
    if (size === 0) throw new HeapFault(`the footer before the block at ${hex(addr)} holds size 0`, addr - this.wordSize);
    return addr - size;
  }

  /**
   * The block after `addr`, bounds-checked: a zero size or one that runs past the end of the
   * chain is a corrupted heap, and walking on would loop or leave the heap.
   */
  nextBlockAddr(addr: number): number {
    return this.nextAfter(addr, this.sizeAt(addr));
  }

  /** `nextBlockAddr` of a block whose header's size was read already. */
  nextAfter(addr: number, size: number): number {
    const next = addr + size;
    if (size === 0 || next > this.chainEnd()) {
      throw new HeapFault(
        size === 0
          ? `the header at ${hex(addr)} holds size 0: the block chain is broken`
          : `the block at ${hex(addr)} claims ${size} bytes, past the end of the heap`,
        addr,
      );
    }
    return next;
  }

  // --- an explicit free list's links (free blocks only) -----------------------------------

  /** The next link of the free block at `addr` (0: none). */
  nextLinkAt(addr: number): number {
    return this.getWord(addr + this.wordSize);
  }

  /** The prev link of the free block at `addr` (0: none). */
  prevLinkAt(addr: number): number {
    return this.getWord(addr + 2 * this.wordSize);
  }

  setNextLink(addr: number, next: number): void {
    this.putWord(addr + this.wordSize, next);
  }

  setPrevLink(addr: number, prev: number): void {
    this.putWord(addr + 2 * this.wordSize, prev);
  }

  // --- encoding ------------------------------------------------------------------------

  /**
   * Writes a block's header and, where this layout keeps one, its footer. `prevAllocated` is
   * stored in bit 1 only in the "free-only" layout (CS:APP's PACK leaves it zero otherwise).
   */
  writeBlock(addr: number, size: number, allocated: boolean, prevAllocated: boolean): void {
    const flags = (allocated ? ALLOCATED_BIT : 0) | (this.prevAllocatedBits && prevAllocated ? PREV_ALLOCATED_BIT : 0);
    const footer = this.footerInEveryBlock || (!allocated && this.footerInFreeBlocks);
    if (footer && this.wordSize === 4) {
      this.memory.setUint32Pair(addr, size + flags, this.footerAddr(addr, size), size + (allocated ? ALLOCATED_BIT : 0));
      return;
    }
    this.putWord(addr, size + flags);
    if (footer) this.putWord(this.footerAddr(addr, size), size + (allocated ? ALLOCATED_BIT : 0));
  }

  /** Sets bit 1 of the header at `addr` (the next block, or the epilogue) in the "free-only" layout. */
  setPrevAllocated(addr: number, prevAllocated: boolean): void {
    if (!this.prevAllocatedBits) return;
    const word = this.getWord(addr);
    const cleared = word - (prevAllocatedOfWord(word) ? PREV_ALLOCATED_BIT : 0);
    this.putWord(addr, cleared + (prevAllocated ? PREV_ALLOCATED_BIT : 0));
  }

  /** The prev-allocated bit a block at `addr` should keep when rewritten (true with footers everywhere). */
  prevAllocatedFlag(addr: number): boolean {
    return this.prevAllocatedBits ? this.prevAllocatedAt(addr) : true;
  }

  /** Writes the prologue and epilogue for an empty heap whose break is at `firstBlockAddr + W`. */
  writeSentinels(): void {
    const W = this.wordSize;
    // The pad before the prologue stays zero, as in CS:APP's PUT(heap_listp, 0).
    this.putWord(this.prologueAddr, this.prologueSize + ALLOCATED_BIT);
    this.putWord(this.prologueAddr + this.prologueSize - W, this.prologueSize + ALLOCATED_BIT);
    this.writeEpilogue(this.firstBlockAddr, true);
  }

  /** The zero-size allocated header that ends the chain. */
  writeEpilogue(addr: number, prevAllocated: boolean): void {
    this.putWord(addr, ALLOCATED_BIT + (this.prevAllocatedBits && prevAllocated ? PREV_ALLOCATED_BIT : 0));
  }
}
