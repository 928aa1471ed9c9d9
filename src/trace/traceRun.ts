// A trace replayed on one configuration (a TraceRun): the trace, its replay, the configuration
// that made it and every diagnostic in line order, with the counts of its problems. The reports
// (report.ts) and the read model (replaySource.ts) read runs.

import type { HeapConfig } from '../engine/index';
import { runDiagnostics } from './diagnostics';
import type { Diagnostic, Trace } from './model';
import { Replay, type ReplayOptions } from './replay';
import { traceConfig, type TraceConfigLayers } from './traceConfig';

/** A trace replayed on one configuration, with every diagnostic in line order. */
export interface TraceRun {
  readonly trace: Trace;
  readonly replay: Replay;
  readonly config: HeapConfig;
  readonly preset: string;
  /** The trace's, the settings' and the replay's diagnostics together. */
  readonly diagnostics: readonly Diagnostic[];
}

/** `options`: the replay's (a comparison keeps no history, see ReplayOptions.history). */
export function runTrace(trace: Trace, layers: TraceConfigLayers = {}, options?: ReplayOptions): TraceRun {
  const { config, preset, diagnostics: configDiagnostics } = traceConfig(trace, layers);
  const replay = Replay.run(trace, config, options);
  return { trace, replay, config, preset, diagnostics: runDiagnostics(trace, configDiagnostics, replay) };
}

/** Problems of a severity among `diagnostics`, a summary counting for the problems it stands for. */
export function problemCount(diagnostics: readonly Diagnostic[], severity: Diagnostic['severity']): number {
  let n = 0;
  for (const d of diagnostics) if (d.severity === severity) n += d.count ?? 1;
  return n;
}

export function errorCount(diagnostics: readonly Diagnostic[]): number {
  return problemCount(diagnostics, 'error');
}

