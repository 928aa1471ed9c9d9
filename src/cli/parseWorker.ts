// The worker that parses a long `.rep` trace while the command line's thread replays it
// (docs/performance.md, "The parse beside the replay"): a bundle of its own (dist/parseWorker.js,
// scripts/build.mjs), small so that it starts fast. It writes the op table on shared buffers and
// says how far it is in the control words; parseThread.ts is the other side.

import { workerData, type MessagePort } from 'node:worker_threads';
import { RepPublisher } from '../trace/repPublisher';
import { AHEAD_OPS, CONTROL, FIRST_SLICE_LINES, PARSE_STATE, SLICE_LINES } from './parseControl';

// Started before the file is read (parseThread.ts): the bytes come as the first message.
const { control, port } = workerData as { control: SharedArrayBuffer; port: MessagePort };
const words = new Int32Array(control);

port.once('message', (bytes: Uint8Array) => {
  try {
    parse(bytes);
  } catch {
    // Never a half-told parse: the replaying thread parses itself.
    tell(PARSE_STATE.failed);
  }
  port.close();
});

/** Sets the state, or the counts, and wakes the replaying thread. */
function tell(state: number | null, ops = -1, slots = -1): void {
  if (ops >= 0) {
    Atomics.store(words, CONTROL.slots, slots);
    Atomics.store(words, CONTROL.ops, ops);
  }
  if (state !== null) Atomics.store(words, CONTROL.state, state);
  Atomics.add(words, CONTROL.seq, 1);
  Atomics.notify(words, CONTROL.seq);
}

function parse(bytes: Uint8Array): void {
  const publisher = new RepPublisher(bytes, (byteLength) => new SharedArrayBuffer(byteLength));
  let started = false;
  for (;;) {
    // A short first slice: the replay starts as soon as the header and a few ops are read.
    const { ops, slots, state } = publisher.advance(started ? SLICE_LINES : FIRST_SLICE_LINES);
    if (state === 'failed') return tell(PARSE_STATE.failed);
    if (!started && publisher.start !== null) {
      port.postMessage(publisher.start);
      started = true;
      tell(PARSE_STATE.started);
    }
    if (state === 'done') {
      const end = publisher.end();
      const l = end.lifetimes;
      // The lifetimes' arrays are moved, not copied (the columns are shared already).
      const arrays = [l.lifetimeOfOp, l.invalidUse, l.parts.slots, l.parts.starts, l.parts.ends, l.parts.lastRealloc, l.parts.reallocOps, l.parts.prevRealloc];
      const moved = new Set(arrays.flatMap((a) => (a !== null && a.buffer instanceof ArrayBuffer ? [a.buffer] : [])));
      port.postMessage(end, [...moved]);
      return tell(PARSE_STATE.done, ops, slots);
    }
    tell(null, ops, slots);
    keepPace(ops);
  }
}

/** Waits while the parse is AHEAD_OPS ahead of the replay (which tells how far it is at every wait). */
function keepPace(ops: number): void {
  for (;;) {
    const replayed = Atomics.load(words, CONTROL.replayed);
    if (ops - replayed <= AHEAD_OPS) return;
    Atomics.wait(words, CONTROL.replayed, replayed);
  }
}
