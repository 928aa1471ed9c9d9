// Turns a session's run into the wire DTOs the webviews draw: the heap at a step, the metric
// series, the events to jump to, the comparison across policies. No vscode here, so it is tested
// in plain Node.

import { POLICIES, type HeapWalk } from '../engine/index';
import { hex } from '../engine/memory';
import type { CompareDto, EventsDto, FrameDto, SeriesDto, TraceInfoDto } from '../shared/protocol';
import { describeStep, OUTCOME, runTrace, type TraceConfigLayers, type TraceRun } from '../trace/index';

const SERIES_POINTS = 2000;

export function traceInfo(run: TraceRun, uri: string, name: string): TraceInfoDto {
  return { uri, name, ops: run.replay.recorded, policy: run.config.policy, preset: run.preset };
}

/** The heap after op `step` (-1: before the first op). */
export function buildFrame(run: TraceRun, step: number): FrameDto {
  const { replay } = run;
  const i = Math.max(-1, Math.min(step, replay.recorded - 1));
  const record = i >= 0 ? replay.step(i) : null;

  // What the search saw, from the heap before the op.
  let examined: number[] = [];
  let story = i < 0 ? 'The heap as mm_init leaves it, before the first op.' : '';
  if (record) {
    const before = replay.heapAt(i - 1);
    const walkBefore = before.walk();
    examined = searchOrder(walkBefore, run.config.policy, before.rover).slice(0, record.examined);
    story = storyOf(run, i, walkBefore);
  }

  const heap = replay.heapAt(i);
  const walk = heap.walk();
  const live = heap.liveAllocations;
  const owner = owners(run, i, live);
  const blocks = walk.blocks;
  const merged = record && record.mergedSize > 0 ? (blocks.find((b) => b.status === 'free' && b.size === record.mergedSize && record.block && b.addr <= record.block.addr + record.block.size && b.addr + b.size >= record.block.addr)?.addr ?? null) : null;
  // A heap only the allocator wrote passes the checker by construction (the engine's tests check
  // it after every op); a program's writes can corrupt it, so those heaps are checked every frame.
  const problems = replay.programWrites ? heap.check().map((issue) => ({ addr: issue.addr, message: issue.message })) : [];
  const m = replay.metricsAt(i);
  return {
    step: i,
    line: record ? record.op.range.line : null,
    text: record ? describeStep(record) : 'initial heap',
    story,
    heapSize: walk.heapSize,
    prologue: walk.prologue ? { addr: walk.prologue.addr, size: walk.prologue.size } : null,
    epilogue: walk.epilogue?.addr ?? null,
    addrs: blocks.map((b) => b.addr),
    sizes: blocks.map((b) => b.size),
    states: blocks.map((b) => (b.status === 'allocated' ? 'a' : b.status === 'free' ? 'f' : 'x')).join(''),
    requested: blocks.map((b) => (b.status === 'allocated' ? (live.get(b.payloadAddr) ?? 0) : 0)),
    headers: blocks.map((b) => b.header),
    footers: blocks.map((b) => b.footer),
    owners: blocks.map((b) => owner.get(b.payloadAddr)?.name ?? null),
    allocLines: blocks.map((b) => owner.get(b.payloadAddr)?.line ?? null),
    freeLines: blocks.map((b) => owner.get(b.payloadAddr)?.freeLine ?? null),
    payloadSizes: blocks.map((b) => b.payloadSize),
    highlight: {
      block: record?.block?.addr ?? null,
      split: record && record.remainder > 0 && record.block ? record.block.addr + record.block.size : null,
      merged,
      examined,
      grownFrom: record && record.grownBy > 0 ? walk.heapSize - record.grownBy : null,
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
    },
  };
}

/** Blocks in the order a linear search visits them (allocator reference 2b): next fit from the rover, wrapping. */
function searchOrder(walk: HeapWalk, policy: string, rover: number | null): number[] {
  const addrs = walk.blocks.map((b) => b.addr);
  if (policy !== 'next' || rover === null) return addrs;
  const k = addrs.findIndex((a) => a >= rover);
  return k <= 0 ? addrs : [...addrs.slice(k), ...addrs.slice(0, k)];
}

interface Owner {
  readonly name: string;
  readonly line: number | null;
  readonly freeLine: number | null;
}

/**
 * Who owns each live payload after step `i`: the lifetime of the last op at or before `i` that
 * handed that pointer out (malloc, calloc or realloc): its name then, the line that allocated the
 * block and the line that frees it.
 */
function owners(run: TraceRun, i: number, live: ReadonlyMap<number, number>): Map<number, Owner> {
  const { trace } = run;
  const ops = trace.ops;
  const out = new Map<number, Owner>();
  const keys = handedOut(run);
  const owner = (at: number, ptr: number) => {
    const life = trace.lifetimes.lifetimeOfOp[at] ?? -1;
    const t = life >= 0 ? trace.lifetimes.lifetimes[life] : undefined;
    if (!t) return;
    const slot = ops[at]!.ptr ?? t.slot;
    out.set(ptr, {
      name: trace.format === 'rep' ? `id ${trace.names[slot]}` : (trace.names[slot] ?? '?'),
      line: ops[t.start]!.range.line,
      freeLine: t.end >= 0 ? ops[t.end]!.range.line : null,
    });
  };
  if (keys === null) {
    // A trace too long for the keys: one pass over the ops instead.
    for (let at = 0; at <= i; at++) {
      const ptr = handedOutBy(run, at);
      if (ptr !== null && live.has(ptr)) owner(at, ptr);
    }
    return out;
  }
  // The live pointers in ascending order against the sorted keys: one sequential sweep (random
  // binary searches over a few MB of keys would miss the cache at every step).
  const ptrs = Float64Array.from(live.keys()).sort();
  let k = 0;
  for (const ptr of ptrs) {
    // The last key <= (ptr, i).
    const target = ptr * OP_SPAN + i;
    while (k < keys.length && keys[k]! <= target) k++;
    const key = keys[k - 1];
    if (key === undefined || Math.floor(key / OP_SPAN) !== ptr) continue;
    owner(key % OP_SPAN, ptr);
  }
  return out;
}

const ALLOCATING = new Set(['malloc', 'calloc', 'realloc']);
/** Ops a (pointer, op) key can number: 2^23, so that keys of pointers below 1 GiB stay exact. */
const OP_SPAN = 2 ** 23;
const handedOutCache = new WeakMap<TraceRun['replay'], { recorded: number; keys: Float64Array }>();

/** The pointer op `at` handed out (malloc, calloc, realloc), or null. */
function handedOutBy(run: TraceRun, at: number): number | null {
  return ALLOCATING.has(run.trace.ops[at]!.kind) ? run.replay.pointer(at) : null;
}

/** Every op that handed a pointer out, as pointer * OP_SPAN + op, sorted; null for traces too long for that. */
function handedOut(run: TraceRun): Float64Array | null {
  const { replay } = run;
  if (replay.recorded > OP_SPAN) return null;
  const cached = handedOutCache.get(replay);
  if (cached && cached.recorded === replay.recorded) return cached.keys;
  const keys: number[] = [];
  for (let at = 0; at < replay.recorded; at++) {
    const ptr = handedOutBy(run, at);
    if (ptr !== null && ptr < 2 ** 30) keys.push(ptr * OP_SPAN + at);
  }
  const sorted = Float64Array.from(keys).sort();
  handedOutCache.set(replay, { recorded: replay.recorded, keys: sorted });
  return sorted;
}

/** What op `i` did, in words a student reads: which block the policy picked and over which. */
function storyOf(run: TraceRun, i: number, before: HeapWalk): string {
  const record = run.replay.step(i);
  const op = record.op;
  const policy = run.config.policy;
  if ((op.kind === 'malloc' || op.kind === 'calloc' || op.kind === 'realloc') && record.ptr !== null && record.block) {
    if (policy === 'sbrk') return `The sbrk baseline moved the break by ${record.block.size} bytes and returned the old break, ${hex(record.ptr)}.`;
    if (record.outcome & OUTCOME.IN_PLACE) return `realloc kept the data ${record.outcome & OUTCOME.MOVED ? 'by growing into the free block before it' : 'where it was'}: the block at ${hex(record.block.addr)} is now ${record.block.size} bytes.`;
    const chosen = record.block.addr;
    const free = before.blocks.filter((b) => b.status === 'free');
    const picked = free.find((b) => b.addr === chosen);
    const parts: string[] = [];
    if (record.outcome & OUTCOME.EXTENDED && !picked) {
      parts.push(`No free block was big enough after examining ${record.examined} block${record.examined === 1 ? '' : 's'}, so the heap grew by ${record.grownBy} bytes`);
    } else {
      const size = picked?.size ?? record.block.size + record.remainder;
      const largest = free.reduce((best, b) => (b.size > best.size ? b : best), free[0] ?? { size: 0, addr: -1 });
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

/** `make(run)`, computed once per run. */
function once<T>(cache: WeakMap<TraceRun, T>, run: TraceRun, make: (run: TraceRun) => T): T {
  let value = cache.get(run);
  if (value === undefined) {
    value = make(run);
    cache.set(run, value);
  }
  return value;
}

function sampleSeries(run: TraceRun): SeriesDto {
  const n = run.replay.recorded;
  const stride = Math.max(1, Math.ceil(n / SERIES_POINTS));
  const s = { steps: [] as number[], heapSize: [] as number[], livePayload: [] as number[], utilisation: [] as number[], externalFragmentation: [] as number[], freeBlocks: [] as number[] };
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
      return { policy, frame: buildFrame(other, step) };
    }),
  };
}
