// Turns a session's run into the wire DTOs the webviews draw: the heap at a step, the metric
// series, the events to jump to, the comparison across policies. No vscode here, so it is tested
// in plain Node.

import { BLOCK_STATUSES, POLICIES, policyLabel, type HeapColumns } from '../engine/index';
import { hex } from '../engine/memory';
import type { CompareDto, EventsDto, FrameDto, SeriesDto, TraceInfoDto } from '../shared/protocol';
import { describeStep, OUTCOME, runTrace, type LifetimeAnalysis, type Trace, type TraceConfigLayers, type TraceRun } from '../trace/index';

const SERIES_POINTS = 2000;

export function traceInfo(run: TraceRun, uri: string, name: string): TraceInfoDto {
  return { uri, name, ops: run.replay.recorded, policy: run.config.policy, policyLabel: policyLabel(run.config.policy), preset: run.preset };
}

/** The heap after op `step` (-1: before the first op). */
const [LETTER_A, LETTER_F, LETTER_X] = [0x61, 0x66, 0x78];
const LATIN1 = new TextDecoder('latin1');

export function buildFrame(run: TraceRun, step: number): FrameDto {
  const { replay } = run;
  const i = Math.max(-1, Math.min(step, replay.recorded - 1));
  const record = i >= 0 ? replay.step(i) : null;

  // What the search saw, from the heap before the op. Heaps of many blocks are read as columns:
  // an object per block would cost more than everything else here.
  let examined: Float64Array = new Float64Array(0);
  let story = i < 0 ? 'The heap as mm_init leaves it, before the first op.' : '';
  if (record) {
    const before = replay.heapAt(i - 1);
    const columnsBefore = before.walkColumns();
    examined = searchOrder(columnsBefore, run.config.policy, before.rover, record.examined);
    story = storyOf(run, i, columnsBefore);
  }

  const heap = replay.heapAt(i);
  const c = heap.walkColumns();
  const n = c.count;
  const live = heap.liveAllocations;
  const requested = new Float64Array(n);
  const owner = ownersOf(run, i, c, live, requested);
  const { trace } = run;
  const lifetimes = replay.lifetimes.lifetimes;
  const ownerNames = namesOf(trace, replay.lifetimes);
  let merged: number | null = null;
  if (record && record.mergedSize > 0 && record.block) {
    const { addr, size } = record.block;
    for (let k = 0; k < n && merged === null; k++) {
      if (c.status[k] === FREE && c.sizes[k] === record.mergedSize && c.addrs[k]! <= addr + size && c.addrs[k]! + c.sizes[k]! >= addr) merged = c.addrs[k]!;
    }
  }
  // A heap only the allocator wrote passes the checker by construction (the engine's tests check
  // it after every op); a program's writes can corrupt it, so those heaps are checked every frame.
  const problems = replay.programWrites ? heap.check().map((issue) => ({ addr: issue.addr, message: issue.message })) : [];
  const m = replay.metricsAt(i);
  // One letter a block ('a', 'f' or 'x'), decoded into a string in one go.
  const states = new Uint8Array(n);
  const owners = new Int32Array(n).fill(-1);
  // A .heap script's owners index the names this frame uses; a .rep trace's are its ids.
  const used = trace.format === 'rep' ? null : { names: [] as string[], index: new Map<number, number>() };
  const allocLines = new Int32Array(n);
  const freeLines = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const status = c.status[k]!;
    states[k] = status === ALLOCATED ? LETTER_A : status === FREE ? LETTER_F : LETTER_X;
    const life = owner.lives[k]!;
    if (life >= 0 && life < lifetimes.count) {
      const slot = owner.slots[k]! >= 0 ? owner.slots[k]! : lifetimes.slot(life);
      if (used === null) {
        owners[k] = ownerNames.ids[slot] ?? -1;
      } else {
        let at = used.index.get(slot);
        if (at === undefined) {
          at = used.names.push(trace.names[slot] ?? '?') - 1;
          used.index.set(slot, at);
        }
        owners[k] = at;
      }
      allocLines[k] = ownerNames.allocLines[life]!;
      freeLines[k] = ownerNames.freeLines[life]!;
    }
  }
  return {
    step: i,
    line: record ? record.op.range.line : null,
    text: record ? describeStep(record) : 'initial heap',
    story,
    heapSize: c.heapSize,
    prologue: c.prologue ? { addr: c.prologue.addr, size: c.prologue.size } : null,
    epilogue: c.epilogue?.addr ?? null,
    addrs: c.addrs.slice(0, n),
    sizes: c.sizes.slice(0, n),
    states: LATIN1.decode(states),
    requested,
    headers: c.headers.slice(0, n),
    footers: c.footers.slice(0, n),
    owners,
    ownerNames: used?.names ?? null,
    allocLines,
    freeLines,
    payloadSizes: c.payloadSizes.slice(0, n),
    highlight: {
      block: record?.block?.addr ?? null,
      split: record && record.remainder > 0 && record.block ? record.block.addr + record.block.size : null,
      merged,
      examined,
      grownFrom: record && record.grownBy > 0 ? c.heapSize - record.grownBy : null,
    },
    problems,
    metrics: {
      livePayload: m.livePayload,
      peakPayload: m.peakPayload,
      heapSize: m.heapSize,
      utilisation: m.utilisation,
      internalFragmentation: m.internalFragmentation,
      externalFragmentation: m.externalFragmentation,
      freeBlocks: m.freeBlocks,
      largestFree: m.largestFree,
      unknown: m.unknown,
    },
  };
}

const ALLOCATED = BLOCK_STATUSES.indexOf('allocated');
const FREE = BLOCK_STATUSES.indexOf('free');

/**
 * The first `count` blocks in the order a linear search visits them (docs/engine.md, "Definitions pinned down"):
 * next fit from the rover, wrapping.
 */
function searchOrder(c: HeapColumns, policy: string, rover: number | null, count: number): Float64Array {
  const n = c.count;
  let from = 0;
  if (policy === 'next' && rover !== null) {
    while (from < n && c.addrs[from]! < rover) from++;
    if (from === n) from = 0;
  }
  const out = new Float64Array(Math.min(count, n));
  for (let k = 0; k < out.length; k++) out[k] = c.addrs[(from + k) % n]!;
  return out;
}

/**
 * For each block of the frame, the op that handed its payload out: the last malloc, calloc or
 * realloc at or before step `i` that returned that pointer; -1 for blocks no live pointer owns.
 */
/** Per block: the lifetime of the pointer it holds and the name that pointer was handed to (-1: none). */
interface Owners {
  readonly lives: Int32Array;
  readonly slots: Int32Array;
}

/**
 * Who owns each live allocated block: the lifetime and name of the op that last handed out its
 * pointer up to op `i`; and into `requested`, the bytes that pointer asked for.
 */
function ownersOf(run: TraceRun, i: number, c: HeapColumns, live: ReadonlyMap<number, number>, requested: Float64Array): Owners {
  const n = c.count;
  const owners = { lives: new Int32Array(n).fill(-1), slots: new Int32Array(n).fill(-1) };
  const handed = handedOut(run);
  let last: Map<number, number> | null = null;
  if (handed === null) {
    // A trace too long for the keys: one pass over the ops instead.
    last = new Map<number, number>();
    for (let at = 0; at <= i; at++) {
      const ptr = handedOutBy(run, at);
      if (ptr !== null) last.set(ptr, at);
    }
  }
  const { lifetimeOfOp } = run.replay.lifetimes;
  // Blocks come in address order and the keys are sorted: a search that gallops on from where the
  // last one ended, and reads the keys' lifetimes and names in order too (looking them up by op,
  // at random places in arrays of megabytes, would miss the cache at every block).
  let j = 0;
  for (let k = 0; k < n; k++) {
    if (c.status[k] !== ALLOCATED) continue;
    const ptr = c.payloadAddrs[k]!;
    const size = live.get(ptr);
    if (size === undefined) continue;
    requested[k] = size;
    if (handed === null) {
      const at = last!.get(ptr);
      if (at === undefined) continue;
      owners.lives[k] = lifetimeOfOp[at] ?? -1;
      owners.slots[k] = run.trace.ops.ptr(at) ?? -1;
      continue;
    }
    // The last key <= (ptr, i).
    j = firstAbove(handed.keys, j, ptr * OP_SPAN + i);
    if (j > 0 && Math.floor(handed.keys[j - 1]! / OP_SPAN) === ptr) {
      owners.lives[k] = handed.lives[j - 1]!;
      owners.slots[k] = handed.slots[j - 1]!;
    }
  }
  return owners;
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
  hi = Math.min(hi, keys.length);
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (keys[mid]! <= target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** What the panel labels owners with, made once per trace and lifetimes: a .rep trace's ids by slot, and each lifetime's lines. */
class OwnerNames {
  /** A .rep trace's id in each slot (empty for a .heap script, whose slots have names). */
  readonly ids: Int32Array;
  /**
   * Each lifetime's first and last lines (0: never freed), so that a frame looks up one array
   * for each instead of the lifetime and then the op, at random places in arrays of megabytes.
   */
  readonly allocLines: Int32Array;
  readonly freeLines: Int32Array;

  constructor(trace: Trace, analysis: LifetimeAnalysis) {
    this.ids = trace.format === 'rep' ? Int32Array.from(trace.names, Number) : new Int32Array(0);
    const { lifetimes } = analysis;
    this.allocLines = new Int32Array(lifetimes.count);
    this.freeLines = new Int32Array(lifetimes.count);
    for (let life = 0; life < lifetimes.count; life++) {
      this.allocLines[life] = trace.ops.line(lifetimes.start(life));
      const end = lifetimes.end(life);
      if (end >= 0) this.freeLines[life] = trace.ops.line(end);
    }
  }
}

const ownerNamesCache = new WeakMap<LifetimeAnalysis, OwnerNames>();

/** The owner names of a trace whose run's lifetimes are `analysis` (the trace's own, unless an allocation failed). */
function namesOf(trace: Trace, analysis: LifetimeAnalysis): OwnerNames {
  return once(ownerNamesCache, analysis, (a) => new OwnerNames(trace, a));
}

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
const handedOutCache = new WeakMap<TraceRun['replay'], { recorded: number; handed: HandedOut }>();

/** The pointer op `at` handed out (malloc, calloc, realloc), or null. */
function handedOutBy(run: TraceRun, at: number): number | null {
  return ALLOCATING.has(run.trace.ops.kind(at)) ? run.replay.pointer(at) : null;
}

/** Every op that handed a pointer out so far (see HandedOut); null for traces too long for the keys. */
function handedOut(run: TraceRun): HandedOut | null {
  const { replay, trace } = run;
  if (replay.recorded > OP_SPAN) return null;
  const cached = handedOutCache.get(replay);
  if (cached && cached.recorded === replay.recorded) return cached.handed;
  const unsorted: number[] = [];
  for (let at = 0; at < replay.recorded; at++) {
    const ptr = handedOutBy(run, at);
    if (ptr !== null && ptr < 2 ** 30) unsorted.push(ptr * OP_SPAN + at);
  }
  const keys = Float64Array.from(unsorted).sort();
  const lives = new Int32Array(keys.length);
  const slots = new Int32Array(keys.length);
  for (let j = 0; j < keys.length; j++) {
    const at = keys[j]! % OP_SPAN;
    lives[j] = replay.lifetimes.lifetimeOfOp[at] ?? -1;
    slots[j] = trace.ops.ptr(at) ?? -1;
  }
  const handed = { keys, lives, slots };
  handedOutCache.set(replay, { recorded: replay.recorded, handed });
  return handed;
}

/** What op `i` did, in words a student reads: which block the policy picked and over which. */
function storyOf(run: TraceRun, i: number, before: HeapColumns): string {
  const record = run.replay.step(i);
  const op = record.op;
  const policy = run.config.policy;
  if ((op.kind === 'malloc' || op.kind === 'calloc' || op.kind === 'realloc') && record.ptr !== null && record.block) {
    if (policy === 'sbrk') return `The sbrk baseline moved the break by ${record.block.size} bytes and returned the old break, ${hex(record.ptr)}.`;
    if (record.outcome & OUTCOME.IN_PLACE) return `realloc kept the data ${record.outcome & OUTCOME.MOVED ? 'by growing into the free block before it' : 'where it was'}: the block at ${hex(record.block.addr)} is now ${record.block.size} bytes.`;
    const chosen = record.block.addr;
    // The chosen hole, and the largest (lowest address among equals), among the free blocks before.
    let picked: { addr: number; size: number } | undefined;
    let largest = { addr: -1, size: 0 };
    for (let k = 0; k < before.count; k++) {
      if (before.status[k] !== FREE) continue;
      const b = { addr: before.addrs[k]!, size: before.sizes[k]! };
      if (b.addr === chosen) picked = b;
      if (largest.addr < 0 || b.size > largest.size) largest = b;
    }
    const parts: string[] = [];
    if (record.outcome & OUTCOME.EXTENDED && !picked) {
      parts.push(`No free block was big enough after examining ${record.examined} block${record.examined === 1 ? '' : 's'}, so the heap grew by ${record.grownBy} bytes`);
    } else {
      const size = picked?.size ?? record.block.size + record.remainder;
      const other = largest.addr !== chosen && largest.size > size ? ` over the ${largest.size}-byte one at ${hex(largest.addr)}` : '';
      parts.push(`${policy[0]!.toUpperCase()}${policy.slice(1)} fit examined ${record.examined} block${record.examined === 1 ? '' : 's'} and picked the ${size}-byte hole at ${hex(chosen)}${other}`);
    }
    if (record.outcome & OUTCOME.SPLIT) parts.push(`split left ${record.remainder} bytes free`);
    else if (record.outcome & OUTCOME.EXACT) parts.push('an exact fit');
    else if (record.outcome & OUTCOME.WHOLE) parts.push(`too few bytes were left over to split, so the whole ${record.block.size}-byte block is used`);
    return `${parts.join('; ')}. The program gets ${hex(record.ptr)}.`;
  }
  if (op.kind === 'free' && record.outcome & OUTCOME.FREED && record.block) {
    const merged = record.outcome & (OUTCOME.COALESCED_PREV | OUTCOME.COALESCED_NEXT);
    return `The ${record.block.size}-byte block at ${hex(record.block.addr)} became free${merged ? ` and merged with its free ${record.outcome & OUTCOME.COALESCED_PREV && record.outcome & OUTCOME.COALESCED_NEXT ? 'neighbours on both sides' : record.outcome & OUTCOME.COALESCED_PREV ? 'previous neighbour' : 'next neighbour'} into one ${record.mergedSize}-byte block` : ''}.`;
  }
  return `${describeStep(record)}.`;
}

// A run never changes once made (an edit makes a new one), so its series and events are built once.
const seriesCache = new WeakMap<TraceRun, SeriesDto>();
const eventsCache = new WeakMap<TraceRun, EventsDto>();

/** The metrics over the whole trace, sampled to at most SERIES_POINTS points. */
export function buildSeries(run: TraceRun): SeriesDto {
  return once(seriesCache, run, sampleSeries);
}

/** `make(key)`, computed once per key (a run or a trace: neither changes once made). */
function once<K extends object, T>(cache: WeakMap<K, T>, key: K, make: (key: K) => T): T {
  let value = cache.get(key);
  if (value === undefined) {
    value = make(key);
    cache.set(key, value);
  }
  return value;
}

function sampleSeries(run: TraceRun): SeriesDto {
  const n = run.replay.recorded;
  const stride = Math.max(1, Math.ceil(n / SERIES_POINTS));
  const s = { steps: [] as number[], heapSize: [] as number[], livePayload: [] as number[], utilisation: [] as (number | null)[], externalFragmentation: [] as (number | null)[], freeBlocks: [] as (number | null)[] };
  for (let i = 0; i < n; i += stride) {
    const m = run.replay.metricsAt(i);
    s.steps.push(i);
    s.heapSize.push(m.heapSize);
    s.livePayload.push(m.livePayload);
    s.utilisation.push(m.utilisation);
    s.externalFragmentation.push(m.externalFragmentation);
    s.freeBlocks.push(m.freeBlocks);
  }
  return s;
}

/** Op indices of the NULLs, coalesces, heap growths and problems, for the timeline's jumps. */
export function buildEvents(run: TraceRun): EventsDto {
  return once(eventsCache, run, findEvents);
}

function findEvents(run: TraceRun): EventsDto {
  const e = { nulls: [] as number[], coalesces: [] as number[], growths: [] as number[], problems: [] as number[] };
  const problemLines = new Set(run.diagnostics.filter((d) => d.severity === 'error').map((d) => d.range.line));
  for (let i = 0; i < run.replay.recorded; i++) {
    const s = run.replay.step(i);
    if (s.outcome & OUTCOME.NULL) e.nulls.push(i);
    if (s.outcome & (OUTCOME.COALESCED_PREV | OUTCOME.COALESCED_NEXT | OUTCOME.COALESCED_ALL)) e.coalesces.push(i);
    if (s.outcome & OUTCOME.EXTENDED) e.growths.push(i);
    if (s.outcome & OUTCOME.VIOLATION || problemLines.has(s.op.range.line)) e.problems.push(i);
  }
  return e;
}

/** The same trace under every policy, at the same step. */
export function buildCompare(run: TraceRun, layers: TraceConfigLayers, step: number, cache: Map<string, TraceRun>): CompareDto {
  return {
    frames: POLICIES.map((policy) => {
      let other = policy === run.config.policy ? run : cache.get(policy);
      if (!other) {
        other = runTrace(run.trace, { ...layers, overrides: { ...layers.overrides, policy } });
        cache.set(policy, other);
      }
      return { policy, label: policyLabel(policy), frame: buildFrame(other, step) };
    }),
  };
}
