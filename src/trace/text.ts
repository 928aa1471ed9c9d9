// Text helpers shared by the trace parsers: lines (cut where VS Code cuts them: CRLF, LF or a lone
// CR), read all at once or one at a time, whitespace tokens with columns, and a binary-garbage
// check so a stray binary file gets one clear message, not thousands.

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
