// The readable script format (`.heap`) for people writing their own experiments: named pointers,
// C-like calls, payload writes, comments, and in-file settings. One statement per line:
//
//   # comments start with # or //
//   set policy = best             settings apply to the whole file
//   p = malloc(24)
//   q = calloc(4, 8)
//   p = realloc(p, 100)           realloc(NULL, n) mallocs; realloc(p, 0) frees
//   write(p, 0, "hello\n")        bytes of a string, or a list: [0xde, 0xad]
//   fill(p, 8, 16, 0xab)          memset(p + 8, 0xab, 16)
//   free(q)
//
// Parsing never throws: every problem is a diagnostic on its line and column. It reads a slice of
// lines at a time (`HeapScriptParser`), so a long script never holds the editor up.

import { COALESCE_MODES, FOOTER_MODES, MAX_HEAP_LIMIT, POLICIES, PRESET_NAMES, REALLOC_MODES } from '../engine/config';
import { lineRange, SETTING_KEYS, slotName, type Diagnostic, type SettingKey, type SourceRange, type Trace, type TraceComment, type TraceOp, type TraceSetting } from './model';
import { formatByteSize, parseByteSize, parseSize } from './numbers';
import { mergeDiagnostics } from './diagnostics';
import { LineParser } from './lineParser';
import { clip } from './text';

type TokenKind = 'name' | 'number' | 'string' | 'punct';

interface Tok {
  readonly kind: TokenKind;
  readonly text: string;
  readonly column: number;
  /** Column one past the token's end. */
  readonly end: number;
  /** Decoded bytes of a string token. */
  readonly bytes?: Uint8Array;
}

const CALLS = ['malloc', 'calloc', 'realloc', 'free', 'write', 'fill'] as const;
const RESERVED = new Set<string>([...CALLS, 'set', 'NULL']);
const MAX_OFFSET = 2 ** 31 - 1;

/** Setting keys, with the spellings people type. */
const KEY_ALIASES: Readonly<Record<string, SettingKey>> = Object.fromEntries(
  SETTING_KEYS.flatMap((k) => [
    [k.toLowerCase(), k],
    [k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`), k],
  ]),
) as Record<string, SettingKey>;

class LineError extends Error {
  constructor(
    readonly range: SourceRange,
    readonly code: Diagnostic['code'],
    message: string,
  ) {
    super(message);
  }
}

export function parseHeapScript(text: string): Trace {
  const parser = new HeapScriptParser(text);
  parser.advance(Infinity);
  return parser.trace;
}

/** The `.heap` parser, a slice of lines at a time (`parseHeapScript` runs it to the end in one go). */
export class HeapScriptParser extends LineParser {
  private readonly settings: TraceSetting[] = [];
  private readonly comments: TraceComment[] = [];
  private readonly slotOf = new Map<string, number>();

  constructor(text: string) {
    super(text, 'a .heap script');
  }

  protected describeSlot(slot: number): string {
    return slotName('heap', this.names, slot);
  }

  advance(maxLines: number): boolean {
    if (this.result !== null) return true;
    const reader = this.reader;
    for (let n = 0; n < maxLines; n++) {
      const source = reader.next();
      if (source === null) break;
      if (!this.binary && this.full(source, reader.line)) {
        this.finish();
        return true;
      }
      if (!this.binary) this.statement(source, reader.line);
    }
    if (!reader.done) {
      this.lifetimes.catchUp();
      return false;
    }
    this.finish();
    return true;
  }

  private readonly slot = (tok: Tok, line: number): number => {
    if (tok.kind !== 'name' || RESERVED.has(tok.text) || !IDENTIFIER.test(tok.text)) {
      throw new LineError(lineRange(line, tok.column, tok.end), 'bad-name', `Expected a pointer name (like p or buf) but found "${clip(tok.text)}".`);
    }
    let s = this.slotOf.get(tok.text);
    if (s === undefined) {
      s = this.names.length;
      this.names.push(tok.text);
      this.slotOf.set(tok.text, s);
    }
    return s;
  };

  private statement(source: string, line: number): void {
    const { diagnostics, ops, settings } = this;
    try {
      const { toks, comment } = lex(source, line);
      if (comment !== null) this.comments.push({ line, text: comment.text, trailing: toks.length > 0 });
      if (toks.length === 0) return;
      if (toks[toks.length - 1]!.text === ';') toks.pop(); // a C habit, tolerated
      if (toks.length === 0) return; // a line that was only ";"
      const range = lineRange(line, toks[0]!.column, toks[toks.length - 1]!.end);
      const first = toks[0]!;
      if (first.kind === 'name' && first.text === 'set' && toks[1]?.text !== '=') {
        const setting = parseSetting(toks, source, line, range);
        const earlier = settings.find((s) => s.key === setting.key);
        if (earlier) {
          diagnostics.push({ range, severity: 'warning', code: 'bad-setting', message: `${setting.key} is set twice; this line (${line}) wins over line ${earlier.range.line}.` });
          settings.splice(settings.indexOf(earlier), 1);
        }
        if (ops.length > 0) {
          diagnostics.push({ range, severity: 'warning', code: 'setting-after-ops', message: `Settings apply to the whole file from the start; move "set ${setting.key}" above the first operation (line ${ops.line(0)}).` });
        }
        settings.push(setting);
        return;
      }
      ops.push(parseStatement(toks, line, range, this.slot));
    } catch (err) {
      if (!(err instanceof LineError)) throw err;
      diagnostics.push({ range: err.range, severity: 'error', code: err.code, message: err.message });
    }
  }

  private finish(): void {
    const lineCount = this.reader.line;
    const { ops, names, settings, comments } = this;
    if (this.binary) {
      this.result = { format: 'heap', ops: ops.finish(), names, header: null, settings, comments, diagnostics: this.diagnostics.all(), lifetimes: this.lifetimes.finish(), lineCount };
      return;
    }
    this.lifetimes.catchUp();
    const analysis = this.lifetimes.finish();
    const empty: Diagnostic[] = [];
    if (ops.length === 0 && this.diagnostics.count === 0 && analysis.diagnostics.length === 0) {
      empty.push({ range: lineRange(1, 1, 1), severity: 'warning', code: 'empty-trace', message: 'The script has no operations yet: try "p = malloc(24)".' });
    }
    this.result = { format: 'heap', ops: ops.finish(), names, header: null, settings, comments, diagnostics: mergeDiagnostics(this.diagnostics.all(), analysis.diagnostics, empty), lifetimes: analysis, lineCount };
  }
}

// --- statements --------------------------------------------------------------------------------

function parseStatement(toks: Tok[], line: number, range: SourceRange, slot: (t: Tok, line: number) => number): TraceOp {
  const at = (t: Tok) => lineRange(line, t.column, t.end);
  const first = toks[0]!;
  let target: Tok | null = null;
  let rest = toks;
  if (toks[1]?.text === '=') {
    target = first;
    rest = toks.slice(2);
    if (rest.length === 0) throw new LineError(at(toks[1]!), 'missing-argument', `Nothing after "=": write e.g. "${clip(first.text)} = malloc(24)".`);
  }
  const callee = rest[0]!;
  if (callee.kind !== 'name' || !(CALLS as readonly string[]).includes(callee.text)) {
    throw new LineError(
      at(callee),
      'unknown-op',
      `Unknown operation "${clip(callee.text)}": a line is one of p = malloc(n), p = calloc(n, size), p = realloc(p, n), free(p), write(p, offset, "text"), fill(p, offset, length, byte), or set key = value.`,
    );
  }
  const call = callee.text as (typeof CALLS)[number];
  const args = parseArgs(rest, line);
  const assigns = call === 'malloc' || call === 'calloc' || call === 'realloc';
  if (assigns && target === null) throw new LineError(at(callee), 'missing-argument', `Keep what ${call} returns in a pointer: "p = ${call}(...)".`);
  if (!assigns && target !== null) throw new LineError(at(first), 'extra-argument', `${call} returns nothing to assign: write "${call}(...)" without "${clip(first.text)} =".`);
  const expect = (count: number, usage: string): void => {
    if (args.list.length < count) throw new LineError(lineRange(line, args.close.column, args.close.end), 'missing-argument', `${call} needs ${count} argument${count === 1 ? '' : 's'}: ${usage}.`);
    if (args.list.length > count) {
      const extra = args.list[count]!;
      throw new LineError(lineRange(line, extra.column, extra.end), 'extra-argument', `${call} takes ${count} argument${count === 1 ? '' : 's'}: ${usage}.`);
    }
  };
  const size = (t: Tok, what: string): bigint => {
    if (t.kind === 'punct' && t.text === '-') throw new LineError(at(t), 'negative-size', `${what} is negative; sizes count bytes from 0 up.`);
    const p = parseSize(t.text, what, true);
    if (!p.ok) throw new LineError(at(t), p.problem, p.message);
    return p.value;
  };
  const small = (t: Tok, what: string, max: number): number => {
    const v = size(t, what);
    if (v > BigInt(max)) throw new LineError(at(t), 'size-too-large', `${what} ${clip(t.text)} is too large (at most ${max}).`);
    return Number(v);
  };
  const pointerOrNull = (t: Tok): number | null => (t.kind === 'name' && t.text === 'NULL' ? null : slot(t, line));
  const a = args.list;
  switch (call) {
    case 'malloc':
      expect(1, 'p = malloc(bytes)');
      return { kind: 'malloc', ptr: slot(target!, line), size: size(a[0]!, 'The size'), range };
    case 'calloc':
      expect(2, 'p = calloc(count, bytes each)');
      return { kind: 'calloc', ptr: slot(target!, line), count: size(a[0]!, 'The count'), size: size(a[1]!, 'The size'), range };
    case 'realloc': {
      expect(2, 'p = realloc(p, bytes)');
      const from = pointerOrNull(a[0]!);
      return { kind: 'realloc', ptr: slot(target!, line), from, size: size(a[1]!, 'The size'), range };
    }
    case 'free':
      expect(1, 'free(p)');
      return { kind: 'free', ptr: pointerOrNull(a[0]!), range };
    case 'write': {
      expect(3, 'write(p, offset, "text") or write(p, offset, [bytes])');
      const data = a[2]!;
      if (!data.bytes) throw new LineError(at(data), 'bad-string', `write takes a string in quotes or a list of bytes in [ ], not "${clip(data.text)}".`);
      return { kind: 'write', ptr: slot(a[0]!, line), offset: small(a[1]!, 'The offset', MAX_OFFSET), bytes: data.bytes, range };
    }
    case 'fill':
      expect(4, 'fill(p, offset, length, byte)');
      return {
        kind: 'fill',
        ptr: slot(a[0]!, line),
        offset: small(a[1]!, 'The offset', MAX_OFFSET),
        length: small(a[2]!, 'The length', MAX_OFFSET),
        byte: small(a[3]!, 'The byte', 255),
        range,
      };
  }
}

/** `name ( arg, arg, ... )` where an arg is one token, `-number`, or a `[byte, ...]` list folded into one token. */
function parseArgs(toks: Tok[], line: number): { list: Tok[]; close: Tok } {
  const callee = toks[0]!;
  const open = toks[1];
  if (open?.text !== '(') throw new LineError(lineRange(line, callee.column, callee.end), 'missing-argument', `Expected "(" after ${clip(callee.text)}.`);
  const list: Tok[] = [];
  let i = 2;
  for (;;) {
    const t = toks[i];
    if (t === undefined) throw new LineError(lineRange(line, open.column, toks[toks.length - 1]!.end), 'missing-argument', `Missing ")" to close ${clip(callee.text)}(.`);
    if (t.text === ')') {
      if (i + 1 < toks.length) {
        const extra = toks[i + 1]!;
        throw new LineError(lineRange(line, extra.column, toks[toks.length - 1]!.end), 'extra-argument', `Unexpected "${clip(extra.text)}" after the closing ")".`);
      }
      return { list, close: t };
    }
    if (list.length > 0 || i > 2) {
      if (t.text !== ',') throw new LineError(lineRange(line, t.column, t.end), 'missing-argument', `Expected "," or ")" but found "${clip(t.text)}".`);
      i++;
    }
    const arg = toks[i];
    if (arg === undefined || arg.text === ')' || arg.text === ',') {
      const where = arg ?? toks[toks.length - 1]!;
      throw new LineError(lineRange(line, where.column, where.end), 'missing-argument', `An argument is missing here.`);
    }
    if (arg.text === '-') {
      list.push(arg);
      i += 2; // the number after the minus is reported with it
      continue;
    }
    if (arg.text === '[') {
      const { tok, next } = parseByteList(toks, i, line);
      list.push(tok);
      i = next;
      continue;
    }
    if (arg.kind === 'punct') throw new LineError(lineRange(line, arg.column, arg.end), 'missing-argument', `Unexpected "${clip(arg.text)}".`);
    list.push(arg);
    i++;
  }
}

function parseByteList(toks: Tok[], start: number, line: number): { tok: Tok; next: number } {
  const bytes: number[] = [];
  let i = start + 1;
  for (;;) {
    const t = toks[i];
    if (t === undefined) throw new LineError(lineRange(line, toks[start]!.column, toks[toks.length - 1]!.end), 'bad-string', 'Missing "]" to close the list of bytes.');
    if (t.text === ']') break;
    if (bytes.length > 0) {
      if (t.text !== ',') throw new LineError(lineRange(line, t.column, t.end), 'bad-string', `Expected "," or "]" but found "${clip(t.text)}".`);
      i++;
    }
    const b = toks[i];
    const p = b ? parseSize(b.text, 'A byte', true) : null;
    if (!b || !p || !p.ok || p.value > 255n) {
      const where = b ?? t;
      throw new LineError(lineRange(line, where.column, where.end), 'bad-string', `Each byte is a number from 0 to 255 (or 0x00 to 0xff), not "${clip(where.text)}".`);
    }
    bytes.push(Number(p.value));
    i++;
  }
  const open = toks[start]!;
  const close = toks[i]!;
  return { tok: { kind: 'string', text: '[...]', column: open.column, end: close.end, bytes: Uint8Array.from(bytes) }, next: i + 1 };
}

function parseSetting(toks: Tok[], source: string, line: number, range: SourceRange): TraceSetting {
  const keyTok = toks[1];
  const usage = 'set key = value, e.g. "set policy = best"';
  if (!keyTok) throw new LineError(range, 'bad-setting', `A setting line reads ${usage}.`);
  const key = KEY_ALIASES[keyTok.text.toLowerCase()] ?? KEY_ALIASES[keyTok.text];
  if (!key) throw new LineError(lineRange(line, keyTok.column, keyTok.end), 'bad-setting', `Unknown setting "${clip(keyTok.text)}"; the settings are ${SETTING_KEYS.join(', ')}.`);
  const valueToks = toks[2]?.text === '=' ? toks.slice(3) : toks.slice(2);
  const first = valueToks[0];
  if (!first) throw new LineError(range, 'bad-setting', `"set ${key}" needs a value: ${usage}.`);
  const last = valueToks[valueToks.length - 1]!;
  const valueRange = lineRange(line, first.column, last.end);
  // The value as written, from its first token to its last: "-1" and "20 M" are one value each.
  const v = source.slice(first.column - 1, last.end - 1);
  const negative = first.text === '-' && valueToks.length === 2 && valueToks[1]!.kind === 'number';
  const byteCount = key === 'minSplit' || key === 'chunkSize' || key === 'maxHeap';
  if (first.kind === 'punct' && !negative) throw new LineError(valueRange, 'bad-setting', `"set ${key}" needs a value after "=", not "${clip(v)}": ${usage}.`);
  if (valueToks.length > 1 && !negative && !byteCount) {
    throw new LineError(lineRange(line, valueToks[1]!.column, last.end), 'bad-setting', `One value per setting: ${usage}.`);
  }
  if (first.kind === 'string') throw new LineError(valueRange, 'bad-setting', `Setting values are written without quotes: set ${key} = ${clip(v.slice(1, -1))}.`);
  const oneOf = (allowed: readonly (string | number)[]): string | number => {
    const number = /^(?:[0-9]+|0[xX][0-9a-fA-F]+)$/.test(v) ? Number(v) : NaN;
    const hit = allowed.find((a) => (typeof a === 'number' ? a === number : a.toLowerCase() === v.toLowerCase()));
    if (hit === undefined) throw new LineError(valueRange, 'bad-setting', `${key} must be one of ${allowed.join(', ')}, not "${clip(v)}".`);
    return hit;
  };
  let value: string | number | boolean;
  switch (key) {
    case 'preset':
      value = oneOf(PRESET_NAMES);
      break;
    case 'policy':
      value = oneOf(POLICIES);
      break;
    case 'coalesce':
      value = oneOf(COALESCE_MODES);
      break;
    case 'realloc':
      value = oneOf(REALLOC_MODES);
      break;
    case 'footers':
      value = oneOf(FOOTER_MODES);
      break;
    case 'wordSize':
      value = oneOf([4, 8]);
      break;
    case 'alignment':
      value = oneOf([8, 16]);
      break;
    case 'sentinels': {
      const b = { on: true, off: false, true: true, false: false, yes: true, no: false }[v.toLowerCase()];
      if (b === undefined) throw new LineError(valueRange, 'bad-setting', `sentinels is on or off, not "${clip(v)}".`);
      value = b;
      break;
    }
    case 'minSplit':
    case 'chunkSize':
    case 'maxHeap': {
      const n = parseByteSize(v);
      if (n === null) throw new LineError(valueRange, 'bad-setting', badByteCount(key, v));
      value = n;
      break;
    }
  }
  return { key, value, range };
}

/** What is wrong with a byte-count setting's value that `parseByteSize` refused. */
function badByteCount(key: SettingKey, v: string): string {
  const example = 'a byte count like 4096, 64K or 20M';
  if (/^-\s*[0-9]/.test(v)) return `${key} cannot be negative ("${clip(v)}"): it is ${example}.`;
  const unit = '\\s*(?:[KMGkmg]i?[Bb]?|[Bb])?';
  if (new RegExp(`^[0-9]*\\.[0-9]*${unit}$`).test(v) && /[0-9]/.test(v)) return `${key} is a whole number of bytes, not "${clip(v)}": it is ${example}.`;
  if (new RegExp(`^(?:[0-9]+|0[xX][0-9a-fA-F]+)${unit}$`).test(v)) return `${key} ${clip(v, 40)} is too large: no heap here grows beyond 1G (${MAX_HEAP_LIMIT} bytes).`;
  return `${key} is ${example}, not "${clip(v)}".`;
}

// --- lexer ---------------------------------------------------------------------------------------

// Names may hold inner hyphens for setting values such as in-place and free-only; pointer names
// are checked to be C identifiers where they are used.
const NAME = /[A-Za-z_][A-Za-z0-9_]*(?:-[A-Za-z0-9_]+)*/y;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
// A number runs on through letters and dots, so "1.5" and "8x" are one token each, said to be no whole number.
const NUMBER = /(?:[0-9]|\.[0-9])[A-Za-z0-9_.]*/y;
const SPACE = /\s+/y;

function lex(source: string, line: number): { toks: Tok[]; comment: { text: string } | null } {
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
    if ('()=,;[]-'.includes(c)) {
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

// --- printer -------------------------------------------------------------------------------------

/**
 * Prints a trace as a `.heap` script. A `.heap` trace keeps its line layout and comments; a
 * `.rep` trace becomes one statement per line with ids as names `p0`, `p1`, ...
 */
export function printHeapScript(trace: Trace): string {
  const name = (slot: number | null): string =>
    slot === null ? 'NULL' : trace.format === 'rep' ? `p${trace.names[slot] ?? slot}` : (trace.names[slot] ?? `p${slot}`);
  const statement = (op: TraceOp): string => {
    switch (op.kind) {
      case 'malloc':
        return `${name(op.ptr)} = malloc(${op.size})`;
      case 'calloc':
        return `${name(op.ptr)} = calloc(${op.count}, ${op.size})`;
      case 'realloc':
        return `${name(op.ptr)} = realloc(${name(op.from)}, ${op.size})`;
      case 'free':
        return `free(${name(op.ptr)})`;
      case 'write':
        return `write(${name(op.ptr)}, ${op.offset}, ${bytesLiteral(op.bytes)})`;
      case 'fill':
        return `fill(${name(op.ptr)}, ${op.offset}, ${op.length}, 0x${op.byte.toString(16).padStart(2, '0')})`;
    }
  };
  const setting = (s: TraceSetting): string => `set ${s.key} = ${typeof s.value === 'boolean' ? (s.value ? 'on' : 'off') : s.key === 'maxHeap' || s.key === 'chunkSize' || s.key === 'minSplit' ? formatByteSize(Number(s.value)) : s.value}`;

  if (trace.format === 'rep') {
    const head = trace.header
      ? [`# converted from a malloc lab trace (header: ${trace.header.first} ${trace.header.ids} ${trace.header.ops} ${trace.header.fourth})`]
      : ['# converted from a malloc lab trace'];
    return [...head, ...Array.from(trace.ops, statement)].join('\n') + '\n';
  }
  const byLine = new Map<number, string>();
  for (const s of trace.settings) byLine.set(s.range.line, setting(s));
  for (const op of trace.ops) byLine.set(op.range.line, statement(op));
  for (const c of trace.comments) {
    const code = byLine.get(c.line);
    const text = `# ${c.text}`.trimEnd();
    byLine.set(c.line, code === undefined ? text : `${code}  ${text}`);
  }
  let last = 0; // a loop, not Math.max(...keys): a spread of every line overflows the call stack
  for (const line of byLine.keys()) if (line > last) last = line;
  const out: string[] = [];
  for (let line = 1; line <= last; line++) out.push(byLine.get(line) ?? '');
  return out.join('\n') + '\n';
}

function bytesLiteral(bytes: Uint8Array): string {
  const printable = bytes.every((b) => (b >= 32 && b < 127) || b === 10 || b === 9 || b === 0);
  if (printable && bytes.length > 0) {
    let s = '"';
    for (const b of bytes) s += b === 10 ? '\\n' : b === 9 ? '\\t' : b === 0 ? '\\0' : b === 34 ? '\\"' : b === 92 ? '\\\\' : String.fromCharCode(b);
    return `${s}"`;
  }
  return `[${Array.from(bytes, (b) => `0x${b.toString(16).padStart(2, '0')}`).join(', ')}]`;
}
