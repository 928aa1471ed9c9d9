// The sidecar beside a recorded trace, OUT.rep.jsonl (docs/recording.md, "The sidecar"): what
// `.rep` cannot hold, as JSON lines. The first line says where the recording came from and what it
// came to; then one line per call the recorder saw, in the trace's order, with the real address
// the allocator returned, the thread, the time and the op it became. And the summary `record
// --summary` prints.

import type { ConvertedEvent, RecordingCounts } from './recordedConverter';
import type { RecordedEvent } from './recordedStream';

export const SIDECAR_FORMAT = 'heap-inspector-recording';
export const SIDECAR_VERSION = 1;

/** One process image: a process runs one until it execs another. */
export interface RecordedImage {
  readonly exe: string;
  readonly cmdline: readonly string[];
  /** The wall clock when the image's stream began, ISO 8601. */
  readonly started: string;
  /** Its first event's index among the process's events, and its first op's in the trace. */
  readonly firstEvent: number;
  readonly firstOp: number;
}

/** Another process the recording followed (--follow-children), and its trace. */
export interface RecordedProcess {
  readonly pid: number;
  readonly ppid: number;
  readonly trace: string;
  readonly exe: string;
}

/** The sidecar's first line. */
export interface RecordingInfo {
  /** The `.rep` file's name, beside the sidecar. */
  readonly trace: string;
  /** The command as `record` was given it, for the command's own process; null for a child. */
  readonly command: readonly string[] | null;
  readonly cwd: string | null;
  readonly pid: number;
  readonly ppid: number;
  /** gnu_get_libc_version() in the recorded process. */
  readonly glibc: string;
  /** How the command ended (its own process only). */
  readonly exit: { readonly status: number | null; readonly signal: string | null } | null;
  readonly images: readonly RecordedImage[];
  readonly counts: RecordingCounts;
  /** What went wrong reading the streams (a stream cut short, say). */
  readonly problems: readonly string[];
  /** The other processes recorded, each with its own trace (in the command's sidecar only). */
  readonly processes: readonly RecordedProcess[];
}

export function sidecarHeader(info: RecordingInfo): string {
  return JSON.stringify({ format: SIDECAR_FORMAT, version: SIDECAR_VERSION, ...info }) + '\n';
}

/**
 * One event's line: `op` (the op's index; its `.rep` line is op + 5) or null, `call`, `thread`,
 * `ns` (since the process's first image began), then what the call had: `address` (what it returned,
 * hex), `from` (the pointer it was given), `size`, `count` and `elementSize`, `alignment`, `note`.
 */
export function sidecarLine(e: RecordedEvent, c: ConvertedEvent, nsOffset: number): string {
  const line: Record<string, unknown> = { op: c.index, call: e.call, thread: e.thread, ns: e.ns + nsOffset };
  const isFree = e.call === 'free';
  const marks = e.call === 'exec' || e.call === 'exec-failed';
  if (!isFree && !marks) line.address = hex(e.result);
  if (isFree || e.call === 'realloc' || e.call === 'reallocarray') line.from = hex(e.from);
  if (!isFree && !marks) line.size = exact(e.size);
  if (e.count !== null) line.count = exact(e.count);
  if (e.elementSize !== null) line.elementSize = exact(e.elementSize);
  if (e.alignment !== null) line.alignment = exact(e.alignment);
  if (c.note !== null) line.note = c.note;
  return JSON.stringify(line) + '\n';
}

function hex(v: bigint): string {
  return `0x${v.toString(16)}`;
}

/** A JSON number when it is one exactly, else its decimal string. */
function exact(v: bigint): number | string {
  return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
}

/** What `record --summary` prints for a trace: the calls, the ops, and every call that made no op, counted. */
export function formatRecordingSummary(info: RecordingInfo): string {
  const c = info.counts;
  const calls = Object.entries(c.calls).filter(([name, n]) => n > 0 && name !== 'exec' && name !== 'exec-failed').map(([name, n]) => `${name} ${n}`);
  const images = c.images > 1 ? ` in ${c.images} images (${c.images - 1} exec${c.images > 2 ? 's' : ''})` : '';
  const lines = [`${info.trace}: pid ${info.pid}, ${c.events} calls${images}: ${calls.join(', ') || 'none'}`, `  ${c.ops} ops (${c.allocs} a, ${c.reallocs} r, ${c.frees} f), ${c.ids} ids, at most ${c.peakLiveBytes} bytes live`];
  const left = [
    [c.freeNull, 'free(NULL)'],
    [c.unknownFrees, 'frees of pointers never seen allocated'],
    [c.unknownReallocs, 'reallocs of pointers never seen allocated (each an a)'],
    [c.failed, 'allocations that returned NULL'],
    [c.liveAddresses, 'addresses returned while still live in the log'],
  ].filter(([n]) => (n as number) > 0);
  if (left.length > 0) lines.push(`  not as ops: ${left.map(([n, what]) => `${n} ${what}`).join(', ')}`);
  if (c.liveAtExec > 0 || c.liveAtEnd > 0) lines.push(`  still allocated: ${c.liveAtEnd} at the end${c.liveAtExec > 0 ? `, ${c.liveAtExec} when the process exec'd` : ''}`);
  for (const problem of info.problems) lines.push(`  problem: ${problem}`);
  return lines.join('\n') + '\n';
}
