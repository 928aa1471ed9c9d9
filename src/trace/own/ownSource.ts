// The student's own allocator as a HeapSource (heapSource.ts, docs/own-allocator.md): the heap at
// any step rebuilt from the words the allocator changed (kept from the recording, with copies of
// the bytes every so often), its blocks decoded with the layout of the common CS:APP style that
// fits, or, where none does, drawn from the payloads the driver handed out; and what each op
// returned. The driver's checks are ownChecks.ts.

import { BLOCK_STATUSES, HeapMemory, resolveConfig, type HeapBytes, type HeapMetrics } from '../../engine/index';
import { hex } from '../../engine/memory';
import { chainOfColumns, clampStep, HEX_OFFSETS, noWords, type BlockLives, type HeapChain, eventLists, type HeapEvents, type HeapSource, type HeapState, type OpEffect } from '../heapSource';
import { LifetimeLives } from '../lifetimeLives';
import { hasIds, type Diagnostic, type Trace } from '../model';
import { PayloadLedger, SIGNALS } from './ownChecks';
import { chooseLayout, decodeWords, findFirstBlock, footerProblems, freeListsOf, layoutOfConfig, walkLayout, type OwnLayout } from './ownLayout';
import { fillBytes, type OwnRecording } from './ownRecording';

const ALLOCATED = BLOCK_STATUSES.indexOf('allocated');
const FREE = BLOCK_STATUSES.indexOf('free');
const NO_BLOCKS = new Float64Array(0);
/** Ops between two copies of the heap's bytes (copy-on-write pages: a copy costs the pages written since the last). */
const CHECKPOINT_EVERY = 256;

/** The layouts tried, in order, when none is stated: the CS:APP textbook's (4-byte words, 8-byte alignment) and the 64-bit ones. */
const LAYOUTS: readonly OwnLayout[] = [
  resolveConfig({ preset: 'csapp' }).config,
  resolveConfig({ preset: 'csapp', wordSize: 8, alignment: 8 }).config,
  resolveConfig({ preset: 'default' }).config,
  resolveConfig({ preset: 'default', sentinels: false }).config,
  resolveConfig({ preset: 'csapp', sentinels: false }).config,
].map(layoutOfConfig);

export class OwnSource implements HeapSource {
  readonly addresses = HEX_OFFSETS;
  readonly policy = 'own';
  readonly preset = 'your allocator';
  private readonly ledger: PayloadLedger;
  private readonly fill: Uint8Array;
  private memory: HeapMemory;
  /** The step `memory` holds (-2: nothing yet). */
  private at = -2;
  private readonly checkpoints: HeapBytes[] = [];
  /** The live payloads at `at`, offset -> the op that handed it out, kept with the bytes; and at each checkpoint, as (offset, op) pairs. */
  private live = new Map<number, number>();
  private readonly liveCheckpoints: Float64Array[] = [];
  private layout: { readonly layout: OwnLayout; readonly first: number } | null | undefined;
  private last: HeapState | null = null;

  constructor(
    readonly trace: Trace,
    readonly recording: OwnRecording,
    /** The allocator's name in titles: its file name. */
    readonly label: string,
    private readonly diagnostics: readonly Diagnostic[],
    /** The layout the user stated (heapInspector.allocatorLayout, --layout), or null to find one of LAYOUTS. */
    private readonly stated: OwnLayout | null = null,
  ) {
    this.ledger = new PayloadLedger(trace, recording);
    this.fill = fillBytes(trace);
    this.memory = new HeapMemory(Math.max(recording.maxHeap, 1));
  }

  get steps(): number {
    return this.recording.ops;
  }

  get length(): number {
    return this.trace.ops.length;
  }

  heapSizeAt(step: number): number {
    const i = clampStep(this, step);
    return i < 0 ? this.recording.initHeapSize : this.recording.heapSizes[i]!;
  }

  pointerAt(step: number): number | null {
    const i = clampStep(this, step);
    if (i < 0) return null;
    const got = this.recording.offsets[i]!;
    return got < 0 ? null : got;
  }

  totals(): { readonly examined: null; readonly nulls: number } {
    return { examined: null, nulls: this.ledger.nulls };
  }

  /** The metrics after op `step`: the payloads' figures always; the blocks' too when the heap's words decode (then from the heap at that step). */
  metricsAt(step: number): HeapMetrics {
    const i = clampStep(this, step);
    if (this.layoutOf() !== null) return this.heapAt(i).metrics;
    return this.payloadMetrics(i);
  }

  private payloadMetrics(i: number): HeapMetrics {
    const heapSize = this.heapSizeAt(i);
    const live = i < 0 ? 0 : this.ledger.livePayload[i]!;
    const peak = i < 0 ? 0 : this.ledger.peakPayload[i]!;
    return {
      livePayload: live,
      peakPayload: peak,
      heapSize,
      utilisation: heapSize === 0 ? 0 : peak / heapSize,
      allocatedBlocks: null,
      internalFragmentation: null,
      freeBlocks: null,
      freeBytes: null,
      largestFree: null,
      externalFragmentation: null,
      unknown:
        this.recording.initOk !== true
          ? 'your allocator did not run (mm_init failed or crashed, or it did not compile): it has no heap to measure'
          : "your allocator's heap follows none of the block layouts Heap Inspector decodes: its free blocks and fragmentation are not known",
    };
  }

  /** The heap's bytes after op `step`: from the nearest copy at or before it (or the current state), the ops after it applied. */
  private memoryAt(step: number): HeapMemory {
    const i = clampStep(this, step);
    if (this.at === -2) this.apply(-1);
    if (this.at > i) {
      // checkpoints[k] is the heap after op k * CHECKPOINT_EVERY - 1 (checkpoints[0]: after mm_init).
      const k = Math.min(Math.floor((i + 1) / CHECKPOINT_EVERY), this.checkpoints.length - 1);
      this.memory.load(this.checkpoints[k]!);
      const pairs = this.liveCheckpoints[k]!;
      this.live = new Map();
      for (let p = 0; p < pairs.length; p += 2) this.live.set(pairs[p]!, pairs[p + 1]!);
      this.at = k * CHECKPOINT_EVERY - 1;
    }
    while (this.at < i) this.apply(this.at + 1);
    return this.memory;
  }

  /** Runs op `i` (-1: mm_init) on the copy: the heap grows to its size, takes its words, and its new payload the driver's fill. */
  private apply(i: number): void {
    const r = this.recording;
    const m = this.memory;
    const size = i < 0 ? r.initHeapSize : r.heapSizes[i]!;
    if (size > m.brk) m.sbrk(size - m.brk);
    const [from, to] = r.changesOf(i);
    for (let k = from; k < to; k++) {
      const addr = r.changeAddrs[k]!;
      if (addr + 8 > m.brk) continue; // written past the break: no heap byte to show
      m.setUint32(addr, r.changeLo[k]!);
      m.setUint32(addr + 4, r.changeHi[k]!);
    }
    if (i >= 0) {
      const { handed, released } = this.ledger;
      if (released[i]! >= 0) this.live.delete(released[i]!);
      if (handed[i]! >= 0) this.live.set(handed[i]!, i);
      const kind = this.trace.ops.kind(i);
      const got = r.offsets[i]!;
      const n = this.ledger.sizes[i]!;
      if ((kind === 'malloc' || kind === 'calloc' || kind === 'realloc') && got >= 0 && got + n <= m.brk) m.fill(got, n, this.fill[this.trace.ops.ptr(i)!]!);
    }
    this.at = i;
    const after = i + 1;
    if (after % CHECKPOINT_EVERY === 0 && this.checkpoints.length === after / CHECKPOINT_EVERY) {
      this.checkpoints.push(m.snapshot());
      const pairs = new Float64Array(this.live.size * 2);
      let p = 0;
      for (const [offset, op] of this.live) {
        pairs[p++] = offset;
        pairs[p++] = op;
      }
      this.liveCheckpoints.push(pairs);
    }
  }

  /**
   * The layout the heap's words follow, decided once: the stated one (its first block found if it
   * does not say), else the one of LAYOUTS, where its first block would be or anywhere near the
   * start (past a heads array), that chooseLayout picks; null when none walks the heap.
   */
  private layoutOf(): { readonly layout: OwnLayout; readonly first: number } | null {
    if (this.layout !== undefined) return this.layout;
    const m = this.memoryAt(this.steps - 1);
    if (this.stated) {
      const first = findFirstBlock(m, this.stated);
      return (this.layout = first === null ? null : { layout: this.stated, first });
    }
    const peak = this.steps > 0 ? this.ledger.peakPayload.indexOf(this.ledger.peakPayload[this.steps - 1]!) : -1;
    this.layout = chooseLayout(m, [...LAYOUTS, ...LAYOUTS.map((l) => ({ ...l, firstBlock: null }))], () => ({ memory: this.memoryAt(peak), live: this.live }));
    return this.layout;
  }

  chainAt(step: number): HeapChain {
    return this.heapAt(step);
  }

  heapAt(step: number): HeapState {
    const i = clampStep(this, step);
    if (this.last?.step === i) return this.last;
    const layout = this.layoutOf();
    const memory = this.memoryAt(i);
    const live = this.live;
    const state = layout !== null ? this.decoded(i, memory, layout, live) : this.fromPayloads(i, memory.brk, live);
    this.last = state;
    return state;
  }

  private ownerColumns(n: number, payloadAddrs: Float64Array, live: ReadonlyMap<number, number>) {
    const { lifetimes, lifetimeOfOp } = this.trace.lifetimes;
    const owners = new Int32Array(n).fill(-1);
    const allocLines = new Int32Array(n);
    const freeLines = new Int32Array(n);
    const requested = new Float64Array(n);
    const rep = hasIds(this.trace.format);
    for (let k = 0; k < n; k++) {
      const op = live.get(payloadAddrs[k]!);
      if (op === undefined) continue;
      const slot = this.trace.ops.ptr(op)!;
      owners[k] = rep ? Number(this.trace.names[slot]) : slot;
      requested[k] = this.ledger.sizes[op]!;
      allocLines[k] = this.trace.ops.line(op);
      const life = lifetimeOfOp[op] ?? -1;
      const end = life >= 0 ? lifetimes.at(life).end : -1;
      freeLines[k] = end >= 0 ? this.trace.ops.line(end) : 0;
    }
    return { owners, ownerNames: rep ? null : this.trace.names, allocLines, freeLines, requested };
  }

  /** The blocks as the heap's words say, with the payloads the driver handed out as their owners, and the free lists where the layout names the links. */
  private decoded(i: number, memory: HeapMemory, { layout, first }: { readonly layout: OwnLayout; readonly first: number }, live: ReadonlyMap<number, number>): HeapState {
    const c = walkLayout(memory, layout, first);
    const n = c.count;
    const payloadAddrs = c.payloadAddrs.slice(0, n);
    const headers = c.headers.slice(0, n);
    const footers = c.footers.slice(0, n);
    const h = decodeWords(layout, headers, n);
    const f = decodeWords(layout, footers, n);
    const lists = layout.links === null ? { lists: [], problems: [] } : freeListsOf(memory, c, layout.links, this.recording.heapBase);
    const problems = this.problemsAt(i, [...(c.stopped ? [{ addr: c.stopped.addr, message: c.stopped.message }] : []), ...footerProblems(c), ...lists.problems]);
    const owners = this.ownerColumns(n, payloadAddrs, live);
    return {
      ...chainOfColumns(i, c),
      payloadAddrs,
      payloadSizes: c.payloadSizes.slice(0, n),
      headers,
      footers,
      headerSizes: h.sizes,
      headerAllocated: h.allocated,
      footerSizes: f.sizes,
      footerAllocated: f.allocated,
      ...owners,
      freeLists: lists.lists,
      buddyArena: null,
      problems,
      metrics: this.blockMetrics(i, c.sizes, c.status, n, owners.requested, c.stopped !== null),
    };
  }

  /** The payloads' figures with the decoded blocks': allocated blocks, internal fragmentation, the free blocks and external fragmentation. */
  private blockMetrics(i: number, sizes: Float64Array, states: Uint8Array, n: number, requested: Float64Array, stopped: boolean): HeapMetrics {
    const base = this.payloadMetrics(i);
    if (stopped) return { ...base, unknown: "the heap's blocks could not be walked to its end at this step" };
    let allocated = 0;
    let internal = 0;
    let freeBlocks = 0;
    let freeBytes = 0;
    let largest = 0;
    for (let k = 0; k < n; k++) {
      if (states[k] === FREE) {
        freeBlocks++;
        freeBytes += sizes[k]!;
        largest = Math.max(largest, sizes[k]!);
      } else {
        allocated++;
        internal += sizes[k]! - requested[k]!;
      }
    }
    return { ...base, allocatedBlocks: allocated, internalFragmentation: internal, freeBlocks, freeBytes, largestFree: largest, externalFragmentation: freeBytes === 0 ? 0 : 1 - largest / freeBytes, unknown: null };
  }

  /** No layout fits: the live payloads as allocated blocks and the bytes between them as free, so the picture still shows what the driver handed out. */
  private fromPayloads(i: number, heapSize: number, live: ReadonlyMap<number, number>): HeapState {
    const starts = [...live.keys()].filter((p) => p < heapSize).sort((a, b) => a - b);
    const addrs: number[] = [];
    const sizes: number[] = [];
    const states: number[] = [];
    let at = 0;
    for (const p of starts) {
      if (p < at) continue; // an overlapping payload: reported on its line
      if (p > at) {
        addrs.push(at);
        sizes.push(p - at);
        states.push(FREE);
      }
      const size = Math.max(1, Math.min(this.ledger.sizes[live.get(p)!]!, heapSize - p));
      addrs.push(p);
      sizes.push(size);
      states.push(ALLOCATED);
      at = p + size;
    }
    if (at < heapSize) {
      addrs.push(at);
      sizes.push(heapSize - at);
      states.push(FREE);
    }
    const n = addrs.length;
    const payloadAddrs = Float64Array.from(addrs);
    return {
      step: i,
      heapSize,
      prologue: null,
      epilogue: null,
      count: n,
      addrs: Float64Array.from(addrs),
      sizes: Float64Array.from(sizes),
      states: Uint8Array.from(states),
      stopped: null,
      payloadAddrs,
      payloadSizes: Float64Array.from(sizes),
      ...noWords(n),
      ...this.ownerColumns(n, payloadAddrs, live),
      freeLists: [],
      buddyArena: null,
      problems: this.problemsAt(i, n > 0 ? [{ addr: 0, message: `${this.stated ? 'No first block from which the stated layout walks the heap to its end was found (state firstBlock)' : "The heap's words follow none of the layouts Heap Inspector knows (CS:APP style, 4- or 8-byte words; state yours in heapInspector.allocatorLayout or --layout)"}: the blocks shown are the payloads the driver handed out and the bytes between them.` }] : []),
      metrics: this.payloadMetrics(i),
    };
  }

  /** Problems at a step: the decoding's, and the payloads the checks flagged on this op. */
  private problemsAt(i: number, found: { addr: number; message: string }[]): { addr: number; message: string }[] {
    const line = i >= 0 ? this.trace.ops.line(i) : -1;
    const got = i >= 0 ? this.recording.offsets[i]! : -1;
    for (const d of this.diagnostics) if (d.range.line === line && d.severity === 'error' && got >= 0) found.push({ addr: got, message: d.message });
    return found;
  }

  /** Why op `i` has no result: the op where the allocator stopped, one after it, or a run that never started. */
  notRunText(i: number): string {
    const r = this.recording;
    const c = r.crash;
    const checker = c?.inChecker ? ' in the heap checker after the op' : '';
    if (c !== null && c.op === i) return (c.signal === 0 ? 'stopped here: it did not return (an endless loop?)' : c.signal === -1 ? 'stopped here: it called exit' : `stopped here: ${SIGNALS[c.signal] ?? `signal ${c.signal}`}`) + checker;
    if (c !== null && c.op >= 0) return `not run: the allocator stopped at line ${this.trace.ops.line(c.op)}`;
    if (r.initOk === false || (c !== null && c.op < 0)) return 'not run: mm_init failed';
    return r.initOk === null ? 'not run: the allocator did not run (see line 1)' : `not run: the allocator stopped after op ${r.ops}`;
  }

  /** What the allocator printed during op `i` (its stdout and stderr), cut to `max` characters; '' when nothing. */
  printedDuring(i: number, log: string, max = 2000): string {
    if (i < 0 || i >= this.steps) return '';
    const from = i === 0 ? this.recording.initLogPosition : this.recording.logPositions[i - 1]!;
    const to = this.recording.logPositions[i]!;
    if (to <= from || from >= log.length) return '';
    const text = log.slice(from, Math.min(to, from + max));
    return to - from > max ? `${text}\n... (${to - from - max} more characters)` : text;
  }

  blockAt(step: number): number | null {
    const i = clampStep(this, step);
    const got = this.pointerAt(i);
    if (got === null) return null;
    const h = this.heapAt(i);
    for (let k = 0; k < h.count; k++) if (h.addrs[k]! <= got && got < h.addrs[k]! + h.sizes[k]!) return h.addrs[k]!;
    return null;
  }

  summaryAt(step: number): string {
    const i = clampStep(this, step);
    if (i < 0) return `after mm_init: heap ${this.recording.initHeapSize} B`;
    const ops = this.trace.ops;
    const kind = ops.kind(i);
    const got = this.recording.offsets[i]!;
    const grew = this.heapSizeAt(i) - this.heapSizeAt(i - 1);
    const growth = grew > 0 ? ` · heap +${grew} B` : '';
    const [from, to] = this.recording.changesOf(i);
    const words = to > from ? ` · ${to - from} word${to - from === 1 ? '' : 's'} written` : '';
    const outside = this.recording.outside.get(i);
    const at = outside === undefined ? hex(got) : `0x${outside.toString(16)} (outside the heap)`;
    if (kind === 'free') return got < 0 ? 'free(NULL)' : `free ${at}${words}`;
    if (kind === 'write' || kind === 'fill') return `${kind}: skipped (not run on your allocator)`;
    if (got < 0) return ops.requestSize(i) === 0 && kind !== 'calloc' ? `NULL (${kind}(0))` : 'NULL';
    return `-> ${at}${growth}${words}`;
  }

  opAt(step: number): OpEffect {
    const i = clampStep(this, step);
    const text = this.summaryAt(i);
    if (i < 0) return { step: -1, line: null, text, story: `mm_init returned ${this.recording.initOk === false ? 'a failure' : 'success'}; the heap is ${this.recording.initHeapSize} bytes.`, block: null, split: null, merged: null, examined: NO_BLOCKS, grownFrom: null };
    const [from, to] = this.recording.changesOf(i);
    const grew = this.heapSizeAt(i) - this.heapSizeAt(i - 1);
    const story = `${this.label}: ${text}. It wrote ${to - from} word${to - from === 1 ? '' : 's'} of the heap${to > from ? ` (first at ${hex(this.recording.changeAddrs[from]!)})` : ''}${grew > 0 ? ` and grew the heap by ${grew} bytes` : ''}; Heap Inspector does not see which blocks it looked at.`;
    return { step: i, line: this.trace.ops.line(i), text, story, block: this.blockAt(i), split: null, merged: null, examined: NO_BLOCKS, grownFrom: grew > 0 ? this.heapSizeAt(i - 1) : null };
  }

  lives(): BlockLives {
    const offsets = this.recording.offsets;
    return new LifetimeLives(this.trace, this.trace.lifetimes, (i) => (i < this.steps ? { pointer: offsets[i]! < 0 ? null : offsets[i]!, blockSize: 0, moved: false } : null));
  }

  events(): HeapEvents {
    const e = eventLists();
    const lines = new Set(this.diagnostics.filter((d) => d.severity === 'error').map((d) => d.range.line));
    for (let i = 0; i < this.steps; i++) {
      const kind = this.trace.ops.kind(i);
      if ((kind === 'malloc' || kind === 'calloc' || kind === 'realloc') && this.recording.offsets[i]! < 0 && this.ledger.sizes[i]! > 0) e.nulls.push(i);
      if (this.heapSizeAt(i) > this.heapSizeAt(i - 1)) e.growths.push(i);
      if (lines.has(this.trace.ops.line(i))) e.problems.push(i);
    }
    return e.done();
  }

}
