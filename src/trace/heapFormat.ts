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

import { mergeDiagnostics } from './diagnostics';
import { IDENTIFIER, lex, LineError, type Tok } from './heapLexer';
import { parseSetting } from './heapSettings';
import { LineParser } from './lineParser';
import { lineRange, slotName, type Diagnostic, type SourceRange, type Trace, type TraceComment, type TraceOp, type TraceSetting } from './model';
import { parseSize } from './numbers';
import { clip } from './text';

const CALLS = ['malloc', 'calloc', 'realloc', 'free', 'write', 'fill'] as const;
const RESERVED = new Set<string>([...CALLS, 'set', 'NULL']);
const MAX_OFFSET = 2 ** 31 - 1;

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

  protected parseLine(text: string, line: number): void {
    this.statement(text, line);
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

  protected finish(): void {
    const lineCount = this.reader.line;
    const { ops, names, settings, comments } = this;
    if (this.binary) {
      this.result = { format: 'heap', ops: ops.finish(), names, header: null, settings, comments, diagnostics: this.diagnostics.all(), lifetimes: this.lifetimes.finish(), lineCount };
      return;
    }
    this.lifetimes.catchUp();
    const analysis = this.lifetimes.finish(true);
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
