// The one comparison of every policy on a trace, behind `heap-inspector compare`, the editor's
// Compare Policies and the panel's side by side: one policy replayed at a time, a slice at a time
// (the caller yields and may stop between slices), and each policy's row cached per run.

import { FIT_POLICIES, FREE_LISTS, freeListLabel, placementLabel, policiesFor, type FreeListKind, type HeapConfig, type HeapOptions, type Policy } from '../engine/config';
import type { HeapMetrics } from '../engine/results';
import type { Diagnostic, Trace } from './model';
import { runDiagnostics } from './diagnostics';
import { Replay } from './replay';
import { percent, UNKNOWN } from './figures';
import type { HeapSource } from './heapSource';
import { errorCount, type EngineRun } from './traceRun';
import { traceConfig, type TraceConfigLayers } from './traceConfig';

/** A policy's figures at the end of a trace; null where unknown (a corrupted heap), with `unknown` saying why. */
export interface PolicyRow {
  /** The policy, or `own`: the user's own allocator (docs/own-allocator.md). */
  readonly policy: Policy | 'own';
  /** The free list the allocator keeps, and its name in the table ("implicit", "explicit lifo", "none" for the sbrk baseline, "your allocator (mm.c)"). */
  readonly freeList: FreeListKind | 'own';
  readonly list: string;
  readonly heapSize: number;
  readonly peakPayload: number;
  readonly utilization: number | null;
  readonly internalFragmentation: number | null;
  readonly externalFragmentation: number | null;
  readonly freeBlocks: number | null;
  /** null: the allocator does not say (one's own). */
  readonly blocksExamined: number | null;
  readonly nulls: number;
  /** Errors the run found. */
  readonly errors: number;
  readonly unknown: string | null;
}

export interface PolicyComparison {
  readonly ops: number;
  readonly preset: string;
  readonly policies: readonly PolicyRow[];
  /** Errors found in any of the runs. */
  readonly errors: number;
}

/** A row from a run's final metrics and totals. */
function rowOf(policy: PolicyRow['policy'], freeList: PolicyRow['freeList'], list: string, m: HeapMetrics, totals: { readonly examined: number | null; readonly nulls: number }, errors: number): PolicyRow {
  return {
    policy,
    freeList,
    list,
    heapSize: m.heapSize,
    peakPayload: m.peakPayload,
    utilization: m.utilisation,
    internalFragmentation: m.internalFragmentation,
    externalFragmentation: m.externalFragmentation,
    freeBlocks: m.freeBlocks,
    blocksExamined: totals.examined,
    nulls: totals.nulls,
    errors,
    unknown: m.unknown,
  };
}

/** What a comparison keeps of one policy's complete run. */
export function policyRow(policy: Policy, run: EngineRun): PolicyRow {
  const { replay } = run;
  return rowOf(policy, run.config.freeList, freeListLabel(run.config), replay.finalMetrics, { examined: replay.examinedTotal, nulls: replay.nullCount }, errorCount(run.diagnostics));
}

/** The user's own allocator's run as a row beside the simulated policies (`compare --allocator`). */
function ownRow(source: HeapSource, diagnostics: readonly Diagnostic[]): PolicyRow {
  return rowOf('own', 'own', `your allocator (${source.label})`, source.metricsAt(source.steps - 1), source.totals(), errorCount(diagnostics));
}

/** A comparison with the user's own allocator's row after the simulated ones (`compare --allocator`, the editor's Compare Policies). */
export function withOwnRow(c: PolicyComparison, source: HeapSource, diagnostics: readonly Diagnostic[]): PolicyComparison {
  const own = ownRow(source, diagnostics);
  return { ...c, errors: Math.max(c.errors, own.errors), policies: [...c.policies, own] };
}

/** The comparison of one trace's rows, one per policy. */
export function comparisonOf(trace: Trace, preset: string, rows: readonly PolicyRow[]): PolicyComparison {
  let errors = 0;
  for (const row of rows) errors = Math.max(errors, row.errors);
  return { ops: trace.ops.length, preset, errors, policies: rows };
}

/** Every policy (with `families`, every kind of free list too) on the same trace and layers in one go (`heap-inspector compare`); see `Comparison`. */
export function comparePolicies(trace: Trace, layers: TraceConfigLayers = {}, options: { readonly cache?: ComparisonCache; readonly families?: boolean } = {}): PolicyComparison {
  const comparison = Comparison.of(trace, layers, options);
  comparison.advance(Infinity);
  return comparison.result()!;
}

/**
 * The comparison as the table `heap-inspector compare` and Compare Policies print: a row per
 * policy, and a free list column when the rows keep more than one kind of list.
 */
export function formatComparison(name: string, c: PolicyComparison): string {
  const families = new Set(c.policies.filter((p) => p.policy !== 'sbrk').map((p) => p.list)).size > 1;
  const header = [...(families ? ['free list'] : []), 'policy', 'heap size', 'peak payload', 'utilisation', 'internal frag', 'external frag', 'free blocks', 'blocks examined', 'NULLs'];
  const labelled = families ? 2 : 1;
  const rows = c.policies.map((p) => [
    ...(families ? [p.list] : []),
    p.policy,
    String(p.heapSize),
    String(p.peakPayload),
    percent(p.utilization),
    p.internalFragmentation === null ? UNKNOWN : String(p.internalFragmentation),
    percent(p.externalFragmentation),
    p.freeBlocks === null ? UNKNOWN : String(p.freeBlocks),
    p.blocksExamined === null ? UNKNOWN : String(p.blocksExamined),
    String(p.nulls),
  ]);
  const widths = header.map((h, col) => Math.max(h.length, ...rows.map((r) => r[col]!.length)));
  const fmt = (cells: string[]) => cells.map((cell, col) => (col < labelled ? cell.padEnd(widths[col]!) : cell.padStart(widths[col]!))).join('  ');
  const notes = c.policies.filter((p) => p.unknown !== null).map((p) => `${families ? `${p.list} ` : ''}${p.policy}: ${p.unknown}.`);
  return `${name}: ${c.ops} ops, ${c.preset} preset, every ${families ? 'free list and policy' : 'policy'}\n\n${[fmt(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(fmt), ...(notes.length > 0 ? ['', ...notes] : [])].join('\n')}\n`;
}

/** One policy's complete result: its row, and its whole run when it was replayed with history. */
interface PolicyResult {
  readonly row: PolicyRow;
  readonly run: EngineRun | null;
}

/**
 * The rows of policies already replayed, per trace and configuration. A trace is keyed by its
 * parsed object (held weakly: a new text, or the same text read again, is a new trace), a policy
 * by its whole resolved configuration, so another comparison of the same run replays nothing
 * again. Rows only: a run with history is kept by the comparison that made it, never here, so
 * that a closed panel's replays do not outlive it (docs/limits.md).
 */
export class ComparisonCache {
  private readonly byTrace = new WeakMap<Trace, Map<string, PolicyRow>>();

  get(trace: Trace, config: HeapConfig): PolicyRow | undefined {
    return this.byTrace.get(trace)?.get(configKey(config));
  }

  set(trace: Trace, config: HeapConfig, row: PolicyRow): void {
    let rows = this.byTrace.get(trace);
    if (rows === undefined) {
      rows = new Map();
      this.byTrace.set(trace, rows);
    }
    rows.set(configKey(config), row);
  }
}

function configKey(config: HeapConfig): string {
  return JSON.stringify(config);
}

/** The cache comparisons share unless given their own (the command line's, the command's and the panel's). */
const sharedCache = new ComparisonCache();

export interface ComparisonOptions {
  /**
   * Keep every policy's whole run, with history, so that any step can be shown under every
   * policy (the panel's side by side). Default false: a policy is replayed without history and
   * reduced to its row as soon as it is done, so one policy's heap is alive at a time
   * (docs/limits.md).
   */
  readonly history?: boolean;
  /** A complete run of this trace (the editor's own): the policy it was made with is taken from it, not replayed. */
  readonly known?: EngineRun;
  /** Where rows are kept and found; by default one cache shared by every comparison. */
  readonly cache?: ComparisonCache;
  /**
   * Every kind of free list (FREE_LISTS) with every placement policy, and the sbrk baseline once,
   * instead of every policy on the trace's own kind of list. A combination the configuration
   * refuses (a family that takes no placement policy, say) is left out. Default false.
   */
  readonly families?: boolean;
}

/** How far a comparison is. */
export interface ComparisonProgress {
  /** The policy being replayed (null when none is), its ops replayed so far and its trace's ops. */
  readonly policy: Policy | null;
  /** How progress names what is being replayed: "first fit", or with families "explicit lifo first fit" (null when nothing is). */
  readonly label: string | null;
  readonly replayed: number;
  readonly ops: number;
  /** The share of the whole comparison done, 0 to 1 (a policy found in the cache counts as done). */
  readonly fraction: number;
}

/** One policy of a comparison: its configuration, and its result once known. */
interface Entry {
  readonly policy: Policy;
  readonly label: string;
  readonly config: HeapConfig;
  readonly configDiagnostics: readonly Diagnostic[];
  result: PolicyResult | null;
}

/** Ops replayed between two looks at `work`'s stop condition. */
const OPS_PER_CHECK = 128;

/**
 * Every policy on one trace and layers, the trace's own settings and `layers` applying as to any
 * run, with the policy overriding. The policies are replayed one after another, each `advance`
 * doing a bounded number of ops, so a caller can yield between slices and stop by no longer
 * calling; the rows equal those of independent runs (`runTrace` with the policy as an override).
 */
export class Comparison {
  /** The preset every policy's configuration started from. */
  readonly preset: string;
  private readonly entries: readonly Entry[];
  private readonly history: boolean;
  private readonly cache: ComparisonCache;
  /** The policy being replayed, if any (the only replay this comparison holds unfinished). */
  private current: { entry: Entry; replay: Replay } | null = null;
  private replayedOps = 0;
  /** Errors of the trace's own configuration (a refused setting), which every row's run may not show. */
  private readonly ownErrors: number;

  private constructor(
    readonly trace: Trace,
    layers: TraceConfigLayers,
    options: ComparisonOptions,
  ) {
    this.history = options.history ?? false;
    this.cache = options.cache ?? sharedCache;
    const own = traceConfig(trace, layers);
    this.preset = own.preset;
    // Without families, the trace's own kind of list with every policy it takes (the buddy system places by order: the baseline and "first").
    const variants: HeapOptions[] = options.families
      ? [{ policy: 'sbrk' }, ...FREE_LISTS.flatMap((freeList) => FIT_POLICIES.map((policy) => ({ freeList, policy })))]
      : policiesFor(own.config.freeList).map((policy) => ({ policy }));
    this.ownErrors = errorCount(own.diagnostics);
    this.entries = variants.flatMap((variant) => {
      const resolved = traceConfig(trace, { ...layers, overrides: { ...layers.overrides, ...variant } });
      const { config } = resolved;
      // A combination the configuration refuses runs on the preset's settings instead (traceConfig):
      // it is left out, not shown as the preset's row under its own name.
      if (config.policy !== variant.policy || (variant.freeList !== undefined && config.freeList !== variant.freeList)) return [];
      const family = config.freeList === 'buddy' ? `${placementLabel(config)} (${config.order} lists)` : `${freeListLabel(config)} ${placementLabel(config)}`;
      const label = options.families && config.policy !== 'sbrk' ? family : placementLabel(config);
      return [{ policy: config.policy, label, config, configDiagnostics: resolved.diagnostics, result: null }];
    });
    const known = options.known;
    if (known && known.trace === trace && known.replay.done && (known.replay.history || !this.history)) {
      const entry = this.entries.find((e) => configKey(e.config) === configKey(known.config));
      // The same replay; only the configuration's own problems may differ (a layer the policy overrides).
      if (entry) this.finish(entry, known.replay);
    }
    for (const entry of this.entries) this.lookUp(entry);
  }

  /** The comparison of every policy on `trace` under `layers`, with what the cache already knows. */
  static of(trace: Trace, layers: TraceConfigLayers = {}, options: ComparisonOptions = {}): Comparison {
    return new Comparison(trace, layers, options);
  }

  /** Whether every policy's result is known. */
  get done(): boolean {
    return this.entries.every((e) => e.result !== null);
  }

  /** Ops this comparison replayed itself (not counting results it found in the cache). */
  get replayed(): number {
    return this.replayedOps;
  }

  /**
   * Replays up to `maxOps` more ops, finishing policies and starting the next in turn; returns
   * whether every policy is done.
   */
  advance(maxOps: number): boolean {
    let budget = maxOps;
    for (;;) {
      const current = this.current ?? this.startNext();
      if (current === null) return true;
      const { entry, replay } = current;
      // Done once every op is replayed: the runs are read at any step, so no cursor is warmed here.
      if (replay.recorded === replay.length) {
        this.current = null;
        this.finish(entry, replay);
        continue;
      }
      if (budget <= 0) return false;
      const before = replay.recorded;
      replay.advance(Math.min(budget, replay.length - before));
      this.replayedOps += replay.recorded - before;
      budget -= replay.recorded - before;
    }
  }

  /** Replays until done or until `stop()` says to stop (asked every OPS_PER_CHECK ops); returns whether done. */
  work(stop: () => boolean): boolean {
    while (!this.advance(OPS_PER_CHECK)) {
      if (stop()) return false;
    }
    return true;
  }

  progress(): ComparisonProgress {
    const n = this.entries.length;
    const finished = this.entries.filter((e) => e.result !== null).length;
    const current = this.current;
    if (current === null) return { policy: null, label: null, replayed: 0, ops: this.trace.ops.length, fraction: finished / n };
    const { replay } = current;
    const share = replay.length === 0 ? 1 : replay.recorded / replay.length;
    return { policy: current.entry.policy, label: current.entry.label, replayed: replay.recorded, ops: replay.length, fraction: (finished + share) / n };
  }

  /** The comparison, once every policy is done; undefined until then. */
  result(): PolicyComparison | undefined {
    if (!this.done) return undefined;
    const c = comparisonOf(this.trace, this.preset, this.entries.map((e) => e.result!.row));
    return c.errors >= this.ownErrors ? c : { ...c, errors: this.ownErrors };
  }

  /** Every policy's whole run, with history, once done (a comparison made with `history` only). */
  runs(): readonly { readonly policy: Policy; readonly run: EngineRun }[] | undefined {
    if (!this.history || !this.done) return undefined;
    return this.entries.map((e) => ({ policy: e.policy, run: e.result!.run! }));
  }

  /** Whether the entry's result is known, from the cache if it was not (a comparison with history needs runs: it replays). */
  private lookUp(entry: Entry): boolean {
    if (entry.result === null && !this.history) {
      const row = this.cache.get(this.trace, entry.config);
      if (row) entry.result = { row, run: null };
    }
    return entry.result !== null;
  }

  /** The next policy without a result, its replay begun (another comparison may have finished it meanwhile). */
  private startNext(): { entry: Entry; replay: Replay } | null {
    const entry = this.entries.find((e) => !this.lookUp(e));
    if (entry === undefined) return null;
    this.current = { entry, replay: new Replay(this.trace, entry.config, { history: this.history }) };
    return this.current;
  }

  private finish(entry: Entry, replay: Replay): void {
    const run: EngineRun = {
      model: 'engine',
      trace: this.trace,
      replay,
      config: entry.config,
      preset: this.preset,
      diagnostics: runDiagnostics(this.trace, entry.configDiagnostics, replay),
    };
    entry.result = { row: policyRow(entry.policy, run), run: this.history ? run : null };
    this.cache.set(this.trace, entry.config, entry.result.row);
  }
}
