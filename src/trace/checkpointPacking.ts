// A checkpoint's arrays packed small (docs/memory.md, "The history of a long trace"): the block
// chain's header words as variable-length numbers (most blocks' words fit two bytes rather than
// four), and the slots with the live pointers they hold in one list, in slot order, each slot as
// the step from the one before (a byte, mostly), its pointer and the pointer's requested size,
// rather than the ledger's (pointer, size) pairs and the slots' (slot, pointer) pairs apart. At
// 100,000 live a checkpoint is 2.7 times smaller, so the budget keeps 2.7 times as many and a jump
// replays a third as far.

/** Unpacked: the header words, the ledger's live (pointer, size) pairs and the (slot, pointer) pairs. */
export interface CheckpointArrays {
  readonly blocks: Uint32Array;
  readonly live: Uint32Array;
  readonly slots: Int32Array;
}

/** Packed: the words and, when every live pointer is held by exactly one slot, the slots with them; else the pairs as they were. */
export interface PackedArrays {
  readonly blockCount: number;
  readonly words: Uint8Array;
  readonly heldCount: number;
  /** (slot step, pointer, size) numbers, or null when the pairs are kept as they are. */
  readonly held: Uint8Array | null;
  readonly live: Uint32Array | null;
  readonly slots: Int32Array | null;
}

/** Bytes a packed checkpoint holds. */
export function packedBytes(p: PackedArrays): number {
  return p.words.byteLength + (p.held?.byteLength ?? 0) + (p.live?.byteLength ?? 0) + (p.slots?.byteLength ?? 0);
}

/** A growing buffer of unsigned variable-length numbers (seven bits a byte, low first). */
class VarWriter {
  private bytes: Uint8Array;
  length = 0;

  constructor(expected: number) {
    this.bytes = new Uint8Array(Math.max(16, expected));
  }

  put(value: number): void {
    if (this.length + 5 > this.bytes.length) {
      const bigger = new Uint8Array(this.bytes.length * 2);
      bigger.set(this.bytes.subarray(0, this.length));
      this.bytes = bigger;
    }
    let v = value >>> 0;
    while (v >= 0x80) {
      this.bytes[this.length++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.bytes[this.length++] = v;
  }

  /** The numbers written, in a buffer of their own size. */
  done(): Uint8Array {
    return this.bytes.slice(0, this.length);
  }
}

/** Where the last `readVar` stopped: the next number's first byte. */
let readAt = 0;

/**
 * The number a VarWriter wrote at `bytes[at]`; `readAt` is then where the next one begins. A
 * function and a variable rather than a reader object, whose named fields the loops that read a
 * checkpoint's hundred thousand numbers were deoptimised on, jump after jump (docs/performance.md,
 * "Walking only the window").
 */
function readVar(bytes: Uint8Array, at: number): number {
  let b = bytes[at++]!;
  let v = b & 0x7f;
  for (let scale = 0x80; b & 0x80; scale *= 0x80) {
    b = bytes[at++]!;
    v += (b & 0x7f) * scale;
  }
  readAt = at;
  return v;
}

/**
 * Packs a checkpoint's arrays; `slotOf` is each slot's pointer and `held` the slots holding one.
 * The slots go with their pointers only when they hold every live pointer, each once (`sizes`
 * tells): then the ledger's pairs follow from them.
 */
export function packCheckpoint(a: CheckpointArrays, slotOf: Int32Array, held: { readonly size: number; readonly members: Int32Array }, sizes: PointerSizes): PackedArrays {
  const words = new VarWriter(a.blocks.length * 2);
  for (let k = 0; k < a.blocks.length; k++) words.put(a.blocks[k]!);
  const whole = { blockCount: a.blocks.length, words: words.done(), heldCount: held.size };
  const kept = { ...whole, held: null, live: a.live, slots: a.slots };
  if (held.size !== a.live.length / 2) return kept;
  sizes.load(a.live);
  // Slot order, where the steps between slots are small: the slots holding a pointer read in
  // order, when there are not many more slots than those; else the members sorted.
  const order = slotOf.length <= 8 * held.size ? slotsHolding(slotOf, held.size) : Int32Array.from(held.members.subarray(0, held.size)).sort();
  if (order === null) return kept;
  const out = new VarWriter(held.size * 7);
  let previous = 0;
  for (let k = 0; k < order.length; k++) {
    const slot = order[k]!;
    const ptr = slotOf[slot]!;
    // Each live pointer once: as many slots as live pointers then holds them all.
    const size = sizes.take(ptr);
    if (size < 0) return kept;
    out.put(slot - previous);
    out.put(ptr);
    out.put(size);
    previous = slot;
  }
  return { ...whole, held: out.done(), live: null, slots: null };
}

/** The slots holding a pointer, in order, if there are `count` of them; else null. */
function slotsHolding(slotOf: Int32Array, count: number): Int32Array | null {
  const order = new Int32Array(count);
  let n = 0;
  for (let slot = 0; slot < slotOf.length; slot++) {
    if (slotOf[slot]! < 0) continue;
    if (n === count) return null;
    order[n++] = slot;
  }
  return n === count ? order : null;
}

/** Buffers to unpack into, kept from one unpacking to the next (what it returns is valid until the next). */
export class UnpackBuffers {
  blocks = new Uint32Array(0);
  live = new Uint32Array(0);
  slots = new Int32Array(0);

  /** The first `blocks` and `pairs` pairs of the buffers, grown if they are shorter. */
  take(blocks: number, pairs: number): CheckpointArrays {
    if (this.blocks.length < blocks) this.blocks = new Uint32Array(blocks + (blocks >> 3));
    if (this.live.length < 2 * pairs) {
      this.live = new Uint32Array(2 * pairs + (pairs >> 2));
      this.slots = new Int32Array(this.live.length);
    }
    return { blocks: this.blocks.subarray(0, blocks), live: this.live.subarray(0, 2 * pairs), slots: this.slots.subarray(0, 2 * pairs) };
  }
}

/**
 * The arrays a packed checkpoint was made from (the pairs in slot order when packed together), in
 * `into`'s buffers. The loops are functions of their own: a jump unpacks 100,000 blocks, and a
 * loop optimised in the middle of its run (on-stack replacement) was deoptimised again, jump after
 * jump, by the code after it (docs/performance.md, "The heap before from the heap after").
 */
export function unpackCheckpoint(p: PackedArrays, into = new UnpackBuffers()): CheckpointArrays {
  const out = into.take(p.blockCount, p.held === null ? 0 : p.heldCount);
  readVarints(p.words, out.blocks, p.blockCount);
  if (p.held === null) return { blocks: out.blocks, live: p.live!, slots: p.slots! };
  readHeldPairs(p.held, out.live, out.slots, p.heldCount);
  return { blocks: out.blocks, live: out.live, slots: out.slots };
}

/** The first `n` numbers of `bytes` (VarWriter's encoding) into `into`. */
function readVarints(bytes: Uint8Array, into: Uint32Array, n: number): void {
  readAt = 0;
  for (let k = 0; k < n; k++) into[k] = readVar(bytes, readAt);
}

/** `count` held slots with their pointers and sizes: the slots as steps from the one before. */
function readHeldPairs(bytes: Uint8Array, live: Uint32Array, slots: Int32Array, count: number): void {
  readAt = 0;
  let slot = 0;
  for (let k = 0; k < 2 * count; k += 2) {
    slot += readVar(bytes, readAt);
    slots[k] = slot;
    slots[k + 1] = live[k] = readVar(bytes, readAt);
    live[k + 1] = readVar(bytes, readAt);
  }
}

/** The live pointers' requested sizes, each to be taken once: a table kept from one checkpoint to the next. */
export class PointerSizes {
  private keys = new Int32Array(1024);
  private values = new Int32Array(1024);
  private shift = 32 - 10;

  /** The (pointer, size) pairs `live`, and nothing else. */
  load(live: Uint32Array): void {
    let capacity = this.keys.length;
    while (capacity < live.length) capacity *= 2;
    if (capacity !== this.keys.length) {
      this.keys = new Int32Array(capacity);
      this.values = new Int32Array(capacity);
      this.shift = 32 - Math.log2(capacity);
    }
    const keys = this.keys.fill(-1);
    const mask = capacity - 1;
    for (let k = 0; k < live.length; k += 2) {
      let i = this.slot(live[k]!);
      while (keys[i] !== -1) i = (i + 1) & mask;
      keys[i] = live[k]!;
      this.values[i] = live[k + 1]!;
    }
  }

  /** The size of the live pointer `ptr`, which it then forgets; -1 if it is not (or no longer) there. */
  take(ptr: number): number {
    if (ptr < 0) return -1;
    const keys = this.keys;
    const mask = keys.length - 1;
    for (let i = this.slot(ptr); keys[i] !== -1; i = (i + 1) & mask) {
      if (keys[i] !== ptr) continue;
      const size = this.values[i]!;
      this.values[i] = -1;
      return size;
    }
    return -1;
  }

  private slot(ptr: number): number {
    return Math.imul(ptr, 0x9e3779b1) >>> this.shift;
  }
}
