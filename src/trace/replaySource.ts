// The simulated replay as a HeapSource (heapSource.ts): the heap at a step rebuilt from the
// replay's checkpoints, its owners from the pointer lifetimes, and what an op did from the
// replay's record, with the blocks its search examined as the engine visits them.

import { BuddyAllocator, FIT_POLICIES, placementLabel, ExplicitAllocator, ImplicitAllocator, SegregatedAllocator, linearFitSearch, restoreAllocator, type Allocator, type FitPolicy, type FitSearch, type HeapColumns, type HeapMetrics } from '../engine/index';
import { describeStep, describeStory, INITIAL_STORY, searchTerms, type SearchTerms } from './describe';
import { chainOfColumns, clampStep, decodedWords, HEX_OFFSETS, mergedBlock, type BlockLives, type HeapChain, type HeapEvents, type HeapSource, type HeapState, type OpEffect } from './heapSource';
import { LifetimeLives } from './lifetimeLives';
import { lowerBound } from '../shared/bisect';
import { OwnerIndex } from './owners';
import { applyOp, OUTCOME, type StepRecord } from './replay';
import { OstepSource } from './ostep/ostepSource';
import type { EngineRun, TraceRun } from './traceRun';

const NO_BLOCKS = new Float64Array(0);
const INITIAL_TEXT = 'initial heap';
const NO_PTR = -1;

export class ReplaySource implements HeapSource {
  private readonly owners: OwnerIndex;
  /** The last heap asked for: a frame reads the heap after an op twice (its blocks, and where a merge landed). */
  private last: { recorded: number; heap: HeapState } | null = null;
  /** The allocator op `i` is re-run on to watch its search (kept, so its buffers are reused). */
  private scratch: Allocator | undefined;
  private eventsSeen: { steps: number; events: HeapEvents } | null = null;

  /** How the stories name this configuration's search (describe.ts). */
  private readonly terms: SearchTerms;

  constructor(readonly run: EngineRun) {
    this.terms = searchTerms(run.config);
    this.owners = new OwnerIndex(run.replay);
  }

  readonly addresses = HEX_OFFSETS;

  get steps(): number {
    return this.run.replay.recorded;
  }

  get length(): number {
    return this.run.replay.length;
  }

  get policy(): string {
    return this.run.config.policy;
  }

  get label(): string {
    return placementLabel(this.run.config);
  }

  get preset(): string {
    return this.run.preset;
  }

  metricsAt(step: number): HeapMetrics {
    const i = clampStep(this, step);
    const { replay } = this.run;
    // A replay without history (a summary's) keeps the last op's metrics only.
    return i === replay.recorded - 1 ? replay.finalMetrics : replay.metricsAt(i);
  }

  chainAt(step: number): HeapChain {
    const i = clampStep(this, step);
    return chainOfColumns(i, this.run.replay.heapAt(i).walkColumns());
  }

  pointerAt(step: number): number | null {
    const i = clampStep(this, step);
    if (i < 0) return null;
    const { replay } = this.run;
    // A free that freed nothing (an invalid free, free(NULL)) gives no pointer.
    if (replay.trace.ops.kind(i) === 'free' && !(replay.outcome(i) & OUTCOME.FREED)) return null;
    return replay.pointer(i);
  }

  blockAt(step: number): number | null {
    const i = clampStep(this, step);
    return i < 0 ? null : (this.run.replay.step(i).block?.addr ?? null);
  }

  heapSizeAt(step: number): number {
    return this.run.replay.heapSizeAt(clampStep(this, step));
  }

  totals(): { readonly examined: number; readonly nulls: number } {
    const { replay } = this.run;
    return { examined: replay.examinedTotal, nulls: replay.nullCount };
  }

  lives(): BlockLives {
    const { replay } = this.run;
    // The run's own lifetimes once it is done; while it runs, the trace's (the same unless an
    // allocation the trace expects to succeed returned NULL), which cover every op already.
    const analysis = replay.done ? replay.lifetimes : replay.trace.lifetimes;
    return new LifetimeLives(replay.trace, analysis, (i) => {
      if (i >= replay.recorded) return null;
      const s = replay.step(i);
      return { pointer: s.ptr, blockSize: s.block?.size ?? 0, moved: (s.outcome & OUTCOME.MOVED) !== 0 && (s.outcome & OUTCOME.IN_PLACE) === 0 };
    });
  }

  heapAt(step: number): HeapState {
    const i = clampStep(this, step);
    const { replay } = this.run;
    // Owners follow the run's lifetimes, which a replay still running may revise.
    if (this.last?.heap.step === i && this.last.recorded === replay.recorded) return this.last.heap;
    const heap = replay.heapAt(i);
    const c = heap.walkColumns();
    const n = c.count;
    const owners = this.owners.ownersAt(i, c, heap.liveAllocations);
    // A heap only the allocator wrote passes the checker by construction (the engine's tests check
    // it after every op); a program's writes can corrupt it, so those heaps are checked every step.
    const problems = replay.programWrites ? heap.check().map((issue) => ({ addr: issue.addr, message: issue.message })) : [];
    const header = decodedWords(c.headers, n);
    const footer = decodedWords(c.footers, n);
    const state: HeapState = {
      ...chainOfColumns(i, c),
      payloadAddrs: c.payloadAddrs.slice(0, n),
      payloadSizes: c.payloadSizes.slice(0, n),
      headers: c.headers.slice(0, n),
      footers: c.footers.slice(0, n),
      headerSizes: header.sizes,
      headerAllocated: header.allocated,
      footerSizes: footer.sizes,
      footerAllocated: footer.allocated,
      ...owners,
      buddyArena: heap instanceof BuddyAllocator ? { start: heap.arenaStart, size: heap.arenaSize } : null,
      freeLists: heap.freeLists().map((l) => ({ label: l.label, linkWords: true, nodes: Float64Array.from(l.nodes), next: Float64Array.from(l.next), prev: Float64Array.from(l.prev), rover: l.rover })),
      problems,
      metrics: this.metricsAt(i),
    };
    this.last = { recorded: replay.recorded, heap: state };
    return state;
  }

  summaryAt(step: number): string {
    const i = clampStep(this, step);
    return i < 0 ? INITIAL_TEXT : describeStep(this.run.replay.step(i), this.terms);
  }

  opAt(step: number): OpEffect {
    const i = clampStep(this, step);
    if (i < 0) return { step: -1, line: null, text: INITIAL_TEXT, story: INITIAL_STORY, block: null, split: null, merged: null, examined: NO_BLOCKS, grownFrom: null };
    const { replay } = this.run;
    const record = replay.step(i);
    // What the search saw: the heap before the op.
    const before = replay.heapAt(i - 1);
    const columnsBefore: HeapColumns = before.walkColumns();
    const chosen = record.block && !(record.outcome & OUTCOME.EXTENDED) ? lowerBound(columnsBefore.addrs, record.block.addr, columnsBefore.count) : -1;
    const freedLine = chosen >= 0 && chosen < columnsBefore.count && columnsBefore.addrs[chosen] === record.block!.addr ? this.owners.freedLineOf(columnsBefore.payloadAddrs[chosen]!, i - 1) : null;
    const story = describeStory(record, this.terms, columnsBefore, freedLine);
    const examined = this.examinedBy(i, record, before);
    const { block } = record;
    const merged = record.mergedSize > 0 && block ? mergedBlock(this.heapAt(i), block.addr, block.size, record.mergedSize) : null;
    return {
      step: i,
      line: record.op.range.line,
      text: describeStep(record, this.terms),
      story,
      block: block?.addr ?? null,
      split: record.remainder > 0 && block ? block.addr + block.size : null,
      merged,
      examined,
      grownFrom: record.grownBy > 0 ? replay.heapSizeAt(i) - record.grownBy : null,
    };
  }

  /**
   * The header addresses of the blocks op `i`'s search examined, in order: the op is run again on
   * a copy of `before` (the heap before it) whose fit search is the reference walk, reporting each
   * block it visits. The walk chooses the block and counts the blocks the recorded run did (the
   * index is held to it; docs/engine.md, "Definitions pinned down").
   */
  private examinedBy(i: number, record: StepRecord, before: Allocator): Float64Array {
    const { replay } = this.run;
    const policy = replay.config.policy;
    // The buddy system examines order lists, not blocks (docs/engine.md, "The buddy system").
    if (record.examined === 0 || !isFitPolicy(policy) || replay.config.freeList === 'buddy') return NO_BLOCKS;
    const visited: number[] = [];
    // The search needs the copy's layout, which exists once the copy does.
    let walk: FitSearch | null = null;
    const search: FitSearch = { findFit: (asize, rover) => walk!.findFit(asize, rover) };
    const snapshot = before.snapshot(replay.programWrites, true);
    // Only a realloc reads a name's pointer (its old block); malloc and calloc only store theirs.
    const ops = replay.trace.ops;
    const slots = new Int32Array(Math.max(1, replay.trace.names.length)).fill(NO_PTR);
    const from = ops.kind(i) === 'realloc' ? ops.from(i) : null;
    if (from !== null) slots[from] = replay.pointersAt(i - 1)[from] ?? NO_PTR;
    const copy = restoreAllocator({ ...replay.config, search: 'linear' }, snapshot, this.scratch, { quiet: true, totalsOnDemand: true, fitSearch: search });
    this.scratch = copy;
    if (!(copy instanceof ImplicitAllocator)) return NO_BLOCKS;
    // A linked list's search visits list nodes, not the chain (docs/engine.md).
    const visit = (addr: number): void => void visited.push(addr);
    walk =
      copy instanceof SegregatedAllocator
        ? copy.classSearch(policy, visit)
        : copy instanceof ExplicitAllocator
          ? copy.list.search(policy, visit)
          : linearFitSearch(copy.layout, policy, visit);
    applyOp(copy, ops, i, slots, false);
    return Float64Array.from(visited);
  }

  events(): HeapEvents {
    const { replay, diagnostics } = this.run;
    if (this.eventsSeen?.steps === replay.recorded) return this.eventsSeen.events;
    const e = { nulls: [] as number[], coalesces: [] as number[], growths: [] as number[], problems: [] as number[] };
    const problemLines = new Set(diagnostics.filter((d) => d.severity === 'error').map((d) => d.range.line));
    for (let i = 0; i < replay.recorded; i++) {
      const outcome = replay.outcome(i);
      if (outcome & OUTCOME.NULL) e.nulls.push(i);
      if (outcome & (OUTCOME.COALESCED_PREV | OUTCOME.COALESCED_NEXT | OUTCOME.COALESCED_ALL)) e.coalesces.push(i);
      if (outcome & OUTCOME.EXTENDED) e.growths.push(i);
      if (outcome & OUTCOME.VIOLATION || problemLines.has(replay.trace.ops.line(i))) e.problems.push(i);
    }
    this.eventsSeen = { steps: replay.recorded, events: e };
    return e;
  }
}

const sources = new WeakMap<TraceRun, HeapSource>();

/** The read model of an engine run, made once per run (a run never changes once made; an edit makes a new one). */
export function replaySource(run: EngineRun): ReplaySource {
  return sourceOf(run) as ReplaySource;
}

/** The read model of any run (the engine's replay or OSTEP's model), made once per run. */
export function sourceOf(run: TraceRun): HeapSource {
  let source = sources.get(run);
  if (source === undefined) {
    source = run.model === 'own' ? run.source : run.model === 'ostep' ? new OstepSource(run.replay, run.preset) : new ReplaySource(run);
    sources.set(run, source);
  }
  return source;
}

function isFitPolicy(policy: string): policy is FitPolicy {
  return (FIT_POLICIES as readonly string[]).includes(policy);
}
