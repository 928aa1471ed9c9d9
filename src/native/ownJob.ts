// A trace session's job on the user's own allocator (docs/own-allocator.md): the trace read a slice
// at a time like any other, then the allocator compiled and run in a child process while the event
// loop goes on (the job runner waits for it, see SlicedWork.waiting), then one run with its read
// model. Every failure is a result: a compile error, a missing compiler, a crash.

import { mergeDiagnostics } from '../trace/diagnostics';
import { lineRange, ownDiagnostics, OwnSource, PARSE_SHARE, RecordingReader, traceParser, type Diagnostic, type OwnLayout, type OwnRun, type RunWork, type Trace, type TraceFormat, type TraceJobProgress, type TraceParser, type TraceRun } from '../trace/index';
import { compileAllocatorAsync, DEFAULT_OP_LIMIT_MS, runAllocatorAsync, type CompileOptions, type CompileResult } from './ownAllocator';
import { grouped } from '../trace/figures';

const LINES_PER_CHECK = 512;
/** How often the runner looks at a job waiting for its child process. */
const LOOK_AGAIN_MS = 250;

/** What the job did with the allocator's file, for the editor: the compiler's result (its messages go to the Problems view). */
export interface OwnJobListener {
  compiled(file: string, result: CompileResult): void;
}

export class OwnAllocatorJob implements RunWork {
  private parser: TraceParser | null;
  private parsed: Trace | undefined;
  private result: TraceRun | undefined;
  private pending: Promise<void> | null = null;
  private finished = false;
  /** Stops the compile or run under way (the runner cancelled or replaced the job). */
  private abort: AbortController | null = null;
  private activity = 'compiling your allocator';

  constructor(
    text: string,
    format: TraceFormat,
    /** The allocator's C file. */
    private readonly file: string,
    private readonly options: CompileOptions & { readonly maxHeap?: number; readonly opLimitMs?: number; readonly checkheap?: boolean; readonly layout?: OwnLayout | null },
    private readonly listener: OwnJobListener | null = null,
  ) {
    this.parser = traceParser(text, format);
  }

  get phase(): 'parsing' | 'replaying' | 'done' {
    return this.parsed === undefined ? 'parsing' : this.finished ? 'done' : 'replaying';
  }

  get done(): boolean {
    return this.finished;
  }

  /** The allocator's file name, as titles and progress say it. */
  private get fileName(): string {
    return this.file.split(/[\\/]/).pop() ?? this.file;
  }

  get trace(): Trace | undefined {
    return this.parsed;
  }

  /** The run once the allocator has run (its trace's own diagnostics alone before, with no steps). */
  get run(): TraceRun | undefined {
    return this.result;
  }

  progress(): TraceJobProgress {
    if (this.parsed === undefined) {
      const p = this.parser!;
      return { phase: 'parsing', lines: p.lines, replayed: 0, ops: 0, fraction: p.length === 0 ? 0 : (PARSE_SHARE * p.offset) / p.length };
    }
    const ops = this.parsed.ops.length;
    return { phase: this.phase, lines: this.parsed.lineCount, replayed: this.finished ? ops : 0, ops, fraction: this.finished ? 1 : PARSE_SHARE, activity: this.activity };
  }

  work(stop: () => boolean): boolean {
    while (this.parsed === undefined) {
      const parser = this.parser!;
      if (parser.done) {
        this.parsed = parser.trace;
        this.parser = null;
        this.result = this.runOf(this.parsed, null, []);
        break;
      }
      parser.advance(LINES_PER_CHECK);
      if (stop()) return false;
    }
    if (this.finished) return true;
    if (this.pending === null) this.pending = this.start(this.parsed);
    return false;
  }

  /** The compile and run, or a quarter of a second, whichever ends first: the runner looks again (its progress notification shows a slow one, with Cancel). */
  waiting(): Promise<void> | null {
    if (this.finished || this.pending === null) return null;
    return Promise.race([this.pending, new Promise<void>((resolve) => setTimeout(resolve, LOOK_AGAIN_MS))]);
  }

  /** Cancelled or replaced: the compiler or the allocator's process is killed; a resumed job compiles and runs again. */
  stop(): void {
    this.abort?.abort();
    this.abort = null;
    this.pending = null;
  }

  private async start(trace: Trace): Promise<void> {
    let extra: Diagnostic[] = [];
    let run: Awaited<ReturnType<typeof runAllocatorAsync>> | null = null;
    let alignment = 8;
    let edition: 'csapp' | 'cmu' = 'csapp';
    const abort = new AbortController();
    this.abort = abort;
    const name = this.fileName;
    this.activity = `compiling ${name}`;
    try {
      const compiled = await compileAllocatorAsync(this.file, this.options, abort.signal);
      if (abort.signal.aborted) return; // cancelled: a resumed job starts again
      this.listener?.compiled(this.file, compiled);
      if (!compiled.ok) {
        const first = compiled.messages.find((m) => m.severity === 'error');
        const where = first ? ` (${first.file.split(/[\\/]/).pop()}:${first.line}: ${first.message})` : '';
        extra = [{ range: lineRange(1, 1, 1), severity: 'error', code: 'allocator-compile', message: compiled.reason === 'failed' ? `Your allocator ${this.file} did not compile${where}; nothing ran. The compiler's messages are in the Problems view.` : compiled.text }];
      } else {
        edition = compiled.interface;
        alignment = compiled.alignment;
        this.activity = `running ${grouped(trace.ops.length)} ops on ${name}`;
        run = await runAllocatorAsync(compiled.executable, trace, this.options, abort.signal);
        if (abort.signal.aborted) return;
      }
    } catch (err) {
      if (abort.signal.aborted) return;
      extra = [{ range: lineRange(1, 1, 1), severity: 'error', code: 'allocator-failed', message: `Your allocator could not be run: ${err instanceof Error ? err.message : String(err)}` }];
    }
    if (run !== null) extra = ownDiagnostics(trace, run.recording, { alignment, opLimitMs: this.options.opLimitMs ?? DEFAULT_OP_LIMIT_MS }, run.problem);
    this.result = this.runOf(trace, run, extra, edition, alignment);
    this.finished = true;
  }

  /** The run: the allocator's recording and read model, or (before it ran, or when it could not) no steps at all. */
  private runOf(trace: Trace, run: Awaited<ReturnType<typeof runAllocatorAsync>> | null, extra: readonly Diagnostic[], edition: 'csapp' | 'cmu' = 'csapp', alignment = 8): OwnRun {
    const diagnostics = mergeDiagnostics(trace.diagnostics, extra);
    const name = this.fileName;
    const recording = run?.recording ?? emptyRecording(trace);
    const source = new OwnSource(trace, recording, name, diagnostics, this.options.layout ?? null);
    return {
      model: 'own',
      trace,
      preset: 'your allocator',
      diagnostics,
      // Done once the allocator ran (or could not); before, a run of no steps.
      replay: { length: trace.ops.length, recorded: recording.ops, done: run !== null || extra.length > 0 },
      config: { allocator: this.file, interface: edition, alignment },
      source,
      log: run?.log ?? '',
    };
  }
}

/** A recording of nothing (the allocator has not run, or could not): the reader of an empty stream. */
function emptyRecording(trace: Trace) {
  return new RecordingReader(trace.ops.length).end();
}
