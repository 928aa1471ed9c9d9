// A table from a whole number (a slot of the heap, below 2^31 - 1) to a positive whole number
// (below 2^31): open addressing, linear probing, removal by shifting back the entries after it
// (no tombstones), so a lookup touches one or two neighbouring entries of two typed arrays. The
// fit index keeps its free blocks' sizes in one (docs/performance.md, "At scale"): memory for the
// free blocks, not for the heap.

export class SlotTable {
  /** Slot + 1 at each place (0: empty). */
  private keys = new Int32Array(64);
  private values = new Int32Array(64);
  private mask = 63;
  /** 32 - log2(capacity): the hash's shift. */
  private shift = 26;
  private used = 0;

  get size(): number {
    return this.used;
  }

  /** The value of `slot`, or 0 when it has none. */
  get(slot: number): number {
    const keys = this.keys;
    const key = slot + 1;
    for (let i = Math.imul(key, 0x9e3779b1) >>> this.shift; ; i = (i + 1) & this.mask) {
      const k = keys[i]!;
      if (k === key) return this.values[i]!;
      if (k === 0) return 0;
    }
  }

  /** Sets `slot`'s value (> 0). */
  set(slot: number, value: number): void {
    const keys = this.keys;
    const key = slot + 1;
    for (let i = Math.imul(key, 0x9e3779b1) >>> this.shift; ; i = (i + 1) & this.mask) {
      const k = keys[i]!;
      if (k === key) {
        this.values[i] = value;
        return;
      }
      if (k === 0) {
        keys[i] = key;
        this.values[i] = value;
        if (++this.used * 2 > this.mask) this.rehash(this.keys.length * 2);
        return;
      }
    }
  }

  /** Removes `slot`, returning its value (0 when it had none). */
  delete(slot: number): number {
    const keys = this.keys;
    const values = this.values;
    const mask = this.mask;
    const key = slot + 1;
    let i = Math.imul(key, 0x9e3779b1) >>> this.shift;
    for (;;) {
      const k = keys[i]!;
      if (k === key) break;
      if (k === 0) return 0;
      i = (i + 1) & mask;
    }
    const value = values[i]!;
    this.used--;
    // Shift back every later entry of the run whose home is not between the hole and it.
    let hole = i;
    for (let j = (i + 1) & mask; ; j = (j + 1) & mask) {
      const k = keys[j]!;
      if (k === 0) break;
      const home = Math.imul(k, 0x9e3779b1) >>> this.shift;
      if (((j - home) & mask) >= ((j - hole) & mask)) {
        keys[hole] = k;
        values[hole] = values[j]!;
        hole = j;
      }
    }
    keys[hole] = 0;
    return value;
  }

  /** Empties the table, keeping room for about `expected` entries. */
  clear(expected = 0): void {
    let capacity = 64;
    while (capacity < expected * 2 + 2) capacity *= 2;
    if (capacity === this.keys.length) {
      this.keys.fill(0);
    } else {
      this.keys = new Int32Array(capacity);
      this.values = new Int32Array(capacity);
      this.mask = capacity - 1;
      this.shift = 32 - Math.log2(capacity);
    }
    this.used = 0;
  }

  private rehash(capacity: number): void {
    const keys = this.keys;
    const values = this.values;
    this.keys = new Int32Array(capacity);
    this.values = new Int32Array(capacity);
    this.mask = capacity - 1;
    this.shift = 32 - Math.log2(capacity);
    this.used = 0;
    for (let i = 0; i < keys.length; i++) if (keys[i]! !== 0) this.set(keys[i]! - 1, values[i]!);
  }
}
