// A trace replayed on one configuration (a TraceRun): the trace, its replay, the configuration
// that made it and every diagnostic in line order, with the counts of its problems. The reports
// (report.ts) and the read model (replaySource.ts) read runs.

import type { HeapConfig } from '../engine/index';
import { runDiagnostics } from './diagnostics';
import type { Diagnostic, Trace } from './model';
import type { OstepHeapOptions } from './ostep/ostepHeap';
import { OstepReplay } from './ostep/ostepReplay';
import type { OwnSource } from './own/ownSource';
import { Replay, type ReplayOptions } from './replay';
import { traceModel, type TraceConfigLayers } from './traceConfig';

interface RunCommon {
  readonly trace: Trace;
  /** The preset the configuration started from (`ostep` for OSTEP's model). */
  readonly preset: string;
  /** The trace's, the settings' and the replay's diagnostics together. */
  readonly diagnostics: readonly Diagnostic[];
}

/** A trace replayed on the engine's simulated heap. */
export interface EngineRun extends RunCommon {
  readonly model: 'engine';
  readonly replay: Replay;
  readonly config: HeapConfig;
}

/** A script run on OSTEP's free-space model (`set preset = ostep`, docs/ostep.md). */
export interface OstepRun extends RunCommon {
  readonly model: 'ostep';
  readonly replay: OstepReplay;
  readonly config: OstepHeapOptions;
}

/** How far a run of the user's own allocator is: recorded all at once, by a child process. */
export interface OwnProgress {
  readonly length: number;
  /** Ops recorded (fewer than `length` when the allocator crashed or hung). */
  readonly recorded: number;
  /** Whether the allocator ran (or could not run): false only while it is compiled and run. */
  readonly done: boolean;
}

/** What ran: the allocator's file, the lab's edition it implements and the payload alignment checked. */
export interface OwnConfig {
  readonly allocator: string;
  readonly interface: 'csapp' | 'cmu';
  readonly alignment: number;
}

/** A trace run through the user's own allocator (docs/own-allocator.md): its read model comes with it. */
export interface OwnRun extends RunCommon {
  readonly model: 'own';
  readonly replay: OwnProgress;
  readonly config: OwnConfig;
  readonly source: OwnSource;
  /** What the allocator printed. */
  readonly log: string;
}

/** A trace replayed on one configuration, with every diagnostic in line order. */
export type TraceRun = EngineRun | OstepRun | OwnRun;

/** The run a replay so far makes: its diagnostics put together (a new object; a job keeps the latest). */
export function runOf(trace: Trace, replay: Replay | OstepReplay, config: HeapConfig | OstepHeapOptions, preset: string, configDiagnostics: readonly Diagnostic[]): TraceRun {
  const diagnostics = runDiagnostics(trace, configDiagnostics, replay);
  return replay instanceof OstepReplay
    ? { model: 'ostep', trace, replay, config: config as OstepHeapOptions, preset, diagnostics }
    : { model: 'engine', trace, replay, config: config as HeapConfig, preset, diagnostics };
}

/** `options`: the replay's (a comparison keeps no history, see ReplayOptions.history). */
export function runTrace(trace: Trace, layers: TraceConfigLayers = {}, options?: ReplayOptions): TraceRun {
  const m = traceModel(trace, layers);
  if (m.model === 'ostep') return runOf(trace, OstepReplay.run(trace, m.options), m.options, m.preset, m.diagnostics);
  return runOf(trace, Replay.run(trace, m.config, options), m.config, m.preset, m.diagnostics);
}

/** The engine's run of a trace (a comparison's, a check's): `runTrace` on a trace known to run on the engine. */
export function runEngine(trace: Trace, layers: TraceConfigLayers = {}, options?: ReplayOptions): EngineRun {
  const run = runTrace(trace, layers, options);
  if (run.model !== 'engine') throw new Error('runEngine: this trace runs on OSTEP\'s model');
  return run;
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

