// The malloc lab driver's checks of one's own allocator's run (docs/own-allocator.md): which
// payloads are live op by op, their alignment, bounds and overlaps, the driver's data checks, and
// how the run ended (a signal, a hung op, a compile that never ran), as diagnostics on their lines.

import { hex } from '../../engine/memory';
import { BoundedDiagnostics } from '../diagnostics';
import { LiveRanges } from '../liveRanges';
import { slotName, type Diagnostic, type Trace } from '../model';
import type { OwnRecording } from './ownRecording';
import { grouped } from '../figures';

/** Signals by number, as the diagnostics name them. */
export const SIGNALS: Readonly<Record<number, string>> = {
  4: 'an illegal instruction (SIGILL)',
  5: 'a trap (SIGTRAP)',
  6: 'an abort (SIGABRT; a failed assert ends this way)',
  7: 'a bus error (SIGBUS)',
  8: 'an arithmetic error (SIGFPE)',
  11: 'a segmentation fault (SIGSEGV)',
  31: 'a bad system call (SIGSYS)',
};

/** What the run checks and how it names the allocator. */
export interface OwnRunOptions {
  /** The payload alignment the lab asks for: 8 (CS:APP) or 16 (the CMU 64-bit lab). */
  readonly alignment: number;
  /** The per-op time limit, for the message of an op that hit it. */
  readonly opLimitMs: number;
}

/**
 * The payloads op by op, as the driver holds them (harness/driver.c): per op the payload it handed
 * out and the one it let go (offsets, -1: none), the bytes asked, the live payload bytes and their
 * peak. The one account of which payloads are live: the checks, the metrics and the picture read it.
 */
export class PayloadLedger {
  readonly handed: Float64Array;
  readonly released: Float64Array;
  readonly sizes: Float64Array;
  readonly livePayload: Float64Array;
  readonly peakPayload: Float64Array;
  /** Allocations of a non-zero size that returned NULL. */
  nulls = 0;

  constructor(trace: Trace, r: OwnRecording) {
    const ops = trace.ops;
    const n = r.ops;
    this.handed = new Float64Array(n).fill(-1);
    this.released = new Float64Array(n).fill(-1);
    this.sizes = new Float64Array(n);
    this.livePayload = new Float64Array(n);
    this.peakPayload = new Float64Array(n);
    const held = new Float64Array(Math.max(1, trace.names.length)).fill(-1);
    const heldSize = new Float64Array(Math.max(1, trace.names.length));
    let live = 0;
    let peak = 0;
    const release = (i: number, slot: number) => {
      if (held[slot]! >= 0) {
        this.released[i] = held[slot]!;
        live -= heldSize[slot]!;
      }
      held[slot] = -1;
    };
    for (let i = 0; i < n; i++) {
      const kind = ops.kind(i);
      const slot = ops.ptr(i);
      const got = r.offsets[i]!;
      const size = requestOf(trace, i);
      this.sizes[i] = size;
      if (kind === 'free') {
        if (slot !== null) release(i, slot);
      } else if (kind === 'malloc' || kind === 'calloc' || kind === 'realloc') {
        // A realloc lets its old block go when it moved it or freed it (size 0), as the driver does.
        const from = kind === 'realloc' ? ops.from(i) : null;
        if (from !== null && (got >= 0 || size === 0)) release(i, from);
        if (got >= 0) {
          this.handed[i] = got;
          live += size;
        } else if (size > 0) this.nulls++;
        held[slot!] = got;
        heldSize[slot!] = got >= 0 ? size : 0;
      }
      peak = Math.max(peak, live);
      this.livePayload[i] = live;
      this.peakPayload[i] = peak;
    }
  }
}

/** Bytes an op asks for (a calloc's count times size), as a number (a size past 2^53 is no heap's). */
export function requestOf(trace: Trace, i: number): number {
  const kind = trace.ops.kind(i);
  if (kind === 'calloc') {
    const op = trace.ops.at(i);
    return op.kind === 'calloc' ? Number(op.count * op.size) : 0;
  }
  return kind === 'malloc' || kind === 'realloc' ? Number(trace.ops.requestSize(i)) : 0;
}

/** The malloc lab driver's checks of what each op returned, and the run's own problems, as diagnostics on their lines. */
export function ownDiagnostics(trace: Trace, r: OwnRecording, options: OwnRunOptions, stream: string | null): Diagnostic[] {
  const ops = trace.ops;
  // Bounded: an allocator wrong on every op of a million-op trace (libc's malloc, NULL) is the first 1,000 of each kind and a count.
  const out = new BoundedDiagnostics();
  const on = (i: number) => (i >= 0 && i < ops.length ? ops.range(i) : { line: 1, column: 1, endLine: 1, endColumn: 1 });
  const say = (i: number, code: Diagnostic['code'], message: string) => out.push({ range: on(i), severity: 'error', code, message });
  if (r.initOk === false) say(-1, 'allocator-failed', 'mm_init reported a failure: no op ran.');
  // NULL for a request: the lab's driver fails the trace ("mm_malloc failed"); where mem_sbrk
  // refused to grow the heap in the op, or could not have grown it by the request, it is the
  // heap's limit, as the simulated heap says it (a warning).
  const nullResult = (i: number, size: number, heapSize: number) => {
    const call = ops.kind(i);
    const [bytes, heap, max] = [size, heapSize, r.maxHeap].map(grouped);
    const limit = `its limit of ${max} bytes (the lab's driver would still count it a failure)`;
    const warn = (message: string) => out.push({ range: on(i), severity: 'warning', code: 'heap-limit', message });
    if (size > r.maxHeap - heapSize) warn(`${call} returned NULL for ${bytes} bytes: the heap (${heap} bytes) cannot grow by that much within ${limit}.`);
    else if (r.sbrkRefused.has(i)) warn(`${call} returned NULL for ${bytes} bytes after mem_sbrk refused to grow the heap (${heap} bytes) past ${limit}.`);
    else say(i, 'allocator-null', `${call} returned NULL for ${bytes} bytes, with the heap at ${heap} of its ${max} bytes: the lab's driver counts this a failure ("mm_${call} failed").`);
  };
  const ranges = new LiveRanges();
  const ledger = new PayloadLedger(trace, r);
  for (let i = 0; i < r.ops; i++) {
    if (ledger.released[i]! >= 0) ranges.remove(ledger.released[i]!);
    const got = ledger.handed[i]!;
    const size = ledger.sizes[i]!;
    if (got < 0) {
      if (r.offsets[i] === -1 && size > 0 && ops.kind(i) !== 'free') nullResult(i, size, r.heapSizes[i]!);
      continue;
    }
    const heapSize = r.heapSizes[i]!;
    const address = r.outside.get(i);
    if (address !== undefined) {
      // Not memory from mem_sbrk at all: said by its address, which an offset cannot be.
      const base = BigInt(r.heapBase);
      const where = address < base ? `${(base - address).toLocaleString('en-US')} bytes before the heap's start` : `past the heap's region of ${grouped(r.maxHeap)} bytes`;
      say(i, 'payload-outside-heap', `The payload of ${size} bytes at address 0x${address.toString(16)} (${where}) does not lie inside the heap [0x0000, ${hex(heapSize)}): it is not memory mem_sbrk handed out (the C library's malloc or sbrk, a static array?).`);
      if (address % BigInt(options.alignment) !== 0n) say(i, 'misaligned-payload', `The payload at address 0x${address.toString(16)} is not aligned to ${options.alignment} bytes.`);
      continue;
    }
    if (got % options.alignment !== 0) say(i, 'misaligned-payload', `The payload ${hex(got)} is not aligned to ${options.alignment} bytes.`);
    if (got + size > heapSize) say(i, 'payload-outside-heap', `The payload ${hex(got)} of ${size} bytes does not lie inside the heap [0x0000, ${hex(heapSize)}).`);
    if (ranges.add(got, got + size)) say(i, 'overlapping-payloads', `The payload ${hex(got)}..${hex(got + size)} overlaps the live payload ${hex(ranges.clashStart)}..${hex(ranges.clashEnd)}.`);
  }
  for (const v of r.violations) {
    const name = slotName(trace.format, trace.names, v.slot);
    if (v.check === 'overwritten') say(v.op, 'payload-overwritten', `The payload of ${name} was changed while it was allocated (byte ${v.at} is not what the driver wrote there): the allocator wrote into a live block.`);
    else if (v.check === 'realloc-lost') say(v.op, 'realloc-lost-data', `realloc did not preserve the old block's data (byte ${v.at} of the new payload differs).`);
    else if (v.check === 'checkheap-failed') say(v.op, 'checkheap-failed', 'Your heap checker (mm_checkheap, or mm_check for the CS:APP interface) said the heap is inconsistent after this op (what it printed is in the hover).');
    else say(v.op, 'calloc-not-zero', `calloc returned a payload that is not all zero (byte ${v.at}).`);
  }
  const c = r.crash;
  if (c !== null) {
    const where = c.op < 0 ? 'in mm_init' : c.inChecker ? 'in your heap checker (--checkheap), called after this op' : 'in this op';
    const earlier = c.op < 0 ? 'No op ran.' : 'Every earlier step can still be shown.';
    if (c.signal === 0) say(c.op, 'allocator-failed', `The allocator did not return within ${options.opLimitMs / 1000} s ${where} (an endless loop?); the run was stopped here. ${earlier}`);
    else if (c.signal === -1) say(c.op, 'allocator-failed', `The allocator called exit ${where}; the run ends here. ${earlier}`);
    else {
      const at = c.heapOffset !== null ? ` at heap offset ${hex(c.heapOffset)}` : c.address !== 0n ? ` at address 0x${c.address.toString(16)} (outside the heap)` : '';
      say(c.op, 'allocator-failed', `The allocator stopped with ${SIGNALS[c.signal] ?? `signal ${c.signal}`}${at} ${where}. ${earlier}`);
    }
  } else if (!r.ended && r.initOk !== false) {
    say(r.ops, 'allocator-failed', `The allocator's run ended without a word after ${r.ops} ops${stream ? ` (${stream})` : ''}.`);
  }
  for (let i = 0; i < ops.length; i++) {
    if (ops.kind(i) === 'write' || ops.kind(i) === 'fill') out.push({ range: ops.range(i), severity: 'warning', code: 'not-in-model', message: `Your allocator's run skips ${ops.kind(i)}: only malloc, calloc, realloc and free reach it.` });
  }
  return out.all();
}

