// The malloc lab `.rep` format (allocator reference section 3): four header integers, then one op
// per line, `a id size`, `r id size`, `f id`. CRLF and any whitespace are accepted; header variants
// are accepted where unambiguous and diagnosed otherwise. Parsing never throws.

import { analyzeLifetimes } from './lifetimes';
import { lineRange, type Diagnostic, type RepHeader, type SourceRange, type Trace, type TraceOp } from './model';
import { parseSize } from './numbers';
import { looksBinary, splitLines, tokens, type Token } from './text';

/** Ids beyond this are refused outright (a typo, not a trace): keeps slot tables small. */
const MAX_ID = 1 << 24;

export function parseRep(text: string): Trace {
  const diagnostics: Diagnostic[] = [];
  const lines = splitLines(text);
  const ops: TraceOp[] = [];
  if (looksBinary(text)) {
    diagnostics.push({ range: lineRange(1, 1, 1), severity: 'error', code: 'binary-file', message: 'This is not a text file: a .rep trace is lines of text.' });
    return { format: 'rep', ops, names: [], header: null, settings: [], comments: [], diagnostics, lifetimes: analyzeLifetimes([], String), lineCount: lines.length };
  }

  // Header: the leading lines that hold one integer each, at most four.
  const headerValues: { value: bigint; token: Token; line: number }[] = [];
  // Header counts are quoted from their tokens: a huge one is clamped for use, never in messages.
  let i = 0;
  for (; i < lines.length && headerValues.length < 4; i++) {
    const t = tokens(lines[i]!);
    if (t.length === 0) continue;
    if (t.length !== 1 || !/^[0-9]+$/.test(t[0]!.text)) break;
    headerValues.push({ value: BigInt(t[0]!.text), token: t[0]!, line: i + 1 });
  }
  if (headerValues.length < 4) i = headerValues.length === 0 ? 0 : headerValues[headerValues.length - 1]!.line;
  let header: RepHeader | null = null;
  if (headerValues.length === 4) {
    const [first, ids, count, fourth] = headerValues as [typeof headerValues[0], typeof headerValues[0], typeof headerValues[0], typeof headerValues[0]];
    header = {
      first: first.value,
      ids: clampCount(ids.value),
      ops: clampCount(count.value),
      fourth: fourth.value,
      lines: headerValues.map((h) => h.line),
    };
  } else if (lines.some((l) => tokens(l).length > 0)) {
    const line = headerValues[0]?.line ?? firstNonBlank(lines);
    diagnostics.push({
      range: lineRange(line, 1, (lines[line - 1]?.length ?? 0) + 1),
      severity: 'warning',
      code: 'header-missing',
      message: `A .rep file starts with four numbers (suggested heap size, number of ids, number of ops, weight); found ${headerValues.length}. The ids and ops are counted from the trace instead.`,
    });
  }

  // Ops. Ids map to dense slots in order of first use, so a trace with one huge id stays small.
  const names: string[] = [];
  const slotOfId = new Map<number, number>();
  const slotFor = (id: number): number => {
    let slot = slotOfId.get(id);
    if (slot === undefined) {
      slot = names.length;
      names.push(String(id));
      slotOfId.set(id, slot);
    }
    return slot;
  };
  let opLines = 0;
  let maxId = -1;
  let lastOpLine = 0;
  for (; i < lines.length; i++) {
    const line = i + 1;
    const t = tokens(lines[i]!);
    if (t.length === 0) continue;
    opLines++;
    lastOpLine = line;
    const { op, id } = parseOpLine(t, line, header, diagnostics, slotFor);
    if (op) ops.push(op);
    // An id counts even when the rest of its line is bad, so one typo does not also break the header.
    if (id !== null && id > maxId) maxId = id;
  }

  if (header) {
    const [, idsLine, opsLine] = header.lines as [number, number, number, number];
    if (opLines !== header.ops) {
      diagnostics.push({
        range: lineRange(opsLine, 1, (lines[opsLine - 1]?.trimEnd().length ?? 0) + 1),
        severity: 'error',
        code: 'header-op-count',
        message: `The header says ${headerValues[2]!.token.text} ops but the file has ${opLines} op line${opLines === 1 ? '' : 's'}.`,
        fix: { title: `Set the op count to ${opLines}`, range: tokenRange(headerValues[2]!), newText: String(opLines) },
      });
    }
    if (maxId >= 0 && maxId < header.ids - 1) {
      diagnostics.push({
        range: lineRange(idsLine, 1, (lines[idsLine - 1]?.trimEnd().length ?? 0) + 1),
        severity: 'error',
        code: 'header-id-count',
        message: `The header says ${headerValues[1]!.token.text} ids but the largest id used is ${maxId}; the malloc lab driver requires the largest id to be the number of ids - 1.`,
        fix: { title: `Set the id count to ${maxId + 1}`, range: tokenRange(headerValues[1]!), newText: String(maxId + 1) },
      });
    }
  } else if (ops.length === 0 && lastOpLine === 0) {
    diagnostics.push({ range: lineRange(1, 1, 1), severity: 'warning', code: 'empty-trace', message: 'The trace is empty: there are no ops to replay.' });
  }

  const analysis = analyzeLifetimes(ops, (slot) => `id ${names[slot] ?? slot}`);
  diagnostics.push(...analysis.diagnostics);
  return { format: 'rep', ops, names, header, settings: [], comments: [], diagnostics: sortDiagnostics(diagnostics), lifetimes: analysis, lineCount: lines.length };
}

function parseOpLine(
  t: readonly Token[],
  line: number,
  header: RepHeader | null,
  diagnostics: Diagnostic[],
  slotFor: (id: number) => number,
): { op: TraceOp | null; id: number | null } {
  let id: number | null = null;
  const op = parseOp(t, line, header, diagnostics, (valid) => (id = valid), slotFor);
  return { op, id };
}

function parseOp(
  t: readonly Token[],
  line: number,
  header: RepHeader | null,
  diagnostics: Diagnostic[],
  sawId: (id: number) => void,
  slotFor: (id: number) => number,
): TraceOp | null {
  const [opToken, idToken, sizeToken, ...extra] = t as [Token, Token?, Token?, ...Token[]];
  const range = lineRange(line, opToken.column, t[t.length - 1]!.column + t[t.length - 1]!.text.length);
  const fail = (token: Token, code: Diagnostic['code'], message: string): null => {
    diagnostics.push({ range: lineRange(line, token.column, token.column + token.text.length), severity: 'error', code, message });
    return null;
  };
  const kind = opToken.text;
  if (kind !== 'a' && kind !== 'r' && kind !== 'f') {
    return fail(opToken, 'unknown-op', `Unknown op "${clip(kind)}": a .rep line is "a id size" (malloc), "r id size" (realloc) or "f id" (free).`);
  }
  const wanted = kind === 'f' ? 'f id' : `${kind} id size`;
  if (!idToken) return fail(opToken, 'missing-argument', `"${kind}" needs an id: "${wanted}".`);
  if (/^-[0-9]+$/.test(idToken.text)) return fail(idToken, 'id-out-of-range', `Ids count from 0; ${clip(idToken.text)} is not an id.`);
  if (!/^[0-9]+$/.test(idToken.text)) return fail(idToken, 'bad-number', `The id "${clip(idToken.text)}" is not a whole number.`);
  const id = BigInt(idToken.text);
  if (id >= BigInt(MAX_ID) || (header && id >= BigInt(header.ids))) {
    return fail(
      idToken,
      'id-out-of-range',
      header ? `Id ${clip(idToken.text)} is out of range: the header allows ids 0 to ${header.ids - 1}.` : `Id ${clip(idToken.text)} is too large (ids go up to ${MAX_ID - 1}).`,
    );
  }
  sawId(Number(id));
  if (kind === 'f') {
    if (sizeToken) return fail(sizeToken, 'extra-argument', `"f" takes only an id: "f id". Remove "${clip(sizeToken.text)}".`);
    return { kind: 'free', ptr: slotFor(Number(id)), range };
  }
  if (!sizeToken) return fail(idToken, 'missing-argument', `"${kind}" needs a size: "${wanted}".`);
  const size = parseSize(sizeToken.text, 'The size');
  if (!size.ok) return fail(sizeToken, size.problem, size.message);
  if (extra.length > 0) return fail(extra[0]!, 'extra-argument', `"${kind}" takes an id and a size: "${wanted}". Remove "${clip(extra[0]!.text)}".`);
  const slot = slotFor(Number(id));
  return kind === 'a' ? { kind: 'malloc', ptr: slot, size: size.value, range } : { kind: 'realloc', ptr: slot, from: slot, size: size.value, range };
}

/**
 * Prints a trace as a `.rep` file. Ops it cannot hold are listed in `dropped`: calloc becomes a
 * malloc of count x size (the zeroing is lost), writes and fills are dropped, a realloc into
 * another name keeps the block's id. `.heap` names map to ids: `p7` keeps 7 when it can.
 */
export function printRep(trace: Trace): { text: string; dropped: string[] } {
  const dropped: string[] = [];
  const lines: string[] = [];
  const idOf = new Map<number, number>(); // slot -> id of the block it holds now
  const used = new Set<number>();
  let nextId = 0;
  const freshId = (slot: number): number => {
    if (trace.format === 'rep') {
      const id = Number(trace.names[slot]); // a .rep trace keeps its ids
      used.add(id);
      return id;
    }
    const wanted = /^p(\d+)$/.exec(trace.names[slot] ?? '')?.[1];
    let id = wanted === undefined ? -1 : Number(wanted);
    if (id < 0 || used.has(id) || id >= MAX_ID) {
      while (used.has(nextId)) nextId++;
      id = nextId;
    }
    used.add(id);
    return id;
  };
  for (const op of trace.ops) {
    const line = op.range.line;
    switch (op.kind) {
      case 'malloc':
      case 'calloc': {
        const id = trace.format === 'rep' && idOf.has(op.ptr) ? idOf.get(op.ptr)! : freshId(op.ptr);
        idOf.set(op.ptr, id);
        const size = op.kind === 'malloc' ? op.size : op.count * op.size;
        if (op.kind === 'calloc') dropped.push(`line ${line}: calloc became "a ${id} ${size}" (.rep cannot say the block is zeroed)`);
        lines.push(`a ${id} ${size}`);
        break;
      }
      case 'realloc': {
        if (op.from === null) {
          const id = freshId(op.ptr);
          idOf.set(op.ptr, id);
          dropped.push(`line ${line}: realloc(NULL, ${op.size}) became "a ${id} ${op.size}"`);
          lines.push(`a ${id} ${op.size}`);
          break;
        }
        const id = idOf.get(op.from) ?? freshId(op.from);
        idOf.delete(op.from);
        if (op.size === 0n) {
          dropped.push(`line ${line}: realloc(p, 0) became "f ${id}"`);
          lines.push(`f ${id}`);
          break;
        }
        idOf.set(op.ptr, id);
        lines.push(`r ${id} ${op.size}`);
        break;
      }
      case 'free': {
        if (op.ptr === null) {
          dropped.push(`line ${line}: free(NULL) has no .rep form`);
          break;
        }
        const id = idOf.get(op.ptr) ?? freshId(op.ptr);
        lines.push(`f ${id}`);
        break;
      }
      case 'write':
      case 'fill':
        dropped.push(`line ${line}: ${op.kind} has no .rep form`);
        break;
    }
  }
  const ids = used.size === 0 ? 0 : Math.max(...used) + 1;
  const header = trace.header;
  const head = [header?.first ?? 0n, ids, lines.length, header?.fourth ?? 1n].map(String);
  return { text: [...head, ...lines].join('\n') + '\n', dropped };
}

function tokenRange(h: { token: Token; line: number }): SourceRange {
  return lineRange(h.line, h.token.column, h.token.column + h.token.text.length);
}

function clampCount(value: bigint): number {
  return value > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(value);
}

function firstNonBlank(lines: readonly string[]): number {
  const i = lines.findIndex((l) => l.trim().length > 0);
  return i < 0 ? 1 : i + 1;
}

function clip(text: string): string {
  return text.length > 24 ? `${text.slice(0, 21)}...` : text;
}

/** Diagnostics in line order (stable for equal lines). */
export function sortDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  return diagnostics.map((d, k) => [d, k] as const).sort((a, b) => a[0].range.line - b[0].range.line || a[0].range.column - b[0].range.column || a[1] - b[1]).map(([d]) => d);
}
