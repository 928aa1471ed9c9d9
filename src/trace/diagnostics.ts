// Diagnostics in one order (by line, then column; stable; `mergeDiagnostics` is the one way to
// order them), bounded in number (a million copies of one problem are the first ones in full and
// one counted summary), and the one place the diagnostics of a run are put together: the trace's
// own, its settings', and the replay's, with the pointer lifetimes as the run saw them
// (docs/trace-formats.md, docs/limits.md).

import type { Diagnostic, DiagnosticCode, DiagnosticSeverity, SourceRange } from './vocabulary';
import { grouped } from './figures';

/** Diagnostics of one code kept in full by one producer; VS Code shows at most 1,000 per file anyway. */
export const FULL_PER_CODE = 1000;

/** Where diagnostics go as they are found. */
export interface DiagnosticSink {
  push(d: Diagnostic): void;
}

/**
 * Diagnostics as a producer finds them, bounded: the first `FULL_PER_CODE` of each code are kept
 * in full; the rest are only counted, with their first and last lines, and `all()` adds one
 * diagnostic per code saying how many more there are. A hostile trace with a million bad lines
 * then costs a few thousand diagnostics, not a million (each with its message and its ranges).
 */
export class BoundedDiagnostics implements DiagnosticSink {
  private readonly kept: Diagnostic[] = [];
  private readonly counts = new Map<DiagnosticCode, number>();
  private readonly left = new Map<DiagnosticCode, { severity: DiagnosticSeverity; range: SourceRange; count: number; lastLine: number }>();
  private cached: Diagnostic[] | null = null;

  constructor(private readonly fullPerCode = FULL_PER_CODE) {}

  push(d: Diagnostic): void {
    this.cached = null;
    const n = (this.counts.get(d.code) ?? 0) + 1;
    this.counts.set(d.code, n);
    if (n <= this.fullPerCode) {
      this.kept.push(d);
      return;
    }
    const more = this.left.get(d.code);
    if (more) {
      more.count++;
      more.lastLine = d.range.line;
      if (d.severity === 'error') more.severity = 'error';
    } else {
      this.left.set(d.code, { severity: d.severity, range: d.range, count: 1, lastLine: d.range.line });
    }
  }

  /** Diagnostics found so far, kept or not. */
  get count(): number {
    let n = 0;
    for (const c of this.counts.values()) n += c;
    return n;
  }

  /** Whether any diagnostic of `code` was found. */
  has(code: DiagnosticCode): boolean {
    return this.counts.has(code);
  }

  /**
   * The kept diagnostics, then one per code with more than were kept, on the line of the first
   * one left out, saying how many and over which lines. The same array until more are pushed.
   */
  all(): Diagnostic[] {
    if (this.cached) return this.cached;
    const out = this.kept.slice();
    for (const [code, more] of this.left) {
      const lines = more.range.line === more.lastLine ? `on line ${more.lastLine}` : `from line ${more.range.line} to line ${more.lastLine}`;
      out.push({
        range: more.range,
        severity: more.severity,
        code,
        count: more.count,
        message: `... and ${grouped(more.count)} more "${code}" problem${more.count === 1 ? '' : 's'} like the ${grouped(this.fullPerCode)} above, ${lines}; only the first ${grouped(this.fullPerCode)} of each kind are listed.`,
      });
    }
    this.cached = out;
    return out;
  }
}

/**
 * The one way diagnostics are put in order: the lists one after another, sorted by line and then
 * column, stable (equal positions keep the order of the lists, and of each list). Linear time when
 * each list is already in line order (as the parsers and the replay produce them): a merge that
 * takes from the earlier list on equal positions. One list alone comes back sorted.
 */
export function mergeDiagnostics(...lists: readonly (readonly Diagnostic[])[]): Diagnostic[] {
  let merged: Diagnostic[] = [];
  for (const list of lists) {
    if (list.length === 0) continue;
    const sorted = isSorted(list) ? list : stableSort(list);
    if (merged.length === 0) {
      merged = sorted.slice();
      continue;
    }
    const out: Diagnostic[] = new Array<Diagnostic>(merged.length + sorted.length);
    let a = 0;
    let b = 0;
    let k = 0;
    while (a < merged.length && b < sorted.length) out[k++] = before(sorted[b]!, merged[a]!) < 0 ? sorted[b++]! : merged[a++]!;
    while (a < merged.length) out[k++] = merged[a++]!;
    while (b < sorted.length) out[k++] = sorted[b++]!;
    merged = out;
  }
  return merged;
}

function before(a: Diagnostic, b: Diagnostic): number {
  return a.range.line - b.range.line || a.range.column - b.range.column;
}

function stableSort(list: readonly Diagnostic[]): Diagnostic[] {
  return list.map((d, k) => [d, k] as const).sort((a, b) => before(a[0], b[0]) || a[1] - b[1]).map(([d]) => d);
}

function isSorted(list: readonly Diagnostic[]): boolean {
  for (let k = 1; k < list.length; k++) if (before(list[k - 1]!, list[k]!) > 0) return false;
  return true;
}

/** What `runDiagnostics` reads of a trace (a `Trace` is one; this module sits below the model). */
export interface TraceDiagnostics {
  readonly diagnostics: readonly Diagnostic[];
  readonly lifetimes: { readonly diagnostics: readonly Diagnostic[] };
  readonly ops: { readonly length: number; line(i: number): number };
}

/** What `runDiagnostics` reads of a replay (a `Replay` is one). */
export interface ReplayDiagnostics {
  /** Whether the run's pointer lifetimes differ from the trace's. */
  readonly lifetimesDiverged: boolean;
  /** Ops replayed so far. */
  readonly recorded: number;
  readonly lifetimes: { readonly diagnostics: readonly Diagnostic[] };
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * Every diagnostic of a run (complete or partial), in line order: the trace's, its settings',
 * and the replay's. Where the run's pointer lifetimes differ from the trace's (an allocation the
 * trace expects to succeed returned NULL), the lifetime diagnostics of the ops replayed are the
 * run's, and the trace's only for the ops not replayed yet.
 */
export function runDiagnostics(trace: TraceDiagnostics, configDiagnostics: readonly Diagnostic[], replay: ReplayDiagnostics): Diagnostic[] {
  if (!replay.lifetimesDiverged) return mergeDiagnostics(trace.diagnostics, configDiagnostics, replay.diagnostics);
  const ofTrace = new Set(trace.lifetimes.diagnostics);
  const firstLineNotReplayed = replay.recorded < trace.ops.length ? trace.ops.line(replay.recorded) : Infinity;
  const kept = trace.diagnostics.filter((d) => !ofTrace.has(d) || d.range.line >= firstLineNotReplayed);
  return mergeDiagnostics(kept, replay.lifetimes.diagnostics, configDiagnostics, replay.diagnostics);
}

/** At most `max` diagnostics, errors first as VS Code would pick them (each severity's counted summaries before its single problems), in line order; and how many problems were left out. */
export function cappedDiagnostics(list: readonly Diagnostic[], max: number): { shown: readonly Diagnostic[]; hidden: number } {
  if (list.length <= max) return { shown: list, hidden: 0 };
  const keep = max - 1; // room for the note saying how many more there are
  const picked = new Set<Diagnostic>();
  // Within a severity, a summary ("... and N more like the ones above") goes first: it stands for
  // many problems, and dropping it would hide most of them behind the note below.
  for (const severity of ['error', 'warning', 'info'] as const) {
    for (const summaries of [true, false]) {
      for (const d of list) {
        if (picked.size >= keep) break;
        if (d.severity === severity && (d.count !== undefined) === summaries) picked.add(d);
      }
    }
  }
  // A summary of problems not listed one by one stands for all of them.
  let hidden = 0;
  for (const d of list) if (!picked.has(d)) hidden += d.count ?? 1;
  return { shown: list.filter((d) => picked.has(d)), hidden };
}
