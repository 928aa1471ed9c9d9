// The simulated heap's bytes: one buffer that grows through a break, like memlib.c's mem_sbrk.
// Every read and write is bounds-checked against the break, so a corrupted size can never make
// the engine touch memory outside the heap: it raises a HeapFault, the simulated segfault.

/** Raised inside the engine when an operation would leave the heap; turned into a problem at the op boundary. */
export class HeapFault extends Error {
  constructor(
    message: string,
    /** The heap offset the operation tried to reach. */
    readonly addr: number,
  ) {
    super(message);
    this.name = 'HeapFault';
  }
}

const INITIAL_CAPACITY = 64 * 1024;

/** A heap of real bytes addressed by offset from its first byte. It grows, never shrinks. */
export class HeapMemory {
  private buffer: ArrayBuffer;
  private u8: Uint8Array;
  private view: DataView;
  private breakAddr = 0;

  constructor(readonly maxHeap: number) {
    this.buffer = new ArrayBuffer(Math.min(INITIAL_CAPACITY, maxHeap));
    this.u8 = new Uint8Array(this.buffer);
    this.view = new DataView(this.buffer);
  }

  /**
   * A new, empty heap that takes over this one's buffer (zeroed), so a restore does not allocate
   * another buffer of the heap's size; this heap is left empty and must not be used again.
   */
  recycle(): HeapMemory {
    const heap = new HeapMemory(this.maxHeap);
    this.u8.fill(0, 0, this.breakAddr);
    heap.buffer = this.buffer;
    heap.u8 = this.u8;
    heap.view = this.view;
    this.buffer = new ArrayBuffer(0);
    this.u8 = new Uint8Array(this.buffer);
    this.view = new DataView(this.buffer);
    this.breakAddr = 0;
    return heap;
  }

  /** The break: one past the heap's last byte, which is also the heap's size. */
  get brk(): number {
    return this.breakAddr;
  }

  /**
   * Moves the break up by `incr` bytes and returns the old break, or null when the heap would
   * pass `maxHeap` (mem_sbrk's "ran out of memory").
   */
  sbrk(incr: number): number | null {
    if (!Number.isSafeInteger(incr) || incr < 0 || incr > this.maxHeap - this.breakAddr) return null;
    const old = this.breakAddr;
    this.ensureCapacity(old + incr);
    this.breakAddr = old + incr;
    return old;
  }

  /** True when [addr, addr + length) lies inside the heap. */
  contains(addr: number, length: number): boolean {
    return addr >= 0 && length >= 0 && addr + length <= this.breakAddr;
  }

  getUint32(addr: number): number {
    this.check(addr, 4);
    return this.view.getUint32(addr, true);
  }

  setUint32(addr: number, value: number): void {
    this.check(addr, 4);
    this.view.setUint32(addr, value >>> 0, true);
  }

  /** Little-endian 64-bit word as a number (exact below 2^53, which every sane size is). */
  getUint64(addr: number): number {
    this.check(addr, 8);
    return this.view.getUint32(addr, true) + this.view.getUint32(addr + 4, true) * 2 ** 32;
  }

  setUint64(addr: number, value: number): void {
    this.check(addr, 8);
    this.view.setUint32(addr, value % 2 ** 32, true);
    this.view.setUint32(addr + 4, Math.floor(value / 2 ** 32), true);
  }

  /** A copy of `length` bytes at `addr`. */
  read(addr: number, length: number): Uint8Array {
    this.check(addr, length);
    return this.u8.slice(addr, addr + length);
  }

  write(addr: number, bytes: Uint8Array): void {
    this.check(addr, bytes.length);
    this.u8.set(bytes, addr);
  }

  fill(addr: number, length: number, value: number): void {
    this.check(addr, length);
    this.u8.fill(value & 0xff, addr, addr + length);
  }

  /** memmove: overlapping ranges are copied as if through a temporary buffer. */
  copy(to: number, from: number, length: number): void {
    this.check(from, length);
    this.check(to, length);
    this.u8.copyWithin(to, from, from + length);
  }

  /** True when the two ranges hold the same bytes; compares in bulk, not byte by byte in a loop of ours. */
  equals(addr: number, expected: Uint8Array): boolean {
    if (!this.contains(addr, expected.length)) return false;
    const actual = this.u8.subarray(addr, addr + expected.length);
    return bytesEqual(actual, expected);
  }

  /**
   * True when all `length` bytes at `addr` equal `byte` (mdriver's realloc check against its fill
   * pattern), compared 32 bytes per step as eight XOR-ed integer words.
   */
  isFilledWith(addr: number, length: number, byte: number): boolean {
    if (!this.contains(addr, length)) return false;
    const b = byte & 0xff;
    const u8 = this.u8;
    const end = addr + length;
    let i = addr;
    while (i < end && (i & 3) !== 0) if (u8[i++] !== b) return false;
    const words = (end - i) >>> 2;
    const w = new Int32Array(this.buffer, i, words);
    const p = (b * 0x01010101) | 0;
    let k = 0;
    for (; k + 8 <= words; k += 8) {
      if ((w[k]! ^ p) | (w[k + 1]! ^ p) | (w[k + 2]! ^ p) | (w[k + 3]! ^ p) | (w[k + 4]! ^ p) | (w[k + 5]! ^ p) | (w[k + 6]! ^ p) | (w[k + 7]! ^ p)) return false;
    }
    for (; k < words; k++) if (w[k] !== p) return false;
    for (i += words * 4; i < end; i++) if (u8[i] !== b) return false;
    return true;
  }

  private check(addr: number, length: number): void {
    if (!this.contains(addr, length)) {
      throw new HeapFault(
        `access of ${length} byte${length === 1 ? '' : 's'} at ${hex(addr)} is outside the heap [0x0, ${hex(this.breakAddr)})`,
        addr,
      );
    }
  }

  private ensureCapacity(needed: number): void {
    if (needed <= this.buffer.byteLength) return;
    let capacity = this.buffer.byteLength || INITIAL_CAPACITY;
    while (capacity < needed) capacity *= 2;
    capacity = Math.min(capacity, this.maxHeap);
    const next = new ArrayBuffer(capacity);
    const u8 = new Uint8Array(next);
    u8.set(this.u8.subarray(0, this.breakAddr));
    this.buffer = next;
    this.u8 = u8;
    this.view = new DataView(next);
  }
}

/** Bulk byte comparison: eight 4-byte words per step where the two arrays share an alignment. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  const n = a.length;
  let i = 0;
  if ((a.byteOffset & 3) === (b.byteOffset & 3) && n >= 16) {
    while (i < n && ((a.byteOffset + i) & 3) !== 0) {
      if (a[i] !== b[i]) return false;
      i++;
    }
    const words = (n - i) >>> 2;
    const wa = new Int32Array(a.buffer, a.byteOffset + i, words);
    const wb = new Int32Array(b.buffer, b.byteOffset + i, words);
    let k = 0;
    for (; k + 8 <= words; k += 8) {
      if (
        (wa[k]! ^ wb[k]!) | (wa[k + 1]! ^ wb[k + 1]!) | (wa[k + 2]! ^ wb[k + 2]!) | (wa[k + 3]! ^ wb[k + 3]!) |
        (wa[k + 4]! ^ wb[k + 4]!) | (wa[k + 5]! ^ wb[k + 5]!) | (wa[k + 6]! ^ wb[k + 6]!) | (wa[k + 7]! ^ wb[k + 7]!)
      ) {
        return false;
      }
    }
    for (; k < words; k++) if (wa[k] !== wb[k]) return false;
    i += words * 4;
  }
  for (; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** `0x`-prefixed lowercase hex, at least four digits: the one way the engine prints an address. */
export function hex(addr: number): string {
  if (!Number.isFinite(addr)) return String(addr);
  const digits = Math.trunc(addr).toString(16);
  return (addr < 0 ? '-0x' : '0x') + digits.replace('-', '').padStart(4, '0');
}
