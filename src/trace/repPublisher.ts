// The writing side of a `.rep` trace parsed on one thread and replayed on another as it is read
// (docs/performance.md, "The parse beside the replay"; followedRep.ts is the reading side): the
// parser writes its op table's columns and the slots' ids on buffers it is handed (shared ones)
// and tells how many ops and slots are written. Only typed arrays here: the thread plumbing is
// the caller's (src/cli/parseWorker.ts).

import type { LifetimeParts } from './lifetimeTable';
import type { Diagnostic, RepHeader } from './model';
import type { ColumnBuffers, OpColumnArrays } from './opTable';
import { RepParser } from './repFormat';

/** What the parse publishes once its header is read: the columns it writes, and the op count the header says. */
export interface RepFeedStart {
  readonly columns: OpColumnArrays;
  readonly slotIds: Int32Array;
  readonly expectedOps: number;
}

/** The rest of the trace once the parse is done, as plain data (typed arrays, plain objects): what `RepPublisher.end` gives. */
export interface RepFeedEnd {
  readonly ops: number;
  readonly kindCounts: Int32Array;
  readonly slots: number;
  readonly header: RepHeader | null;
  /** The trace's diagnostics; those of the lifetimes among them are the same objects as `lifetimes.diagnostics`'. */
  readonly diagnostics: readonly Diagnostic[];
  readonly lineCount: number;
  readonly lifetimes: { readonly parts: LifetimeParts; readonly lifetimeOfOp: Int32Array; readonly invalidUse: Uint8Array; readonly diagnostics: readonly Diagnostic[] };
}

/** Where the parse is: reading, done, or stopped because what it reads cannot be followed (then nothing more is published). */
export type RepFeedState = 'reading' | 'done' | 'failed';

/** The parse as the replaying side sees it; each call may block until the parse gets that far. */
export interface RepFeed {
  /** Waits for the header: the columns, or null when the parse cannot be followed. */
  start(): RepFeedStart | null;
  /**
   * Waits until more than `have` ops are published or the parse stopped; the ops and slots
   * published, and the state. `have` is also how far the replay is: the parse may keep only so
   * far ahead of it (it then leaves the other core to the replay's compiler: docs/performance.md,
   * "Start-up and warm-up"), so the replay asks again at least every FOLLOW_STEP ops.
   */
  wait(have: number): { readonly ops: number; readonly slots: number; readonly state: RepFeedState };
  /** Waits for the end of the parse (however far the replay is): the rest of the trace, or null when it failed. */
  end(): RepFeedEnd | null;
  /** The replay needs no more of the parse (done with it, or not following it after all): it may stop. */
  stop(): void;
}

/**
 * A `.rep` parse whose op table and slot ids live on buffers another thread reads: it reads a
 * slice of lines at a time and tells what is written so far. The trace it ends with is
 * `parseRepBytes`' (the same parser reads the same bytes).
 */
export class RepPublisher {
  private readonly parser: RepParser;
  private started: RepFeedStart | null = null;
  private failed = false;

  constructor(bytes: Uint8Array, buffers: ColumnBuffers) {
    this.parser = new RepParser(bytes, buffers);
  }

  /** The columns, once the header is read. */
  get start(): RepFeedStart | null {
    return this.started;
  }

  /** Reads up to `maxLines` more lines; the ops and slots written so far, and the state. */
  advance(maxLines: number): { ops: number; slots: number; state: RepFeedState } {
    const parser = this.parser;
    const done = this.failed || parser.advance(maxLines);
    const ops = parser.opsSoFar;
    const expected = parser.expectedOps;
    if (this.started === null && expected !== null) {
      this.started = { columns: ops.columnArrays, slotIds: parser.slotIdsSoFar.ids, expectedOps: expected };
    }
    // The columns must still be the shared ones (not grown past the header's count), every op in them.
    const started = this.started;
    if (parser.notAscii || (started === null && (done || ops.length > 0)) || (started !== null && (ops.columnArrays.kinds.buffer !== started.columns.kinds.buffer || parser.slotIdsSoFar.ids.buffer !== started.slotIds.buffer || !ops.columnar))) {
      this.failed = true;
    }
    const state: RepFeedState = this.failed ? 'failed' : done ? 'done' : 'reading';
    return { ops: this.failed ? 0 : ops.length, slots: this.failed ? 0 : parser.slotIdsSoFar.count, state };
  }

  /** The rest of the trace, once `advance` said done. */
  end(): RepFeedEnd {
    const trace = this.parser.trace;
    const table = this.parser.opsSoFar;
    const { lifetimes, lifetimeOfOp, invalidUse, diagnostics } = trace.lifetimes;
    return {
      ops: table.length,
      kindCounts: table.kindCountArray,
      slots: this.parser.slotIdsSoFar.count,
      header: trace.header,
      diagnostics: trace.diagnostics,
      lineCount: trace.lineCount,
      lifetimes: { parts: lifetimes.parts, lifetimeOfOp, invalidUse, diagnostics },
    };
  }
}
