// One session per open trace document owns its parse and replay, the one source of truth for every
// feature: the job runner (src/trace/jobRunner.ts) works in slices with the event loop free between,
// under a cancellable progress notification when big; an edit (debounced) or a setting restarts it.
// A session may also read a trace file without a document, one too big for VS Code to open for
// extensions (docs/limits.md, "Big traces in the editor"): those are src/extension/fileSessions.ts's.

import * as vscode from 'vscode';
import { JobRunner, TraceJob, type Job, type JobState, type OwnLayout, type RunWork, type Scheduler, type TraceFormat, type TraceJobProgress, type TraceRun } from '../trace/index';
import { later } from './later';
import { formatOfLanguage, TRACE_LANGUAGES } from './commandIds';
import { FileSessions, type TraceFile } from './fileSessions';
import { FileTraceWork } from './fileTrace';
import { showJobProgress } from './jobProgress';
import { DisposableStore, unlessCancelled } from './dispose';
import { allocatorSetting, heapSettings, RUN_SETTINGS, SECTION } from './settings';

const EDIT_DEBOUNCE_MS = 250;
/** Work per slice before the event loop gets its turn. */
export const SLICE_MS = 15;
/** Documents with this many lines are big: progress is shown, and edits wait for the debounce. */
export const BIG_TRACE_LINES = 50_000;
const SLOW_MS = 1000; // a job still running after this long shows progress whatever its size
/** Listeners hear about a running job's progress at most this often. */
const PROGRESS_EVENT_MS = 400;

export function isTraceDocument(document: vscode.TextDocument): boolean {
  return TRACE_LANGUAGES.includes(document.languageId);
}

/** The extension host's clock and event loop, for the job runner. */
const hostScheduler: Scheduler = { now: () => performance.now(), later };

const count = (n: number) => n.toLocaleString('en-US');

/**
 * `reading` and `replaying`: the job is running; `stopped`: the user cancelled it and the run is
 * partial (resume with `resume()` or the Resume Replay command); `done`: the run is complete;
 * `error`: the replay failed (a bug: the run is partial and the error was shown).
 */
export type SessionState = 'reading' | 'replaying' | 'stopped' | 'done' | 'error';

/** What a session keeps with each job: which document version and settings it runs. */
interface JobInfo {
  readonly version: number;
  readonly generation: number;
  readonly settingsProblems: readonly string[];
}

type SessionJob = Job<RunWork, JobInfo>;

/** A session's state from its job's: a job replaced by an edit whose new job has not started yet reads the new text. */
const SESSION_STATE: Readonly<Record<JobState, SessionState>> = {
  reading: 'reading',
  replaying: 'replaying',
  stopped: 'stopped',
  done: 'done',
  error: 'error',
  replaced: 'reading',
};

/** What a session tells its owner. */
export interface SessionHost {
  generation(): number;
  /** What runs the user's own allocator; null in the browser (no process). */
  readonly native: NativeOptions | null;
  /** The run changed: read it again. */
  changed(session: TraceSession): void;
  /** A running job got further (throttled). */
  progressed(session: TraceSession): void;
}

export class TraceSession {
  private readonly runner: JobRunner<RunWork, JobInfo>;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** The job whose current stretch of running has a progress notification up. */
  private notified: SessionJob | undefined;
  private disposed = false;
  /** The trace's document; undefined for a trace file read without one. */
  readonly document: vscode.TextDocument | undefined;
  readonly uri: vscode.Uri;
  private readonly languageId: string;
  /** A file's version: one more each time it is to be read again. */
  private fileVersion = 0;

  constructor(
    source: vscode.TextDocument | TraceFile,
    private readonly host: SessionHost,
  ) {
    this.document = 'getText' in source ? source : undefined;
    this.uri = source.uri;
    this.languageId = source.languageId;
    this.runner = new JobRunner<RunWork, JobInfo>(
      hostScheduler,
      {
        changed: (job, from) => this.jobChanged(job, from),
        progressed: (job) => this.jobProgressed(job),
      },
      // The session's runs are the ones the panel shows: their cursors are warmed for the first jump.
      { sliceMs: SLICE_MS, progressEveryMs: PROGRESS_EVENT_MS, warmWhenDone: true },
    );
  }

  /**
   * The latest run of the document: complete, partial (ops from `replay.recorded` on are not
   * replayed yet) or undefined while the text is being read. Starts the work if the document or
   * the settings changed, but never does more than one slice of it here: a small trace is done
   * within that slice, a big one goes on in the background. While a big document's edit waits for
   * its debounce, this is the run of the text before the edit.
   */
  get latest(): TraceRun | undefined {
    return this.current(false).work.run;
  }

  /** Settings that could not be applied to this trace. */
  get settingsProblems(): readonly string[] {
    return this.current(false).info.settingsProblems;
  }

  get state(): SessionState {
    return SESSION_STATE[this.current(false).state];
  }

  /** How far the current job is. */
  get progress(): TraceJobProgress {
    return this.current(false).work.progress();
  }

  /** Whether a progress notification is up for the running job. */
  get showsProgress(): boolean {
    const job = this.runner.current;
    return job !== undefined && job.running && this.notified === job;
  }

  /** A short name for messages. */
  get name(): string {
    const path = this.uri.path;
    return this.document?.isUntitled ? path : path.slice(path.lastIndexOf('/') + 1);
  }

  /** The document's version, or the file's. */
  private get version(): number {
    return this.document?.version ?? this.fileVersion;
  }

  get isStale(): boolean {
    const job = this.runner.current;
    return job === undefined || job.info.version !== this.version || job.info.generation !== this.host.generation();
  }

  /** Big documents get a progress notification and wait for the edit debounce; a file read without a document is big. */
  get isBig(): boolean {
    return this.document === undefined || this.document.lineCount >= BIG_TRACE_LINES;
  }

  /** The progress in words, e.g. `Replaying trace.rep: 230,000 of 1,000,000 ops (23%)`. */
  describeProgress(p: TraceJobProgress = this.progress): string {
    const percent = `${Math.floor(p.fraction * 100)}%`;
    if (p.activity !== undefined && p.phase !== 'parsing') return `${this.name}: ${p.activity}`;
    const of = this.document ? ` of ${count(this.document.lineCount)}` : '';
    return p.phase === 'parsing'
      ? `Reading ${this.name}: line ${count(p.lines)}${of} (${percent})`
      : `Replaying ${this.name}: ${count(p.replayed)} of ${count(p.ops)} ops (${percent})`;
  }

  /**
   * The run once the document as it is now has been read (the trace and its own diagnostics are
   * known), however far the replay is; undefined if the reading was cancelled or failed, or
   * `token` fired first. Does not resume a cancelled job.
   */
  async parsed(token?: vscode.CancellationToken): Promise<TraceRun | undefined> {
    for (;;) {
      const job = this.current(false);
      const current = !this.isStale;
      if (current && job.work.trace !== undefined) return job.work.run;
      if (this.disposed || (current && (job.state === 'stopped' || job.state === 'error'))) return undefined;
      await unlessCancelled(job.next(), token);
      if (token?.isCancellationRequested) return undefined;
    }
  }

  /**
   * The complete run of the document as it is now, for commands that need all of it: starts or
   * resumes the job (with the progress notification when it is big) and waits for it, following
   * the document through edits. If the user cancels, resolves with the partial run (check
   * `run.replay.done`), or undefined when the trace was not even read; `token` stops the waiting,
   * not the job.
   */
  async complete(token?: vscode.CancellationToken): Promise<TraceRun | undefined> {
    for (let first = true; ; first = false) {
      const job = this.current(true);
      if (job.state === 'done' || job.state === 'error') return job.work.run;
      if (job.state === 'stopped') {
        if (!first) return job.work.run; // the user cancelled while we waited
        this.resume();
      }
      if (this.disposed) return job.work.run;
      await unlessCancelled(job.next(), token);
      if (token?.isCancellationRequested) return job.work.run;
    }
  }

  /** Stops the running job; the run stays partial until `resume()`. */
  cancel(): void {
    this.runner.cancel();
  }

  /** Goes on with a stopped job from where it stopped (or starts over if the document changed). */
  resume(): void {
    this.current(true);
    this.runner.resume();
  }

  /** A file read without a document: reads it again now (it changed, or was asked for again). */
  reload(): void {
    this.fileVersion++;
    this.refresh();
  }

  /** After an edit: the running job is out of date at once; a new one starts when typing settles. */
  scheduleRefresh(): void {
    if (this.runner.current?.info.version !== this.version) this.runner.retire();
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.refresh();
    }, EDIT_DEBOUNCE_MS);
  }

  /** Brings the job up to date now (opened, settings changed, edit settled) and tells the listeners. */
  refresh(): void {
    if (this.disposed) return;
    this.current(true);
    this.host.changed(this);
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.runner.dispose();
  }

  /**
   * The job for the document as it is now, started (one slice done here) if there is none.
   * `force` false: a big document whose edit is waiting for its debounce keeps the old job.
   */
  private current(force: boolean): SessionJob {
    const job = this.runner.current;
    if (job !== undefined && (this.disposed || !this.isStale)) return job;
    if (job !== undefined && !force && this.timer !== undefined && this.isBig) return job;
    const { document, uri } = this;
    const { options, problems } = heapSettings(uri);
    const own = allocatorSetting(uri);
    const format = formatOfLanguage(this.languageId) ?? 'heap';
    const native = this.host.native;
    // In the browser no process runs the user's allocator: the simulated policy runs, and a settings problem says why.
    const ownProblem = own.file !== null && native === null ? DESKTOP_ONLY_ALLOCATOR : own.problem;
    const info: JobInfo = { version: this.version, generation: this.host.generation(), settingsProblems: ownProblem ? [...problems, ownProblem] : problems };
    // heapInspector.allocator set (in a trusted workspace): the trace runs on the user's own allocator.
    const make = (text: string): RunWork =>
      own.file !== null && native !== null
        ? native.ownJob(text, format, own.file, { checkheap: own.checkheap, layout: own.layout, ...(options.maxHeap !== undefined ? { maxHeap: options.maxHeap } : {}) })
        : TraceJob.parse(text, format, { defaults: options });
    // A file without a document is read again for each job, so its bytes are not kept meanwhile.
    // A .rep file of ASCII is parsed from its bytes, without its text (docs/memory.md).
    const fromAscii = format === 'rep' && !(own.file !== null && native !== null) ? (bytes: Uint8Array) => TraceJob.parseAsciiRep(bytes, { defaults: options }) : undefined;
    const work = document ? make(document.getText()) : new FileTraceWork(() => vscode.workspace.fs.readFile(uri), make, fromAscii);
    return this.runner.start(work, info);
  }

  /** What the listeners hear of a job's change: every change but a replacement (the next job's start is told by whoever started it). */
  private jobChanged(job: SessionJob, from: JobState): void {
    if (job.state === 'replaced' || job.state === from || job !== this.runner.current) return;
    if (from === 'stopped') this.notified = undefined; // resumed: a new stretch of running, a new notification when due
    if (job.state === 'error') void vscode.window.showErrorMessage(`Heap Inspector could not replay ${this.name}: ${job.error instanceof Error ? job.error.message : String(job.error)}`);
    this.host.changed(this);
  }

  private jobProgressed(job: SessionJob): void {
    if (this.notified !== job && (this.isBig || job.runningFor() > SLOW_MS)) this.notify(job);
    this.host.progressed(this);
  }

  /** The cancellable progress notification for a running job (src/extension/jobProgress.ts). */
  private notify(job: SessionJob): void {
    this.notified = job;
    showJobProgress(job, (p) => this.describeProgress(p), () => this.runner.current === job && this.cancel());
  }
}

/** What runs a trace on the user's own allocator: a child process, so the desktop entry (src/extension/extension.ts) alone gives one; null in the browser. */
export interface NativeOptions {
  ownJob(text: string, format: TraceFormat, file: string, options: { readonly checkheap: boolean; readonly layout: OwnLayout | null; readonly maxHeap?: number }): RunWork;
}

const DESKTOP_ONLY_ALLOCATOR = 'heapInspector.allocator needs the desktop VS Code app (compiling and running your allocator needs a process); the simulated policy runs instead.';

export class TraceSessions implements vscode.Disposable {
  /** The sessions of trace documents, by Uri. */
  private readonly sessions = new Map<string, TraceSession>();
  private readonly files: FileSessions<TraceSession>;
  private readonly store = new DisposableStore();
  private settingsGeneration = 0;
  private readonly changed = this.store.add(new vscode.EventEmitter<TraceSession>());
  private readonly progressed = this.store.add(new vscode.EventEmitter<TraceSession>());
  /**
   * Fires when a session's run changed: the document was opened, an edit settled, the settings
   * changed, a background job finished reading or replaying, or was cancelled or resumed.
   */
  readonly onDidChange = this.changed.event;
  /** Fires while a background job runs, a few times a second, as more ops get replayed. */
  readonly onDidProgress = this.progressed.event;
  private readonly dropped = this.store.add(new vscode.EventEmitter<TraceSession>());
  /** Fires when a session is gone (its document closed, its file's panel closed, or too many files read without a document). */
  readonly onDidDrop = this.dropped.event;
  private readonly host: SessionHost;

  /** `memento`: the workspace's state, where the files read without a document are remembered. */
  constructor(native: NativeOptions | null, memento?: vscode.Memento) {
    const live = (session: TraceSession) => this.sessions.get(session.uri.toString()) === session || this.files.has(session);
    this.host = {
      generation: () => this.settingsGeneration,
      native,
      changed: (session) => {
        if (!live(session)) return;
        if (session.document === undefined) this.files.trim();
        if (live(session)) this.changed.fire(session);
      },
      progressed: (session) => {
        if (live(session)) this.progressed.fire(session);
      },
    };
    this.files = new FileSessions({ make: (file) => new TraceSession(file, this.host), document: (d) => this.get(d), dropped: (session) => this.dropped.fire(session) }, memento);
    // Saving the allocator's file, or trusting the workspace, runs the traces again (a new compile when the file changed).
    this.store.add(
      vscode.workspace.onDidSaveTextDocument((d) => {
        if (d.uri.scheme === 'file' && this.all().some((s) => allocatorSetting(s.uri).file === d.uri.fsPath)) this.rerunAll();
      }),
    );
    this.store.add(vscode.workspace.onDidGrantWorkspaceTrust(() => this.rerunAll()));
    this.store.add(
      vscode.workspace.onDidOpenTextDocument((d) => {
        this.get(d)?.refresh();
      }),
    );
    this.store.add(vscode.workspace.onDidCloseTextDocument((d) => this.forget(d)));
    this.store.add(
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length > 0) this.sessions.get(e.document.uri.toString())?.scheduleRefresh();
      }),
    );
    this.store.add(
      vscode.workspace.onDidChangeConfiguration((e) => {
        // The lens settings change what is shown, not the run: no replay for those.
        if (!RUN_SETTINGS.some((key) => e.affectsConfiguration(`${SECTION}.${key}`))) return;
        this.rerunAll();
      }),
    );
    for (const d of vscode.workspace.textDocuments) this.get(d);
  }

  /** Every trace runs again (a setting, the allocator's file or the workspace's trust changed). */
  rerunAll(): void {
    this.settingsGeneration++;
    for (const session of this.all()) session.refresh();
  }

  /** The session of a trace document (created on first use), or undefined for other documents. */
  get(document: vscode.TextDocument): TraceSession | undefined {
    if (!isTraceDocument(document)) return undefined;
    const key = document.uri.toString();
    let session = this.sessions.get(key);
    if (session === undefined || session.document !== document) {
      session?.dispose();
      // The file is open as a document now: its session reads the document.
      this.files.close(key);
      session = new TraceSession(document, this.host);
      this.sessions.set(key, session);
    }
    return session;
  }

  /**
   * The session of a trace file read without a document (docs/limits.md: one over the 50 MB VS Code
   * opens for extensions), read again if it had one; an open document's if open; undefined if not a
   * trace's name. Several files may be read at once (src/extension/fileSessions.ts bounds their runs).
   */
  file(uri: vscode.Uri): TraceSession | undefined {
    return this.files.open(uri);
  }

  /** The session of a trace file read without a document, if there is one. */
  sessionOfFile(uri: vscode.Uri): TraceSession | undefined {
    return this.files.of(uri);
  }

  /** The session of the trace at `uri` for a panel restored after a reload (see FileSessions.restore). */
  restore(uri: vscode.Uri): Promise<TraceSession | undefined> {
    return this.files.restore(uri);
  }

  /** Drops the session of a file read without a document, and its run (the panel showing it closed). */
  closeFile(uri: vscode.Uri): void {
    this.files.close(uri.toString());
  }

  dispose(): void {
    for (const session of this.sessions.values()) session.dispose();
    this.sessions.clear();
    this.files.dispose();
    this.store.dispose();
  }

  /** Every session, of documents and of files. */
  private all(): TraceSession[] {
    return [...this.sessions.values(), ...this.files.all];
  }

  private forget(document: vscode.TextDocument): void {
    const key = document.uri.toString();
    const session = this.sessions.get(key);
    if (session?.document !== document) return;
    session.dispose();
    this.sessions.delete(key);
    this.dropped.fire(session);
  }
}
