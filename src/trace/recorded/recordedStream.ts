// The recorder's binary stream (recorder/recorder.c, docs/recording.md "The stream"): one file per
// process image, a header then fixed-size events, little-endian. Decoded a chunk at a time, so a
// long recording is never held whole. Pure: the files are read by src/native/.

/** The calls the recorder logs, and the two marks an exec leaves. */
export const RECORDED_CALLS = ['malloc', 'calloc', 'realloc', 'free', 'reallocarray', 'posix_memalign', 'aligned_alloc', 'memalign', 'valloc', 'pvalloc', 'exec', 'exec-failed'] as const;
export type RecordedCall = (typeof RECORDED_CALLS)[number];

/** One call the recorder saw. Pointers and sizes are exact 64-bit values; 0n is NULL. */
export interface RecordedEvent {
  readonly call: RecordedCall;
  /** The kernel's thread id. */
  readonly thread: number;
  /** Nanoseconds since the process image's stream began (a monotonic clock). */
  readonly ns: number;
  /** The pointer returned; 0n for NULL, for free and for an exec's marks. */
  readonly result: bigint;
  /** The pointer given back: free's, realloc's and reallocarray's; else 0n. */
  readonly from: bigint;
  /** The bytes asked for: calloc's and reallocarray's count x size (it may not fit in 64 bits: the call failed). */
  readonly size: bigint;
  /** calloc's and reallocarray's element count and element size, else null. */
  readonly count: bigint | null;
  readonly elementSize: bigint | null;
  /** The alignment asked for (posix_memalign, aligned_alloc, memalign; valloc and pvalloc: the page size), else null. */
  readonly alignment: bigint | null;
}

/** A stream's header: which process image wrote it. */
export interface StreamHeader {
  readonly pid: number;
  readonly ppid: number;
  /** 0 for a process's first image, one more for each file the same pid opened after it (an exec keeps the pid). */
  readonly seq: number;
  /** The monotonic clock and the wall clock (ns since 1970) when the image's stream began. */
  readonly startNs: number;
  readonly startUnixNs: number;
  /** gnu_get_libc_version(). */
  readonly libc: string;
  /** /proc/self/exe and /proc/self/cmdline (NUL-separated words), as bytes: the caller decodes them. */
  readonly exe: Uint8Array;
  readonly cmdline: Uint8Array;
}

const MAGIC = [0x48, 0x49, 0x52, 0x45, 0x43, 0, 0, 0]; // "HIREC\0\0\0"
const VERSION = 2;
/** The kind of the mark the recorder writes as an image ends (exit, _exit, a fatal signal): not a call. */
const END_KIND = RECORDED_CALLS.length + 1;
const FIXED_HEADER_BYTES = 96;
export const EVENT_BYTES = 48;
const MAX_HEADER_BYTES = 64 * 1024;

/**
 * Reads a stream pushed a chunk at a time: the header first, then every whole event is handed to
 * `onEvent`. A stream that is not the recorder's, or ends inside an event, is a `problem`.
 */
export class StreamDecoder {
  header: StreamHeader | null = null;
  problem: string | null = null;
  events = 0;
  private pending = new Uint8Array(0);
  private endMarked = false;
  private lastCall: RecordedCall | null = null;

  /**
   * Whether the image's stream ends as the recorder ends it: with its end mark (written at exit,
   * `_exit` or a fatal signal, with everything buffered) or an exec mark. A stream without either
   * lost the events after the recorder's last write: the process was killed by SIGKILL, overflowed
   * its stack, or the disk filled (docs/recording.md, "The stream").
   */
  get ended(): boolean {
    return this.endMarked || this.lastCall === 'exec';
  }

  constructor(private readonly onEvent: (event: RecordedEvent) => void) {}

  push(chunk: Uint8Array): void {
    if (this.problem !== null) return;
    let bytes = chunk;
    if (this.pending.length > 0) {
      bytes = new Uint8Array(this.pending.length + chunk.length);
      bytes.set(this.pending);
      bytes.set(chunk, this.pending.length);
    }
    let at = 0;
    if (this.header === null) {
      const read = readHeader(bytes);
      if (typeof read === 'string') {
        this.problem = read;
        return;
      }
      if (read === null) {
        this.pending = bytes.slice();
        return;
      }
      this.header = read.header;
      at = read.bytes;
    }
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (; at + EVENT_BYTES <= bytes.length; at += EVENT_BYTES) {
      if (view.getUint8(at) === END_KIND) {
        this.endMarked = true;
        this.events++;
        continue;
      }
      const event = readEvent(view, at);
      if (typeof event === 'string') {
        this.problem = `${event} at byte ${this.events * EVENT_BYTES}`;
        return;
      }
      this.events++;
      this.lastCall = event.call;
      this.onEvent(event);
    }
    this.pending = bytes.slice(at);
  }

  /** The end of the stream: what is left over is a problem (the process died in the middle of a write). */
  end(): void {
    if (this.problem !== null) return;
    if (this.header === null) this.problem = this.pending.length === 0 ? 'the stream is empty' : 'the stream ends inside its header';
    else if (this.pending.length > 0) this.problem = `the stream ends inside an event (${this.pending.length} bytes left over)`;
  }
}

/** The header and its length; null when more bytes are needed; a sentence when it is not a recorder stream. */
function readHeader(bytes: Uint8Array): { header: StreamHeader; bytes: number } | string | null {
  if (bytes.length < FIXED_HEADER_BYTES) return MAGIC.every((b, i) => i >= bytes.length || bytes[i] === b) ? null : 'not a recorder stream';
  if (!MAGIC.every((b, i) => bytes[i] === b)) return 'not a recorder stream';
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u32 = (at: number) => view.getUint32(at, true);
  if (u32(20) !== 0x01020304) return 'the stream was written on a big-endian machine';
  if (u32(8) !== VERSION) return `the stream is version ${u32(8)}; this reads version ${VERSION}`;
  const headerBytes = u32(12);
  const exeBytes = u32(36);
  const cmdlineBytes = u32(40);
  if (u32(16) !== EVENT_BYTES || headerBytes > MAX_HEADER_BYTES || headerBytes < FIXED_HEADER_BYTES + exeBytes + cmdlineBytes) return 'the stream\'s header is damaged';
  if (bytes.length < headerBytes) return null;
  let libc = '';
  for (let i = 64; i < 96 && bytes[i] !== 0; i++) libc += String.fromCharCode(bytes[i]!);
  const exe = bytes.slice(FIXED_HEADER_BYTES, FIXED_HEADER_BYTES + exeBytes);
  const cmdline = bytes.slice(FIXED_HEADER_BYTES + exeBytes, FIXED_HEADER_BYTES + exeBytes + cmdlineBytes);
  const u64 = (at: number) => Number(view.getBigUint64(at, true));
  return { header: { pid: u32(24), ppid: u32(28), seq: u32(32), startNs: u64(48), startUnixNs: u64(56), libc, exe, cmdline }, bytes: headerBytes };
}

function readEvent(view: DataView, at: number): RecordedEvent | string {
  const kind = view.getUint8(at);
  const call = RECORDED_CALLS[kind - 1];
  if (call === undefined) return `an event of unknown kind ${kind}`;
  const u64 = (offset: number) => view.getBigUint64(at + offset, true);
  const [result, from, a, b] = [u64(16), u64(24), u64(32), u64(40)];
  const pair = call === 'calloc' || call === 'reallocarray';
  const aligned = call === 'posix_memalign' || call === 'aligned_alloc' || call === 'memalign' || call === 'valloc' || call === 'pvalloc';
  return {
    call,
    thread: view.getUint32(at + 4, true),
    ns: Number(u64(8)),
    result,
    from,
    size: pair ? a * b : call === 'free' || call === 'exec' || call === 'exec-failed' ? 0n : a,
    count: pair ? a : null,
    elementSize: pair ? b : null,
    alignment: aligned ? b : null,
  };
}
