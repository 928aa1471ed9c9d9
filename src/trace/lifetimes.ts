// Pointer lifetimes: which op allocated the block each op touches, and the trace-level errors and
// warnings of docs/trace-formats.md (free or realloc of a pointer never allocated or already freed,
// double free, a live pointer overwritten = a leak, malloc(0)). Read from the ops alone, every
// allocation that can succeed is taken to; a replay that saw one return NULL runs the pass again
// with the outcomes it saw. The pass runs op by op (`LifetimeTracker`), so a parser can feed it
// while it reads a long trace.

import { grown, trimmed } from '../engine/typedArrays';
import { BoundedDiagnostics } from './diagnostics';
import { LifetimeBuilder, type Lifetimes } from './lifetimeTable';
import { MAX_SIZE, type Diagnostic, type RelatedInformation, type Slot } from './vocabulary';
import type { OpTable } from './opTable';

export { Lifetimes, type Lifetime } from './lifetimeTable';

export interface LifetimeAnalysis {
  readonly lifetimes: Lifetimes;
  /** For each op, the lifetime it belongs to, or -1 (free(NULL), or a use of an unknown pointer). */
  readonly lifetimeOfOp: Int32Array;
  /** 1 for each op that uses a pointer never allocated or no longer live (already reported). */
  readonly invalidUse: Uint8Array;
  readonly diagnostics: readonly Diagnostic[];
}

/** `describe(slot)` names a pointer in messages, e.g. `id 3` or `p`. */
export function analyzeLifetimes(ops: OpTable, describe: (slot: Slot) => string): LifetimeAnalysis {
  const tracker = new LifetimeTracker(ops, describe);
  tracker.catchUp();
  return tracker.finish(true);
}

// What a slot holds: nothing yet, a live block, a pointer no longer live (freed, or handed to
// realloc), or NULL (what malloc(0), a failed allocation and realloc(p, 0) return).
const UNUSED = 0;
const LIVE = 1;
const FREED = 2;
const NULL_PTR = 3;

/**
 * Whether an allocation op returns NULL whatever the heap: a request for 0 bytes (malloc(0),
 * calloc with a zero count or size, realloc(NULL, 0)) or a calloc whose count x size overflows
 * size_t. realloc(p, 0) of a live p also returns NULL, after freeing p; the pass handles it apart.
 */
export function alwaysNull(ops: OpTable, i: number): boolean {
  switch (ops.kind(i)) {
    case 'malloc':
      return ops.requestSize(i) === 0;
    case 'realloc':
      return ops.requestSize(i) === 0;
    case 'calloc': {
      const op = ops.at(i);
      return op.kind === 'calloc' && (op.count === 0n || op.size === 0n || op.count * op.size > MAX_SIZE);
    }
    default:
      return false;
  }
}

/**
 * The lifetime pass one op at a time: `catchUp()` analyses the ops appended to `ops` since the
 * last call (a parser appends as it reads), `finish()` gives the analysis of all of them.
 * Per-slot state and the lifetimes live in typed arrays, so a million-op trace costs no object
 * per op or per lifetime, only its diagnostics.
 *
 * Whether an allocation returns NULL decides what its pointer holds afterwards (a free of NULL is
 * legal; a failed realloc leaves the old block allocated). Read from the ops alone, only the
 * requests that always return NULL do (`alwaysNull`); every other allocation is taken to succeed.
 * A replay that saw an allocation fail runs the pass again with `returnedNull` telling which did
 * (see `Replay.lifetimes`), so every diagnostic that depends on an outcome follows the run.
 */
export class LifetimeTracker {
  private readonly lifetimes = new LifetimeBuilder();
  private readonly diagnostics = new BoundedDiagnostics();
  private lifetimeOfOp = new Int32Array(1024).fill(-1);
  private invalidUse = new Uint8Array(1024);
  /** UNUSED, LIVE, FREED or NULL_PTR per slot. */
  private kind = new Uint8Array(64);
  /** The slot's lifetime (LIVE or FREED). */
  private lifetime = new Int32Array(64);
  /** FREED: the op after which the pointer no longer points to a live block (a free, or a realloc that handed the block on). */
  private at = new Int32Array(64);
  private analysed = 0;

  /** `returnedNull(i)`: whether allocation op `i` returned NULL, as a replay saw it; without it, only `alwaysNull` ops do. */
  constructor(
    private readonly ops: OpTable,
    private readonly name: (slot: Slot) => string,
    private readonly returnedNull: ((i: number) => boolean) | null = null,
  ) {}

  /** Ops analysed so far. */
  get length(): number {
    return this.analysed;
  }

  /** Analyses every op appended since the last call, or up to op `end` (exclusive). */
  catchUp(end = this.ops.length): void {
    const stop = Math.min(end, this.ops.length);
    if (stop > this.lifetimeOfOp.length) this.growOps(stop);
    for (let i = this.analysed; i < stop; i++) this.add(i);
    this.analysed = Math.max(this.analysed, stop);
  }

  /**
   * Analyses op `i`, just appended (the ops before it first, if any are not analysed yet): a
   * malloc, a free, or a realloc of its own slot, of `size` bytes, as a `.rep` parser reads it.
   * The usual cases (a malloc into a slot not live, a free or realloc of a live one, no size 0)
   * are done here from what the parser read, without reading the op back; the rest as `catchUp`
   * does them (docs/performance.md, "At scale").
   */
  addRep(i: number, kind: 'malloc' | 'realloc' | 'free', slot: Slot, size: number): void {
    if (this.analysed !== i) this.catchUp(i);
    if (i >= this.lifetimeOfOp.length) this.growOps(i + 1);
    this.analysed = i + 1;
    const state = slot < this.kind.length ? this.kind[slot]! : UNUSED;
    if (kind === 'malloc') {
      if (state !== LIVE && size !== 0 && this.returnedNull === null) {
        const life = this.lifetimes.begin(slot, i);
        this.lifetimeOfOp[i] = life;
        this.set(slot, LIVE, life, 0);
        return;
      }
    } else if (state === LIVE && (kind === 'free' || (size !== 0 && this.returnedNull === null))) {
      const life = this.lifetime[slot]!;
      this.lifetimeOfOp[i] = life;
      if (kind === 'free') {
        this.lifetimes.free(life, i);
        this.set(slot, FREED, life, i);
      } else {
        // The slot stays live with the same lifetime: `add`'s free of the old pointer and take of the new one, on one slot.
        this.lifetimes.realloc(life, i, slot);
      }
      return;
    }
    this.add(i);
  }

  /**
   * The analysis of every op so far (call `catchUp()` first). The lifetimes, like the per-op
   * arrays, are a copy trimmed to size: ops analysed later (a parser may call this midway and
   * go on) do not change an analysis already handed out.
   */
  finish(last = false): LifetimeAnalysis {
    const n = this.analysed;
    // The last analysis (the parser's, at the end of the text) may keep the per-op arrays rather
    // than copy them, when they have little room left over (docs/memory.md, "A trace").
    const trim = <T extends Int32Array | Uint8Array>(a: T): T => (last ? trimmed(a, n) : (a.slice(0, n) as T));
    return { lifetimes: this.lifetimes.copy(last), lifetimeOfOp: trim(this.lifetimeOfOp), invalidUse: trim(this.invalidUse), diagnostics: this.diagnostics.all() };
  }

  /**
   * Makes room for `ops` ops in all, once, when the parser knows how many are coming, and for
   * `slots` pointers and as many lifetimes (a `.rep` header's ids, each allocated about once).
   */
  reserve(ops: number, slots = 0): void {
    if (ops > this.lifetimeOfOp.length) {
      this.lifetimeOfOp = grown(this.lifetimeOfOp, ops, -1);
      this.invalidUse = grown(this.invalidUse, ops);
    }
    if (slots > this.kind.length) this.growSlots(slots);
    this.lifetimes.reserve(slots);
  }

  /** The lifetime op `i` belongs to, or -1 (op `i` analysed). */
  lifetimeOf(i: number): number {
    return this.lifetimeOfOp[i] ?? -1;
  }

  /** Whether op `i` used a pointer never allocated or no longer live (already reported). */
  usedInvalid(i: number): boolean {
    return this.invalidUse[i] === 1;
  }

  /** The op that allocated lifetime `k`. */
  startOf(k: number): number {
    return this.lifetimes.start(k);
  }

  private nullAt(i: number): boolean {
    return alwaysNull(this.ops, i) || (this.returnedNull !== null && this.returnedNull(i));
  }

  private add(i: number): void {
    const ops = this.ops;
    const kind = ops.kind(i);
    // Every op but free(NULL) has a slot.
    const ptr = ops.ptr(i)!;
    switch (kind) {
      case 'malloc':
      case 'calloc':
        this.allocate(ptr, i, kind);
        break;
      case 'realloc': {
        const from = ops.from(i);
        if (from === null || this.kindOf(from) === NULL_PTR) {
          this.allocate(ptr, i, 'realloc(NULL, 0)'); // realloc(NULL, n) is malloc(n)
          break;
        }
        const life = this.requireLive(from, i, 'realloc');
        if (life < 0) {
          this.set(ptr, NULL_PTR, 0, 0); // nothing was done, and NULL returned
          break;
        }
        this.lifetimeOfOp[i] = life;
        if (ops.requestSize(i) === 0) {
          // realloc(p, 0) frees p and returns NULL.
          this.lifetimes.free(life, i);
          this.set(from, FREED, life, i);
          if (ptr !== from) this.warnIfLive(ptr, i);
          this.set(ptr, NULL_PTR, 0, 0);
          break;
        }
        if (this.nullAt(i)) {
          // A realloc that fails leaves the old block allocated, where `from` still points.
          this.lifetimes.realloc(life, i, from);
          if (ptr === from) this.lostByRealloc(from, life, i);
          else this.warnIfLive(ptr, i);
          this.set(ptr, NULL_PTR, 0, 0);
          break;
        }
        this.set(from, FREED, life, i);
        if (ptr !== from) this.warnIfLive(ptr, i);
        this.lifetimes.realloc(life, i, ptr); // the block lives on under the realloc's result
        this.set(ptr, LIVE, life, 0);
        break;
      }
      case 'free': {
        if (ops.ptr(i) === null || this.kindOf(ptr) === NULL_PTR) break; // free(NULL) does nothing
        const life = this.requireLive(ptr, i, 'free');
        if (life < 0) break;
        this.lifetimeOfOp[i] = life;
        this.lifetimes.free(life, i);
        this.set(ptr, FREED, life, i);
        break;
      }
      case 'write':
      case 'fill': {
        // A write through NULL is the replay's to report (it knows the pointer is NULL).
        if (this.kindOf(ptr) === NULL_PTR) break;
        const life = this.requireLive(ptr, i, kind);
        if (life >= 0) this.lifetimeOfOp[i] = life;
        break;
      }
    }
  }

  /** malloc, calloc or realloc(NULL, n) into `slot`: a new lifetime, or NULL; `call` names it in the warning about 0 bytes. */
  private allocate(slot: Slot, i: number, call: string): void {
    const op = this.ops.kind(i) === 'calloc' ? this.ops.at(i) : null;
    // A calloc that overflows size_t is the replay's to report, as the engine says it.
    if (this.ops.requestSize(i) === 0 || (op?.kind === 'calloc' && op.count === 0n)) this.zeroSize(i, call);
    this.warnIfLive(slot, i);
    if (this.nullAt(i)) {
      this.set(slot, NULL_PTR, 0, 0);
      return;
    }
    const life = this.lifetimes.begin(slot, i);
    this.lifetimeOfOp[i] = life;
    this.set(slot, LIVE, life, 0);
  }

  private where(opIndex: number, message: string): RelatedInformation {
    return { range: this.ops.range(opIndex), message };
  }

  private history(life: number): RelatedInformation[] {
    const t = this.lifetimes;
    const related = [this.where(t.start(life), `${this.name(t.slot(life))} was allocated here`)];
    for (const r of t.reallocs(life)) related.push(this.where(r, this.nullAt(r) ? 'a realloc here returned NULL and left it as it was' : `and resized here`));
    if (t.end(life) >= 0) related.push(this.where(t.end(life), `and freed here`));
    return related;
  }

  private warnIfLive(slot: Slot, i: number): void {
    if (this.kindOf(slot) !== LIVE) return;
    const start = this.lifetimes.start(this.lifetime[slot]!);
    this.diagnostics.push({
      range: this.ops.range(i),
      severity: 'warning',
      code: 'leak',
      message: `${this.name(slot)} still holds a live block (allocated on line ${this.ops.line(start)}); overwriting it leaks that block.`,
      related: [this.where(start, `the leaked block was allocated here`)],
    });
  }

  /** `p = realloc(p, n)` returned NULL: p's block is still allocated, and nothing points to it now. */
  private lostByRealloc(slot: Slot, life: number, i: number): void {
    const start = this.lifetimes.start(life);
    this.diagnostics.push({
      range: this.ops.range(i),
      severity: 'warning',
      code: 'leak',
      message: `This realloc returned NULL and ${this.name(slot)} was set to it, so the block it held (allocated on line ${this.ops.line(start)}, still allocated) is leaked.`,
      related: [this.where(start, `the leaked block was allocated here`)],
    });
  }

  /** Checks that `slot` holds a live block for `use`; returns its lifetime or -1 after a diagnostic. */
  private requireLive(slot: Slot, i: number, use: string): number {
    const kind = this.kindOf(slot);
    if (kind === LIVE) return this.lifetime[slot]!;
    this.invalidUse[i] = 1;
    const ops = this.ops;
    if (kind === UNUSED) {
      this.diagnostics.push({ range: ops.range(i), severity: 'error', code: 'unknown-pointer', message: `${use} of ${this.name(slot)}, which was never allocated.` });
      return -1;
    }
    const life = this.lifetime[slot]!;
    const ended = this.at[slot]!;
    const when = ops.kind(ended) === 'realloc' && ops.requestSize(ended) !== 0
      ? `was handed to realloc on line ${ops.line(ended)}; use the pointer realloc returned`
      : `was ${use === 'free' ? 'already ' : ''}freed on line ${ops.line(ended)}`;
    this.diagnostics.push(
      use === 'free'
        ? { range: ops.range(i), severity: 'error', code: 'double-free', message: `Double free: ${this.name(slot)} ${when}.`, related: this.history(life) }
        : { range: ops.range(i), severity: 'error', code: 'freed-pointer', message: `${use} of ${this.name(slot)}, which ${when} (use after free).`, related: this.history(life) },
    );
    this.lifetimeOfOp[i] = life;
    return -1;
  }

  private zeroSize(i: number, call: string): void {
    this.diagnostics.push({ range: this.ops.range(i), severity: 'warning', code: 'zero-size', message: `${call} asks for 0 bytes: it returns NULL and no block is allocated.` });
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
    this.kind = grown(this.kind, size);
    this.lifetime = grown(this.lifetime, size);
    this.at = grown(this.at, size);
  }

  private growOps(min: number): void {
    const size = Math.max(min, this.lifetimeOfOp.length * 2);
    this.lifetimeOfOp = grown(this.lifetimeOfOp, size, -1);
    this.invalidUse = grown(this.invalidUse, size);
  }
}
