// The malloc lab's whole score (docs/own-allocator.md, "Scores"): each trace's line of the lab
// driver's table (valid, utilisation, ops, seconds) from a run of one's own allocator, and the Total
// and performance index computed from those lines as the CS:APP driver (mdriver) computes them:
// the average utilisation over the traces, total ops over total seconds, and no index at all when
// a trace is not valid.

import { mergeDiagnostics } from '../diagnostics';
import type { DiagnosticCode, Trace } from '../model';
import { errorCount } from '../traceRun';
import { LIBC_KOPS, perfIndexOf, UTIL_WEIGHT, type PerfIndex } from './labScore';
import { ownDiagnostics, SIGNALS, type OwnRunOptions } from './ownChecks';
import type { OwnRecording } from './ownRecording';
import { OwnSource } from './ownSource';
import { grouped } from '../figures';

/** One trace's line of the table (mdriver's `stats_t`). */
export interface TraceScore {
  /** The trace's name, as the table shows it. */
  readonly trace: string;
  /** The ops in the trace (counted whether or not the trace is valid, as the driver does). */
  readonly ops: number;
  /** Why the trace is not valid, in one line (its first error); null when it is valid. */
  readonly problem: string | null;
  /** That error's code (`allocator-compile` when the allocator did not compile); null when valid. */
  readonly code: DiagnosticCode | null;
  /** Peak payload over the final heap size; null when not valid (the driver measures only a valid trace). */
  readonly utilisation: number | null;
  /** Seconds of the fastest timed run; null when not valid. */
  readonly secs: number | null;
}

/** What the score reads of one run: the recording, how the process ended, and the timed run (null: not timed). */
export interface ScoredRun {
  readonly recording: OwnRecording;
  readonly problem: string | null;
  readonly speed: { readonly ns: number; readonly ops: number } | null;
  /** Why the timed run gave no time (timedRunProblem), when it was run and did not. */
  readonly speedProblem?: string | null;
}

/**
 * Why a timed run (harness/driver.c's speed mode: mm_init, then the trace, several times) gave no
 * time, in words; null when it did. mm_init is called again before each run, as the lab's driver
 * does, so an allocator that can be initialised only once fails here and nowhere else.
 */
export function timedRunProblem(trace: Trace, timed: { readonly recording: OwnRecording; readonly problem: string | null }): string | null {
  const r = timed.recording;
  if (r.speed !== null && r.speed.ns > 0) return null;
  const again = "when called again before a timed run (the lab's driver calls it before each run of a trace)";
  const c = r.crash;
  if (c !== null) {
    const what = c.signal === 0 ? 'did not return' : c.signal === -1 ? 'called exit' : `stopped with ${SIGNALS[c.signal] ?? `signal ${c.signal}`}`;
    return c.op < 0 ? `the timed run failed: mm_init ${what} ${again}` : `the timed run failed: the allocator ${what} at line ${trace.ops.line(c.op)}, which went through when recorded`;
  }
  if (r.initOk === false) return `the timed run failed: mm_init reported a failure ${again}`;
  return `the timed run gave no time${timed.problem ? ` (${timed.problem})` : ''}`;
}

/** A trace's line from its run: not valid with its first error (the trace's own, a check's, a crash), else its utilisation and seconds. */
export function traceScore(name: string, trace: Trace, run: ScoredRun, options: OwnRunOptions): TraceScore {
  const diagnostics = mergeDiagnostics(trace.diagnostics, ownDiagnostics(trace, run.recording, options, run.problem));
  const first = diagnostics.find((d) => d.severity === 'error');
  if (first !== undefined) {
    const more = errorCount(diagnostics) - 1;
    const message = first.message.split('\n')[0]!.replace(/\.$/, '');
    return notValid(name, trace, first.code, `line ${first.range.line}: ${message}${more > 0 ? ` (and ${more} more error${more === 1 ? '' : 's'})` : ''}`);
  }
  if (run.speed === null || run.speed.ns <= 0) return notValid(name, trace, 'allocator-failed', run.speedProblem ?? 'the timed run did not go through');
  // The same utilisation as the run's summary: the read model's, from the driver's payload ledger.
  const source = new OwnSource(trace, run.recording, name, diagnostics);
  return { trace: name, ops: trace.ops.length, problem: null, code: null, utilisation: source.metricsAt(source.steps - 1).utilisation, secs: run.speed.ns / 1e9 };
}

/** A trace's line when it is not valid: the error's code and the line saying why. */
export function notValid(name: string, trace: Trace, code: DiagnosticCode, problem: string): TraceScore {
  return { trace: name, ops: trace.ops.length, problem, code, utilisation: null, secs: null };
}

/** The sentence for an allocator that did not compile, with its first error: `mm.c did not compile (mm.c:34: ...)`. */
export function notCompiled(file: string, messages: readonly { readonly file: string; readonly line: number; readonly severity: string; readonly message: string }[]): string {
  const base = (path: string) => path.split(/[\\/]/).pop() ?? path;
  const first = messages.find((m) => m.severity === 'error');
  return `${base(file)} did not compile${first ? ` (${base(first.file)}:${first.line}: ${first.message})` : ''}`;
}

export interface LabTotalOptions {
  /** The libc target in Kops/s: the driver's AVG_LIBC_THRUPUT over 1000 (default: the CS:APP 3e handout's 600). */
  readonly libcKops?: number;
}

/** A trace's line with what the table derives from it. */
export interface ScoredTrace extends TraceScore {
  readonly valid: boolean;
  /** ops / 1000 / secs; null when not valid. */
  readonly throughputKops: number | null;
}

export interface LabTotal {
  readonly traces: readonly ScoredTrace[];
  /** How many traces are not valid. */
  readonly invalid: number;
  /** The Total row; null when a trace is not valid or there is none (the driver prints dashes then). */
  readonly total: { readonly utilisation: number; readonly ops: number; readonly secs: number; readonly throughputKops: number } | null;
  /** Out of 100; null exactly when `total` is. */
  readonly perfIndex: PerfIndex | null;
  readonly utilWeight: number;
  readonly libcKops: number;
}

/**
 * The driver's Total from the traces' lines: the utilisation averaged over the traces, the
 * throughput as all their ops over all their seconds (not an average of the traces' throughputs),
 * and the index from those two. Any trace not valid: no Total and no index.
 */
export function labTotal(scores: readonly TraceScore[], options: LabTotalOptions = {}): LabTotal {
  const libcKops = options.libcKops ?? LIBC_KOPS;
  const traces = scores.map((s) => ({ ...s, valid: s.problem === null, throughputKops: s.problem === null && s.secs !== null && s.secs > 0 ? s.ops / 1e3 / s.secs : null }));
  const invalid = traces.filter((t) => !t.valid).length;
  if (invalid > 0 || traces.length === 0) return { traces, invalid, total: null, perfIndex: null, utilWeight: UTIL_WEIGHT, libcKops };
  let secs = 0;
  let ops = 0;
  let util = 0;
  for (const t of traces) {
    secs += t.secs ?? 0;
    ops += t.ops;
    util += t.utilisation ?? 0;
  }
  const utilisation = util / traces.length;
  const throughputKops = ops / 1e3 / secs;
  return { traces, invalid, total: { utilisation, ops, secs, throughputKops }, perfIndex: perfIndexOf(utilisation, throughputKops, libcKops), utilWeight: UTIL_WEIGHT, libcKops };
}

/**
 * The driver's table: a line per trace (one that is not valid with dashes and its reason), the
 * Total line, and `Perf index = X (util) + Y (thru) = Z/100`, each figure rounded as the driver's
 * printf rounds it (so X + Y may differ from Z by one).
 */
export function formatLabTotal(allocator: string, t: LabTotal): string {
  const width = Math.max(5, ...t.traces.map((s) => s.trace.length));
  const row = (name: string, valid: string, util: string, ops: string, secs: string, kops: string, why = '') => `${name.padEnd(width)} ${valid.padStart(5)} ${util.padStart(5)} ${ops.padStart(8)} ${secs.padStart(10)} ${kops.padStart(7)}${why ? `  ${why}` : ''}`.trimEnd();
  const lines = [`Results for ${allocator}:`, row('trace', 'valid', 'util', 'ops', 'secs', 'Kops')];
  for (const s of t.traces) {
    if (s.valid) lines.push(row(s.trace, 'yes', `${printf0(100 * (s.utilisation ?? 0))}%`, printf0(s.ops), (s.secs ?? 0).toFixed(6), printf0(s.throughputKops ?? 0)));
    else lines.push(row(s.trace, 'no', '-', '-', '-', '-', s.problem ?? ''));
  }
  const total = t.total;
  lines.push(total ? row('Total', '', `${printf0(100 * total.utilisation)}%`, printf0(total.ops), total.secs.toFixed(6), printf0(total.throughputKops)) : row('Total', '', '-', '-', '-', '-'));
  lines.push('');
  const p = t.perfIndex;
  if (p) lines.push(`Perf index = ${printf0(p.util)} (util) + ${printf0(p.thru)} (thru) = ${printf0(p.total)}/100`);
  else if (t.traces.length === 0) lines.push('Perf index: none (no traces)');
  else lines.push(`Perf index: none (${t.invalid} of ${t.traces.length} trace${t.traces.length === 1 ? '' : 's'} ${t.invalid === 1 ? 'is' : 'are'} not valid; the lab's driver gives no index then)`);
  lines.push(`Utilisation weighs ${printf0(100 * t.utilWeight)}%, throughput ${printf0(100 * (1 - t.utilWeight))}% up to ${grouped(t.libcKops)} Kops/s (the libc target).`);
  return lines.join('\n') + '\n';
}

/** printf's `%.0f`: the nearest integer, a tie going to the even one (Math.round sends ties up). */
function printf0(x: number): string {
  let r = Math.round(x);
  if (r - x === 0.5 && r % 2 !== 0) r -= 1;
  return String(r);
}

/** The score in one sentence (a notification's): the index and its figures, or how many traces are not valid. */
export function labTotalSentence(allocator: string, t: LabTotal): string {
  const n = `${t.traces.length} trace${t.traces.length === 1 ? '' : 's'}`;
  if (t.traces.length === 0) return `${allocator}: no traces, so no perf index.`;
  if (t.total === null || t.perfIndex === null) return `${allocator} on ${n}: ${t.invalid} not valid, so no perf index.`;
  return `${allocator} on ${n}: perf index ${printf0(t.perfIndex.total)}/100 (utilisation ${printf0(100 * t.total.utilisation)}%, ${printf0(t.total.throughputKops)} Kops/s).`;
}
