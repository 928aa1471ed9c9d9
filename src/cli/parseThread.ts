// The replaying side of a `.rep` trace parsed on a worker thread (docs/performance.md, "The parse
// beside the replay"): starts dist/parseWorker.js as the command line starts, hands it the file's
// bytes (shared, not copied) and gives the trace layer's RepFeed over its parse, waiting with
// Atomics on the control words and taking the worker's two messages (the columns, the rest of
// the trace) with receiveMessageOnPort.

import { existsSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { RepFeed, RepFeedEnd, RepFeedStart, RepFeedState } from '../trace/repPublisher';
import { CONTROL, CONTROL_WORDS, PARSE_STATE, REPLAY_WAITS_FOR_END } from './parseControl';

/**
 * Files from this size on are parsed on the worker: it costs about 25-30 ms to start, more than
 * the whole parse of a file below it (the malloc lab's traces are at most 0.25 MB).
 */
export const WORKER_BYTES = 2 ** 20;
/** A worker that tells nothing new for this long is taken to have failed (the replaying thread then parses itself). */
const STALL_MS = 30_000;

/** Whether the machine runs two threads at once: on one core the worker only adds its start. */
const CORES = availableParallelism();

/**
 * Whether a file of `size` bytes is parsed on the worker: `setting` is HEAP_INSPECTOR_PARSE_WORKER
 * (`always` or `never`, for the tests; otherwise by size, on a machine of two cores or more).
 */
export function parsesOnWorker(size: number, setting: string | undefined): boolean {
  if (setting === 'always') return true;
  if (setting === 'never') return false;
  return size >= WORKER_BYTES && CORES >= 2;
}

/** A file's bytes on a shared buffer (as they are when read so, else copied once). */
export function sharedBytes(bytes: Uint8Array): Uint8Array {
  if (bytes.buffer instanceof SharedArrayBuffer) return bytes;
  const shared = new Uint8Array(new SharedArrayBuffer(bytes.length));
  shared.set(bytes);
  return shared;
}

/**
 * The parse worker (dist/parseWorker.js), started before the file is read, so that it is up by
 * the time the bytes are: `feed(bytes)` hands them over and gives the feed of its parse.
 */
export class ParseWorker {
  private readonly words = new Int32Array(new SharedArrayBuffer(CONTROL_WORDS * 4));
  private readonly port: MessagePort;
  private readonly worker: Worker;

  private constructor(workerFile: string) {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.worker = new Worker(workerFile, { workerData: { control: this.words.buffer, port: port2 }, transferList: [port2] });
    // The process ends when the command is done, whether or not the worker is.
    this.worker.unref();
    this.worker.on('error', () => undefined);
  }

  /** A worker running `workerFile`; null when it cannot be started. */
  static start(workerFile: string): ParseWorker | null {
    if (!existsSync(workerFile)) return null;
    try {
      return new ParseWorker(workerFile);
    } catch {
      return null;
    }
  }

  /** Hands the worker a file's bytes (shared, not copied, when they are on a shared buffer) and gives the feed of its parse. */
  feed(bytes: Uint8Array): RepFeed {
    this.port.postMessage(sharedBytes(bytes));
    return new WorkerFeed(this.words, this.port, this.worker);
  }

  /** Ends a worker that is not needed after all. */
  stop(): void {
    this.port.close();
    void this.worker.terminate();
  }
}

/**
 * The parse worker for a command line, started at once when it will likely be needed: `run` or
 * `check` (not --ops, not --allocator) of a file that parsesOnWorker (any argument naming a
 * regular file counts; a worker started for nothing is stopped). Null otherwise: then `repFeed`
 * starts one when the bytes read ask for it.
 */
export function earlyParseWorker(argv: readonly string[], setting: string | undefined, workerFile: string): ParseWorker | null {
  const [command, ...rest] = argv;
  if ((command !== 'run' && command !== 'check') || setting === 'never') return null;
  if (rest.some((arg) => arg === '--ops' || arg === '--allocator' || arg.startsWith('--allocator=') || arg === '-h' || arg === '--help')) return null;
  const big = rest.some((arg) => {
    if (arg.startsWith('-')) return false;
    try {
      const stat = statSync(arg, { throwIfNoEntry: false });
      return stat !== undefined && stat.isFile() && parsesOnWorker(stat.size, setting);
    } catch {
      return false; // a path that cannot be read: reading it says why
    }
  });
  return big ? ParseWorker.start(workerFile) : null;
}

/**
 * `CliIo.repFeed`: the parse of `bytes` on the worker started early, or on one started now, when
 * the bytes are many enough (parsesOnWorker); null otherwise.
 */
export function repFeedOn(early: ParseWorker | null, bytes: Uint8Array, setting: string | undefined, workerFile: string): RepFeed | null {
  if (!parsesOnWorker(bytes.length, setting)) {
    early?.stop();
    return null;
  }
  return (early ?? ParseWorker.start(workerFile))?.feed(bytes) ?? null;
}

class WorkerFeed implements RepFeed {
  private started: RepFeedStart | null | undefined;
  private stalled = false;

  constructor(
    private readonly words: Int32Array,
    private readonly port: MessagePort,
    private readonly worker: Worker,
  ) {}

  start(): RepFeedStart | null {
    if (this.started === undefined) {
      this.waitFor(() => this.state() !== PARSE_STATE.starting);
      this.started = this.state() === PARSE_STATE.failed ? null : this.message<RepFeedStart>();
      if (this.started === null) this.stop();
    }
    return this.started;
  }

  wait(have: number): { ops: number; slots: number; state: RepFeedState } {
    this.tellReplayed(have);
    this.waitFor(() => Atomics.load(this.words, CONTROL.ops) > have || this.state() >= PARSE_STATE.done);
    const state = this.state();
    // The counts are read after the state: a parse that is done has published them all.
    const ops = Atomics.load(this.words, CONTROL.ops);
    const slots = Atomics.load(this.words, CONTROL.slots);
    if (state === PARSE_STATE.failed) this.stop();
    return { ops, slots, state: state === PARSE_STATE.done ? 'done' : state === PARSE_STATE.failed ? 'failed' : 'reading' };
  }

  end(): RepFeedEnd | null {
    this.start();
    this.tellReplayed(REPLAY_WAITS_FOR_END);
    this.waitFor(() => this.state() >= PARSE_STATE.done);
    const end = this.state() === PARSE_STATE.done ? this.message<RepFeedEnd>() : null;
    this.stop();
    return end;
  }

  /** Tells the worker how far the replay is (it may be waiting to parse on). */
  private tellReplayed(ops: number): void {
    if (Atomics.load(this.words, CONTROL.replayed) >= ops) return;
    Atomics.store(this.words, CONTROL.replayed, ops);
    Atomics.notify(this.words, CONTROL.replayed);
  }

  private state(): number {
    return this.stalled ? PARSE_STATE.failed : Atomics.load(this.words, CONTROL.state);
  }

  /** Blocks until `ready()`, woken by every change the worker tells; a worker silent for STALL_MS has failed. */
  private waitFor(ready: () => boolean): void {
    for (;;) {
      const seq = Atomics.load(this.words, CONTROL.seq);
      if (ready()) return;
      if (Atomics.wait(this.words, CONTROL.seq, seq, STALL_MS) === 'timed-out') {
        this.stalled = true;
        return;
      }
    }
  }

  /** The worker's next message, posted before the state that announced it. */
  private message<T>(): T | null {
    for (let tries = 0; tries < 1000; tries++) {
      const received = receiveMessageOnPort(this.port);
      if (received !== undefined) return received.message as T;
      Atomics.wait(this.words, CONTROL.seq, Atomics.load(this.words, CONTROL.seq), 1); // a millisecond's pause
    }
    this.stalled = true;
    return null;
  }

  stop(): void {
    this.port.close();
    void this.worker.terminate();
  }
}
