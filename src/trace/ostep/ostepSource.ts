// A script run on OSTEP's model as a HeapSource (heapSource.ts), so the panel, the side view, the
// lenses and the command line show it as they show the engine's heaps: the chunks laid end to end
// from the base address, the free list in list order, and what each op did in malloc.py's words
// (docs/ostep.md, "In the editor").

import { BLOCK_STATUSES, type HeapMetrics } from '../../engine/results';
import { clampStep, noWords, type AddressStyle, type BlockLives, type HeapChain, eventLists, type HeapEvents, type HeapSource, type HeapState, type OpEffect } from '../heapSource';
import { LifetimeLives } from '../lifetimeLives';
import type { OstepChunk, OstepHeapOptions, OstepOrder } from './ostepHeap';
import { LENS_CHUNKS, OSTEP_STATUS, ostepListDump, type OstepReplay, type OstepState } from './ostepReplay';

const ALLOCATED = BLOCK_STATUSES.indexOf('allocated');
const FREE = BLOCK_STATUSES.indexOf('free');
const NO_BLOCKS = new Float64Array(0);

/** How each list order places a freed chunk, in a sentence's words. */
const ORDER_WORDS: Readonly<Record<OstepOrder, string>> = {
  ADDRSORT: 'ADDRSORT keeps the list sorted by address',
  'SIZESORT+': 'SIZESORT+ keeps the list sorted by size, smallest first',
  'SIZESORT-': 'SIZESORT- keeps the list sorted by size, largest first',
  'INSERT-FRONT': 'INSERT-FRONT puts it at the head of the list',
  'INSERT-BACK': 'INSERT-BACK puts it at the tail of the list',
};

export class OstepSource implements HeapSource {
  readonly addresses: AddressStyle;
  private last: HeapState | null = null;
  private eventsSeen: { steps: number; events: HeapEvents } | null = null;

  constructor(
    private readonly replay: OstepReplay,
    readonly preset: string,
  ) {
    this.addresses = { base: replay.options.baseAddr, radix: 10 };
  }

  private get options(): OstepHeapOptions {
    return this.replay.options;
  }

  get steps(): number {
    return this.replay.recorded;
  }

  get length(): number {
    return this.replay.length;
  }

  get policy(): string {
    return this.options.policy.toLowerCase();
  }

  /** `BEST fit, ADDRSORT` (with `, coalescing` when it coalesces): malloc.py's -p and -l. */
  get label(): string {
    return `${this.options.policy} fit, ${this.options.order}${this.options.coalesce ? ', coalescing' : ''}`;
  }

  metricsAt(step: number): HeapMetrics {
    const i = clampStep(this, step);
    return i < 0 ? this.replay.initialMetrics : this.replay.metrics[i]!;
  }

  heapSizeAt(): number {
    return this.options.size;
  }

  pointerAt(step: number): number | null {
    const i = clampStep(this, step);
    if (i < 0) return null;
    const status = this.replay.status[i]!;
    if (status !== OSTEP_STATUS.DONE) return null;
    // The payload after the header: what Alloc returned, and what Free was given.
    return this.replay.chunk[i]! - this.options.baseAddr + this.options.headerSize;
  }

  blockAt(step: number): number | null {
    const i = clampStep(this, step);
    if (i < 0) return null;
    const status = this.replay.status[i]!;
    return status === OSTEP_STATUS.DONE ? this.replay.chunk[i]! - this.options.baseAddr : null;
  }

  totals(): { readonly examined: number; readonly nulls: number } {
    return { examined: this.replay.examinedTotal, nulls: this.replay.nullCount };
  }

  chainAt(step: number): HeapChain {
    return this.heapAt(step);
  }

  heapAt(step: number): HeapState {
    const i = clampStep(this, step);
    if (this.last?.step === i) return this.last;
    const state = this.replay.stateAt(i);
    this.last = this.stateOf(i, state);
    return this.last;
  }

  private stateOf(i: number, state: OstepState): HeapState {
    const { baseAddr, headerSize, size } = this.options;
    const { trace } = this.replay;
    // A zero-size chunk (a zero-size Alloc, freed or not, or a heap of no bytes) takes no bytes: it has no place in the chain or among the list's nodes.
    const list = state.heap.freeList.filter((c) => c.size > 0);
    const blocks: { addr: number; size: number; free: boolean }[] = list.map((c) => ({ addr: c.addr, size: c.size, free: true }));
    for (const [addr, bytes] of state.heap.allocatedChunks) if (bytes > 0) blocks.push({ addr, size: bytes, free: false });
    blocks.sort((a, b) => a.addr - b.addr);
    const n = blocks.length;
    const holder = new Map<number, number>();
    for (let slot = 0; slot < state.slots.length; slot++) {
      const addr = state.slots[slot]!;
      if (!Number.isNaN(addr) && state.heap.allocatedChunks.has(addr)) holder.set(addr, slot);
    }
    const { lifetimes, lifetimeOfOp } = trace.lifetimes;
    const cols = {
      addrs: new Float64Array(n),
      sizes: new Float64Array(n),
      states: new Uint8Array(n),
      payloadAddrs: new Float64Array(n),
      payloadSizes: new Float64Array(n),
      requested: new Float64Array(n),
      owners: new Int32Array(n).fill(-1),
      allocLines: new Int32Array(n),
      freeLines: new Int32Array(n),
    };
    blocks.forEach((b, k) => {
      const offset = b.addr - baseAddr;
      cols.addrs[k] = offset;
      cols.sizes[k] = b.size;
      cols.states[k] = b.free ? FREE : ALLOCATED;
      cols.payloadAddrs[k] = b.free ? offset : offset + headerSize;
      cols.payloadSizes[k] = b.free ? b.size : Math.max(0, b.size - headerSize);
      if (b.free) return;
      cols.requested[k] = state.live.get(b.addr) ?? 0;
      cols.owners[k] = holder.get(b.addr) ?? -1;
      const at = state.allocStep.get(b.addr);
      if (at === undefined) return;
      cols.allocLines[k] = trace.ops.line(at);
      const life = lifetimeOfOp[at] ?? -1;
      const end = life >= 0 ? lifetimes.at(life).end : -1;
      cols.freeLines[k] = end >= 0 ? trace.ops.line(end) : 0;
    });
    return {
      step: i,
      heapSize: size,
      prologue: null,
      epilogue: null,
      count: n,
      ...cols,
      stopped: null,
      ...noWords(n),
      ownerNames: trace.names,
      freeLists: [
        {
          label: `free list (${this.options.order})`,
          linkWords: false,
          nodes: Float64Array.from(list, (c) => c.addr - baseAddr),
          next: new Float64Array(list.length).fill(NaN),
          prev: new Float64Array(list.length).fill(NaN),
          rover: null,
        },
      ],
      buddyArena: null,
      problems: [],
      metrics: this.metricsAt(i),
    };
  }

  summaryAt(step: number): string {
    const i = clampStep(this, step);
    if (i < 0) return 'initial heap: ' + ostepListDump(this.replay.initial.heap.freeList, LENS_CHUNKS);
    const status = this.replay.status[i]!;
    const quiet = this.quietText(i, status);
    if (quiet !== null) return quiet;
    return `${this.resultText(i, status)} · ${this.replay.listDumps[i]}`;
  }

  /** The text of an op that did nothing to the heap, or null. */
  private quietText(i: number, status: number): string | null {
    switch (status) {
      case OSTEP_STATUS.NULL_FREE:
        return 'free(NULL): nothing to do';
      case OSTEP_STATUS.NOT_IN_MODEL:
        return `not run: OSTEP's model has no ${this.replay.trace.ops.kind(i)}`;
      case OSTEP_STATUS.CRASH:
        return `malloc.py stops here (AssertionError: address ${this.replay.chunk[i]} in use)`;
      case OSTEP_STATUS.NOT_RUN:
        return 'not run';
    }
    return null;
  }

  /** What the op returned, as malloc.py's -c prints it: `returned 1003 (searched 2 elements)`, `returned 0`. */
  private resultText(i: number, status: number): string {
    if (this.replay.trace.ops.kind(i) === 'free') return `returned ${status === OSTEP_STATUS.DONE ? 0 : -1}`;
    const addr = status === OSTEP_STATUS.DONE ? this.replay.chunk[i]! + this.options.headerSize : -1;
    return `returned ${addr} (searched ${this.replay.searched[i]} elements)`;
  }

  opAt(step: number): OpEffect {
    const i = clampStep(this, step);
    const { baseAddr } = this.options;
    if (i < 0) {
      const story = `OSTEP's model: a ${this.options.size}-byte heap at address ${baseAddr}, one free chunk of all of it. ${ostepListDump(this.replay.initial.heap.freeList)}`;
      return { step: -1, line: null, text: this.summaryAt(-1), story, block: null, split: null, merged: null, examined: NO_BLOCKS, grownFrom: null };
    }
    const { replay } = this;
    const status = replay.status[i]!;
    const before = replay.stateAt(i - 1).heap.freeList;
    const after = replay.stateAt(i).heap.freeList;
    const searched = replay.searched[i]!;
    const chunk = replay.chunk[i]!;
    const taken = replay.taken[i]!;
    const ran = status === OSTEP_STATUS.DONE;
    const split = ran && replay.trace.ops.kind(i) === 'malloc' && replay.cutFrom[i]! > taken ? chunk + taken - baseAddr : null;
    const mergedSize = replay.mergedSize[i]!;
    const mergedChunk = mergedSize > 0 ? after.find((c) => c.addr <= chunk && chunk < c.addr + c.size) : undefined;
    return {
      step: i,
      line: replay.trace.ops.line(i),
      text: this.summaryAt(i),
      story: this.story(i, status, after),
      block: ran ? chunk - baseAddr : null,
      split,
      merged: mergedChunk ? mergedChunk.addr - baseAddr : null,
      examined: searched > 0 ? Float64Array.from(before.slice(0, searched), (c) => c.addr - baseAddr) : NO_BLOCKS,
      grownFrom: null,
    };
  }

  /** What op `i` did and why, in the model's words, ending with the list as malloc.py prints it. */
  private story(i: number, status: number, after: readonly OstepChunk[]): string {
    const quiet = this.quietText(i, status);
    const { replay } = this;
    const { policy, order, headerSize } = this.options;
    const dump = ostepListDump(after);
    if (quiet !== null) {
      if (status === OSTEP_STATUS.NULL_FREE) return `The pointer is NULL (its Alloc found no chunk), so there is nothing to free. ${dump}`;
      if (status === OSTEP_STATUS.NOT_IN_MODEL) return `OSTEP's model has only Alloc and Free: this op does not run and the heap is as it was. ${dump}`;
      return `${quiet}. The heap is as it was. ${dump}`;
    }
    const chunk = replay.chunk[i]!;
    const taken = replay.taken[i]!;
    if (replay.trace.ops.kind(i) === 'free') {
      if (status === OSTEP_STATUS.INVALID_FREE) return `Free found no chunk allocated at ${chunk} (it was freed already) and returned -1; the list is as it was. ${dump}`;
      const merged = replay.mergedSize[i]!;
      const coalesce = !this.options.coalesce
        ? ''
        : merged > 0
          ? ` Coalescing merged it with its neighbours in list order into a ${merged}-byte chunk.`
          : ' Coalescing found no chunk next to it in both list order and address order.';
      return `Free returned the ${taken}-byte chunk at ${chunk} to the free list: ${ORDER_WORDS[order]}.${coalesce} It returned 0. ${dump}`;
    }
    const request = replay.trace.ops.requestSize(i);
    const searched = replay.searched[i]!;
    const walk = policy === 'FIRST' ? `searched ${plural(searched, 'element')} of the free list` : searched === 1 ? "searched the free list's one element" : `searched all ${searched} elements of the free list`;
    if (typeof request === 'bigint' || request > this.options.size) {
      return `${policy} fit ${walk} for ${request} bytes, more than the whole heap: Alloc returned -1${this.failQuirk()}. ${dump}`;
    }
    const rounded = taken - headerSize;
    const parts = [...(rounded !== request ? [`${request} asked, rounded up to ${rounded}`] : []), ...(headerSize > 0 ? [`${rounded === request ? `${request} asked ` : ''}plus a ${headerSize}-byte header`] : [])];
    const need = parts.length > 0 ? `${taken} bytes (${parts.join(', ')})` : `${taken} bytes`;
    if (status === OSTEP_STATUS.FAILED) return `${policy} fit ${walk} for ${need} and found no chunk that big: Alloc returned -1${this.failQuirk()}. ${dump}`;
    const cut = replay.cutFrom[i]!;
    const which = policy === 'FIRST' ? 'the first chunk that holds it' : policy === 'BEST' ? 'the smallest chunk that holds it' : 'the largest chunk';
    const rest = cut - taken;
    const left = rest > 0 ? `; the ${plural(rest, 'byte')} left ${rest === 1 ? 'stays' : 'stay'} at ${chunk + taken}, in the chunk's place in the list` : '; it fits exactly and leaves the list';
    return `${policy} fit ${walk} for ${need} and took ${which}, ${cut} bytes at ${chunk}${left}. Alloc returned ${chunk + headerSize}${headerSize > 0 ? ' (the address after the header)' : ''}. ${dump}`;
  }

  /** What malloc.py's random mode prints for a failed Alloc when there is a header: it adds the header size to the -1. */
  private failQuirk(): string {
    const h = this.options.headerSize;
    return h === 0 ? '' : ` (malloc.py's random mode prints ${h - 1} here: it adds the header size to the -1)`;
  }

  lives(): BlockLives {
    const { replay, options } = this;
    return new LifetimeLives(replay.trace, replay.trace.lifetimes, (i) => {
      if (i >= replay.recorded) return null;
      const ran = replay.status[i] === OSTEP_STATUS.DONE;
      return { pointer: ran ? replay.chunk[i]! - options.baseAddr + options.headerSize : null, blockSize: ran ? replay.taken[i]! : 0, moved: false };
    });
  }

  events(): HeapEvents {
    const { replay } = this;
    if (this.eventsSeen?.steps === replay.recorded) return this.eventsSeen.events;
    const e = eventLists();
    for (let i = 0; i < replay.recorded; i++) {
      const status = replay.status[i]!;
      if (status === OSTEP_STATUS.FAILED) e.nulls.push(i);
      if (replay.mergedSize[i]! > 0) e.coalesces.push(i);
      if (status === OSTEP_STATUS.CRASH || status === OSTEP_STATUS.NOT_IN_MODEL || status === OSTEP_STATUS.INVALID_FREE) e.problems.push(i);
    }
    const events = e.done();
    this.eventsSeen = { steps: replay.recorded, events };
    return events;
  }
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
