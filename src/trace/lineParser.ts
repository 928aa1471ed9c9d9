// What the trace parsers share (.rep, .heap, and the allocation logs' importers): the text read a
// line at a time (lines.ts), the ops, pointer names, diagnostics and lifetimes so far, the one
// error for a file that is not text, the cut at MAX_TRACE_OPS, and the trace once the whole text
// is read.

import { BoundedDiagnostics } from './diagnostics';
import { grouped } from './figures';
import { LifetimeTracker } from './lifetimes';
import { asciiText, ByteLineReader, LineReader, TEXT_KIND_SAMPLE, textKind } from './lines';
import { lineRange, MAX_TRACE_OPS, type Trace } from './model';
import { OpTableBuilder, type ColumnBuffers } from './opTable';

/** A parser that reads a trace a slice of lines at a time and ends with the same `Trace` as a one-shot parse. */
export interface TraceParser {
  /** Reads up to `maxLines` more lines; returns whether the whole text is read (then `trace` is ready). */
  advance(maxLines: number): boolean;
  readonly done: boolean;
  /** Lines read so far. */
  readonly lines: number;
  /** Characters read so far, out of `length`: the parse's progress. */
  readonly offset: number;
  readonly length: number;
  /** The parsed trace; only once `done`. */
  readonly trace: Trace;
}

/**
 * What the parsers share: the text read a line at a time, the ops, pointer names, diagnostics
 * and lifetimes so far, and the trace once the whole text is read.
 */
export abstract class LineParser implements TraceParser {
  protected readonly reader: LineReader | ByteLineReader;
  /** The parse's own problems, bounded: a file of a million bad lines keeps the first of each kind and a count. */
  protected readonly diagnostics = new BoundedDiagnostics();
  protected readonly ops: OpTableBuilder;
  protected readonly names: string[] = [];
  protected readonly lifetimes: LifetimeTracker;
  /** Not text at all (NUL bytes, UTF-16): one error, and the lines are only counted. */
  protected readonly binary: boolean;
  protected result: Trace | null = null;
  /** The trace reached MAX_TRACE_OPS and the rest of the text was not read. */
  protected cut = false;
  /** Read from bytes that are not all ASCII: the parse stopped, with no trace; decode them and read the text instead. */
  notAscii = false;
  /** Characters (or bytes) in the text. */
  readonly length: number;

  /**
   * `source`: the text, or a file's bytes (then only ASCII is read: see `notAscii`). `what`: the
   * kind of file in messages, "a .rep trace" or "a .heap script". `buffers`: where the op table's
   * columns are made once the parser knows how many ops are coming (see `expect`).
   */
  constructor(source: string | Uint8Array, what: string, buffers: ColumnBuffers | null = null) {
    this.length = source.length;
    this.ops = new OpTableBuilder(1024, buffers);
    let head: string | null;
    if (typeof source === 'string') {
      this.reader = new LineReader(source);
      head = source;
    } else {
      this.reader = new ByteLineReader(source);
      head = asciiText(source, 0, Math.min(source.length, TEXT_KIND_SAMPLE));
      if (head === null) this.notAscii = true;
    }
    const kind = textKind(head ?? '');
    this.binary = kind !== 'text';
    this.lifetimes = new LifetimeTracker(this.ops, (slot) => this.describeSlot(slot));
    if (this.binary) {
      const message =
        kind === 'utf16'
          ? `This file is UTF-16 text (a NUL byte beside every character); save it as UTF-8: ${what} is read as UTF-8.`
          : `This is not a text file: ${what} is lines of text.`;
      this.diagnostics.push({ range: lineRange(1, 1, 1), severity: 'error', code: 'binary-file', message });
    }
  }

  /**
   * Reads up to `maxLines` more lines, each through `parseLine` (a text that is not text is only
   * counted), and the lifetime pass's share of them; at the end, or at MAX_TRACE_OPS, `finish`.
   */
  advance(maxLines: number): boolean {
    if (this.result !== null || this.notAscii) return true;
    const reader = this.reader;
    // Bytes: a line the quick path takes makes no string (docs/performance.md, "At scale").
    const bytes = reader instanceof ByteLineReader && !this.binary ? reader : null;
    for (let n = 0; n < maxLines; n++) {
      let text: string | null;
      if (bytes !== null && this.ops.length < MAX_TRACE_OPS) {
        n += this.parseByteLines(bytes, maxLines - n);
        if (n >= maxLines || !bytes.step()) break;
        text = bytes.text();
      } else {
        text = reader.next();
      }
      if (text === null) {
        if (reader instanceof ByteLineReader && reader.notAscii) return (this.notAscii = true);
        break;
      }
      if (this.binary) continue; // only counting lines
      if (this.full(text, reader.line)) {
        this.finish();
        return true;
      }
      this.parseLine(text, reader.line);
    }
    if (!reader.done) {
      this.lifetimes.catchUp(); // a slice's share of the lifetime pass, not all of it at the end
      return false;
    }
    this.finish();
    return true;
  }

  /** One line of the text (1-based `line`), not the binary file's. */
  protected abstract parseLine(text: string, line: number): void;

  /**
   * Reads up to `max` lines from the reader's bytes without text (the `.rep` quick path), moving
   * the reader past them; stops at the first it cannot read so, which goes to `parseLine` as text.
   * Returns the lines read.
   */
  protected parseByteLines(_reader: ByteLineReader, _max: number): number {
    return 0;
  }

  /** Makes the trace (`result`) from what was read. */
  protected abstract finish(): void;

  get done(): boolean {
    return this.result !== null;
  }

  get lines(): number {
    return this.reader.line;
  }

  get offset(): number {
    return this.reader.offset;
  }

  get trace(): Trace {
    if (this.result === null) throw new Error('the trace is not parsed yet: advance() until it returns true');
    return this.result;
  }

  /**
   * The text says `ops` ops are coming, on `slots` pointers (a `.rep` header): makes room for
   * them at once, as many as the rest of the text can hold (an op takes a line of at least 3
   * characters and its line break) and MAX_TRACE_OPS allow, so that a long trace's columns are
   * not grown by doubling, nor copied to be trimmed. Returns the slots it made room for.
   */
  protected expect(ops: number, slots = 0): number {
    const room = Math.min(ops, MAX_TRACE_OPS, Math.ceil((this.length - this.reader.offset) / 4) + 1);
    const slotRoom = Math.min(slots, room);
    this.ops.reserve(room);
    this.lifetimes.reserve(room, slotRoom);
    return slotRoom;
  }

  /** A slot's pointer as messages name it. */
  protected abstract describeSlot(slot: number): string;

  /**
   * Whether the trace is full (MAX_TRACE_OPS ops) and `line`, with something on it, would go past:
   * then it says so on that line and the parser reads no further.
   */
  protected full(text: string, line: number): boolean {
    if (this.ops.length < MAX_TRACE_OPS || text.trim() === '') return false;
    this.cut = true;
    this.diagnostics.push({
      range: lineRange(line, 1, Math.min(text.length, 200) + 1),
      severity: 'error',
      code: 'trace-too-long',
      message: `The trace has more than ${grouped(MAX_TRACE_OPS)} ops, the most Heap Inspector replays (about 900 MB of memory with the history of every step): it stops reading here, and nothing from this line on is replayed.`,
    });
    return true;
  }
}
