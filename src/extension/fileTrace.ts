// A trace read from its file rather than from a document (docs/limits.md, "Big traces in the
// editor"): VS Code hands no file over 50 MB to extensions as a document, so a session reads the
// bytes itself, decodes them a slice at a time (no intermediate beyond the text: the decoder works
// on views of the bytes, which are dropped once decoded) and then hands the text to the job that
// parses and replays it, as a document's session does. A `.rep` trace whose bytes are all ASCII
// (looked at a slice at a time) is parsed from the bytes themselves, with no text made of them
// (docs/memory.md, "Big traces in the editor"). No vscode here, so unit tests drive it.

import { allAscii, type RunWork, type Trace, type TraceJobProgress, type TraceRun } from '../trace/index';

/** Bytes decoded per look at the clock. */
const DECODE_CHUNK = 1 << 20;
/** The share of a file job's progress bar that decoding the bytes takes. */
export const DECODE_SHARE = 0.05;

type Decoder = InstanceType<typeof TextDecoder>;

/** The decoder of a file's bytes as VS Code reads them: UTF-16 after its byte order mark, else UTF-8 (the mark is no part of the text). */
function decoderFor(bytes: Uint8Array): Decoder {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le');
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be');
  return new TextDecoder('utf-8');
}

/**
 * Reads a file (`read`, asynchronous: the job waits for it between slices), decodes it a slice at
 * a time, then runs what `make` makes of the text (a TraceJob, or the user's own allocator's job).
 * Reading fails: the job's `work` throws the error (the session shows it).
 */
export class FileTraceWork implements RunWork {
  private bytes: Uint8Array | undefined;
  private reading: Promise<void> | null;
  private failed: { error: unknown } | undefined;
  private decoder: Decoder | undefined;
  private offset = 0;
  private total = 0;
  private parts: string[] = [];
  private inner: RunWork | undefined;

  /** Bytes known to be ASCII so far, while `fromAscii` may still take them. */
  private ascii = 0;

  /**
   * `make`: the job on the decoded text. `fromAscii`: the same job on the bytes when every one of
   * them is ASCII (they are then the text); absent, the bytes are always decoded.
   */
  constructor(
    read: () => PromiseLike<Uint8Array>,
    private readonly make: (text: string) => RunWork,
    private fromAscii?: (bytes: Uint8Array) => RunWork,
  ) {
    this.reading = Promise.resolve()
      .then(read)
      .then(
        (bytes) => {
          this.bytes = bytes;
          this.total = bytes.length;
        },
        (error: unknown) => {
          this.failed = { error };
        },
      )
      .finally(() => {
        this.reading = null;
      });
  }

  get phase(): RunWork['phase'] {
    return this.inner?.phase ?? 'parsing';
  }

  get trace(): Trace | undefined {
    return this.inner?.trace;
  }

  get run(): TraceRun | undefined {
    return this.inner?.run;
  }

  get done(): boolean {
    return this.inner?.done ?? false;
  }

  /** The file's size in bytes (0 until read). */
  get size(): number {
    return this.total;
  }

  progress(): TraceJobProgress {
    if (this.inner) {
      const p = this.inner.progress();
      return { ...p, fraction: DECODE_SHARE + (1 - DECODE_SHARE) * p.fraction };
    }
    const looked = Math.max(this.offset, this.ascii);
    return { phase: 'parsing', lines: 0, replayed: 0, ops: 0, fraction: this.total === 0 ? 0 : (DECODE_SHARE * looked) / this.total };
  }

  work(stop: () => boolean): boolean {
    if (!this.inner) {
      if (this.failed) throw this.failed.error;
      const bytes = this.bytes;
      if (!bytes) return false; // still reading: `waiting` says when to go on
      if (this.fromAscii && this.lookForAscii(bytes, stop)) {
        if (this.ascii < bytes.length) return false; // stopped midway
        this.inner = this.fromAscii(bytes);
        this.fromAscii = undefined;
        this.bytes = undefined; // the job's parser holds them until it is done
        if (stop()) return false;
        return this.inner.work(stop);
      }
      this.decoder ??= decoderFor(bytes);
      while (this.offset < bytes.length) {
        const end = Math.min(this.offset + DECODE_CHUNK, bytes.length);
        this.parts.push(this.decoder.decode(bytes.subarray(this.offset, end), { stream: true }));
        this.offset = end;
        if (stop()) return false;
      }
      this.parts.push(this.decoder.decode());
      const text = this.parts.length === 1 ? this.parts[0]! : this.parts.join('');
      this.parts = [];
      this.bytes = undefined;
      this.decoder = undefined;
      this.inner = this.make(text);
      if (stop()) return false;
    }
    return this.inner.work(stop);
  }

  /**
   * Looks on through the bytes for one beyond ASCII, a slice per look at the clock; returns false
   * (and gives up the bytes' job) at the first, true while all so far are ASCII.
   */
  private lookForAscii(bytes: Uint8Array, stop: () => boolean): boolean {
    while (this.ascii < bytes.length) {
      const end = Math.min(this.ascii + DECODE_CHUNK, bytes.length);
      if (!allAscii(bytes, this.ascii, end)) {
        this.fromAscii = undefined;
        return false;
      }
      this.ascii = end;
      if (this.ascii < bytes.length && stop()) return true;
    }
    return true;
  }

  warm(stop: () => boolean): boolean {
    return this.inner?.warm ? this.inner.warm(stop) : true;
  }

  waiting(): Promise<void> | null {
    return this.inner ? (this.inner.waiting?.() ?? null) : this.reading;
  }

  stop(): void {
    this.inner?.stop?.();
  }
}
