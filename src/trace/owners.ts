// Who owns each block of a replayed heap: the pointer that last handed out its payload, that
// pointer's name, the line that allocated it and the line that frees it later, and the bytes it
// asked for. Pointer lifetimes are indexed once per run, so a step's owners cost a pass over its
// blocks rather than over the ops.

import { BLOCK_STATUSES, type HeapColumns } from '../engine/results';
import { upperBound } from '../shared/bisect';
import { idsOf } from './idNames';
import { hasIds } from './model';
import type { Replay } from './replay';

/** The owner columns of one step's blocks (see HeapState). */
export interface OwnerColumns {
  readonly owners: Int32Array;
  readonly ownerNames: readonly string[] | null;
  readonly allocLines: Int32Array;
  readonly freeLines: Int32Array;
  readonly requested: Float64Array;
}

const ALLOCATED = BLOCK_STATUSES.indexOf('allocated');
const ALLOCATING = new Set(['malloc', 'calloc', 'realloc']);
/** Ops a (pointer, op) key can number: 2^23, so that keys of pointers below 1 GiB stay exact. */
const OP_SPAN = 2 ** 23;

/** Every op that handed a pointer out, in (pointer, op) order, with its lifetime and name beside it. */
interface HandedOut {
  /** pointer * OP_SPAN + op, ascending. */
  readonly keys: Float64Array;
  readonly lives: Int32Array;
  /** The name the pointer went to (-1: none). */
  readonly slots: Int32Array;
}

/** The owners of a replay's heaps, step by step. One per replay; it follows the replay as it grows. */
export class OwnerIndex {
  private handed: { recorded: number; handed: HandedOut | null } | null = null;
  /** A .rep trace's id in each slot, made once (empty for a .heap script, whose slots have names). */
  private ids: Int32Array | null = null;

  constructor(private readonly replay: Replay) {}

  /**
   * Per block of `c` (the heap after op `i`): the pointer that owns it (the last malloc, calloc
   * or realloc at or before op `i` that returned its payload), its lines and requested bytes.
   */
  ownersAt(i: number, c: HeapColumns, live: ReadonlyMap<number, number>): OwnerColumns {
    const { replay } = this;
    const { trace } = replay;
    const n = c.count;
    const requested = new Float64Array(n);
    const lives = new Int32Array(n).fill(-1);
    const slotOf = new Int32Array(n).fill(-1);
    this.lifeAndSlot(i, c, live, requested, lives, slotOf);
    const analysis = replay.lifetimes;
    const lifetimes = analysis.lifetimes;
    const ids = this.idsOf();
    const owners = new Int32Array(n).fill(-1);
    const allocLines = new Int32Array(n);
    const freeLines = new Int32Array(n);
    // A .heap script's owners index the names this step uses; a .rep trace's are its ids.
    const used = hasIds(trace.format) ? null : { names: [] as string[], index: new Map<number, number>() };
    for (let k = 0; k < n; k++) {
      const life = lives[k]!;
      if (life < 0 || life >= lifetimes.count) continue;
      const slot = slotOf[k]! >= 0 ? slotOf[k]! : lifetimes.slot(life);
      if (used === null) {
        owners[k] = ids[slot] ?? -1;
      } else {
        let at = used.index.get(slot);
        if (at === undefined) {
          at = used.names.push(trace.names[slot] ?? '?') - 1;
          used.index.set(slot, at);
        }
        owners[k] = at;
      }
      // Looked up per block of the step (a window's at most), not kept per lifetime: a trace of
      // millions of blocks would hold 8 bytes more for each (docs/memory.md, "The history of a long trace").
      allocLines[k] = trace.ops.line(lifetimes.start(life));
      const end = lifetimes.end(life);
      freeLines[k] = end >= 0 ? trace.ops.line(end) : 0;
    }
    return { owners, ownerNames: used?.names ?? null, allocLines, freeLines, requested };
  }

  /**
   * The line that freed the payload at `ptr` last, at or before op `i` (null: it was never handed
   * out, or it is live): for a story that names where a reused block came from.
   */
  freedLineOf(ptr: number, i: number): number | null {
    const handed = this.handedOut();
    if (handed === null) return null;
    const j = firstAbove(handed.keys, 0, ptr * OP_SPAN + i);
    if (j === 0 || Math.floor(handed.keys[j - 1]! / OP_SPAN) !== ptr) return null;
    const life = handed.lives[j - 1]!;
    const { lifetimes } = this.replay.lifetimes;
    if (life < 0 || life >= lifetimes.count) return null;
    const end = lifetimes.end(life);
    return end >= 0 && end <= i ? this.replay.trace.ops.line(end) : null;
  }

  /** Fills each live allocated block's requested bytes, lifetime and name. */
  private lifeAndSlot(i: number, c: HeapColumns, live: ReadonlyMap<number, number>, requested: Float64Array, lives: Int32Array, slots: Int32Array): void {
    const { replay } = this;
    const handed = this.handedOut();
    let last: Map<number, number> | null = null;
    if (handed === null) {
      // A trace too long for the keys: one pass over the ops instead.
      last = new Map<number, number>();
      for (let at = 0; at <= i; at++) {
        const ptr = this.handedOutBy(at);
        if (ptr !== null) last.set(ptr, at);
      }
    }
    const { lifetimeOfOp } = replay.lifetimes;
    // Blocks come in address order and the keys are sorted: a search that gallops on from where the
    // last one ended, and reads the keys' lifetimes and names in order too (looking them up by op,
    // at random places in arrays of megabytes, would miss the cache at every block).
    let j = 0;
    for (let k = 0; k < c.count; k++) {
      if (c.status[k] !== ALLOCATED) continue;
      const ptr = c.payloadAddrs[k]!;
      const size = live.get(ptr);
      if (size === undefined) continue;
      requested[k] = size;
      if (handed === null) {
        const at = last!.get(ptr);
        if (at === undefined) continue;
        lives[k] = lifetimeOfOp[at] ?? -1;
        slots[k] = replay.trace.ops.ptr(at) ?? -1;
        continue;
      }
      // The last key <= (ptr, i).
      j = firstAbove(handed.keys, j, ptr * OP_SPAN + i);
      if (j > 0 && Math.floor(handed.keys[j - 1]! / OP_SPAN) === ptr) {
        lives[k] = handed.lives[j - 1]!;
        slots[k] = handed.slots[j - 1]!;
      }
    }
  }

  private idsOf(): Int32Array {
    const { trace } = this.replay;
    this.ids ??= hasIds(trace.format) ? (idsOf(trace.names) ?? Int32Array.from(trace.names, Number)) : new Int32Array(0);
    return this.ids;
  }

  /** The pointer op `at` handed out (malloc, calloc, realloc), or null. */
  private handedOutBy(at: number): number | null {
    return ALLOCATING.has(this.replay.trace.ops.kind(at)) ? this.replay.pointer(at) : null;
  }

  /** Every op that handed a pointer out so far (see HandedOut); null for traces too long for the keys. */
  private handedOut(): HandedOut | null {
    const { replay } = this;
    if (replay.recorded > OP_SPAN) return null;
    if (this.handed && this.handed.recorded === replay.recorded) return this.handed.handed;
    const unsorted: number[] = [];
    for (let at = 0; at < replay.recorded; at++) {
      const ptr = this.handedOutBy(at);
      if (ptr !== null && ptr < 2 ** 30) unsorted.push(ptr * OP_SPAN + at);
    }
    const keys = Float64Array.from(unsorted).sort();
    const lives = new Int32Array(keys.length);
    const slots = new Int32Array(keys.length);
    for (let j = 0; j < keys.length; j++) {
      const at = keys[j]! % OP_SPAN;
      lives[j] = replay.lifetimes.lifetimeOfOp[at] ?? -1;
      slots[j] = replay.trace.ops.ptr(at) ?? -1;
    }
    const handed = { keys, lives, slots };
    this.handed = { recorded: replay.recorded, handed };
    return handed;
  }
}

/** The first position at or after `from` whose key is above `target` (keys ascending). */
function firstAbove(keys: Float64Array, from: number, target: number): number {
  let lo = from;
  let hi = from;
  let step = 1;
  while (hi < keys.length && keys[hi]! <= target) {
    lo = hi + 1;
    hi += step;
    step *= 2;
  }
  return upperBound(keys, target, Math.min(hi, keys.length), lo);
}
