// The ids a log's or a recording's addresses become (docs/importing.md, docs/recording.md): the
// lowest free one first, each reused only after it is given back, so a trace has as many ids as
// the most blocks live at once. The free ids are a binary min-heap in a typed array.

import { grown } from '../engine/typedArrays';

export class IdPool {
  private free = new Int32Array(64);
  private freeCount = 0;
  private next = 0;

  /** Ids handed out so far: the largest + 1, a trace's id count. */
  get count(): number {
    return this.next;
  }

  /** Ids held now (handed out and not given back). */
  get held(): number {
    return this.next - this.freeCount;
  }

  /** The lowest id not held. */
  take(): number {
    if (this.freeCount === 0) return this.next++;
    const heap = this.free;
    const top = heap[0]!;
    const last = heap[--this.freeCount]!;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= this.freeCount) break;
      const child = left + 1 < this.freeCount && heap[left + 1]! < heap[left]! ? left + 1 : left;
      if (heap[child]! >= last) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = last;
    return top;
  }

  /** Gives `id` back: a later `take` may hand it out again. */
  give(id: number): void {
    if (this.freeCount === this.free.length) this.free = grown(this.free, this.free.length * 2);
    const heap = this.free;
    let i = this.freeCount++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent]! <= id) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = id;
  }
}
