// Op application: runs one op of a trace against an allocator with C's semantics (a freed pointer
// dangles in its slot), the one step both the run recorder and the history's cursor take.

import type { Allocator } from '../engine/allocator';
import type { OpResult } from '../engine/results';
import type { DiagnosticCode, Slot, Trace, TraceOpKind } from './model';
import { engineSize } from './numbers';
import type { OpTable } from './opTable';

/** A slot that holds no pointer (never assigned, NULL, or forgotten after a free). */
export const NO_PTR = -1;

const LIFETIME_ERRORS = new Set<DiagnosticCode>(['unknown-pointer', 'freed-pointer', 'double-free']);

/**
 * Whether a slot's pointer can be forgotten after a valid free: it is read again only by an
 * erroneous op, which a trace without lifetime errors has none of (checkpoints stay small).
 */
export function clearsOnFree(trace: Trace): boolean {
  return !trace.diagnostics.some((d) => LIFETIME_ERRORS.has(d.code));
}

/** The pointer op `i` works on (realloc's old block, free's and a write's pointer), or null. */
export function inputPointer(ops: OpTable, i: number, slots: Int32Array): number | null {
  const kind = ops.kind(i);
  return heldPointer(slots, inputSlot(kind, ops.ptr(i), kind === 'realloc' ? ops.from(i) : null));
}

/** The slot an op of `kind` reads its pointer from, of its slot `ptr` and realloc's `from`: null for malloc and calloc. */
export function inputSlot(kind: TraceOpKind, ptr: Slot | null, from: Slot | null): Slot | null {
  return kind === 'realloc' ? from : kind === 'malloc' || kind === 'calloc' ? null : ptr;
}

/** The pointer `slot` holds, or null (no slot, or NO_PTR). */
export function heldPointer(slots: Int32Array, slot: Slot | null): number | null {
  if (slot === null) return null;
  const p = slots[slot] ?? NO_PTR;
  return p === NO_PTR ? null : p;
}

/**
 * Runs op `i` against an allocator and updates the slots (C semantics: a freed pointer dangles).
 * `input`: the op's `inputPointer`, when the caller has it already.
 */
export function applyOp(heap: Allocator, ops: OpTable, i: number, slots: Int32Array, clearOnFree: boolean, input = inputPointer(ops, i, slots)): OpResult {
  const kind = ops.kind(i);
  return applyDecoded(heap, ops, i, kind, ops.ptr(i), kind === 'realloc' ? ops.from(i) : null, slots, clearOnFree, input);
}

/**
 * `applyOp` with op `i`'s kind, slot (`ptr`; null only for free(NULL)), realloc's old slot
 * (`from`) and input pointer read already: the run recorder reads each once an op
 * (docs/performance.md, "At scale").
 */
export function applyDecoded(heap: Allocator, ops: OpTable, i: number, kind: TraceOpKind, ptr: Slot | null, from: Slot | null, slots: Int32Array, clearOnFree: boolean, input: number | null): OpResult {
  let result: OpResult;
  switch (kind) {
    case 'malloc':
      result = heap.malloc(ops.requestSize(i));
      slots[ptr!] = result.ptr ?? NO_PTR;
      return result;
    case 'realloc': {
      const size = ops.requestSize(i);
      // realloc of a name never assigned is an error found when the trace was read; it must not
      // be taken for realloc(NULL, n) and allocate.
      result = input === null && from !== null && !ops.assignedBefore(from, i) ? unknownRealloc() : heap.realloc(input, size);
      // The old pointer dangles only when realloc let go of its block (moved it, or freed it for a
      // size of 0); one that returned NULL for a bigger size left the block where it was.
      if (clearOnFree === true && from !== null && (result.ptr !== null || size === 0)) slots[from] = NO_PTR;
      slots[ptr!] = result.ptr ?? NO_PTR;
      return result;
    }
    case 'free':
      result = heap.free(input);
      if (clearOnFree === true && ptr !== null) slots[ptr] = NO_PTR;
      return result;
  }
  // calloc, write and fill: the table keeps them whole.
  const op = ops.at(i);
  switch (op.kind) {
    case 'calloc':
      result = heap.calloc(engineSize(op.count), engineSize(op.size));
      slots[op.ptr] = result.ptr ?? NO_PTR;
      return result;
    case 'write':
    case 'fill':
      if (input === null) return nullWrite(op.kind);
      return op.kind === 'write' ? heap.write(input, op.offset, op.bytes) : heap.fill(input, op.offset, op.length, op.byte);
    default:
      throw new Error(`op ${i} is a ${op.kind}, not a ${kind}`);
  }
}

function unknownRealloc(): OpResult {
  return {
    op: 'realloc',
    requestSize: 0,
    ptr: null,
    block: null,
    examined: 0,
    events: [],
    problem: { code: 'invalid-pointer', severity: 'error', message: 'realloc of a pointer that was never assigned. Nothing was done.' },
  };
}

function nullWrite(kind: 'write' | 'fill'): OpResult {
  return {
    op: 'write',
    requestSize: 0,
    ptr: null,
    block: null,
    examined: 0,
    events: [],
    problem: { code: 'invalid-pointer', severity: 'error', message: `${kind} through a NULL pointer: a real program would crash here. Nothing was written.` },
  };
}
