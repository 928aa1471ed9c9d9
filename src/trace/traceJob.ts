// A trace's parse and replay done a slice at a time, so whoever runs it (the editor) can do other
// work between slices, show progress, and stop or resume it. It ends with the same run as
// `runTrace(parseTrace(text, format), layers)`; until then it has a partial run to show.

import type { HeapConfig } from '../engine/config';
import type { Diagnostic, Trace, TraceFormat } from './model';
import { OstepReplay } from './ostep/ostepReplay';
import type { OstepHeapOptions } from './ostep/ostepHeap';
import { traceParser } from './parseTrace';
import type { TraceParser } from './lineParser';
import { Replay, type ReplayOptions } from './replay';
import { RepParser } from './repFormat';
import { runOf, type TraceRun } from './traceRun';
import { warmFrame, WARM_FRAMES } from './replaySource';
import type { SlicedWork } from './jobRunner';
import { traceModel, type TraceConfigLayers } from './traceConfig';

export type TraceJobPhase = 'parsing' | 'replaying' | 'done';

/** How far a job is. */
export interface TraceJobProgress {
  readonly phase: TraceJobPhase;
  /** Lines read so far (all of them once parsed). */
  readonly lines: number;
  /** Ops replayed so far, and the trace's ops (0 while parsing). */
  readonly replayed: number;
  readonly ops: number;
  /** The share of the whole job done, 0 to 1 (reading the text counts for `PARSE_SHARE`). */
  readonly fraction: number;
  /** What the job is doing where ops do not count (compiling and running one's own allocator), as a phrase: the progress says it instead of ops. */
  readonly activity?: string;
}

/** The share of a job's progress bar that reading the text takes (it is about a fifth of the work per line). */
export const PARSE_SHARE = 0.15;
/** Lines read, or ops replayed, between two looks at the clock. */
const LINES_PER_CHECK = 512;
const OPS_PER_CHECK = 128;

/** What a trace session runs: a job that reads a trace and runs it, a slice at a time (TraceJob; or src/native's OwnAllocatorJob). */
export interface RunWork extends SlicedWork {
  /** The trace, once read. */
  readonly trace: Trace | undefined;
  /** The run so far (partial while it runs), undefined while the text is read. */
  readonly run: TraceRun | undefined;
  readonly done: boolean;
  progress(): TraceJobProgress;
}

export class TraceJob implements RunWork {
  /** The parser while reading (dropped afterwards: it holds the whole text). */
  private parser: TraceParser | null;
  /** Whether the job read text (and so reading has a share of its progress). */
  private readonly reads: boolean;
  private parsed: Trace | undefined;
  private readonly layers: TraceConfigLayers;
  /** The engine's replay, or a script's run on OSTEP's model. */
  private replay: Replay | OstepReplay | undefined;
  private config: HeapConfig | OstepHeapOptions | undefined;
  private preset = 'default';
  private configDiagnostics: readonly Diagnostic[] = [];
  private latest: { run: TraceRun; recorded: number; problems: number } | undefined;
  /** Frames of the warm-up built so far (warm). */
  private framesWarmed = 0;

  private constructor(
    parser: TraceParser | null,
    trace: Trace | undefined,
    layers: TraceConfigLayers,
    private readonly options?: ReplayOptions,
  ) {
    this.parser = parser;
    this.reads = parser !== null;
    this.layers = layers;
    if (trace) this.startReplay(trace);
  }

  /** A job that reads `text` and then replays it. */
  static parse(text: string, format: TraceFormat, layers: TraceConfigLayers = {}): TraceJob {
    return new TraceJob(traceParser(text, format), undefined, layers);
  }

  /**
   * A job that reads a `.rep` trace from a file's bytes, every one of them ASCII (so they are its
   * text as the editor decodes it), with no text made of them: the parse's result is `parse`'s
   * of that text (docs/memory.md, "Big traces in the editor").
   */
  static parseAsciiRep(bytes: Uint8Array, layers: TraceConfigLayers = {}): TraceJob {
    return new TraceJob(new RepParser(bytes), undefined, layers);
  }

  /** A job that replays a trace already read (another policy on the same trace, say). */
  static replay(trace: Trace, layers: TraceConfigLayers = {}, options?: ReplayOptions): TraceJob {
    return new TraceJob(null, trace, layers, options);
  }

  /** Reading the text, replaying the trace, or done. */
  get phase(): TraceJobPhase {
    if (this.replay === undefined) return 'parsing';
    return this.replay.done ? 'done' : 'replaying';
  }

  /** Whether every op is replayed (then `run` is complete). */
  get done(): boolean {
    return this.replay?.done ?? false;
  }

  /** The trace, once read. */
  get trace(): Trace | undefined {
    return this.parsed;
  }

  /**
   * The run so far: undefined while the text is being read, then partial (ops from
   * `run.replay.recorded` on are not replayed yet) until the job is done. A new object whenever
   * more ops were replayed since the last look; the replay inside is shared and keeps going.
   */
  get run(): TraceRun | undefined {
    const { replay, parsed, config } = this;
    if (replay === undefined || parsed === undefined || config === undefined) return undefined;
    const latest = this.latest;
    if (latest && latest.recorded === replay.recorded && latest.problems === replay.diagnostics.length) return latest.run;
    const run = runOf(parsed, replay, config, this.preset, this.configDiagnostics);
    this.latest = { run, recorded: replay.recorded, problems: replay.diagnostics.length };
    return run;
  }

  /** How far the job is, for a progress bar. */
  progress(): TraceJobProgress {
    const replay = this.replay;
    if (replay === undefined) {
      const p = this.parser!;
      return { phase: 'parsing', lines: p.lines, replayed: 0, ops: 0, fraction: p.length === 0 ? 0 : (PARSE_SHARE * p.offset) / p.length };
    }
    const start = this.reads ? PARSE_SHARE : 0;
    const fraction = replay.length === 0 ? 1 : start + ((1 - start) * replay.recorded) / replay.length;
    return { phase: this.phase, lines: this.parsed!.lineCount, replayed: replay.recorded, ops: replay.length, fraction };
  }

  /**
   * Reads and replays until the job is done (every op recorded) or `stop()` says to stop (asked
   * every few hundred lines or ops, so one call overruns `stop` by about a millisecond); returns
   * whether it is done.
   */
  work(stop: () => boolean): boolean {
    let replay = this.replay;
    while (replay === undefined) {
      const parser = this.parser!;
      if (parser.done) {
        replay = this.startReplay(parser.trace);
        break;
      }
      parser.advance(LINES_PER_CHECK);
      // Setting up the replay of a long trace takes a while of its own: best in a slice of its own.
      if (stop()) return false;
    }
    while (!replay.advance(OPS_PER_CHECK)) {
      if (stop()) return false;
    }
    return true;
  }

  /**
   * Once done: builds the panel's frame at two steps (`warmFrame`), then moves the replay's
   * cursor on towards the last op until it is there, until all that is done (returns true) or
   * `stop()` says to stop, so that the first jump to a step, and the first frame, cost what any
   * later one does (see `Replay.warm`). Whoever shows steps calls it; a job nobody looks at need not.
   */
  warm(stop: () => boolean): boolean {
    const replay = this.replay;
    if (replay === undefined || !replay.done) return false;
    // First the panel's frame code, a frame a slice (warmFrame); then the cursor, which ends at the last op.
    const run = this.run;
    while (run !== undefined && this.framesWarmed < WARM_FRAMES) {
      warmFrame(run, this.framesWarmed++);
      if (stop()) return false;
    }
    while (!replay.warm(OPS_PER_CHECK)) {
      if (stop()) return false;
    }
    return true;
  }

  private startReplay(trace: Trace): Replay | OstepReplay {
    this.parsed = trace;
    const m = traceModel(trace, this.layers);
    this.preset = m.preset;
    this.configDiagnostics = m.diagnostics;
    if (m.model === 'ostep') {
      this.config = m.options;
      this.replay = new OstepReplay(trace, m.options);
    } else {
      this.config = m.config;
      this.replay = new Replay(trace, m.config, this.options);
    }
    this.parser = null;
    return this.replay;
  }
}
