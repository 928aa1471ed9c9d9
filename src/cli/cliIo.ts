// What the command line reads and writes through (cli.ts's runCli): files, the two streams, and
// the runner of one's own allocator that main.ts gives from src/native. A module of its own so
// that the commands in other files (scoreCli.ts, convertCli.ts) take it without importing cli.ts.

import type { OwnRecording, Trace } from '../trace/index';
import type { RepFeed } from '../trace/repPublisher';

export interface CliIo {
  /** The file's text; throws with a readable message when it cannot be read. */
  readFile(path: string): string;
  /** The file's bytes, which readFile would decode; throws like readFile. Absent, traces are read with readFile. */
  readBytes?(path: string): Uint8Array;
  out(text: string): void;
  err(text: string): void;
  /** Compiles and runs the user's own allocator on a trace (main.ts gives src/native's); absent, --allocator is refused. */
  runAllocator?: AllocatorRunner;
  /** The `.rep` files in a folder, by name; null when `path` is not a folder (absent: every path is a file). */
  traceFolder?(path: string): string[] | null;
  /**
   * A file to read in chunks, as many times as asked, the same bytes each time (what it held when
   * opened); throws like readFile. Absent, `convert` reads the file whole.
   */
  openChunks?(path: string): () => Iterable<string>;
  /** Writes the chunks to `path`, all or nothing; throws with a readable message. Absent, `convert` cannot write files. */
  writeFile?(path: string, chunks: Iterable<string>): void;
  /**
   * A parse of a `.rep` file's bytes on another thread, for `run` and `check` to replay as it goes
   * (main.ts: a worker, for a long file); null, or absent: the trace is parsed first, here.
   */
  repFeed?(bytes: Uint8Array): RepFeed | null;
}

/** A compiler message, as `file:line:col: severity: message`. */
export interface CompilerNote {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly severity: 'error' | 'warning';
  readonly message: string;
}

/** What became of running the user's allocator (docs/own-allocator.md). */
export type AllocatorOutcome =
  | { readonly kind: 'unavailable'; readonly message: string }
  | { readonly kind: 'compile-failed'; readonly message: string; readonly notes: readonly CompilerNote[] }
  | { readonly kind: 'ran'; readonly recording: OwnRecording; readonly log: string; readonly problem: string | null; readonly notes: readonly CompilerNote[]; readonly edition: 'csapp' | 'cmu'; readonly alignment: number; readonly opLimitMs: number; readonly speed: { readonly ns: number; readonly ops: number } | null; readonly speedProblem: string | null };

/** `speed`: time the ops in a second run (the lab's throughput), for the summary and the JSON. */
export type AllocatorRunner = (file: string, trace: Trace, options: { readonly cc?: string; readonly maxHeap?: number; readonly speed?: boolean; readonly checkheap?: boolean }) => AllocatorOutcome;
