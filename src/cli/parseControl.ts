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
  /** Ops the replay has done (told at every `wait`): what the worker, when far enough ahead, waits on. */
  replayed: 4,
} as const;

export const CONTROL_WORDS = 5;

/**
 * The worker parses no further than this many ops ahead of the replay. At the start the replay
 * is slow (its code not yet optimised) and V8 compiles it on the other core: a parse racing ahead
 * would take that core from the compiler (docs/performance.md, "Start-up and warm-up"). Far more
 * than the replay does while the worker parses a slice, so the replay never waits for it.
 */
export const AHEAD_OPS = 1 << 16;

/** `replayed` when the replay waits for the whole parse (it needs its end): the worker parses on without waiting. */
export const REPLAY_WAITS_FOR_END = 0x7fffffff;

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
