// The words the parse worker (parseWorker.ts) and the replaying thread (parseThread.ts) share: an
// Int32Array on a SharedArrayBuffer (docs/performance.md, "The parse beside the replay").

/** Indexes of the control words. */
export const CONTROL = {
  /** PARSE_STATE. */
  state: 0,
  /** Ops written so far (published after their columns). */
  ops: 1,
  /** Slots whose ids are written so far. */
  slots: 2,
  /** Bumped at every change: what the replaying thread waits on. */
  seq: 3,
} as const;

export const CONTROL_WORDS = 4;

export const PARSE_STATE = {
  /** The worker has not read the header yet. */
  starting: 0,
  /** The header is read and the columns are posted. */
  started: 1,
  /** The parse is done and the rest of the trace is posted. */
  done: 2,
  /** The trace cannot be followed (or the worker failed): nothing more comes. */
  failed: 3,
} as const;

/** Lines the worker reads between two publications; the first time, fewer. */
export const SLICE_LINES = 1 << 14;
export const FIRST_SLICE_LINES = 1 << 10;
