// One `.rep` op line read the general way (the parser's quick path takes the usual ones: repFormat.ts):
// its tokens, with a diagnostic for whatever is wrong with it.

import type { DiagnosticSink } from './diagnostics';
import type { Token } from './lines';
import { lineRange, type Diagnostic, type RepHeader, type TraceOp } from './model';
import { parseSize } from './numbers';
import { clip } from './text';

/** Ids beyond this are refused outright (a typo, not a trace): keeps slot tables small. */
export const MAX_ID = 1 << 24;
const DIGITS = /^[0-9]+$/;

/** The op on a line of tokens and the id it names (an id counts even when the rest of the line is bad), after a diagnostic if it is wrong. */
export function parseOpLine(
  t: readonly Token[],
  line: number,
  header: RepHeader | null,
  diagnostics: DiagnosticSink,
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
  diagnostics: DiagnosticSink,
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
  if (!DIGITS.test(idToken.text)) return fail(idToken, 'bad-number', `The id "${clip(idToken.text)}" is not a whole number.`);
  // Beyond MAX_ID by its length alone: a megabyte of digits never becomes a bigint.
  const digits = idToken.text.replace(/^0+(?=.)/, '');
  const id = digits.length > 9 ? Infinity : Number(digits);
  if (id >= MAX_ID || (header && id >= header.ids)) {
    // An id beyond the header still counts as used: the header's id count is then what to fix.
    if (id < MAX_ID) sawId(id);
    const quoted = clip(idToken.text);
    return fail(
      idToken,
      'id-out-of-range',
      !header
        ? `Id ${quoted} is too large (ids go up to ${MAX_ID - 1}).`
        : header.ids <= 0
          ? `Id ${quoted} is out of range: the header says ${header.ids} ids, so no id is allowed.`
          : `Id ${quoted} is out of range: the header allows ids 0 to ${header.ids - 1}.`,
    );
  }
  sawId(id);
  if (kind === 'f') {
    if (sizeToken) return fail(sizeToken, 'extra-argument', `"f" takes only an id: "f id". Remove "${clip(sizeToken.text)}".`);
    return { kind: 'free', ptr: slotFor(id), range };
  }
  if (!sizeToken) return fail(idToken, 'missing-argument', `"${kind}" needs a size: "${wanted}".`);
  const size = parseSize(sizeToken.text, 'The size');
  if (!size.ok) return fail(sizeToken, size.problem, size.message);
  if (extra.length > 0) return fail(extra[0]!, 'extra-argument', `"${kind}" takes an id and a size: "${wanted}". Remove "${clip(extra[0]!.text)}".`);
  const slot = slotFor(id);
  return kind === 'a' ? { kind: 'malloc', ptr: slot, size: size.value, range } : { kind: 'realloc', ptr: slot, from: slot, size: size.value, range };
}
