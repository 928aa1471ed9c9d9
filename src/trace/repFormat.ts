// The malloc lab `.rep` format (docs/trace-formats.md): four header integers, then one op
// per line, `a id size`, `r id size`, `f id`. CRLF and any whitespace are accepted; header variants
// are accepted where unambiguous and diagnosed otherwise. Parsing never throws.

import { grown, trimmed } from '../engine/typedArrays';
import { mergeDiagnostics } from './diagnostics';
import { idNames } from './idNames';
import { LineParser } from './lineParser';
import type { ColumnBuffers, OpTableBuilder } from './opTable';
import { MAX_ID, parseOpLine } from './repLine';
import { tokens, type ByteLineReader, type Token } from './lines';
import { lineRange, MAX_SIZE, MAX_TRACE_OPS, type Diagnostic, type RepHeader, type SourceRange, type Trace } from './model';
import { clip } from './text';

export { MAX_ID } from './repLine';

/**
 * A `.rep` op keeps its line and columns and makes its range when asked: a million-op trace would
 * otherwise hold a million range objects (about 50 MB) that little ever reads, and every
 * garbage collection would have to walk them (docs/performance.md, "No object per op").
 */
export function parseRep(text: string): Trace {
  const parser = new RepParser(text);
  parser.advance(Infinity);
  return parser.trace;
}

/**
 * `parseRep` of a file's bytes, without a string for each line (docs/performance.md, "At scale"):
 * the same trace, diagnostics included, as `parseRep` of their text. Null when the bytes are not
 * all ASCII: decode them and call `parseRep`.
 */
export function parseRepBytes(bytes: Uint8Array): Trace | null {
  const parser = new RepParser(bytes);
  parser.advance(Infinity);
  return parser.notAscii ? null : parser.trace;
}

/**
 * Ids below this get a slot through a flat table; so do higher ones while the table stays within
 * DENSE_SPREAD times the slots (a trace's ids are usually 0, 1, 2, ...); the rest go through a
 * map, which costs about 30 bytes an id where the table costs 4 (docs/memory.md, "A trace").
 */
const DENSE_IDS = 1 << 20;
const DENSE_SPREAD = 4;
/** A header number as the driver's fscanf("%d") reads it: a sign is allowed. */
const HEADER_NUMBER = /^[+-]?[0-9]+$/;
const HEADER = '.rep trace starts with four numbers (suggested heap size, number of ids, number of ops, weight)';
/**
 * The `.rep` parser, a slice of lines at a time (`parseRep` runs it to the end in one go). Lines
 * of the usual form (`a 12 2040`) take a fast path that neither tokenises with regular
 * expressions nor allocates tokens; anything else goes through the general path, which says what
 * is wrong with it.
 */
export class RepParser extends LineParser {
  private phase: 'header' | 'ops' | 'done' = 'header';
  // Header: the first four integers, on the leading lines that hold nothing else (usually one a
  // line; the driver's fscanf reads them wherever the line breaks fall). Header counts are quoted
  // from their tokens: a huge one is clamped for use, never in messages.
  private readonly headerValues: { value: bigint; token: Token; line: number; text: string }[] = [];
  private header: RepHeader | null = null;
  /** The first non-blank line that is not part of the header, when the header ended there. */
  private firstContent: { line: number; text: string } | null = null;
  private readonly slotOfId = new Map<number, number>();
  /** slot + 1 by id, for the ids the flat table covers (0: no slot yet; see DENSE_IDS). */
  private denseSlots = new Int32Array(256);
  private opLines = 0;
  private maxId = -1;
  /** The id of each slot (its name is the id in decimal: idNames.ts), and how many slots there are. */
  private slotIds = new Int32Array(256);
  private slots = 0;

  /**
   * `source`: the text, or a file's bytes (see `parseRepBytes`). `buffers`: where the op table's
   * columns and the slots' ids are made once the header is read, for a parse another thread
   * follows (docs/performance.md, "The parse beside the replay").
   */
  constructor(
    source: string | Uint8Array,
    private readonly buffers: ColumnBuffers | null = null,
  ) {
    super(source, 'a .rep trace', buffers);
  }

  /** The op table as far as it is read (it grows, and `finish` trims it). */
  get opsSoFar(): OpTableBuilder {
    return this.ops;
  }

  /** The ids of the slots so far: `ids[slot]` for each of the first `count` slots. */
  get slotIdsSoFar(): { readonly ids: Int32Array; readonly count: number } {
    return { ids: this.slotIds, count: this.slots };
  }

  /** The op count the header says, once it is read; null while it is not, or without one. */
  get expectedOps(): number | null {
    return this.header === null ? null : this.header.ops;
  }

  protected describeSlot(slot: number): string {
    return `id ${slot < this.slots ? this.slotIds[slot] : slot}`;
  }

  protected parseLine(text: string, line: number): void {
    if (this.phase === 'ops') this.opLine(text, line);
    else this.headerLine(text, line);
  }

  private headerLine(text: string, line: number): void {
    const t = tokens(text);
    if (t.length === 0) return;
    if (!t.every((token) => HEADER_NUMBER.test(token.text))) {
      // Not a header line: the header ends here (short of four numbers) and this line is the first op.
      this.firstContent = { line, text };
      this.endHeader();
      this.opLine(text, line);
      return;
    }
    for (const token of t) {
      if (this.headerValues.length === 4) {
        // The driver would read this number as an op and stop at its "bogus type character".
        this.diagnostics.push({
          range: lineRange(line, token.column, token.column + token.text.length),
          severity: 'error',
          code: 'extra-argument',
          message: `The header is four numbers (suggested heap size, number of ids, number of ops, weight); "${clip(token.text)}" is one too many.`,
        });
        break;
      }
      this.headerValues.push({ value: headerNumber(token.text), token, line, text });
    }
    if (this.headerValues.length === 4) this.endHeader();
  }

  private endHeader(): void {
    this.phase = 'ops';
    const headerValues = this.headerValues;
    if (headerValues.length === 4) {
      const [first, ids, count, fourth] = headerValues as [typeof headerValues[0], typeof headerValues[0], typeof headerValues[0], typeof headerValues[0]];
      this.header = {
        first: first.value,
        ids: clampCount(ids.value),
        ops: clampCount(count.value),
        fourth: fourth.value,
        lines: headerValues.map((h) => h.line),
      };
      // As many slots as the header has ids, bounded as `expect` bounds them.
      const slots = this.expect(this.header.ops, this.header.ids);
      if (this.buffers !== null) this.slotIds = grown(this.slotIds, Math.max(slots, this.slotIds.length), 0, this.buffers);
      else if (slots > this.slotIds.length) this.slotIds = grown(this.slotIds, slots);
      if (slots > this.denseSlots.length) this.denseSlots = grown(this.denseSlots, slots);
      return;
    }
    // The malloc lab driver reads four integers before the first op whatever the file holds: a
    // file without them is one it cannot read, so this is an error, though the ops still replay.
    const at = headerValues[0] ?? this.firstContent;
    this.diagnostics.push({
      range: at ? lineRange(at.line, 1, at.text.length + 1) : lineRange(1, 1, 1),
      severity: 'error',
      code: 'header-missing',
      message: at
        ? `A ${HEADER}; found ${headerValues.length}, so the malloc lab driver cannot read this file. Here the ids and ops are counted from the trace instead.`
        : `The file is empty: a ${HEADER}, then one op per line.`,
    });
  }

  /** One op line (blank lines are skipped); the usual forms without tokens or regular expressions. */
  private opLine(text: string, line: number): void {
    const n = text.length;
    let i = 0;
    while (i < n && isSpace(text.charCodeAt(i))) i++;
    if (i === n) return;
    this.opLines++;
    if (this.fastOp(text, i, line)) return;
    const { op: parsed, id } = parseOpLine(tokens(text), line, this.header, this.diagnostics, (id) => this.slotFor(id));
    if (parsed) this.ops.push(parsed);
    // An id counts even when the rest of its line is bad, so one typo does not also break the header.
    if (id !== null && id > this.maxId) this.maxId = id;
  }

  /**
   * `a id size`, `r id size` or `f id` with plain decimal numbers that are certainly legal (ids of
   * at most 7 digits, sizes of at most 15), separated by ASCII blanks; null for anything else,
   * which the general path then parses and diagnoses.
   */
  /** Appends the op on `text` when it has the usual form; false (nothing appended) otherwise. */
  private fastOp(text: string, start: number, line: number): boolean {
    const n = text.length;
    const kind = text.charCodeAt(start);
    if (kind !== 97 /* a */ && kind !== 114 /* r */ && kind !== 102 /* f */) return false;
    let i = start + 1;
    if (i >= n || !isBlank(text.charCodeAt(i))) return false;
    while (i < n && isBlank(text.charCodeAt(i))) i++;
    const idStart = i;
    let id = 0;
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c < 48 || c > 57) break;
      id = id * 10 + (c - 48);
    }
    const idDigits = i - idStart;
    if (idDigits === 0 || idDigits > 7 || (i < n && !isBlank(text.charCodeAt(i)))) return false;
    if (this.header !== null && id >= this.header.ids) return false;
    let end = i; // one past the last token
    let size = -1;
    if (kind !== 102) {
      while (i < n && isBlank(text.charCodeAt(i))) i++;
      const sizeStart = i;
      size = 0;
      for (; i < n; i++) {
        const c = text.charCodeAt(i);
        if (c < 48 || c > 57) break;
        size = size * 10 + (c - 48);
      }
      const sizeDigits = i - sizeStart;
      if (sizeDigits === 0 || sizeDigits > 15) return false;
      end = i;
    }
    while (i < n && isBlank(text.charCodeAt(i))) i++;
    if (i < n) return false; // something more on the line
    this.addOp(kind, id, size, line, start + 1, end + 1);
    return true;
  }

  /**
   * Reads lines of the usual op form (as `fastOp` reads them from text) and blank lines straight
   * from the bytes, up to `max` lines, the same scan finding each line's end and reading its
   * numbers; stops before the first line it cannot take, which the general path then reads as
   * text. Only lines that end in a line break are read here (the last line of a file without a
   * final one goes the general way), so no scan runs past the end. Returns the lines read.
   */
  protected parseByteLines(reader: ByteLineReader, max: number): number {
    if (this.phase !== 'ops') return 0;
    const bytes = reader.bytes;
    const last = reader.lastBreak;
    const ids = this.header === null ? MAX_ID : this.header.ids;
    let room = MAX_TRACE_OPS - this.ops.length;
    let p = reader.nextStart;
    let line = reader.line;
    let read = 0;
    while (p <= last && read < max && room > 0) {
      let i = p;
      let c = bytes[i]!;
      while (isInlineBlank(c)) c = bytes[++i]!;
      if (c !== LF && c !== CR) {
        const start = i;
        const kind = c;
        if (kind !== 97 /* a */ && kind !== 114 /* r */ && kind !== 102 /* f */) break;
        c = bytes[++i]!;
        if (!isInlineBlank(c)) break;
        while (isInlineBlank(c)) c = bytes[++i]!;
        const idStart = i;
        let id = 0;
        while (c >= 48 && c <= 57) {
          id = id * 10 + (c - 48);
          c = bytes[++i]!;
        }
        const idDigits = i - idStart;
        if (idDigits === 0 || idDigits > 7 || id >= ids || !(isInlineBlank(c) || c === LF || c === CR)) break;
        let end = i;
        let size = -1;
        if (kind !== 102) {
          while (isInlineBlank(c)) c = bytes[++i]!;
          const sizeStart = i;
          size = 0;
          while (c >= 48 && c <= 57) {
            size = size * 10 + (c - 48);
            c = bytes[++i]!;
          }
          const sizeDigits = i - sizeStart;
          if (sizeDigits === 0 || sizeDigits > 15) break;
          end = i;
        }
        while (isInlineBlank(c)) c = bytes[++i]!;
        if (c !== LF && c !== CR) break;
        this.opLines++;
        room--;
        this.addOp(kind, id, size, line + 1, start - p + 1, end - p + 1);
      }
      line++;
      read++;
      p = c === CR && bytes[i + 1] === LF ? i + 2 : i + 1;
    }
    reader.skipTo(p, line);
    return read;
  }

  /** Appends an op the quick path read: `kind` the character code of a, r or f; `size` -1 for a free. */
  private addOp(kind: number, id: number, size: number, line: number, startColumn: number, endColumn: number): void {
    if (id > this.maxId) this.maxId = id;
    const slot = this.slotFor(id);
    const op = kind === 102 ? 'free' : kind === 97 ? 'malloc' : 'realloc';
    const i = this.ops.length;
    // The lifetime pass takes the op as it is read, rather than reading it back from the table later.
    if (this.ops.addRep(op, slot, size, line, startColumn, endColumn)) this.lifetimes.addRep(i, op, slot, size);
    else this.ops.add(op, slot, kind === 114 ? slot : null, size, line, startColumn, endColumn);
  }

  /** Ids map to dense slots in order of first use, so a trace with one huge id stays small. */
  private slotFor(id: number): number {
    if (id >= this.denseSlots.length && (id < DENSE_IDS || id < DENSE_SPREAD * (this.slots + 1))) this.growDense(id);
    if (id < this.denseSlots.length) {
      const known = this.denseSlots[id]!;
      if (known > 0) return known - 1;
      const slot = this.newSlot(id);
      this.denseSlots[id] = slot + 1;
      return slot;
    }
    let slot = this.slotOfId.get(id);
    if (slot === undefined) {
      slot = this.newSlot(id);
      this.slotOfId.set(id, slot);
    }
    return slot;
  }

  /** Grows the flat table past `id`, moving into it the ids the map held below its new end. */
  private growDense(id: number): void {
    const limit = id < DENSE_IDS ? DENSE_IDS : MAX_ID;
    this.denseSlots = grown(this.denseSlots, Math.min(limit, Math.max(id + 1, this.denseSlots.length * 2)));
    const end = this.denseSlots.length;
    for (const [known, slot] of this.slotOfId) {
      if (known < end) {
        this.denseSlots[known] = slot + 1;
        this.slotOfId.delete(known);
      }
    }
  }

  private newSlot(id: number): number {
    if (this.slots === this.slotIds.length) this.slotIds = grown(this.slotIds, 2 * this.slots);
    this.slotIds[this.slots] = id;
    return this.slots++;
  }

  protected finish(): void {
    if (this.phase === 'done') return;
    const lineCount = this.reader.line;
    if (this.binary) {
      this.phase = 'done';
      this.result = { format: 'rep', ops: this.ops.finish(), names: [], header: null, settings: [], comments: [], diagnostics: this.diagnostics.all(), lifetimes: this.lifetimes.finish(), lineCount };
      return;
    }
    if (this.phase === 'header') this.endHeader();
    this.phase = 'done';
    const { header, headerValues, opLines, maxId, ops } = this;
    // Problems with the header's counts, known only at the end; few, and sorted in with the rest.
    const late: Diagnostic[] = [];
    if (header) {
      const [, ids, count] = headerValues as [typeof headerValues[0], typeof headerValues[0], typeof headerValues[0]];
      if (opLines !== header.ops && !this.cut) {
        late.push({
          range: tokenRange(count),
          severity: 'error',
          code: 'header-op-count',
          message: `The header says ${clip(count.token.text)} ops but the file has ${opLines} op line${opLines === 1 ? '' : 's'}.`,
          fix: { title: `Set the op count to ${opLines}`, range: tokenRange(count), newText: String(opLines) },
        });
      }
      // The driver asserts that its largest id, which starts at 0, is ids - 1: a header of 0 ids
      // (or fewer) fails even with no ops. Ids beyond the header are errors on their own lines.
      const largest = Math.max(maxId, 0);
      if (largest < header.ids - 1 || header.ids <= 0) {
        late.push({
          range: tokenRange(ids),
          severity: 'error',
          code: 'header-id-count',
          message:
            header.ids <= 0
              ? `The header says ${clip(ids.token.text)} ids, but the malloc lab driver requires the number of ids to be the largest id + 1, which is at least 1.`
              : maxId < 0
                ? `The header says ${clip(ids.token.text)} ids but the trace uses none; the malloc lab driver requires the number of ids to be the largest id + 1 (1 when there are none).`
                : `The header says ${clip(ids.token.text)} ids but the largest id used is ${maxId}; the malloc lab driver requires the largest id to be the number of ids - 1.`,
          fix: { title: `Set the id count to ${largest + 1}`, range: tokenRange(ids), newText: String(largest + 1) },
        });
      }
    }
    this.lifetimes.catchUp();
    const analysis = this.lifetimes.finish(true);
    this.result = {
      format: 'rep',
      ops: ops.finish(),
      names: idNames(trimmed(this.slotIds, this.slots)),
      header,
      settings: [],
      comments: [],
      diagnostics: mergeDiagnostics(this.diagnostics.all(), late, analysis.diagnostics),
      lifetimes: analysis,
      lineCount,
    };
  }
}

const LF = 10;
const CR = 13;

/** The blanks within a line: space, tab, vertical tab, form feed (a carriage return ends the line). */
function isInlineBlank(c: number): boolean {
  return c === 32 || c === 9 || c === 11 || c === 12;
}

/** The blanks of the fast path: space, tab, vertical tab, form feed, carriage return. */
function isBlank(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/** Whitespace as the tokenizer's `\S` sees it. */
function isSpace(c: number): boolean {
  if (c < 128) return isBlank(c);
  return /\s/.test(String.fromCharCode(c));
}

function tokenRange(h: { token: Token; line: number }): SourceRange {
  return lineRange(h.line, h.token.column, h.token.column + h.token.text.length);
}

/**
 * A header number as a bigint. One of more than 4096 digits (no real header) counts as 2^64 - 1
 * (or its negative): nothing reads its exact value, and turning a megabyte of digits into a bigint
 * takes seconds.
 */
function headerNumber(text: string): bigint {
  if (text.replace(/^[+-]?0*(?=.)/, '').length <= 4096) return BigInt(text);
  return text.startsWith('-') ? -MAX_SIZE : MAX_SIZE;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function clampCount(value: bigint): number {
  return value > MAX_SAFE ? Number.MAX_SAFE_INTEGER : value < -MAX_SAFE ? -Number.MAX_SAFE_INTEGER : Number(value);
}
