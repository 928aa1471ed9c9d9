// An operation's record as an allocator fills it in (returned as its OpResult), and the
// driver-side checks of its arguments that need nothing but the arguments: request sizes, and
// whether a pointer may be freed or reallocated.

import { HeapFault, hex } from './memory';
import type { PointerStatus } from './ledger';
import type { HeapEvent, OpKind, OpProblem, OpProblemCode, RequestSize, Severity } from './results';

/** The largest size_t. */
export const MAX_REQUEST = 2n ** 64n - 1n;

/** The mutable record an operation fills in; returned as its OpResult. */
export interface OpRecorder {
  op: OpKind;
  requestSize: number;
  ptr: number | null;
  block: { addr: number; size: number } | null;
  examined: number;
  events: HeapEvent[];
  problem: OpProblem | null;
  /** A request beyond 2^53 as the caller wrote it (exact), for messages; unset for smaller ones. */
  requestText?: string;
}

/** The events of an op that has none yet (shared, hence frozen: add events with `emit`). */
export const NO_EVENTS = Object.freeze([]) as unknown as HeapEvent[];

/** Adds an event to an op's record (most ops have one or two: no array is made for none). */
export function emit(rec: Pick<OpRecorder, 'events'>, event: HeapEvent): void {
  if (rec.events === NO_EVENTS) rec.events = [event];
  else rec.events.push(event);
}

export function problem(code: OpProblemCode, severity: Severity, message: string): OpProblem {
  return { code, severity, message };
}

/** How a NULL message quotes the call, e.g. `calloc(4, 8)`. */
export function callText(fn: OpKind, a: RequestSize | 'NULL', b?: RequestSize): string {
  return `${fn}(${String(a)}${b === undefined ? '' : `, ${String(b)}`})`;
}

export function newRecord(op: OpKind): OpRecorder {
  return { op, requestSize: 0, ptr: null, block: null, examined: 0, events: NO_EVENTS, problem: null };
}

/** An op that threw: a corrupted heap the walk ran into, or a bug in the engine. */
export function fault(rec: OpRecorder, err: unknown): void {
  if (rec.op !== 'free' && rec.op !== 'write') rec.ptr = null;
  rec.problem =
    err instanceof HeapFault
      ? problem('heap-fault', 'error', `The heap is corrupted: ${err.message}. The ${rec.op} could not finish.`)
      : problem('engine-error', 'error', `Internal engine error during ${rec.op}: ${err instanceof Error ? err.message : String(err)}`);
}

/** A request size as an exact-enough number, or null with an invalid-size problem. */
export function requestSizeOf(size: RequestSize, rec: OpRecorder, what: string): number | null {
  // 2^64 - 1 is not a double: every integral double below 2^64 is a legal size_t.
  const ok = typeof size === 'bigint' ? size >= 0n && size <= MAX_REQUEST : Number.isInteger(size) && size >= 0 && size < 2 ** 64;
  if (!ok) {
    rec.problem = problem('invalid-size', 'error', `${what} size ${String(size)} is not a byte count from 0 to 2^64-1.`);
    return null;
  }
  const n = Number(size);
  rec.requestSize = n;
  // A size past 2^53 is not exact as a number: messages quote the original.
  if (typeof size === 'bigint') rec.requestText = String(size);
  return n;
}

/** Whether `ptr`, of ledger status `status`, may be freed or reallocated; otherwise the op's problem says why. */
export function requireLive(status: PointerStatus, ptr: number, rec: OpRecorder, call: 'free' | 'realloc'): boolean {
  if (status === 'live') return true;
  if (status === 'freed') {
    rec.problem =
      call === 'free'
        ? problem('double-free', 'error', `Double free: ${hex(ptr)} was already freed. Nothing was done.`)
        : problem('use-after-free', 'error', `realloc of ${hex(ptr)}, which was already freed. Nothing was done.`);
  } else {
    rec.problem = problem(
      'invalid-pointer',
      'error',
      `${call}(${hex(ptr)}): that pointer was never returned by malloc, calloc or realloc. Nothing was done.`,
    );
  }
  rec.ptr = call === 'free' ? ptr : null;
  return false;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type EventOf<T extends HeapEvent['type']> = Mutable<Extract<HeapEvent, { type: T }>>;

/**
 * The events nearly every op makes (placed, freed, coalesced, extended), added to an op's record
 * as the allocator's mode says: none when quiet; a new object each otherwise; and, recycling, the
 * same few objects rewritten op after op (valid, like the record, until the next op), so that a
 * replay with history makes no object per op for them (docs/performance.md, "No object per op").
 */
export class EventSink {
  /** Compared with true where ops test it (see AllocatorBase.begin). */
  quiet = false;
  recycling = false;
  private readonly placedPool: EventOf<'placed'>[] = [];
  private readonly freedPool: EventOf<'freed'>[] = [];
  private readonly coalescedPool: EventOf<'coalesced'>[] = [];
  private readonly extendedPool: EventOf<'extended'>[] = [];
  /** How many of each pool's objects this op has used: placed, freed, coalesced, extended. */
  private readonly used = new Int32Array(4);

  /** A new op begins: the pools' objects may be rewritten. */
  reset(): void {
    this.used.fill(0);
  }

  placed(rec: Pick<OpRecorder, 'events'>, addr: number, size: number, asize: number, remainder: number): void {
    if (this.quiet === true) return;
    const e = this.take(this.placedPool, 0, 'placed');
    e.addr = addr;
    e.size = size;
    e.asize = asize;
    e.remainder = remainder;
    emit(rec, e);
  }

  freed(rec: Pick<OpRecorder, 'events'>, addr: number, size: number): void {
    if (this.quiet === true) return;
    const e = this.take(this.freedPool, 1, 'freed');
    e.addr = addr;
    e.size = size;
    emit(rec, e);
  }

  coalesced(rec: Pick<OpRecorder, 'events'>, addr: number, size: number, withPrev: number, withNext: number): void {
    if (this.quiet === true) return;
    const e = this.take(this.coalescedPool, 2, 'coalesced');
    e.addr = addr;
    e.size = size;
    e.withPrev = withPrev;
    e.withNext = withNext;
    emit(rec, e);
  }

  extended(rec: Pick<OpRecorder, 'events'>, addr: number, size: number, oldBreak: number, newBreak: number): void {
    if (this.quiet === true) return;
    const e = this.take(this.extendedPool, 3, 'extended');
    e.addr = addr;
    e.size = size;
    e.oldBreak = oldBreak;
    e.newBreak = newBreak;
    emit(rec, e);
  }

  /** A new event object; recycling, the pool's next one for this op, made the first time the pool is that deep. */
  private take<E extends { type: HeapEvent['type'] }>(pool: E[], which: number, type: E['type']): E {
    if (this.recycling !== true) return { type } as E;
    const k = this.used[which]!++;
    if (k === pool.length) pool.push({ type } as E);
    return pool[k]!;
  }
}
