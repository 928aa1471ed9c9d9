// The simulated replay as a HeapSource (heapSource.ts): the heap at a step rebuilt from the
// replay's checkpoints, its owners from the pointer lifetimes, and what an op did from the
// replay's record, with the blocks its search examined as the engine visits them.

import { BuddyAllocator, FIT_POLICIES, placementLabel, ExplicitAllocator, ImplicitAllocator, SegregatedAllocator, linearFitSearch, restoreAllocator, cutColumns, type Allocator, type ChainOutline, type FitPolicy, type FitSearch, type HeapColumns, type HeapMetrics } from '../engine/index';
import { describeStep, describeStory, INITIAL_STORY, searchTerms, type SearchTerms } from './describe';
import { chainOfColumns, clampStep, decodedWords, HEX_OFFSETS, mergedBlock, type BlockLives, type HeapChain, eventLists, type HeapEvents, type HeapSource, type HeapState, type HeapView, type OpEffect, type WindowedStep } from './heapSource';
import { chainBefore } from './heapBefore';
import { bytesOf, cutStep, densityOf, effectWithin, pathAddresses, pathOf, windowOf, type SearchPath } from './heapWindow';
import { LifetimeLives } from './lifetimeLives';
import { lowerBound } from '../shared/bisect';
import { OwnerIndex } from './owners';
import { applyOp, OUTCOME, type StepRecord } from './replay';
import { OstepSource } from './ostep/ostepSource';
import type { EngineRun, TraceRun } from './traceRun';

const NO_BLOCKS = new Float64Array(0);
const INITIAL_TEXT = 'initial heap';
const INITIAL_EFFECT: OpEffect = { step: -1, line: null, text: INITIAL_TEXT, story: INITIAL_STORY, block: null, split: null, merged: null, examined: NO_BLOCKS, grownFrom: null };
const NO_PTR = -1;


/** No blocks: what an op's story is given when it reads none of the heap before it (a free's). */
const NO_COLUMNS: HeapColumns = { count: 0, addrs: NO_BLOCKS, sizes: NO_BLOCKS, payloadAddrs: NO_BLOCKS, payloadSizes: NO_BLOCKS, headers: NO_BLOCKS, footers: NO_BLOCKS, status: new Uint8Array(0), prologue: null, epilogue: null, heapSize: 0, stopped: null };

/** What the heap before op `step` tells of it (ReplaySource.seenBefore). */
interface Seen {
  readonly step: number;
  readonly recorded: number;
  readonly record: StepRecord;
  readonly story: string;
  readonly path: SearchPath;
}

export class ReplaySource implements HeapSource {
  private readonly owners: OwnerIndex;
  /** The last heap asked for: a frame reads the heap after an op twice (its blocks, and where a merge landed). */
  private last: { recorded: number; heap: HeapState } | null = null;
  /** The allocator op `i` is re-run on to watch its search (kept, so its buffers are reused). */
  private scratch: Allocator | undefined;
  private eventsSeen: { steps: number; events: HeapEvents } | null = null;
  private seen: Seen | null = null;

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
    const state = this.stateOf(i, heap, c);
    this.last = { recorded: replay.recorded, heap: state };
    return state;
  }

  /** The blocks of the heap after op `i` (`heap`) walked into `c` (all, or a window's) as the views show them; lists, problems and metrics are the whole heap's. */
  private stateOf(i: number, heap: Allocator, c: HeapColumns): HeapState {
    const { replay } = this.run;
    const n = c.count;
    const owners = this.owners.ownersAt(i, c, heap.liveAllocations);
    // A heap only the allocator wrote passes the checker by construction (the engine's tests check
    // it after every op); a program's writes can corrupt it, so those heaps are checked every step.
    const problems = replay.programWrites ? heap.check().map((issue) => ({ addr: issue.addr, message: issue.message })) : [];
    const header = decodedWords(c.headers, n);
    const footer = decodedWords(c.footers, n);
    return {
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
  }

  summaryAt(step: number): string {
    const i = clampStep(this, step);
    return i < 0 ? INITIAL_TEXT : describeStep(this.run.replay.step(i), this.terms);
  }

  opAt(step: number): OpEffect {
    const i = clampStep(this, step);
    if (i < 0) return INITIAL_EFFECT;
    const { replay } = this.run;
    // The heap after the op is walked only when it can tell (seenAfter checks the op first).
    const seen = this.cachedSeen(i) ?? this.seenAfter(i, replay.step(i), () => replay.heapAt(i).walkColumns()) ?? this.seenBefore(i);
    return { ...this.effectOf(i, seen, this.heapAt(i)), examined: pathAddresses(seen.path) };
  }

  /**
   * The heap after op `step` and what the op did, cut to the blocks `view` shows (heapWindow.ts):
   * one jump to the heap before the op (its story and search path), one step on, the chain's
   * outline where the allocator keeps one (else one walk), and a walk, owners, words and the
   * search path for the window's blocks only (docs/performance.md, "Walking only the window").
   */
  windowAt(step: number, view: HeapView): WindowedStep {
    const i = clampStep(this, step);
    if (i < 0) return cutStep(this, i, view);
    const { replay } = this.run;
    const record = replay.step(i);
    // An op only the heap before it tells: the jump goes there first, and the heap after is one
    // step on (not a second jump from a checkpoint).
    let seen = this.cachedSeen(i) ?? this.seenAlone(i, record) ?? (this.tellsAfter(record) ? null : this.seenBefore(i));
    let heap = replay.heapAt(i);
    let outline = heap.outline();
    let c = outline ?? heap.walkColumns();
    seen ??= this.seenAfter(i, record, () => c);
    if (seen === null) {
      // The heap after did not tell after all (a chain it cannot follow): a jump back, then forward again.
      seen = this.seenBefore(i);
      heap = replay.heapAt(i);
      outline = heap.outline();
      c = outline ?? heap.walkColumns();
    }
    const chain = { count: c.count, addrs: c.addrs, sizes: c.sizes, states: c.status, heapSize: c.heapSize };
    const [first, end] = windowOf(chain, view, seen.record.block?.addr ?? null);
    const [from, to] = bytesOf(chain, first, end);
    const op = effectWithin(this.effectOf(i, seen, chain), seen.path, from, to);
    const blocks = outline === null ? cutColumns(c as HeapColumns, first, end) : heap.walkWindow(c.addrs[first] ?? 0, end - first);
    return { heap: this.stateOf(i, heap, blocks), op, window: densityOf(chain, view, first) };
  }

  /** What the heap before op `i` tells of it, if known already (kept for the step, so a view that scrolls does not jump back). */
  private cachedSeen(i: number): Seen | null {
    return this.seen?.step === i && this.seen.recorded === this.run.replay.recorded ? this.seen : null;
  }

  /**
   * What op `i` did, read from the heap after it (`c`, its walk) where that heap tells what the one
   * before held (heapBefore.ts): a malloc, calloc or realloc that moved, on an implicit list, its
   * search from the first block (first, best or worst fit); its block and the rest it split off
   * were a hole (or the heap grew), a realloc's old block was allocated, and every other block is
   * as it was. No jump back, no second walk. Null otherwise (seenBefore). `walk` gives the heap's
   * walk, asked for only when the op is such a one.
   */
  private seenAfter(i: number, record: StepRecord, walk: () => ChainOutline): Seen | null {
    const { recorded } = this.run.replay;
    const block = record.block;
    if (block === null || !this.tellsAfter(record)) return null;
    const old = record.op.kind === 'realloc' ? this.movedOutOf(i) : null;
    if (old === undefined) return null;
    const c = walk();
    if (c.stopped !== null) return null;
    const before = chainBefore(c, { block, remainder: record.remainder, grownBy: record.grownBy, old });
    if (before === null || record.examined > before.count) return null;
    // The hole's payload is where the block's is; a heap that grew picked no hole a free could have left.
    const freedLine = record.outcome & OUTCOME.EXTENDED ? null : this.owners.freedLineOf(c.payloadAddrs[lowerBound(c.addrs, block.addr, c.count)]!, i - 1);
    const story = describeStory(record, this.terms, { ...NO_COLUMNS, ...before }, freedLine);
    this.seen = { step: i, recorded, record, story, path: { addrs: before.addrs, count: before.count, start: 0, length: record.examined } };
    return this.seen;
  }

  /**
   * The block realloc op `i` moved out of, as it was before the op: the block the last op of its
   * pointer's lifetime before `i` that returned one left (its malloc, or a realloc; one that
   * returned NULL left the block as it was). Null: the op is a realloc of NULL, a malloc; undefined
   * when the lifetimes do not say.
   */
  private movedOutOf(i: number): { addr: number; size: number } | null | undefined {
    const { replay } = this.run;
    const { lifetimes, lifetimeOfOp } = replay.lifetimes;
    const life = lifetimeOfOp[i] ?? -1;
    if (life < 0 || life >= lifetimes.count) return undefined;
    const start = lifetimes.start(life);
    if (start === i) return null;
    const earlier = lifetimes.reallocs(life).filter((j) => j < i);
    for (const j of [...earlier.reverse(), start]) {
      const s = replay.step(j);
      if (s.ptr !== null && s.block !== null) return s.block;
    }
    return undefined;
  }

  /** Whether the heap after op `record` may tell what it did (seenAfter), judged from the op and the configuration alone. */
  private tellsAfter(record: StepRecord): boolean {
    const { config, programWrites } = this.run.replay;
    const kind = record.op.kind;
    if ((kind !== 'malloc' && kind !== 'calloc' && kind !== 'realloc') || record.block === null || record.ptr === null || record.outcome & OUTCOME.IN_PLACE) return false;
    return !programWrites && config.freeList === 'implicit' && config.coalesce !== 'deferred' && isFitPolicy(config.policy) && config.policy !== 'next';
  }

  /**
   * What op `i` did when the heap before it has nothing to tell: an op that searched nothing and
   * allocated nothing (a free, a realloc in place) tells its story alone. Null otherwise.
   */
  private seenAlone(i: number, record: StepRecord): Seen | null {
    const allocated = record.op.kind !== 'free' && record.ptr !== null && record.block !== null && !(record.outcome & OUTCOME.IN_PLACE);
    if (record.examined > 0 || allocated) return null;
    this.seen = { step: i, recorded: this.run.replay.recorded, record, story: describeStory(record, this.terms, NO_COLUMNS), path: pathOf(NO_BLOCKS) };
    return this.seen;
  }

  /** What op `i` did that only the heap before it tells: its story and its search path. */
  private seenBefore(i: number): Seen {
    const { replay } = this.run;
    const cached = this.cachedSeen(i);
    if (cached) return cached;
    const record = replay.step(i);
    const alone = this.seenAlone(i, record);
    if (alone) return alone;
    const before = replay.heapAt(i - 1);
    const columnsBefore = before.outline() ?? before.walkColumns();
    const chosen = record.block && !(record.outcome & OUTCOME.EXTENDED) ? lowerBound(columnsBefore.addrs, record.block.addr, columnsBefore.count) : -1;
    const freedLine = chosen >= 0 && chosen < columnsBefore.count && columnsBefore.addrs[chosen] === record.block!.addr ? this.owners.freedLineOf(columnsBefore.payloadAddrs[chosen]!, i - 1) : null;
    const story = describeStory(record, this.terms, columnsBefore, freedLine);
    const path = this.chainPath(record, before, columnsBefore) ?? pathOf(this.examinedBy(i, record, before));
    this.seen = { step: i, recorded: replay.recorded, record, story, path };
    return this.seen;
  }

  /** What op `i` did, its search path aside (`examined` empty). */
  private effectOf(i: number, { record, story }: Seen, after: Pick<HeapChain, 'count' | 'addrs' | 'sizes' | 'states'>): OpEffect {
    const { block } = record;
    return {
      step: i,
      line: record.op.range.line,
      text: describeStep(record, this.terms),
      story,
      block: block?.addr ?? null,
      split: record.remainder > 0 && block ? block.addr + block.size : null,
      merged: record.mergedSize > 0 && block ? mergedBlock(after, block.addr, block.size, record.mergedSize) : null,
      examined: NO_BLOCKS,
      grownFrom: record.grownBy > 0 ? this.run.replay.heapSizeAt(i) - record.grownBy : null,
    };
  }

  /**
   * The search path of an op from what the run recorded, when its search walked the block chain
   * of the heap before it (an implicit list's; a realloc searches only when it cannot resize in
   * place, which leaves the heap as it was): those blocks in address order, from where the search
   * starts (the first block; next fit's rover, wrapping), as many as it examined. Null when the op
   * must be run again to know (examinedBy): a list search, a deferred merge pass, a heap a program wrote.
   */
  private chainPath(record: StepRecord, before: Allocator, c: ChainOutline): SearchPath | null {
    const { config, programWrites } = this.run.replay;
    if (record.examined === 0) return pathOf(NO_BLOCKS);
    if (!isFitPolicy(config.policy) || config.freeList !== 'implicit' || config.coalesce === 'deferred' || programWrites) return null;
    const n = c.count;
    if (c.stopped !== null || record.examined > n || n === 0) return null;
    const chain = c.addrs.slice(0, n);
    let start = 0;
    const rover = before.rover;
    if (config.policy === 'next' && rover !== null && rover >= chain[0]! && rover < chain[n - 1]! + c.sizes[n - 1]!) {
      start = lowerBound(chain, rover, n);
      if (chain[start] !== rover) return null;
    }
    return { addrs: chain, count: n, start, length: record.examined };
  }

  /**
   * The header addresses of the blocks op `i`'s search examined, in order: the op is run again on
   * a copy of `before` (the heap before it) whose fit search is the reference walk, reporting each
   * block it visits. The walk chooses the block and counts the blocks the recorded run did (the
   * index is held to it; docs/engine.md, "Definitions pinned down"). The reference for chainPath.
   */
  examinedBy(i: number, record: StepRecord, before: Allocator): Float64Array {
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
    const e = eventLists();
    const problemLines = new Set(diagnostics.filter((d) => d.severity === 'error').map((d) => d.range.line));
    for (let i = 0; i < replay.recorded; i++) {
      const outcome = replay.outcome(i);
      if (outcome & OUTCOME.NULL) e.nulls.push(i);
      if (outcome & (OUTCOME.COALESCED_PREV | OUTCOME.COALESCED_NEXT | OUTCOME.COALESCED_ALL)) e.coalesces.push(i);
      if (outcome & OUTCOME.EXTENDED) e.growths.push(i);
      if (outcome & OUTCOME.VIOLATION || problemLines.has(replay.trace.ops.line(i))) e.problems.push(i);
    }
    const events = e.done();
    this.eventsSeen = { steps: replay.recorded, events };
    return events;
  }
}

/** Frames `warmFrame` builds: the overview of the whole heap, then a zoomed-in view. */
export const WARM_FRAMES = 2;

/**
 * Frame `k` of the warm-up after a run (TraceJob.warm, once the cursor is warm): the panel's
 * windowed frame at a step a third (then two thirds) of the way through, far from the cursor, so
 * the first frame the panel builds finds the restore, the window's walk and the density summary
 * compiled rather than compiling them (docs/performance.md, "Walking only the window").
 */
export function warmFrame(run: TraceRun, k: number): void {
  if (run.model !== 'engine') return;
  const source = replaySource(run);
  if (source.steps < 2) return;
  const step = Math.floor((source.steps * (k + 1)) / (WARM_FRAMES + 1));
  const middle = Math.floor(run.replay.heapSizeAt(step) / 2);
  source.windowAt(step, k % 2 === 0 ? { from: 0, to: 2 ** 40, columns: 8192, focus: null } : { from: middle, to: middle + 2048, columns: 8192, focus: null });
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
