// Pointer lifetimes, found statically from the ops alone: which op allocated the block each op
// touches, and the trace-level errors and warnings of allocator reference 2b (free or realloc of
// a pointer never allocated or already freed, double free, a live pointer overwritten = a leak,
// malloc(0)). Whether a malloc returns NULL is the replay's business, not this pass's.
// The pass runs op by op (`LifetimeTracker`), so a parser can feed it while it reads a long trace.

import type { Diagnostic, RelatedInformation, Slot, TraceOp } from './model';

/** One block's life in the trace: allocated, maybe moved by realloc, maybe freed. */
export interface Lifetime {
  /** The pointer holding the block now (realloc may hand it to another name). */
  slot: Slot;
  /** The op that allocated it (malloc, calloc or realloc(NULL, n)). */
  readonly start: number;
  /** Reallocs that resized or moved it, in order. */
  readonly reallocs: number[];
  /** The op that freed it (free or realloc(p, 0)), or -1 while it lives to the end. */
  end: number;
}

export interface LifetimeAnalysis {
  readonly lifetimes: readonly Lifetime[];
  /** For each op, the lifetime it belongs to, or -1 (free(NULL), or a use of an unknown pointer). */
  readonly lifetimeOfOp: Int32Array;
  /** 1 for each op that uses a pointer never allocated or no longer live (already reported). */
  readonly invalidUse: Uint8Array;
  readonly diagnostics: readonly Diagnostic[];
}

/** `describe(slot)` names a pointer in messages, e.g. `id 3` or `p`. */
export function analyzeLifetimes(ops: readonly TraceOp[], describe: (slot: Slot) => string): LifetimeAnalysis {
  const tracker = new LifetimeTracker(ops, describe);
  tracker.catchUp();
  return tracker.finish();
}

// What a slot holds: nothing yet, a live block, or a pointer no longer live (freed, or handed to realloc).
const UNUSED = 0;
const LIVE = 1;
const FREED = 2;

/**
 * The lifetime pass one op at a time: `catchUp()` analyses the ops appended to `ops` since the
 * last call (a parser appends as it reads), `finish()` gives the analysis of all of them.
 * Per-slot state lives in typed arrays, so a million-op trace costs no object per op beyond its
 * lifetimes and diagnostics.
 */
export class LifetimeTracker {
  private readonly lifetimes: Lifetime[] = [];
  private readonly diagnostics: Diagnostic[] = [];
  private lifetimeOfOp = new Int32Array(1024).fill(-1);
  private invalidUse = new Uint8Array(1024);
  /** UNUSED, LIVE or FREED per slot. */
  private kind = new Uint8Array(64);
  /** The slot's lifetime (LIVE or FREED). */
  private lifetime = new Int32Array(64);
  /** FREED: the op after which the pointer no longer points to a live block (a free, or a realloc that handed the block on). */
  private at = new Int32Array(64);
  private analysed = 0;

  constructor(
    private readonly ops: readonly TraceOp[],
    private readonly name: (slot: Slot) => string,
  ) {}

  /** Analyses every op appended since the last call. */
  catchUp(): void {
    const ops = this.ops;
    if (ops.length > this.lifetimeOfOp.length) this.growOps(ops.length);
    for (let i = this.analysed; i < ops.length; i++) this.add(ops[i]!, i);
    this.analysed = ops.length;
  }

  /** The analysis of every op so far (call `catchUp()` first). */
  finish(): LifetimeAnalysis {
    const n = this.analysed;
    return { lifetimes: this.lifetimes, lifetimeOfOp: this.lifetimeOfOp.slice(0, n), invalidUse: this.invalidUse.slice(0, n), diagnostics: this.diagnostics };
  }

  private add(op: TraceOp, i: number): void {
    switch (op.kind) {
      case 'malloc':
      case 'calloc':
        if (op.size === 0n || (op.kind === 'calloc' && op.count === 0n)) this.zeroSize(i, op.kind);
        this.begin(op.ptr, i);
        break;
      case 'realloc': {
        if (op.from === null) {
          if (op.size === 0n) this.zeroSize(i, 'realloc(NULL, 0)');
          this.begin(op.ptr, i);
          break;
        }
        const life = this.requireLive(op.from, i, 'realloc');
        if (life < 0) {
          this.set(op.ptr, UNUSED, 0, 0);
          break;
        }
        const t = this.lifetimes[life]!;
        this.lifetimeOfOp[i] = life;
        this.set(op.from, FREED, life, i);
        if (op.size === 0n) {
          t.end = i; // realloc(p, 0) frees p
          break;
        }
        t.reallocs.push(i);
        if (op.ptr !== op.from) this.warnIfLive(op.ptr, i);
        t.slot = op.ptr; // the block lives on under the realloc's result
        this.set(op.ptr, LIVE, life, 0);
        break;
      }
      case 'free': {
        if (op.ptr === null) break;
        const life = this.requireLive(op.ptr, i, 'free');
        if (life < 0) break;
        this.lifetimeOfOp[i] = life;
        this.lifetimes[life]!.end = i;
        this.set(op.ptr, FREED, life, i);
        break;
      }
      case 'write':
      case 'fill': {
        const life = this.requireLive(op.ptr, i, op.kind);
        if (life >= 0) this.lifetimeOfOp[i] = life;
        break;
      }
    }
  }

  private where(opIndex: number, message: string): RelatedInformation {
    return { range: this.ops[opIndex]!.range, message };
  }

  private history(t: Lifetime): RelatedInformation[] {
    const related = [this.where(t.start, `${this.name(t.slot)} was allocated here`)];
    for (const r of t.reallocs) related.push(this.where(r, `and resized here`));
    if (t.end >= 0) related.push(this.where(t.end, `and freed here`));
    return related;
  }

  private warnIfLive(slot: Slot, i: number): void {
    if (this.kindOf(slot) !== LIVE) return;
    const t = this.lifetimes[this.lifetime[slot]!]!;
    this.diagnostics.push({
      range: this.ops[i]!.range,
      severity: 'warning',
      code: 'leak',
      message: `${this.name(slot)} still holds a live block (allocated on line ${this.ops[t.start]!.range.line}); overwriting it leaks that block.`,
      related: [this.where(t.start, `the leaked block was allocated here`)],
    });
  }

  private begin(slot: Slot, i: number): void {
    this.warnIfLive(slot, i);
    this.lifetimes.push({ slot, start: i, reallocs: [], end: -1 });
    this.lifetimeOfOp[i] = this.lifetimes.length - 1;
    this.set(slot, LIVE, this.lifetimes.length - 1, 0);
  }

  /** Checks that `slot` holds a live block for `use`; returns its lifetime or -1 after a diagnostic. */
  private requireLive(slot: Slot, i: number, use: string): number {
    const kind = this.kindOf(slot);
    if (kind === LIVE) return this.lifetime[slot]!;
    this.invalidUse[i] = 1;
    const ops = this.ops;
    if (kind === UNUSED) {
      this.diagnostics.push({ range: ops[i]!.range, severity: 'error', code: 'unknown-pointer', message: `${use} of ${this.name(slot)}, which was never allocated.` });
      return -1;
    }
    const life = this.lifetime[slot]!;
    const t = this.lifetimes[life]!;
    const ended = ops[this.at[slot]!]!;
    const when = ended.kind === 'realloc' && ended.size > 0n
      ? `was handed to realloc on line ${ended.range.line}; use the pointer realloc returned`
      : `was ${use === 'free' ? 'already ' : ''}freed on line ${ended.range.line}`;
    this.diagnostics.push(
      use === 'free'
        ? { range: ops[i]!.range, severity: 'error', code: 'double-free', message: `Double free: ${this.name(slot)} ${when}.`, related: this.history(t) }
        : { range: ops[i]!.range, severity: 'error', code: 'freed-pointer', message: `${use} of ${this.name(slot)}, which ${when} (use after free).`, related: this.history(t) },
    );
    this.lifetimeOfOp[i] = life;
    return -1;
  }

  private zeroSize(i: number, call: string): void {
    this.diagnostics.push({ range: this.ops[i]!.range, severity: 'warning', code: 'zero-size', message: `${call} asks for 0 bytes: it returns NULL and no block is allocated.` });
  }

  private kindOf(slot: Slot): number {
    return slot < this.kind.length ? this.kind[slot]! : UNUSED;
  }

  private set(slot: Slot, kind: number, lifetime: number, at: number): void {
    if (slot >= this.kind.length) this.growSlots(slot + 1);
    this.kind[slot] = kind;
    this.lifetime[slot] = lifetime;
    this.at[slot] = at;
  }

  private growSlots(min: number): void {
    const size = Math.max(min, this.kind.length * 2);
    const kind = new Uint8Array(size);
    kind.set(this.kind);
    const lifetime = new Int32Array(size);
    lifetime.set(this.lifetime);
    const at = new Int32Array(size);
    at.set(this.at);
    this.kind = kind;
    this.lifetime = lifetime;
    this.at = at;
  }

  private growOps(min: number): void {
    const size = Math.max(min, this.lifetimeOfOp.length * 2);
    const lifetimeOfOp = new Int32Array(size).fill(-1);
    lifetimeOfOp.set(this.lifetimeOfOp);
    const invalidUse = new Uint8Array(size);
    invalidUse.set(this.invalidUse);
    this.lifetimeOfOp = lifetimeOfOp;
    this.invalidUse = invalidUse;
  }
}
