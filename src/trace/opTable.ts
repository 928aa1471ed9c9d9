// A trace's ops in columns (typed arrays), not one object per op: about 15 bytes an op instead of about
// 75, and, more to the point, no object the garbage collector must mark on every full collection
// (docs/performance.md, "No object per op", has the figures). `at(i)` gives op i as a plain
// `TraceOp`; what runs once per op (the replay, the lifetime pass, the panel's tables) reads the
// columns instead.
//
// malloc, realloc and free with sizes below 2^32 and a one-line range whose columns are below
// 2^16 live in the columns alone. Everything else (calloc, write, fill, the 2016 lab's sizes near
// 2^56) is kept whole too, beside the columns: such ops are rare, and a `.heap` script's are few.
// A realloc's old pointer is its own slot in a `.rep` trace; the column of old pointers is made
// only for a trace with a realloc that names another (a `.heap` script's `q = realloc(p, n)`).

import { lineRange, type Slot, type SourceRange, type TraceOp, type TraceOpKind } from './vocabulary';
import { grown, trimmed } from '../engine/typedArrays';
import { engineSize } from './numbers';
import { firstIndex } from '../shared/bisect';

const KINDS: readonly TraceOpKind[] = ['malloc', 'calloc', 'realloc', 'free', 'write', 'fill'];
const KIND_CODE: Readonly<Record<TraceOpKind, number>> = { malloc: 0, calloc: 1, realloc: 2, free: 3, write: 4, fill: 5 };
/** In the kind column: the op is kept whole, in `whole`. */
const WHOLE = 0x80;
/** A slot column's null (free(NULL), realloc(NULL, n)). */
const NONE = -1;
/** The largest size the size column holds, and the largest column the range columns hold. */
const MAX_COLUMN_SIZE = 0xffffffff;
const MAX_COLUMN = 0xffff;
/**
 * Lines: the line of every LINE_STRIDE-th op, and each op's distance below it in 16 bits (an op
 * further down, past 65,535 lines of blanks or comments, is kept whole): about 2 bytes an op
 * rather than 4, with no more work to read one (docs/memory.md, "A trace").
 */
const LINE_SHIFT = 6;
const LINE_STRIDE = 1 << LINE_SHIFT;
const MAX_LINE_STEP = 0xffff;

/**
 * A table's columns as they are (`OpTableBuilder.columnArrays`): what another thread reads a trace
 * parsed on buffers it shares (`PublishedOpTable`) from.
 */
export interface OpColumnArrays {
  readonly kinds: Uint8Array;
  readonly ptrs: Int32Array;
  readonly sizes: Uint32Array;
  readonly lineBases: Int32Array;
  readonly lineSteps: Uint16Array;
  readonly columns: Uint16Array;
  readonly endColumns: Uint16Array;
}

/** Makes the buffer of a column of `byteLength` bytes (a SharedArrayBuffer, for a table another thread reads). */
export type ColumnBuffers = (byteLength: number) => ArrayBufferLike;

export class OpTable implements Iterable<TraceOp> {
  protected n = 0;
  protected kinds: Uint8Array;
  protected ptrs: Int32Array;
  /** The slot a realloc resizes; null while every realloc resizes its own slot (`ptrs`). */
  protected froms: Int32Array | null = null;
  /** Request sizes (malloc, realloc); 0 for an op kept whole. */
  protected sizes: Uint32Array;
  /** The line of op `k * LINE_STRIDE`, and each op's line less its block's (see LINE_SHIFT). */
  protected lineBases: Int32Array;
  protected lineSteps: Uint16Array;
  protected columns: Uint16Array;
  protected endColumns: Uint16Array;
  protected readonly whole = new Map<number, TraceOp>();
  /** How many ops of each kind (by code) the table holds: `count` and `has` without a scan of the ops. */
  protected readonly kindCounts = new Int32Array(KINDS.length);
  /** The first op that assigns each slot (`length` if none), for the table of `firstAssignedOf` ops. */
  private firstAssigned: Int32Array | null = null;
  private firstAssignedOf = 0;

  protected constructor(capacity: number) {
    this.kinds = new Uint8Array(capacity);
    this.ptrs = new Int32Array(capacity);
    this.sizes = new Uint32Array(capacity);
    this.lineBases = new Int32Array(Math.ceil(capacity / LINE_STRIDE));
    this.lineSteps = new Uint16Array(capacity);
    this.columns = new Uint16Array(capacity);
    this.endColumns = new Uint16Array(capacity);
  }

  /** A table of the given ops (tests and small traces). */
  static of(ops: Iterable<TraceOp>): OpTable {
    const table = new OpTableBuilder();
    for (const op of ops) table.push(op);
    return table.finish();
  }

  get length(): number {
    return this.n;
  }

  /** Op `i` as an object: a new one each call, but for an op kept whole (the same one). */
  at(i: number): TraceOp {
    this.check(i);
    const code = this.kinds[i]!;
    if (code & WHOLE) return this.whole.get(i)!;
    const range = lineRange(this.lineOf(i), this.columns[i]!, this.endColumns[i]!);
    const ptr = this.ptrs[i]!;
    switch (KINDS[code]) {
      case 'malloc':
        return { kind: 'malloc', ptr, size: BigInt(this.sizes[i]!), range };
      case 'realloc':
        return { kind: 'realloc', ptr, from: this.from(i), size: BigInt(this.sizes[i]!), range };
      default:
        return { kind: 'free', ptr: ptr === NONE ? null : ptr, range };
    }
  }

  /**
   * Whether an op before op `i` stores a result in `slot` (a malloc, calloc or realloc into it):
   * a pointer never assigned is not NULL, and a realloc of it must not allocate.
   */
  assignedBefore(slot: Slot, i: number): boolean {
    let first = this.firstAssigned;
    if (first === null || this.firstAssignedOf !== this.n) {
      let slots = 0;
      for (let k = 0; k < this.n; k++) if ((this.kinds[k]! & ~WHOLE) !== KIND_CODE.free) slots = Math.max(slots, this.ptrs[k]! + 1);
      first = new Int32Array(slots).fill(this.n);
      for (let k = this.n - 1; k >= 0; k--) {
        const code = this.kinds[k]! & ~WHOLE;
        if (code === KIND_CODE.malloc || code === KIND_CODE.calloc || code === KIND_CODE.realloc) first[this.ptrs[k]!] = k;
      }
      this.firstAssigned = first;
      this.firstAssignedOf = this.n;
    }
    return slot < first.length && first[slot]! < i;
  }

  kind(i: number): TraceOpKind {
    this.check(i);
    return KINDS[this.kinds[i]! & ~WHOLE]!;
  }

  /** The slot an op stores its result in or works on; null for free(NULL). */
  ptr(i: number): Slot | null {
    this.check(i);
    const ptr = this.ptrs[i]!;
    return ptr === NONE ? null : ptr;
  }

  /** The slot whose block a realloc resizes (null: realloc(NULL, n), or not a realloc). */
  from(i: number): Slot | null {
    this.check(i);
    const froms = this.froms;
    if (froms !== null) {
      const from = froms[i]!;
      return from === NONE ? null : from;
    }
    return (this.kinds[i]! & ~WHOLE) === KIND_CODE.realloc ? this.ptrs[i]! : null;
  }

  /**
   * The size a malloc, calloc (per element) or realloc asks for, as the engine takes it: a number
   * when exact, else the bigint. 0 for free, write and fill.
   */
  requestSize(i: number): number | bigint {
    this.check(i);
    if (!(this.kinds[i]! & WHOLE)) return this.sizes[i]!;
    const op = this.whole.get(i)!;
    return op.kind === 'malloc' || op.kind === 'calloc' || op.kind === 'realloc' ? engineSize(op.size) : 0;
  }

  line(i: number): number {
    this.check(i);
    return this.kinds[i]! & WHOLE ? this.whole.get(i)!.range.line : this.lineOf(i);
  }

  /** Op `i`'s line from the line columns (op `i` not kept whole). */
  protected lineOf(i: number): number {
    return this.lineBases[i >> LINE_SHIFT]! + this.lineSteps[i]!;
  }

  range(i: number): SourceRange {
    this.check(i);
    return this.kinds[i]! & WHOLE ? this.whole.get(i)!.range : lineRange(this.lineOf(i), this.columns[i]!, this.endColumns[i]!);
  }

  /** Whether any op is one of `kinds`. */
  has(...kinds: TraceOpKind[]): boolean {
    return this.count(...kinds) > 0;
  }

  /** How many ops are one of `kinds` (kept as the table is written: no scan of the ops). */
  count(...kinds: TraceOpKind[]): number {
    let mask = 0;
    for (const k of kinds) mask |= 1 << KIND_CODE[k];
    let found = 0;
    for (let code = 0; code < KINDS.length; code++) if (mask & (1 << code)) found += this.kindCounts[code]!;
    return found;
  }

  /** The first op on or after `line` (length when none is): ops are in line order. */
  firstFromLine(line: number): number {
    return firstIndex(this.n, (i) => this.line(i) >= line);
  }

  *[Symbol.iterator](): Iterator<TraceOp> {
    for (let i = 0; i < this.n; i++) yield this.at(i);
  }

  /** Bytes the columns hold (the ops kept whole not counted). */
  get byteLength(): number {
    return [this.kinds, this.ptrs, this.sizes, this.lineBases, this.lineSteps, this.columns, this.endColumns].reduce((sum, a) => sum + a.byteLength, this.froms?.byteLength ?? 0);
  }

  /** Replaces every column with `f` of it. */
  protected resize(f: <T extends Uint8Array | Uint16Array | Int32Array | Uint32Array>(a: T) => T): void {
    this.kinds = f(this.kinds);
    this.ptrs = f(this.ptrs);
    if (this.froms !== null) this.froms = f(this.froms);
    this.sizes = f(this.sizes);
    this.lineSteps = f(this.lineSteps);
    this.columns = f(this.columns);
    this.endColumns = f(this.endColumns);
    const bases = Math.ceil(this.kinds.length / LINE_STRIDE);
    if (bases > this.lineBases.length) this.lineBases = grown(this.lineBases, bases);
    else if (bases < this.lineBases.length) this.lineBases = this.lineBases.slice(0, bases);
  }

  private check(i: number): void {
    if (!Number.isInteger(i) || i < 0 || i >= this.n) throw new RangeError(`op ${i} is outside the trace's ${this.n} ops`);
  }
}

/** A table the parsers append to; `finish()` trims it. Readable while it grows. */
export class OpTableBuilder extends OpTable {
  /** `buffers`: where `reserve` makes the columns (see ColumnBuffers); absent, ordinary arrays. */
  constructor(
    capacity = 1024,
    private readonly buffers: ColumnBuffers | null = null,
  ) {
    super(Math.max(1, capacity));
  }

  /**
   * Makes room for `ops` ops in all, once, when a parser knows how many are coming (a `.rep`
   * header's count, bounded by the text): a long trace's columns then never double past it, nor
   * get copied to be trimmed (docs/memory.md, "A trace"). With `buffers`, the columns are made on
   * them, room or not (growing past `ops` later makes ordinary ones again).
   */
  reserve(ops: number): void {
    const buffers = this.buffers;
    if (buffers !== null) {
      this.resize((a) => grown(a, Math.max(ops, this.kinds.length), 0, buffers));
      this.lineBases = grown(this.lineBases, Math.ceil(this.kinds.length / LINE_STRIDE), 0, buffers);
    } else if (ops > this.kinds.length) this.resize((a) => grown(a, ops));
  }

  /** Ops the columns have room for. */
  get capacity(): number {
    return this.kinds.length;
  }

  /** The columns as they are now (a later `reserve`, growth or `finish` may replace them). */
  get columnArrays(): OpColumnArrays {
    const { kinds, ptrs, sizes, lineBases, lineSteps, columns, endColumns } = this;
    return { kinds, ptrs, sizes, lineBases, lineSteps, columns, endColumns };
  }

  /** Whether every op lives in the columns alone: none kept whole, no realloc of another slot. */
  get columnar(): boolean {
    return this.whole.size === 0 && this.froms === null;
  }

  /** How many ops of each kind, by kind code (a copy). */
  get kindCountArray(): Int32Array {
    return this.kindCounts.slice();
  }

  /** Appends a malloc, realloc or free as the `.rep` parser reads it (`size` ignored for a free). */
  add(kind: 'malloc' | 'realloc' | 'free', ptr: Slot | null, from: Slot | null, size: bigint | number, line: number, column: number, endColumn: number): void {
    if (!fitsColumns(kind === 'free' ? 0 : size, column, endColumn) || !this.lineFits(line)) {
      const range = lineRange(line, column, endColumn);
      const big = BigInt(size);
      this.push(kind === 'malloc' ? { kind, ptr: ptr!, size: big, range } : kind === 'realloc' ? { kind, ptr: ptr!, from, size: big, range } : { kind, ptr, range });
      return;
    }
    const i = this.grow();
    this.kinds[i] = KIND_CODE[kind];
    this.kindCounts[KIND_CODE[kind]]!++;
    this.ptrs[i] = ptr ?? NONE;
    this.setFrom(i, kind === 'realloc' ? from : null, ptr);
    this.sizes[i] = kind === 'free' ? 0 : Number(size);
    this.setLine(i, line);
    this.columns[i] = column;
    this.endColumns[i] = endColumn;
  }

  /**
   * Appends a `.rep` op as the parser's quick path reads it (a realloc resizes its own slot; `size`
   * ignored for a free) when it fits the columns, without `add`'s checks for the general case;
   * false, with nothing appended, when it is to be kept whole (then `add` keeps it).
   */
  addRep(kind: 'malloc' | 'realloc' | 'free', slot: Slot, size: number, line: number, column: number, endColumn: number): boolean {
    const i = this.n;
    const first = (i & (LINE_STRIDE - 1)) === 0;
    const step = first ? 0 : line - this.lineBases[i >> LINE_SHIFT]!;
    if (size > MAX_COLUMN_SIZE || endColumn > MAX_COLUMN || step < 0 || step > MAX_LINE_STEP) return false;
    this.grow();
    const code = kind === 'malloc' ? KIND_CODE.malloc : kind === 'realloc' ? KIND_CODE.realloc : KIND_CODE.free;
    this.kinds[i] = code;
    this.kindCounts[code]!++;
    this.ptrs[i] = slot;
    if (this.froms !== null) this.froms[i] = kind === 'realloc' ? slot : NONE;
    this.sizes[i] = kind === 'free' ? 0 : size;
    if (first) this.lineBases[i >> LINE_SHIFT] = line;
    this.lineSteps[i] = step;
    this.columns[i] = column;
    this.endColumns[i] = endColumn;
    return true;
  }

  push(op: TraceOp): void {
    const r = op.range;
    const columnar = op.kind === 'free' || op.kind === 'malloc' || op.kind === 'realloc';
    if (columnar && r.endLine === r.line && fitsColumns(op.kind === 'free' ? 0 : op.size, r.column, r.endColumn) && this.lineFits(r.line)) {
      this.add(op.kind, op.ptr, op.kind === 'realloc' ? op.from : null, op.kind === 'free' ? 0 : op.size, r.line, r.column, r.endColumn);
      return;
    }
    const i = this.grow();
    this.kinds[i] = KIND_CODE[op.kind] | WHOLE;
    this.kindCounts[KIND_CODE[op.kind]]!++;
    this.ptrs[i] = op.ptr ?? NONE;
    this.setFrom(i, op.kind === 'realloc' ? op.from : null, op.ptr);
    this.sizes[i] = 0;
    // Its line is read from the op; the first op of a block sets the block's line all the same.
    if ((i & (LINE_STRIDE - 1)) === 0) this.setLine(i, r.line);
    this.columns[i] = Math.min(r.column, MAX_COLUMN);
    this.endColumns[i] = Math.min(r.endColumn, MAX_COLUMN);
    this.whole.set(i, op);
  }

  /** The table, trimmed to its ops (not copied when it has little room left over). */
  finish(): OpTable {
    const room = this.kinds.length - this.n;
    if (room > 0) this.resize((a) => trimmed(a, this.n));
    return this;
  }

  /** Op `i`'s old pointer (a realloc's `from`, null for any other op): the column is made at the first realloc of another slot. */
  private setFrom(i: number, from: Slot | null, ptr: Slot | null): void {
    if (this.froms === null) {
      if (from === ptr || (this.kinds[i]! & ~WHOLE) !== KIND_CODE.realloc) return;
      const froms = new Int32Array(this.kinds.length);
      for (let k = 0; k < i; k++) froms[k] = (this.kinds[k]! & ~WHOLE) === KIND_CODE.realloc ? this.ptrs[k]! : NONE;
      this.froms = froms;
    }
    this.froms[i] = from ?? NONE;
  }

  /** Whether the next op, on `line`, can have its line in the line columns. */
  private lineFits(line: number): boolean {
    const i = this.n;
    if ((i & (LINE_STRIDE - 1)) === 0) return true;
    const step = line - this.lineBases[i >> LINE_SHIFT]!;
    return step >= 0 && step <= MAX_LINE_STEP;
  }

  /** Op `i`'s line: the block's own at its first op, else the step from it. */
  private setLine(i: number, line: number): void {
    if ((i & (LINE_STRIDE - 1)) === 0) {
      this.lineBases[i >> LINE_SHIFT] = line;
      this.lineSteps[i] = 0;
    } else {
      this.lineSteps[i] = line - this.lineBases[i >> LINE_SHIFT]!;
    }
  }

  /** Makes room for one more op; returns its index. */
  private grow(): number {
    if (this.n === this.kinds.length) this.resize((a) => grown(a, Math.max(16, 2 * this.n)));
    return this.n++;
  }

}

/**
 * The ops another thread's parser has published so far, read from the columns it writes
 * (`OpTableBuilder.columnArrays`, on shared buffers): `publish(n)` makes the first `n` readable,
 * once the writer has written them. Ops kept whole or a realloc of another slot cannot be
 * followed so (see `OpTableBuilder.columnar`): the writer says so, and the reader parses itself.
 */
export class PublishedOpTable extends OpTable {
  constructor(columns: OpColumnArrays) {
    super(0);
    // The columns' keys are the table's own fields.
    const { kinds, ptrs, sizes, lineBases, lineSteps, columns: starts, endColumns } = columns;
    Object.assign(this, { kinds, ptrs, sizes, lineBases, lineSteps, columns: starts, endColumns });
  }

  /** The first `n` ops are written (`n` only grows). */
  publish(n: number): void {
    if (n < this.n || n > this.kinds.length) throw new RangeError(`cannot publish ${n} ops of a table of ${this.kinds.length} with ${this.n} published`);
    this.n = n;
  }

  /**
   * The writer is done: `n` ops in all, `kindCounts` of them by kind code; the columns are cut to
   * them as the writer's `finish` cuts its own (trimmed, not copied when there is little room).
   */
  finishAt(n: number, kindCounts: Int32Array): this {
    this.publish(n);
    this.kindCounts.set(kindCounts);
    if (this.kinds.length > n) this.resize((a) => trimmed(a, n));
    return this;
  }
}

/** Whether an op's size and columns fit the columns (else it is kept whole). */
function fitsColumns(size: bigint | number, column: number, endColumn: number): boolean {
  return (typeof size === 'bigint' ? size <= BigInt(MAX_COLUMN_SIZE) : size <= MAX_COLUMN_SIZE) && column <= MAX_COLUMN && endColumn <= MAX_COLUMN;
}
