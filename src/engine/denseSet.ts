// A set of whole numbers below a fixed bound with constant-time add and delete, whose members
// sit densely at the front of an array: visiting them costs the members, not the bound. The
// members' array grows with the most members there have been, not with the bound (a replay's
// held pointers are a few of millions of names: docs/memory.md, "The history of a long trace").

import { grown } from './typedArrays';

export class DenseSet {
  /** The members, in no particular order: the first `size` entries. */
  members = new Int32Array(16);
  /** Each number's place among the members, or -1. */
  private readonly place: Int32Array;
  size = 0;

  /** Numbers in [0, bound). */
  constructor(bound: number) {
    this.place = new Int32Array(bound).fill(-1);
  }

  add(n: number): void {
    if (this.place[n]! >= 0) return;
    if (this.size === this.members.length) this.members = grown(this.members, this.size * 2);
    this.place[n] = this.size;
    this.members[this.size++] = n;
  }

  /** Removes `n`; the last member takes its place. */
  delete(n: number): void {
    const at = this.place[n]!;
    if (at < 0) return;
    const last = this.members[--this.size]!;
    this.members[at] = last;
    this.place[last] = at;
    this.place[n] = -1;
  }

  clear(): void {
    for (let k = 0; k < this.size; k++) this.place[this.members[k]!] = -1;
    this.size = 0;
  }
}
