// The line reader and lexer under both trace parsers: lines cut where VS Code cuts them (CRLF,
// LF or a lone CR), read all at once or one at a time; whitespace tokens with their columns; and a
// check for text that is not text at all, so a stray binary or UTF-16 file gets one clear message,
// not thousands.

export interface Token {
  readonly text: string;
  /** 1-based column of the token's first character. */
  readonly column: number;
}

/** One line break as VS Code counts them: CRLF, LF or a lone CR. */
const LINE_BREAK = /\r\n|\r|\n/;

/** Lines without their terminators (CRLF, LF or a lone CR); a final line break does not add an empty line. */
export function splitLines(text: string): string[] {
  const lines = text.split(LINE_BREAK);
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

const LF = 10;

/**
 * The lines of a text one at a time, as `splitLines` cuts them (CRLF, LF or a lone CR; a final
 * line break does not add an empty line), without splitting the whole text up front.
 */
export class LineReader {
  /** Index of the next line's first character; past the end once every line is read. */
  private position = 0;
  /** Where the next LF and CR at or after `position` are: -1 when there is none left, -2 before the first search. */
  private nextLf = -2;
  private nextCr = -2;
  /** Lines read so far (the 1-based number of the last line read). */
  line = 0;

  constructor(private readonly text: string) {}

  /** Characters consumed so far, for progress. */
  get offset(): number {
    return Math.min(this.position, this.text.length);
  }

  get done(): boolean {
    const { text, position } = this;
    // An empty text is one empty line; a text ending in a line break has no line after it.
    return position > text.length || (position === text.length && this.line > 0);
  }

  /** The next line without its terminator, or null after the last. */
  next(): string | null {
    if (this.done) return null;
    const text = this.text;
    const start = this.position;
    // Each search runs once per break it finds, so a text with only LFs (or only CRs) is read in
    // linear time, not searched to its end for the other kind on every line.
    if (this.nextLf !== -1 && this.nextLf < start) this.nextLf = text.indexOf('\n', start);
    if (this.nextCr !== -1 && this.nextCr < start) this.nextCr = text.indexOf('\r', start);
    const lf = this.nextLf;
    const cr = this.nextCr;
    let end: number;
    if (cr >= 0 && (lf < 0 || cr < lf)) {
      end = cr;
      this.position = text.charCodeAt(cr + 1) === LF ? cr + 2 : cr + 1;
    } else if (lf >= 0) {
      end = lf;
      this.position = lf + 1;
    } else {
      end = text.length;
      this.position = text.length + 1;
    }
    this.line++;
    return text.slice(start, end);
  }
}

/**
 * The lines of a file's bytes one at a time, cut as `LineReader` cuts a text (CRLF, LF or a lone
 * CR): the current line is `bytes[start, end)`, read where it lies (the `.rep` parser's quick
 * path makes no string of it) or as text when asked. Only ASCII becomes text here: any other byte
 * sets `notAscii`, and the file is then decoded and read as text instead (UTF-8 has no decoder in
 * pure code, and columns count UTF-16 units).
 */
export class ByteLineReader {
  /** Index of the next line's first byte; past the end once every line is read. */
  private position = 0;
  /** The current line's first byte and one past its last (its terminator excluded). */
  start = 0;
  end = 0;
  /** Lines read so far (the 1-based number of the current line). */
  line = 0;
  /** A line read as text held a byte beyond ASCII; reading stopped there. */
  notAscii = false;

  /** The last line break's index (CR or LF), -1 if none: a line starting before it ends at a break, not at the end of the bytes. */
  readonly lastBreak: number;

  constructor(readonly bytes: Uint8Array) {
    let last = bytes.length - 1;
    while (last >= 0 && bytes[last] !== LF && bytes[last] !== CR) last--;
    this.lastBreak = last;
  }

  /** Bytes consumed so far, for progress. */
  get offset(): number {
    return Math.min(this.position, this.bytes.length);
  }

  /** Where the next line starts (past the end once every line is read). */
  get nextStart(): number {
    return this.position;
  }

  /** Moves past lines read without the reader (the `.rep` quick path): the next starts at `position`, and `line` lines are read. */
  skipTo(position: number, line: number): void {
    this.position = position;
    this.line = line;
  }

  get done(): boolean {
    const n = this.bytes.length;
    return this.position > n || (this.position === n && this.line > 0);
  }

  /** Moves to the next line; false after the last. */
  step(): boolean {
    if (this.done) return false;
    const bytes = this.bytes;
    const n = bytes.length;
    let i = this.position;
    this.start = i;
    while (i < n) {
      const c = bytes[i]!;
      if (c === LF || c === CR) break;
      i++;
    }
    this.end = i;
    this.position = i === n ? n + 1 : bytes[i] === CR && bytes[i + 1] === LF ? i + 2 : i + 1;
    this.line++;
    return true;
  }

  /** The current line as text, or null (and `notAscii` set) when it is not all ASCII. */
  text(): string | null {
    const text = asciiText(this.bytes, this.start, this.end);
    if (text === null) this.notAscii = true;
    return text;
  }

  /** The next line as text, as `LineReader.next` gives it; null after the last, or at a line that is not ASCII. */
  next(): string | null {
    return this.step() ? this.text() : null;
  }
}

const CR = 13;

/** Whether every byte of `bytes[start, end)` is ASCII. */
export function allAscii(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (bytes[i]! >= 128) return false;
  return true;
}

/** `bytes[start, end)` as text when every byte is ASCII, else null. */
export function asciiText(bytes: Uint8Array, start: number, end: number): string | null {
  let text = '';
  // In pieces: fromCharCode takes its bytes as arguments, and a long line would overflow the stack.
  for (let from = start; from < end; from += 8192) {
    const to = Math.min(end, from + 8192);
    if (!allAscii(bytes, from, to)) return null;
    text += String.fromCharCode.apply(null, bytes.subarray(from, to) as unknown as number[]);
  }
  return text;
}

const TOKEN = /\S+/g;

export function tokens(line: string): Token[] {
  const out: Token[] = [];
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(line); m !== null; m = TOKEN.exec(line)) out.push({ text: m[0], column: m.index + 1 });
  return out;
}

/** What the start of a text says it is: text, UTF-16 read as if it were UTF-8 (a NUL after every character), or binary. */
export type TextKind = 'text' | 'utf16' | 'binary';

/** Characters of the text the kind is judged on. */
export const TEXT_KIND_SAMPLE = 4096;

/**
 * Judges the first 4 KiB: UTF-16 when every other character is NUL (after what a byte order mark
 * becomes when read as UTF-8 or Latin-1), binary when there is any other NUL or more than one
 * character in ten is a control character (whitespace is not: space, tab, LF, VT, FF and CR
 * separate tokens in both formats, as in C's `scanf`) or a replacement character.
 */
export function textKind(text: string): TextKind {
  const sample = text.slice(0, TEXT_KIND_SAMPLE);
  if (looksUtf16(sample)) return 'utf16';
  if (sample.includes('\0')) return 'binary';
  let control = 0;
  for (let i = 0; i < sample.length; i++) {
    const c = sample.charCodeAt(i);
    if ((c < 32 && !(c >= 9 && c <= 13)) || c === 0xfffd) control++;
  }
  return sample.length > 0 && control / sample.length > 0.1 ? 'binary' : 'text';
}

/** A UTF-16 byte order mark (FF FE or FE FF) read as UTF-8 (two replacement characters) or as Latin-1. */
const UTF16_BOM_AS_BYTES = /^(?:\ufffd\ufffd|\u00ff\u00fe|\u00fe\u00ff)/;

/** UTF-16 text of ASCII read byte for byte: a NUL at every other character, on one side only. */
function looksUtf16(sample: string): boolean {
  const body = sample.replace(UTF16_BOM_AS_BYTES, '');
  if (body.length < 4) return false;
  const nuls = [0, 0];
  for (let i = 0; i < body.length; i++) if (body.charCodeAt(i) === 0) nuls[i % 2]!++;
  const pairs = Math.floor(body.length / 2);
  // Little-endian text has its NULs at odd places, big-endian at even ones; a few characters
  // beyond Latin-1 (no NUL in either byte) still leave the pattern plain.
  return (nuls[0] === 0 && nuls[1]! >= pairs * 0.9) || (nuls[1] === 0 && nuls[0]! >= pairs * 0.9);
}
