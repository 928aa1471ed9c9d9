// The `.heap` script's lexer: one line into names, numbers, strings (C escapes, as UTF-8 bytes) and
// punctuation with their columns, and its comment; and the LineError every part of the `.heap`
// parser throws for a line's problem.

import { lineRange, type Diagnostic, type SourceRange } from './model';
import { clip } from './text';

export type TokenKind = 'name' | 'number' | 'string' | 'punct';

export interface Tok {
  readonly kind: TokenKind;
  readonly text: string;
  readonly column: number;
  /** Column one past the token's end. */
  readonly end: number;
  /** Decoded bytes of a string token. */
  readonly bytes?: Uint8Array;
}

/** A problem with one line of a script, thrown where it is found and caught per line. */
export class LineError extends Error {
  constructor(
    readonly range: SourceRange,
    readonly code: Diagnostic['code'],
    message: string,
  ) {
    super(message);
  }
}

// Names may hold inner hyphens for setting values such as in-place and free-only; pointer names
// are checked to be C identifiers where they are used.
const NAME = /[A-Za-z_][A-Za-z0-9_]*(?:-[A-Za-z0-9_]+)*/y;
export const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
// A number runs on through letters and dots, so "1.5" and "8x" are one token each, said to be no whole number.
const NUMBER = /(?:[0-9]|\.[0-9])[A-Za-z0-9_.]*/y;
const SPACE = /\s+/y;

/** One line's tokens and its comment, if any; throws a LineError at the first character no token starts with. */
export function lex(source: string, line: number): { toks: Tok[]; comment: { text: string } | null } {
  const toks: Tok[] = [];
  let i = 0;
  const match = (re: RegExp): string | null => {
    re.lastIndex = i;
    const m = re.exec(source);
    return m ? m[0] : null;
  };
  while (i < source.length) {
    const c = source[i]!;
    const space = match(SPACE);
    if (space) {
      i += space.length;
      continue;
    }
    if (c === '#' || source.startsWith('//', i)) {
      return { toks, comment: { text: source.slice(i + (c === '#' ? 1 : 2)).trim() } };
    }
    const name = match(NAME);
    if (name) {
      toks.push({ kind: 'name', text: name, column: i + 1, end: i + 1 + name.length });
      i += name.length;
      continue;
    }
    const num = match(NUMBER);
    if (num) {
      toks.push({ kind: 'number', text: num, column: i + 1, end: i + 1 + num.length });
      i += num.length;
      continue;
    }
    if (c === '"') {
      const { bytes, end } = lexString(source, i, line);
      toks.push({ kind: 'string', text: source.slice(i, end), column: i + 1, end: end + 1, bytes });
      i = end;
      continue;
    }
    if ('()=,;[]-+'.includes(c)) {
      toks.push({ kind: 'punct', text: c, column: i + 1, end: i + 2 });
      i++;
      continue;
    }
    const unexpected = String.fromCodePoint(source.codePointAt(i)!); // a whole emoji, not half of it
    throw new LineError(lineRange(line, i + 1, i + 1 + unexpected.length), 'unknown-op', `Unexpected character "${clip(unexpected)}".`);
  }
  return { toks, comment: null };
}

const ESCAPES: Readonly<Record<string, number>> = { n: 10, t: 9, r: 13, '0': 0, '\\': 92, '"': 34, "'": 39 };

/** A double-quoted string with C escapes, as UTF-8 bytes; `end` is the index after the closing quote. */
function lexString(source: string, start: number, line: number): { bytes: Uint8Array; end: number } {
  const bytes: number[] = [];
  let i = start + 1;
  while (i < source.length && source[i] !== '"') {
    const c = source[i]!;
    if (c === '\\') {
      const e = source.codePointAt(i + 1);
      if (e === undefined) throw new LineError(lineRange(line, start + 1, source.length + 1), 'bad-string', 'This string has no closing quote (the line ends with a backslash).');
      if (e === 0x78 /* x */) {
        const hex = /^[^"\\]{0,2}/.exec(source.slice(i + 2, i + 4))![0];
        if (!/^[0-9a-fA-F]{2}$/.test(hex)) {
          throw new LineError(lineRange(line, i + 1, i + 3 + hex.length), 'bad-string', `"\\x" takes two hex digits (0-9, a-f), as in \\x41 or \\xff, not "\\x${clip(hex)}".`);
        }
        bytes.push(parseInt(hex, 16));
        i += 4;
        continue;
      }
      const escaped = String.fromCodePoint(e);
      const code = ESCAPES[escaped];
      if (code === undefined) throw new LineError(lineRange(line, i + 1, i + 2 + escaped.length), 'bad-string', `Unknown escape "\\${clip(escaped)}": use \\n, \\t, \\r, \\0, \\\\, \\", or \\xHH.`);
      bytes.push(code);
      i += 2;
      continue;
    }
    const cp = source.codePointAt(i)!;
    pushUtf8(bytes, cp);
    i += cp > 0xffff ? 2 : 1;
  }
  if (i >= source.length) throw new LineError(lineRange(line, start + 1, source.length + 1), 'bad-string', 'This string has no closing quote.');
  return { bytes: Uint8Array.from(bytes), end: i + 1 };
}

function pushUtf8(out: number[], cp: number): void {
  if (cp < 0x80) out.push(cp);
  else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 63));
  else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
  else out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
}
