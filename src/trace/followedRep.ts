// A `.rep` trace parsed on one thread and replayed on another as it is read (docs/performance.md,
// "The parse beside the replay"). The parser writes its op table's columns and the slots' ids on
// buffers it is handed (shared ones) and publishes how many ops and slots are written
// (`RepPublisher`, repPublisher.ts); the replay reads them through a `RepFeed` and advances over
// the ops published so far (`replayFollowed`). The thread plumbing (a worker, Atomics on a shared
// counter) is the caller's: this module only reads typed arrays. Whatever cannot be followed so
// (no header, a header whose op count is not the file's, an op kept whole, bytes that are not
// ASCII, lifetime errors) gives null before anything is shown: the caller then parses and
// replays as usual.

import { trimmed } from '../engine/typedArrays';
import { clearsOnFree } from './applyOp';
import { idNames } from './idNames';
import { Lifetimes } from './lifetimeTable';
import type { LifetimeAnalysis } from './lifetimes';
import type { Diagnostic, RepHeader, Trace } from './model';
import { PublishedOpTable } from './opTable';
import { Replay } from './replay';
import type { RepFeed, RepFeedEnd } from './repPublisher';
import { traceModel, type TraceConfigLayers } from './traceConfig';
import { runOf, type EngineRun } from './traceRun';

export type { RepFeed, RepFeedEnd, RepFeedStart, RepFeedState } from './repPublisher';

/** The replay tells the parse how far it is (`RepFeed.wait`) at least this often, in ops. */
export const FOLLOW_STEP = 1 << 13;

/** Thrown where the replay needs what the parse could not give (it failed): the caller parses itself. */
class NotFollowed extends Error {}

/**
 * The trace a replay reads while it is parsed elsewhere: its ops as published, its slots' names
 * from the ids written so far; the rest (diagnostics, lifetimes, header) once the parse is done.
 * The replay reads the lifetimes only on an op with a problem: that waits for the end.
 */
class FollowedTrace implements Trace {
  readonly format = 'rep' as const;
  names: readonly string[];
  header: RepHeader | null = null;
  readonly settings = [] as const;
  readonly comments = [] as const;
  diagnostics: readonly Diagnostic[] = [];
  lineCount = 0;
  private analysis: LifetimeAnalysis | null = null;
  private ended: RepFeedEnd | null = null;

  constructor(
    readonly ops: PublishedOpTable,
    private readonly slotIds: Int32Array,
    private readonly feed: RepFeed,
  ) {
    this.names = idNames(slotIds);
  }

  get lifetimes(): LifetimeAnalysis {
    return this.analysis ?? this.complete().lifetimes;
  }

  /** Waits for the end of the parse and takes the rest of the trace; throws NotFollowed when it failed. */
  complete(): { lifetimes: LifetimeAnalysis; end: RepFeedEnd } {
    if (this.ended === null) {
      const end = this.feed.end();
      if (end === null) throw new NotFollowed();
      this.ended = end;
      this.ops.finishAt(end.ops, end.kindCounts);
      this.names = idNames(trimmed(this.slotIds, end.slots));
      this.header = end.header;
      this.diagnostics = end.diagnostics;
      this.lineCount = end.lineCount;
      const l = end.lifetimes;
      this.analysis = { lifetimes: Lifetimes.of(l.parts), lifetimeOfOp: l.lifetimeOfOp, invalidUse: l.invalidUse, diagnostics: l.diagnostics };
    }
    return { lifetimes: this.analysis!, end: this.ended };
  }
}

/**
 * `runTrace(trace, layers, { history: false })` of the trace the feed's parse ends with, the
 * replay advancing over the ops as they are published; null when the parse cannot be followed, or
 * ended other than the replay assumed (then nothing of this run is to be shown: parse and run as usual).
 */
export function replayFollowed(feed: RepFeed, layers: TraceConfigLayers = {}): EngineRun | null {
  try {
    const start = feed.start();
    if (start === null) return null;
    const ops = new PublishedOpTable(start.columns);
    const expected = start.expectedOps;
    if (expected <= 0 || expected > start.columns.kinds.length) return null;
    const trace = new FollowedTrace(ops, start.slotIds, feed);
    // A `.rep` trace has no settings: the model is the layers' alone, the same as for the whole trace.
    const m = traceModel(trace, layers);
    if (m.model !== 'engine') return null;
    // Taken to have no lifetime errors (clearsOnFree): checked at the end.
    const patterns = new Uint8Array(start.slotIds.length);
    const slotIds = start.slotIds;
    const replay = new Replay(trace, m.config, { history: false, length: expected, patterns });
    let filled = 0;
    let lowBytes = true;
    for (;;) {
      const { ops: published, slots, state } = feed.wait(replay.recorded);
      if (state === 'failed' || published > expected) return null;
      if (published > ops.length) ops.publish(published);
      if (filled < slots) {
        for (; filled < slots; filled++) {
          const byte = slotIds[filled]! & 0xff;
          patterns[filled] = byte;
          if (byte !== (filled & 0xff)) lowBytes = false;
        }
        replay.patternsFilled(lowBytes);
      }
      replay.advance(Math.min(published - replay.recorded, FOLLOW_STEP));
      if (state === 'done' && replay.recorded >= published) break;
    }
    const { end } = trace.complete();
    if (end.ops !== expected || !replay.done || !clearsOnFree(trace)) return null;
    return runOf(trace, replay, m.config, m.preset, m.diagnostics) as EngineRun;
  } catch (err) {
    if (err instanceof NotFollowed) return null;
    throw err;
  } finally {
    feed.stop();
  }
}
