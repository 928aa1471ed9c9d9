// The ids an imported log's addresses become (docs/importing.md): each live block has an id from
// the id pool (the smallest one not held, so an id is reused only after its block is freed), and
// the line that allocated it. Memory follows the live blocks, not the log's length.

import { grown } from '../../engine/typedArrays';
import { IdPool } from '../idPool';

/** An address as a map key: a number when exact (13 hex digits or fewer, every user-space address), else its digits. */
export type AddressKey = number | string;

/**
 * The key of an address written in hex (`0x55d0c2a6b2a0`, any case, leading zeros allowed),
 * or null for text that is not one.
 */
export function addressKey(text: string): AddressKey | null {
  if (text.length < 3 || text.charCodeAt(0) !== 48 || (text.charCodeAt(1) | 32) !== 120) return null;
  let start = 2;
  while (start < text.length - 1 && text.charCodeAt(start) === 48) start++;
  let value = 0;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const digit = c >= 48 && c <= 57 ? c - 48 : (c | 32) >= 97 && (c | 32) <= 102 ? (c | 32) - 87 : -1;
    if (digit < 0) return null;
    value = value * 16 + digit;
  }
  return text.length - start <= 13 ? value : text.slice(start).toLowerCase();
}

/** What the book knows of a live block: its id and the line that allocated it. */
export interface LiveBlock {
  readonly id: number;
  readonly line: number;
}

/** Live blocks by address, and the ids they hold. */
export class BlockIds {
  private readonly live = new Map<AddressKey, number>();
  private readonly pool = new IdPool();
  /** The line that allocated each id's block (valid while the id is held). */
  private lines = new Int32Array(256);

  /** Ids the trace needs: the largest id + 1. */
  get ids(): number {
    return this.pool.count;
  }

  /** Blocks the trace has allocated and not freed: those at an address and those taken off theirs (a block an allocation at its address left behind stays allocated). */
  get liveCount(): number {
    return this.pool.held;
  }

  /** The live block at `address`, or undefined. */
  at(address: AddressKey): LiveBlock | undefined {
    const id = this.live.get(address);
    return id === undefined ? undefined : { id, line: this.lines[id]! };
  }

  /** A new block at `address` allocated on `line`: its id (the smallest free one). The address must not be live. */
  allocate(address: AddressKey, line: number): number {
    const id = this.pool.take();
    if (id >= this.lines.length) this.lines = grown(this.lines, Math.max(id + 1, this.lines.length * 2));
    this.lines[id] = line;
    this.live.set(address, id);
    return id;
  }

  /** The block at `address` moves to `to` (a realloc that moved it, or a block taken off its address while a call is under way). */
  move(address: AddressKey, to: AddressKey | null): number | undefined {
    const id = this.live.get(address);
    if (id === undefined) return undefined;
    this.live.delete(address);
    if (to !== null) this.live.set(to, id);
    return id;
  }

  /** Puts an id taken off its address (`move(address, null)`) back at `address`. */
  attach(address: AddressKey, id: number): void {
    this.live.set(address, id);
  }

  /** Forgets the block at `address` and frees its id; returns the id, or undefined when the address is not live. */
  release(address: AddressKey): number | undefined {
    const id = this.move(address, null);
    if (id !== undefined) this.pool.give(id);
    return id;
  }

  /** Frees an id taken off its address. */
  releaseId(id: number): void {
    this.pool.give(id);
  }
}
