// The job runner on a fake event loop whose clock moves only as work is done: a job reads, replays
// and is done a slice at a time, each slice as long as the injected clock says; it can be
// cancelled and resumed, replaced by a new job mid-run (an edit), and a failing job says so.

import assert from 'node:assert/strict';
import { JobRunner, parseRep, runEngine, TraceJob, type Job, type JobRunnerOptions, type JobState, type Scheduler, type SlicedWork } from '../../../src/trace/index';
import { generatedRep } from '../support/generatedTrace';

/** An event loop with a clock that moves only when told to: `turn()` runs the next queued callback. */
class FakeLoop implements Scheduler {
  time = 0;
  private readonly queue: (() => void)[] = [];
  now(): number {
    return this.time;
  }
  later(run: () => void): void {
    this.queue.push(run);
  }
  get waiting(): number {
    return this.queue.length;
  }
  /** Runs the next turn; false when nothing is queued. */
  turn(): boolean {
    const run = this.queue.shift();
    run?.();
    return run !== undefined;
  }
  /** Runs turns until nothing is queued; returns how many ran. */
  drain(limit = 100_000): number {
    let turns = 0;
    while (this.turn()) assert.ok(++turns < limit, 'the loop goes quiet');
    return turns;
  }
}

/**
 * Work of `lines` lines to read and then `ops` ops to replay, each taking 1 ms on the loop's clock;
 * `failAt`: the op whose replay throws. `warmSteps`: what its warm-up takes once done.
 */
class CountedWork implements SlicedWork {
  read = 0;
  replayed = 0;
  warmed = 0;
  constructor(
    private readonly loop: FakeLoop,
    readonly lines: number,
    readonly ops: number,
    private readonly failAt = -1,
    private readonly warmSteps = 0,
  ) {}
  get phase(): 'parsing' | 'replaying' | 'done' {
    return this.read < this.lines ? 'parsing' : this.replayed < this.ops ? 'replaying' : 'done';
  }
  work(stop: () => boolean): boolean {
    while (this.phase !== 'done') {
      if (this.read < this.lines) this.read++;
      else {
        if (this.replayed === this.failAt) throw new Error(`op ${this.failAt} broke the engine`);
        this.replayed++;
      }
      this.loop.time++;
      if (stop()) return this.read === this.lines && this.replayed === this.ops;
    }
    return true;
  }
  warm(stop: () => boolean): boolean {
    while (this.warmed < this.warmSteps) {
      this.warmed++;
      this.loop.time++;
      if (stop()) break;
    }
    return this.warmed === this.warmSteps;
  }
}

const OPTIONS: JobRunnerOptions = { sliceMs: 10, progressEveryMs: 30 };

/** A runner on a fresh loop, and what its listener heard: each change as `from -> to`, and progress. */
function runnerOn(options: JobRunnerOptions = OPTIONS) {
  const loop = new FakeLoop();
  const heard: string[] = [];
  let progressed = 0;
  const runner = new JobRunner<CountedWork, string>(
    loop,
    {
      changed: (job, from) => heard.push(`${job.info}: ${from} -> ${job.state}`),
      progressed: () => progressed++,
    },
    options,
  );
  return { loop, runner, heard, progressed: () => progressed };
}

/** The job's state now (a function, so that one look does not narrow the next). */
const stateOf = (job: Job<SlicedWork, unknown>): JobState => job.state;

describe('the job runner', () => {
  it('a job that fits in one slice is done when started: nothing queued, nothing to tell', () => {
    const { loop, runner, heard } = runnerOn();
    const work = new CountedWork(loop, 3, 5);
    const job = runner.start(work, 'small');
    assert.equal(job.state, 'done');
    assert.equal(work.replayed, 5);
    assert.equal(loop.waiting, 0);
    assert.deepEqual(heard, []);
  });

  it('a long job reads, then replays, then is done, one slice of the injected clock per turn', () => {
    const { loop, runner, heard, progressed } = runnerOn();
    const work = new CountedWork(loop, 25, 40);
    const job = runner.start(work, 'long');
    // The first slice ran at the start: 10 ms of the clock, 10 lines.
    assert.equal(job.state, 'reading');
    assert.equal(work.read, 10);
    const seen: [JobState, number, number][] = [];
    while (loop.turn()) seen.push([job.state, work.read, work.replayed]);
    // Each turn does 10 units: 25 lines and 40 ops end in the 7th slice, 6 turns after the start.
    assert.deepEqual(seen, [
      ['reading', 20, 0],
      ['replaying', 25, 5],
      ['replaying', 25, 15],
      ['replaying', 25, 25],
      ['replaying', 25, 35],
      ['done', 25, 40],
    ]);
    assert.deepEqual(heard, ['long: reading -> replaying', 'long: replaying -> done']);
    // Progress at most every 30 ms, the first after the first turn: at 20, 50 ms (and none once done).
    assert.equal(progressed(), 2);
  });

  it('cancel stops the job where it is; resume goes on from there to the same end', () => {
    const { loop, runner, heard } = runnerOn();
    const work = new CountedWork(loop, 0, 100);
    const job = runner.start(work, 'job');
    loop.turn();
    assert.equal(work.replayed, 20);
    assert.equal(runner.cancel(), true);
    assert.equal(job.state, 'stopped');
    loop.drain();
    assert.equal(work.replayed, 20, 'nothing more is replayed');
    assert.equal(runner.cancel(), false, 'a stopped job is not running');
    assert.equal(runner.resume(), true);
    assert.equal(stateOf(job), 'replaying');
    loop.drain();
    assert.equal(stateOf(job), 'done');
    assert.equal(work.replayed, 100);
    assert.equal(runner.resume(), false, 'a done job has nothing to resume');
    assert.deepEqual(heard, ['job: replaying -> stopped', 'job: stopped -> replaying', 'job: replaying -> done']);
  });

  it('the work hears when it is stopped while running (cancelled or replaced), to end what runs elsewhere; not when done', () => {
    const { loop, runner } = runnerOn();
    const stops: string[] = [];
    const withStop = (name: string, ops: number) => Object.assign(new CountedWork(loop, 0, ops), { stop: () => stops.push(name) });
    runner.start(withStop('cancelled', 100), 'a');
    runner.cancel();
    runner.resume();
    runner.start(withStop('replaced', 100), 'b');
    assert.deepEqual(stops, ['cancelled', 'cancelled'], 'once when cancelled, once when the resumed job was replaced');
    runner.start(withStop('finished', 100), 'c');
    assert.deepEqual(stops, ['cancelled', 'cancelled', 'replaced']);
    loop.drain();
    runner.start(withStop('next', 3), 'd');
    assert.deepEqual(stops, ['cancelled', 'cancelled', 'replaced'], 'a job that is done is not stopped when replaced');
  });

  it('cancel then resume before the queued turn runs: one turn, not two, goes on with the job', () => {
    const { loop, runner } = runnerOn();
    const work = new CountedWork(loop, 0, 100);
    const job = runner.start(work, 'job');
    runner.cancel();
    runner.resume();
    assert.equal(loop.waiting, 1);
    loop.drain();
    assert.equal(job.state, 'done');
    assert.equal(work.replayed, 100);
  });

  it('an edit mid-run: the new job replaces the old one, whose waiters move on and whose work stops', async () => {
    const { loop, runner, heard } = runnerOn();
    const old = new CountedWork(loop, 0, 1000);
    const first = runner.start(old, 'v1');
    loop.turn();
    const woken = first.next();
    const edited = new CountedWork(loop, 0, 50);
    const second = runner.start(edited, 'v2');
    await woken;
    assert.equal(first.state, 'replaced');
    assert.equal(runner.current, second);
    loop.drain();
    assert.equal(old.replayed, 20, 'the old text is replayed no further');
    assert.equal(second.state, 'done');
    assert.equal(edited.replayed, 50);
    assert.deepEqual(heard, ['v1: replaying -> replaced', 'v2: replaying -> done']);
  });

  it('an edit before its new job starts retires the running job; a stopped one stays resumable until replaced', () => {
    const { loop, runner } = runnerOn();
    const job = runner.start(new CountedWork(loop, 0, 1000), 'running');
    runner.retire();
    assert.equal(job.state, 'replaced');
    assert.equal(runner.resume(), false);
    loop.drain();
    const stopped = runner.start(new CountedWork(loop, 0, 1000), 'stopped');
    runner.cancel();
    runner.retire();
    assert.equal(stopped.state, 'stopped');
    runner.start(new CountedWork(loop, 0, 1), 'next');
    assert.equal(stopped.state, 'replaced');
  });

  it('a job whose work throws ends in error, keeps what was thrown, and is not run again', () => {
    const { loop, runner, heard } = runnerOn();
    const work = new CountedWork(loop, 0, 100, 35);
    const job = runner.start(work, 'broken');
    loop.drain();
    assert.equal(job.state, 'error');
    assert.match(String(job.error), /op 35 broke the engine/);
    assert.equal(work.replayed, 35);
    assert.equal(runner.resume(), false);
    assert.deepEqual(heard, ['broken: replaying -> error']);
  });

  it('once done, the warm-up runs in later slices when asked for, and not at all otherwise', () => {
    const { loop, runner, heard } = runnerOn({ ...OPTIONS, warmWhenDone: true });
    const work = new CountedWork(loop, 0, 5, -1, 25);
    const job = runner.start(work, 'warm');
    assert.equal(job.state, 'done', 'done means every op replayed, warm or not');
    assert.equal(work.warmed, 0);
    assert.equal(loop.drain(), 3, '25 steps of warm-up in slices of 10');
    assert.equal(work.warmed, 25);
    assert.deepEqual(heard, [], 'warming changes no state');

    const cold = runnerOn();
    const coldWork = new CountedWork(cold.loop, 0, 5, -1, 25);
    cold.runner.start(coldWork, 'cold');
    assert.equal(cold.loop.drain(), 0);
    assert.equal(coldWork.warmed, 0);
  });

  it('a new job stops the warm-up of the one before', () => {
    const { loop, runner } = runnerOn({ ...OPTIONS, warmWhenDone: true });
    const work = new CountedWork(loop, 0, 5, -1, 1000);
    runner.start(work, 'first');
    loop.turn();
    runner.start(new CountedWork(loop, 0, 5), 'second');
    loop.drain();
    assert.equal(work.warmed, 10);
  });

  it('disposed, it wakes the waiters and runs nothing more', async () => {
    const { loop, runner } = runnerOn();
    const work = new CountedWork(loop, 0, 1000);
    const job = runner.start(work, 'job');
    const woken = job.next();
    runner.dispose();
    await woken;
    assert.equal(job.state, 'replaced');
    loop.drain();
    assert.equal(work.replayed, 10);
    assert.throws(() => runner.start(work, 'again'), /disposed/);
  });

  it('a real trace job on the fake loop ends with the run runEngine gives, its cursor warmed at the last op', () => {
    // The clock moves 1 ms each time it is read: a slice is a few looks at the clock.
    const loop = new (class extends FakeLoop {
      override now(): number {
        return this.time++;
      }
    })();
    const states: JobState[] = [];
    const runner = new JobRunner<TraceJob, undefined>(loop, { changed: (job) => states.push(job.state), progressed: () => {} }, { sliceMs: 5, progressEveryMs: 0, warmWhenDone: true });
    const text = generatedRep(5_000, 300, 3);
    const job = runner.start(TraceJob.parse(text, 'rep'), undefined);
    loop.drain();
    assert.deepEqual(states, ['replaying', 'done']);
    const run = job.work.run!;
    assert.ok(run.model === 'engine');
    const expected = runEngine(parseRep(text));
    assert.equal(run.replay.recorded, expected.replay.length);
    assert.deepEqual(run.replay.finalMetrics, expected.replay.finalMetrics);
    assert.equal(run.replay.warm(1), true, 'the cursor is already at the last op');
    assert.deepEqual(run.replay.heapAt(run.replay.length - 1).walk(), expected.replay.heapAt(expected.replay.length - 1).walk());
  });
});
