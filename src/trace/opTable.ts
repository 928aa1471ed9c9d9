// A trace's ops in columns (typed arrays), not one object per op: a million-op trace takes about
// 29 bytes an op instead of about 75, and, more to the point, no object the garbage collector
// must mark on every full collection (docs/performance.md, "No object per op", has the figures).
// `at(i)` gives op i as a plain `TraceOp`; what runs once per op
// (the replay, the lifetime pass, the panel's tables) reads the columns instead.
//
// malloc, realloc and free with exact sizes (below 2^53) and a one-line range live in the columns
// alone. Everything else (calloc, write, fill, the 2016 lab's sizes near 2^56) is kept whole too,
// beside the columns: such ops are rare, and a `.heap` script's are few.

import { lineRange, type Slot, type SourceRange, type TraceOp, type TraceOpKind } from './vocabulary';
import { grown } from '../engine/typedArrays';
import { engineSize } from './numbers';
import { lowerBound } from '../shared/bisect';

const KINDS: readonly TraceOpKind[] = ['malloc', 'calloc', 'realloc', 'free', 'write', 'fill'];
const KIND_CODE: Readonly<Record<TraceOpKind, number>> = { malloc: 0, calloc: 1, realloc: 2, free: 3, write: 4, fill: 5 };
/** In the kind column: the op is kept whole, in `whole`. */
const WHOLE = 0x80;
/** A slot column's null (free(NULL), realloc(NULL, n)). */
const NONE = -1;
const MAX_EXACT = BigInt(Number.MAX_SAFE_INTEGER);

export class OpTable implements Iterable<TraceOp> {
  protected n = 0;
  protected kinds: Uint8Array;
  protected ptrs: Int32Array;
  protected froms: Int32Array;
  /** Request sizes (malloc, realloc); NaN for an op kept whole. */
  protected sizes: Float64Array;
  protected lines: Int32Array;
  protected columns: Int32Array;
  protected endColumns: Int32Array;
  protected readonly whole = new Map<number, TraceOp>();
  /** The first op that assigns each slot (`length` if none), for the table of `firstAssignedOf` ops. */
  private firstAssigned: Int32Array | null = null;
  private firstAssignedOf = 0;

  protected constructor(capacity: number) {
    this.kinds = new Uint8Array(capacity);
    this.ptrs = new Int32Array(capacity);
    this.froms = new Int32Array(capacity);
    this.sizes = new Float64Array(capacity);
    this.lines = new Int32Array(capacity);
    this.columns = new Int32Array(capacity);
    this.endColumns = new Int32Array(capacity);
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
    const range = lineRange(this.lines[i]!, this.columns[i]!, this.endColumns[i]!);
    const ptr = this.ptrs[i]!;
    switch (KINDS[code]) {
      case 'malloc':
        return { kind: 'malloc', ptr, size: BigInt(this.sizes[i]!), range };
      case 'realloc': {
        const from = this.froms[i]!;
        return { kind: 'realloc', ptr, from: from === NONE ? null : from, size: BigInt(this.sizes[i]!), range };
      }
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
    const from = this.froms[i]!;
    return from === NONE ? null : from;
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
    return this.lines[i]!;
  }

  range(i: number): SourceRange {
    this.check(i);
    return this.kinds[i]! & WHOLE ? this.whole.get(i)!.range : lineRange(this.lines[i]!, this.columns[i]!, this.endColumns[i]!);
  }

  /** Whether any op is one of `kinds`. */
  has(...kinds: TraceOpKind[]): boolean {
    return this.scan(kinds, true) > 0;
  }

  /** How many ops are one of `kinds`. */
  count(...kinds: TraceOpKind[]): number {
    return this.scan(kinds, false);
  }

  /** The first op on or after `line` (length when none is): ops are in line order. */
  firstFromLine(line: number): number {
    return lowerBound(this.lines, line, this.n);
  }

  *[Symbol.iterator](): Iterator<TraceOp> {
    for (let i = 0; i < this.n; i++) yield this.at(i);
  }

  /** Bytes the columns hold (the ops kept whole not counted). */
  get byteLength(): number {
    return [this.kinds, this.ptrs, this.froms, this.sizes, this.lines, this.columns, this.endColumns].reduce((sum, a) => sum + a.byteLength, 0);
  }

  /** Ops of `kinds`, counted up to the first when `first`. */
  private scan(kinds: readonly TraceOpKind[], first: boolean): number {
    let mask = 0;
    for (const k of kinds) mask |= 1 << KIND_CODE[k];
    let found = 0;
    for (let i = 0; i < this.n; i++) {
      if (((1 << (this.kinds[i]! & ~WHOLE)) & mask) === 0) continue;
      found++;
      if (first) break;
    }
    return found;
  }

  private check(i: number): void {
    if (!Number.isInteger(i) || i < 0 || i >= this.n) throw new RangeError(`op ${i} is outside the trace's ${this.n} ops`);
  }
}

/** A table the parsers append to; `finish()` trims it. Readable while it grows. */
export class OpTableBuilder extends OpTable {
  constructor(capacity = 1024) {
    super(Math.max(1, capacity));
  }

  /** Appends a malloc, realloc or free as the `.rep` parser reads it (`size` ignored for a free). */
  add(kind: 'malloc' | 'realloc' | 'free', ptr: Slot | null, from: Slot | null, size: bigint | number, line: number, column: number, endColumn: number): void {
    if (typeof size === 'bigint' && size > MAX_EXACT) {
      const range = lineRange(line, column, endColumn);
      this.push(kind === 'malloc' ? { kind, ptr: ptr!, size, range } : kind === 'realloc' ? { kind, ptr: ptr!, from, size, range } : { kind, ptr, range });
      return;
    }
    const i = this.grow();
    this.kinds[i] = KIND_CODE[kind];
    this.ptrs[i] = ptr ?? NONE;
    this.froms[i] = from ?? NONE;
    this.sizes[i] = kind === 'free' ? 0 : Number(size);
    this.lines[i] = line;
    this.columns[i] = column;
    this.endColumns[i] = endColumn;
  }

  push(op: TraceOp): void {
    const r = op.range;
    const compact = r.endLine === r.line && (op.kind === 'free' || ((op.kind === 'malloc' || op.kind === 'realloc') && op.size <= MAX_EXACT));
    if (compact) {
      this.add(op.kind, op.ptr, op.kind === 'realloc' ? op.from : null, op.kind === 'free' ? 0 : op.size, r.line, r.column, r.endColumn);
      return;
    }
    const i = this.grow();
    this.kinds[i] = KIND_CODE[op.kind] | WHOLE;
    this.ptrs[i] = op.ptr ?? NONE;
    this.froms[i] = op.kind === 'realloc' ? (op.from ?? NONE) : NONE;
    this.sizes[i] = NaN;
    this.lines[i] = r.line;
    this.columns[i] = r.column;
    this.endColumns[i] = r.endColumn;
    this.whole.set(i, op);
  }

  /** The table, trimmed to its ops. */
  finish(): OpTable {
    if (this.n < this.kinds.length) this.resize((a) => a.slice(0, this.n) as typeof a);
    return this;
  }

  /** Makes room for one more op; returns its index. */
  private grow(): number {
    if (this.n === this.kinds.length) this.resize((a) => grown(a, Math.max(16, 2 * this.n)));
    return this.n++;
  }

  /** Replaces every column with `f` of it. */
  private resize(f: <T extends Uint8Array | Int32Array | Float64Array>(a: T) => T): void {
    this.kinds = f(this.kinds);
    this.ptrs = f(this.ptrs);
    this.froms = f(this.froms);
    this.sizes = f(this.sizes);
    this.lines = f(this.lines);
    this.columns = f(this.columns);
    this.endColumns = f(this.endColumns);
  }
}
