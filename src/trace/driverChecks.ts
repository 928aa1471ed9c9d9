// mdriver's checks on every op of a run: payloads aligned, inside the heap, not overlapping, and
// realloc keeping min(old, new) bytes (compared in bulk); and mdriver's fill of every new payload
// with its id's low byte, which the realloc check then looks for.

import type { Allocator } from '../engine/allocator';
import type { HeapConfig } from '../engine/config';
import { hex, PAGE_SIZE, type KeptBytes } from '../engine/memory';
import type { OpResult } from '../engine/results';
import { idLowBytes } from './idNames';
import { LiveRanges } from './liveRanges';
import { hasIds, type Diagnostic, type DiagnosticCode, type Slot, type Trace, type TraceOpKind } from './model';
import type { OpTable } from './opTable';

const NO_VIOLATIONS: Diagnostic[] = [];

/** mdriver's fill byte per slot: the low byte of the `.rep` id (or of the slot number). */
function fillPatterns(trace: Trace, slots: number): Uint8Array {
  return hasIds(trace.format) ? idLowBytes(trace.names, slots) : Uint8Array.from({ length: slots }, (_, slot) => slot & 0xff);
}

/** mdriver fills every new payload with the low byte of its id; returns the byte, or null when nothing was filled. */
export function fillNewPayload(heap: Allocator, ops: OpTable, i: number, result: OpResult, patterns: Uint8Array): number | null {
  const kind = ops.kind(i);
  if (!fills(kind, result)) return null;
  const byte = patterns[ops.ptr(i)!]!;
  fillPayload(heap, result, byte);
  return byte;
}

/** Whether mdriver fills the payload an op of `kind` returned (a malloc's or a realloc's). */
function fills(kind: TraceOpKind, result: OpResult): boolean {
  return result.ptr !== null && (kind === 'malloc' || kind === 'realloc');
}

/**
 * Fills the payload `result` returned with `byte`; the first `skip` bytes are left as they are
 * when the byte is `skipByte` (they hold it already).
 */
function fillPayload(heap: Allocator, result: OpResult, byte: number, skip = 0, skipByte = -1): void {
  // Not in a payload of a page or more, whose whole pages a fill makes pages of one value without bytes.
  const from = byte === skipByte && skip <= result.requestSize && result.requestSize < PAGE_SIZE ? skip : 0;
  heap.memory.fill(result.ptr! + from, result.requestSize - from, byte);
}

/** Whether every slot's fill byte is its own number's low byte (the usual `.rep` trace: slot `s` is id `s`). */
function lowBytesOfSlots(patterns: Uint8Array): boolean {
  const n = patterns.length;
  for (let slot = 0; slot < n; slot++) if (patterns[slot] !== (slot & 0xff)) return false;
  return true;
}

/**
 * mdriver's checks and fill. What runs every op compares its boolean fields with `=== true` and its
 * object-or-null ones with null: V8 tests a field's truth with its generic check (false, '',
 * undetectable, numbers, BigInts), about ten instructions for a true or an object
 * (docs/performance.md, "The replay layer's per-op work (issue 17, eighth pass)").
 */
export class DriverChecks {
  /** mdriver's fill byte per slot. */
  readonly patterns: Uint8Array;
  /**
   * Every slot's fill byte is its number's low byte: the byte is worked out, not read from
   * `patterns`, whose read by a realloc's slot missed the cache (docs/performance.md, "At scale").
   */
  private slotBytes: boolean;
  private readonly ranges = new LiveRanges();
  /**
   * The byte each live payload was filled with, by pointer, for traces with lifetime errors (a
   * dangling id may alias another block). Otherwise a block is filled with the byte of the slot
   * that holds it.
   */
  private readonly livePatterns: Map<number, number> | null;
  /** The bytes a realloc must keep, when `before` kept them (without the fill), until `after`. */
  private kept: KeptBytes | null = null;
  /** The first bytes of a realloc's new payload the check found holding `filledByte` (0: none), for its fill to skip. */
  private filledLength = 0;
  private filledByte = -1;

  /**
   * `checks`: run the checks (mdriver's per-op correctness checks); `fill`: fill new payloads;
   * `clearOnFree`: a slot forgets its pointer after a valid free (see `clearsOnFree`);
   * `pagesAlone`: the heap's pages are never shared (a replay without history takes no snapshot),
   * so a realloc's fill may skip the bytes its check found holding the fill byte already: the
   * heap's bytes and pages come out the same (docs/performance.md, "At scale"). `patterns`: the
   * fill bytes, when the caller has them (else made from the trace's names).
   */
  constructor(
    private readonly trace: Trace,
    private readonly config: HeapConfig,
    slots: number,
    readonly checks: boolean,
    readonly fill: boolean,
    clearOnFree: boolean,
    private readonly pagesAlone = false,
    patterns?: Uint8Array,
  ) {
    this.patterns = patterns ?? fillPatterns(trace, slots);
    // Bytes handed in are filled as a parse goes on (followedRep.ts), which says when they are its slots' low bytes.
    this.slotBytes = patterns === undefined && lowBytesOfSlots(this.patterns);
    this.livePatterns = clearOnFree ? null : new Map();
  }

  /**
   * The bytes handed in are filled for more slots (before any op on them runs); `lowBytes`: every
   * slot's byte so far is its number's low byte, so it may be worked out, not read.
   */
  patternsFilled(lowBytes: boolean): void {
    this.slotBytes = lowBytes;
  }

  /**
   * Before op `i` (of `kind`, on `input`) runs: how many bytes a realloc must keep (0: nothing to
   * check). Without the fill, the bytes themselves are kept too (not copied: their pages are
   * shared until the check is done), so a gigabyte's realloc costs a table of pages. No object is
   * made: this runs every op (docs/performance.md, "At scale").
   */
  before(heap: Allocator, i: number, kind: TraceOpKind, input: number | null): number {
    if (this.checks !== true || kind !== 'realloc' || input === null) return 0;
    const size = this.trace.ops.requestSize(i);
    if (size === 0) return 0;
    const oldSize = heap.liveAllocations.get(input);
    if (oldSize === undefined) return 0;
    const length = Math.min(oldSize, Number(size));
    this.kept = this.fill !== true && heap.memory.contains(input, length) ? heap.memory.keep(input, length) : null;
    return length;
  }

  /**
   * After op `i` ran: the checks of its result (returned as diagnostics), then mdriver's fill of
   * the new payload. `slot` is the op's slot, `from` a realloc's old slot, `input` the pointer the
   * op worked on, `keep` what `before` returned.
   */
  after(heap: Allocator, i: number, kind: TraceOpKind, slot: Slot | null, from: Slot | null, result: OpResult, input: number | null, keep: number): Diagnostic[] {
    const violations = this.checks === true ? this.check(heap, i, kind, from, result, input, keep) : NO_VIOLATIONS;
    const kept = this.kept;
    if (kept !== null) {
      this.kept = null;
      heap.memory.release(kept);
    }
    if (this.fill === true) {
      if (fills(kind, result)) {
        const byte = this.patternOf(slot!);
        fillPayload(heap, result, byte, this.filledLength, this.filledByte);
        this.livePatterns?.set(result.ptr!, byte);
      }
      this.filledLength = 0;
    }
    return violations;
  }

  /** mdriver's checks of one op's result; returns the violations as diagnostics. */
  private check(heap: Allocator, i: number, kind: TraceOpKind, from: Slot | null, result: OpResult, input: number | null, keep: number): Diagnostic[] {
    if (kind === 'free' || kind === 'realloc') {
      // The pointer first: a free returns its own, so the ledger is asked only after a realloc
      // (docs/performance.md, "Per-op work (issue 17, seventh pass)").
      if (input !== null && (result.ptr === input || !heap.liveAllocations.has(input))) this.ranges.remove(input);
    }
    const ptr = result.ptr;
    if (ptr === null || kind === 'free' || kind === 'write' || kind === 'fill') return NO_VIOLATIONS;
    // No closure and no array unless something is wrong: this runs every op.
    let found = NO_VIOLATIONS;
    const size = result.requestSize;
    const alignment = this.config.alignment;
    if (ptr % alignment !== 0) found = this.say(found, i, 'misaligned-payload', `The payload ${hex(ptr)} is not aligned to ${alignment} bytes.`);
    if (ptr < 0 || ptr + size > heap.heapSize) found = this.say(found, i, 'payload-outside-heap', `The payload ${hex(ptr)} of ${size} bytes does not lie inside the heap [0x0000, ${hex(heap.heapSize)}).`);
    const ranges = this.ranges;
    if (ranges.add(ptr, ptr + size)) found = this.say(found, i, 'overlapping-payloads', `The payload ${hex(ptr)}..${hex(ptr + size)} overlaps the live payload ${hex(ranges.clashStart)}..${hex(ranges.clashEnd)}.`);
    if (kind === 'realloc' && keep > 0) {
      const byte = input === null ? undefined : this.livePatterns !== null ? this.livePatterns.get(input) : from !== null ? this.patternOf(from) : undefined;
      const kept = this.kept !== null ? heap.memory.matches(ptr, this.kept) : byte === undefined || heap.memory.isFilledWith(ptr, keep, byte);
      if (!kept) found = this.say(found, i, 'realloc-lost-data', `realloc did not preserve the first ${keep} bytes of the old block's data.`);
      else if (this.pagesAlone === true && byte !== undefined && this.kept === null) {
        this.filledLength = keep;
        this.filledByte = byte;
      }
    }
    return found;
  }

  /** mdriver's fill byte for `slot`. */
  private patternOf(slot: Slot): number {
    return this.slotBytes === true ? slot & 0xff : this.patterns[slot]!;
  }

  /** `found` with a violation at op `i` added (a new array for the first). */
  private say(found: Diagnostic[], i: number, code: DiagnosticCode, message: string): Diagnostic[] {
    const list = found === NO_VIOLATIONS ? [] : found;
    list.push({ range: this.trace.ops.range(i), severity: 'error', code, message });
    return list;
  }
}
