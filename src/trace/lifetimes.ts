// Pointer lifetimes, found statically from the ops alone: which op allocated the block each op
// touches, and the trace-level errors and warnings of allocator reference 2b (free or realloc of
// a pointer never allocated or already freed, double free, a live pointer overwritten = a leak,
// malloc(0)). Whether a malloc returns NULL is the replay's business, not this pass's.

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

/** `freed.at` is the op after which the pointer no longer points to a live block (a free, or a realloc that handed the block on). */
type SlotState = { readonly kind: 'unused' } | { readonly kind: 'live'; readonly lifetime: number } | { readonly kind: 'freed'; readonly lifetime: number; readonly at: number };

/** `describe(slot)` names a pointer in messages, e.g. `id 3` or `p`. */
export function analyzeLifetimes(ops: readonly TraceOp[], describe: (slot: Slot) => string): LifetimeAnalysis {
  const lifetimes: Lifetime[] = [];
  const lifetimeOfOp = new Int32Array(ops.length).fill(-1);
  const invalidUse = new Uint8Array(ops.length);
  const diagnostics: Diagnostic[] = [];
  const state = new Map<Slot, SlotState>();
  const name = describe;

  const where = (opIndex: number, message: string): RelatedInformation => ({ range: ops[opIndex]!.range, message });
  const history = (t: Lifetime): RelatedInformation[] => {
    const related = [where(t.start, `${name(t.slot)} was allocated here`)];
    for (const r of t.reallocs) related.push(where(r, `and resized here`));
    if (t.end >= 0) related.push(where(t.end, `and freed here`));
    return related;
  };

  const warnIfLive = (slot: Slot, i: number): void => {
    const old = state.get(slot);
    if (old?.kind === 'live') {
      const t = lifetimes[old.lifetime]!;
      diagnostics.push({
        range: ops[i]!.range,
        severity: 'warning',
        code: 'leak',
        message: `${name(slot)} still holds a live block (allocated on line ${ops[t.start]!.range.line}); overwriting it leaks that block.`,
        related: [where(t.start, `the leaked block was allocated here`)],
      });
    }
  };

  const begin = (slot: Slot, i: number): void => {
    warnIfLive(slot, i);
    lifetimes.push({ slot, start: i, reallocs: [], end: -1 });
    lifetimeOfOp[i] = lifetimes.length - 1;
    state.set(slot, { kind: 'live', lifetime: lifetimes.length - 1 });
  };

  /** Checks that `slot` holds a live block for `use`; returns its lifetime or -1 after a diagnostic. */
  const requireLive = (slot: Slot, i: number, use: string): number => {
    const s = state.get(slot) ?? { kind: 'unused' as const };
    if (s.kind === 'live') return s.lifetime;
    invalidUse[i] = 1;
    if (s.kind === 'unused') {
      diagnostics.push({ range: ops[i]!.range, severity: 'error', code: 'unknown-pointer', message: `${use} of ${name(slot)}, which was never allocated.` });
      return -1;
    }
    const t = lifetimes[s.lifetime]!;
    const ended = ops[s.at]!;
    const when = ended.kind === 'realloc' && ended.size > 0n
      ? `was handed to realloc on line ${ended.range.line}; use the pointer realloc returned`
      : `was ${use === 'free' ? 'already ' : ''}freed on line ${ended.range.line}`;
    diagnostics.push(
      use === 'free'
        ? { range: ops[i]!.range, severity: 'error', code: 'double-free', message: `Double free: ${name(slot)} ${when}.`, related: history(t) }
        : { range: ops[i]!.range, severity: 'error', code: 'freed-pointer', message: `${use} of ${name(slot)}, which ${when} (use after free).`, related: history(t) },
    );
    lifetimeOfOp[i] = s.lifetime;
    return -1;
  };

  const zeroSize = (i: number, call: string): void => {
    diagnostics.push({ range: ops[i]!.range, severity: 'warning', code: 'zero-size', message: `${call} asks for 0 bytes: it returns NULL and no block is allocated.` });
  };

  ops.forEach((op, i) => {
    switch (op.kind) {
      case 'malloc':
      case 'calloc':
        if (op.size === 0n || (op.kind === 'calloc' && op.count === 0n)) zeroSize(i, op.kind);
        begin(op.ptr, i);
        break;
      case 'realloc': {
        if (op.from === null) {
          if (op.size === 0n) zeroSize(i, 'realloc(NULL, 0)');
          begin(op.ptr, i);
          break;
        }
        const life = requireLive(op.from, i, 'realloc');
        if (life < 0) {
          state.set(op.ptr, { kind: 'unused' });
          break;
        }
        const t = lifetimes[life]!;
        lifetimeOfOp[i] = life;
        state.set(op.from, { kind: 'freed', lifetime: life, at: i });
        if (op.size === 0n) {
          t.end = i; // realloc(p, 0) frees p
          break;
        }
        t.reallocs.push(i);
        if (op.ptr !== op.from) warnIfLive(op.ptr, i);
        t.slot = op.ptr; // the block lives on under the realloc's result
        state.set(op.ptr, { kind: 'live', lifetime: life });
        break;
      }
      case 'free': {
        if (op.ptr === null) break;
        const life = requireLive(op.ptr, i, 'free');
        if (life < 0) break;
        lifetimeOfOp[i] = life;
        lifetimes[life]!.end = i;
        state.set(op.ptr, { kind: 'freed', lifetime: life, at: i });
        break;
      }
      case 'write':
      case 'fill': {
        const life = requireLive(op.ptr, i, op.kind);
        if (life >= 0) lifetimeOfOp[i] = life;
        break;
      }
    }
  });
  return { lifetimes, lifetimeOfOp, invalidUse, diagnostics };
}
