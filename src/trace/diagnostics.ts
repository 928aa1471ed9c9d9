// Diagnostics in one order (by line, then column; stable), and the one place the diagnostics of
// a run are put together: the trace's own, its settings', and the replay's, with the pointer
// lifetimes as the run saw them (docs/traces.md).

import type { Diagnostic, Trace } from './model';
import type { Replay } from './replay';

/** Diagnostics in line order (stable for equal lines). */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return diagnostics.map((d, k) => [d, k] as const).sort((a, b) => before(a[0], b[0]) || a[1] - b[1]).map(([d]) => d);
}

/**
 * `sortDiagnostics` of the lists one after another, in linear time when each list is already in
 * line order (as the parsers and the replay produce them): a stable merge that takes from the
 * earlier list on equal positions, which is what a stable sort of the concatenation gives.
 */
export function mergeDiagnostics(...lists: readonly (readonly Diagnostic[])[]): Diagnostic[] {
  let merged: Diagnostic[] = [];
  for (const list of lists) {
    if (list.length === 0) continue;
    const sorted = isSorted(list) ? list : sortDiagnostics(list);
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

function isSorted(list: readonly Diagnostic[]): boolean {
  for (let k = 1; k < list.length; k++) if (before(list[k - 1]!, list[k]!) > 0) return false;
  return true;
}

/**
 * Every diagnostic of a run (complete or partial), in line order: the trace's, its settings',
 * and the replay's. Where the run's pointer lifetimes differ from the trace's (an allocation the
 * trace expects to succeed returned NULL), the lifetime diagnostics of the ops replayed are the
 * run's, and the trace's only for the ops not replayed yet.
 */
export function runDiagnostics(trace: Trace, configDiagnostics: readonly Diagnostic[], replay: Replay): Diagnostic[] {
  if (!replay.lifetimesDiverged) return mergeDiagnostics(trace.diagnostics, configDiagnostics, replay.diagnostics);
  const ofTrace = new Set(trace.lifetimes.diagnostics);
  const firstLineNotReplayed = replay.recorded < trace.ops.length ? trace.ops.line(replay.recorded) : Infinity;
  const kept = trace.diagnostics.filter((d) => !ofTrace.has(d) || d.range.line >= firstLineNotReplayed);
  return mergeDiagnostics(kept, replay.lifetimes.diagnostics, configDiagnostics, replay.diagnostics);
}
