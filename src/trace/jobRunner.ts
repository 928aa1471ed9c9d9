// The job runner: drives one sliced job at a time (a TraceJob: read, then replay) on an injected
// clock and event loop (the editor's real ones, or the unit tests' fake one), with cancel, resume
// and replacement. Every change of a job's state goes through one method, `move`.

/** The time and the turns of an event loop. */
export interface Scheduler {
  /** Milliseconds on a monotonic clock. */
  now(): number;
  /** Calls `run` on a later turn, after whatever else is waiting (timers, I/O, messages). */
  later(run: () => void): void;
}

/** Work done a slice at a time, like `TraceJob`. */
export interface SlicedWork {
  /** 'parsing' while it reads its text. */
  readonly phase: 'parsing' | 'replaying' | 'done';
  /** Works until done (returns true) or `stop()` says to stop (returns false). */
  work(stop: () => boolean): boolean;
  /** Once done: optional background work for whoever reads the result (`TraceJob.warm`), same contract. */
  warm?(stop: () => boolean): boolean;
  /**
   * Work done elsewhere (a child process): after a slice that did not finish, a promise the next
   * slice waits for, so the runner does not spin; null or absent: the next slice runs on the next turn.
   */
  waiting?(): Promise<void> | null;
  /** The runner stopped the job (cancelled or replaced) while it ran: end any work done elsewhere now (a child process); a resumed job starts that work again. */
  stop?(): void;
}

/**
 * `reading` and `replaying`: the job is running; `stopped`: cancelled, resumable; `done`: every op
 * replayed; `error`: the work threw (`Job.error`); `replaced`: a newer job (or none, after an edit
 * or disposal) took its place, and it never runs again.
 */
export type JobState = 'reading' | 'replaying' | 'stopped' | 'done' | 'error' | 'replaced';

/** One job: its work, its state, and `info`, whatever the owner keeps with it (the document's version, say). */
export interface Job<W extends SlicedWork, I> {
  readonly work: W;
  readonly info: I;
  readonly state: JobState;
  /** Whether the job is reading or replaying. */
  readonly running: boolean;
  /** What the work threw (state `error`, or a failed warm-up after `done`). */
  readonly error: unknown;
  /** Milliseconds since this stretch of running began (starting or resuming). */
  runningFor(): number;
  /** Resolves at the job's next change of state (or when it is replaced). */
  next(): Promise<void>;
}

/** What the runner tells its owner. */
export interface JobListener<W extends SlicedWork, I> {
  /** `job` moved from `from` to `job.state` (the same state: it was only replaced while stopped, done or failed). */
  changed(job: Job<W, I>, from: JobState): void;
  /** A running job got further; at most once every `progressEveryMs`, and after the first slice of each stretch. */
  progressed(job: Job<W, I>): void;
}

export interface JobRunnerOptions {
  /** Work per slice before the event loop gets its turn. */
  readonly sliceMs: number;
  /** Least time between two `progressed` calls. */
  readonly progressEveryMs: number;
  /** Once a job is done, run its `warm` in background slices (until done, replaced or disposed). */
  readonly warmWhenDone?: boolean;
}

const RUNNING: ReadonlySet<JobState> = new Set(['reading', 'replaying']);

class RunnerJob<W extends SlicedWork, I> implements Job<W, I> {
  state: JobState = 'reading';
  error: unknown = undefined;
  /** When this stretch of running began. */
  started: number;
  /** When `progressed` was last said for this job. */
  lastProgress = -Infinity;
  /** A turn is queued for this job. */
  queued = false;
  /** The warm-up after `done` is still to run. */
  warming = false;
  private waiters: (() => void)[] = [];

  constructor(
    readonly work: W,
    readonly info: I,
    private readonly clock: Scheduler,
  ) {
    this.started = clock.now();
  }

  get running(): boolean {
    return RUNNING.has(this.state);
  }

  runningFor(): number {
    return this.clock.now() - this.started;
  }

  next(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}

/** Runs one job at a time for one owner (a document's session); a new job replaces the last. */
export class JobRunner<W extends SlicedWork, I = undefined> {
  private job: RunnerJob<W, I> | undefined;
  private disposed = false;

  constructor(
    private readonly scheduler: Scheduler,
    private readonly listener: JobListener<W, I>,
    private readonly options: JobRunnerOptions,
  ) {}

  /** The latest job, whatever its state. */
  get current(): Job<W, I> | undefined {
    return this.job;
  }

  /**
   * Starts `work` as the current job, replacing the one before (an edit mid-run, say: the old job
   * stops and its waiters move on). The first slice runs here, so a small job is done on return;
   * a bigger one goes on in later turns. The start itself is not told to the listener (the
   * caller knows); what follows is.
   */
  start(work: W, info: I): Job<W, I> {
    if (this.disposed) throw new Error('the job runner is disposed');
    this.replace();
    const job = new RunnerJob(work, info, this.scheduler);
    this.job = job;
    this.move(job, this.afterSlice(job, this.slice(job)), false);
    if (job.running || this.startWarming(job)) this.queue(job);
    return job;
  }

  /** Stops the running job where it is; returns whether there was one. */
  cancel(): boolean {
    const job = this.job;
    if (!job?.running) return false;
    this.move(job, 'stopped');
    return true;
  }

  /** Goes on with a stopped job from where it stopped; returns whether there was one. */
  resume(): boolean {
    const job = this.job;
    if (job?.state !== 'stopped' || this.disposed) return false;
    job.started = this.scheduler.now();
    job.lastProgress = -Infinity;
    this.move(job, job.work.phase === 'parsing' ? 'reading' : 'replaying');
    this.queue(job);
    return true;
  }

  /** The running job is out of date (an edit, before the new job starts): it stops for good. */
  retire(): void {
    const job = this.job;
    if (job?.running) this.move(job, 'replaced');
  }

  /** Retires the current job, running or stopped; nothing runs afterwards. */
  dispose(): void {
    this.replace();
    this.disposed = true;
  }

  /** The current job gives way to a new one (or to none): it never runs again, and its waiters move on. */
  private replace(): void {
    const job = this.job;
    if (!job) return;
    job.warming = false;
    this.move(job, job.running || job.state === 'stopped' ? 'replaced' : job.state);
  }

  /**
   * The one place a job's state changes: sets it, wakes its waiters and, with `tell`, tells the
   * listener (a move to the same state only wakes the waiters).
   */
  private move(job: RunnerJob<W, I>, to: JobState, tell = true): void {
    const from = job.state;
    const wasRunning = job.running;
    job.state = to;
    if (wasRunning && (to === 'stopped' || to === 'replaced')) job.work.stop?.();
    job.wake();
    if (tell) this.listener.changed(job, from);
  }

  /** The state a running job is in after a slice that returned `done` (null: the work threw). */
  private afterSlice(job: RunnerJob<W, I>, done: boolean | null): JobState {
    if (done === null) return 'error';
    if (done) return 'done';
    return job.work.phase === 'parsing' ? 'reading' : 'replaying';
  }

  private queue(job: RunnerJob<W, I>): void {
    if (job.queued) return;
    job.queued = true;
    this.scheduler.later(() => this.turn(job));
  }

  /** One turn of the event loop for `job`: a slice of its work (or of its warm-up), then the next turn if more is left. */
  private turn(job: RunnerJob<W, I>): void {
    job.queued = false;
    if (this.disposed || job !== this.job) return;
    if (job.running) {
      const to = this.afterSlice(job, this.slice(job));
      if (to !== job.state) this.move(job, to);
      if (job.running) {
        const now = this.scheduler.now();
        if (now - job.lastProgress >= this.options.progressEveryMs) {
          job.lastProgress = now;
          this.listener.progressed(job);
        }
      }
      const waiting = job.running ? (job.work.waiting?.() ?? null) : null;
      if (waiting !== null) {
        const resume = () => this.queue(job);
        waiting.then(resume, resume);
      } else if (job.running || this.startWarming(job)) this.queue(job);
    } else if (job.state === 'done' && job.warming) {
      try {
        job.warming = !job.work.warm!(this.stopper());
      } catch (err) {
        // The run is complete all the same: only the first jump to a step will be slower.
        job.warming = false;
        job.error = err;
      }
      if (job.warming) this.queue(job);
    }
  }

  /** A slice of the job's work: true when done, false when the clock says stop, null when it threw. */
  private slice(job: RunnerJob<W, I>): boolean | null {
    try {
      return job.work.work(this.stopper());
    } catch (err) {
      job.error = err;
      return null;
    }
  }

  /** Whether a job just done has a warm-up to run (then it is marked to). */
  private startWarming(job: RunnerJob<W, I>): boolean {
    job.warming = job.state === 'done' && (this.options.warmWhenDone ?? false) && job.work.warm !== undefined;
    return job.warming;
  }

  /** A stop condition for one slice from now, by the injected clock. */
  private stopper(): () => boolean {
    const end = this.scheduler.now() + this.options.sliceMs;
    return () => this.scheduler.now() >= end;
  }
}
