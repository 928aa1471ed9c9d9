// Text helpers shared by the trace parsers: lines (LF or CRLF), read all at once or one at a time,
// whitespace tokens with columns, and a binary-garbage check so a stray binary file gets one clear
// message, not thousands.

export interface Token {
  readonly text: string;
  /** 1-based column of the token's first character. */
  readonly column: number;
}

/** Lines without their terminators; a final newline does not add an empty line. */
export function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.endsWith('\r')) lines[i] = l.slice(0, -1);
  }
  return lines;
}

/**
 * The lines of a text one at a time, as `splitLines` cuts them (LF or CRLF; a final newline does
 * not add an empty line), without splitting the whole text up front.
 */
export class LineReader {
  /** Index of the next line's first character; past the end once every line is read. */
  private position = 0;
  /** Lines read so far (the 1-based number of the last line read). */
  line = 0;

  constructor(private readonly text: string) {}

  /** Characters consumed so far, for progress. */
  get offset(): number {
    return Math.min(this.position, this.text.length);
  }

  get done(): boolean {
    const { text, position } = this;
    // An empty text is one empty line; a text ending in a newline has no line after it.
    return position > text.length || (position === text.length && this.line > 0);
  }

  /** The next line without its terminator, or null after the last. */
  next(): string | null {
    if (this.done) return null;
    const text = this.text;
    const start = this.position;
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    this.position = end + 1;
    this.line++;
    return end > start && text.charCodeAt(end - 1) === 13 ? text.slice(start, end - 1) : text.slice(start, end);
  }
}

const TOKEN = /\S+/g;

export function tokens(line: string): Token[] {
  const out: Token[] = [];
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(line); m !== null; m = TOKEN.exec(line)) out.push({ text: m[0], column: m.index + 1 });
  return out;
}

/** True for text with NUL bytes or mostly control characters in its first 4 KiB. */
export function looksBinary(text: string): boolean {
  const sample = text.slice(0, 4096);
  if (sample.includes('\0')) return true;
  let control = 0;
  for (let i = 0; i < sample.length; i++) {
    const c = sample.charCodeAt(i);
    if ((c < 32 && c !== 9 && c !== 10 && c !== 13) || c === 0xfffd) control++;
  }
  return sample.length > 0 && control / sample.length > 0.1;
}
