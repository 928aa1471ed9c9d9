// An allocation log to a `.rep` trace without holding either (docs/importing.md): the log arrives
// in chunks, is read a line at a time, and the trace leaves in chunks. A `.rep` file starts with
// its id and op counts, so the log is read twice: once to count, once to write. Memory is the
// live blocks and one chunk, whatever the log's length.

import { BoundedDiagnostics } from '../diagnostics';
import { LineReader, textKind } from '../lines';
import { FORMAT_TITLES, MAX_TRACE_OPS, type Diagnostic, type ImportCounts, type Trace } from '../model';
import { repHeader } from '../repPrinter';
import { clip } from '../text';
import type { OpSink } from './logImporter';
import { isLogFormat, logImporter, type LogFormat } from './logParser';
import type { LtraceOptions } from './ltrace';
import { grouped } from '../figures';

/** A line longer than this is no log's: the rest of it is not kept. */
const MAX_LINE = 1 << 20;
/** The size of the chunks the trace is written in. */
const OUT_CHUNK = 1 << 16;

/**
 * The lines of a text that arrives in chunks, cut as the editor cuts them (CRLF, LF or a lone CR,
 * also when a CRLF is split between two chunks); no line is longer than 1 MiB.
 */
export function* linesOf(chunks: Iterable<string>): Generator<string> {
  let carry = '';
  let skipLf = false;
  for (let chunk of chunks) {
    if (skipLf) {
      skipLf = false;
      if (chunk.charCodeAt(0) === 10) chunk = chunk.slice(1);
    }
    if (chunk === '') continue;
    const text = carry + chunk;
    const cut = Math.max(text.lastIndexOf('\n'), text.lastIndexOf('\r')) + 1;
    if (cut === 0) {
      carry = text.length > MAX_LINE ? text.slice(0, MAX_LINE) : text;
      continue;
    }
    // A CR that ends the chunk may be the first half of a CRLF.
    skipLf = cut === text.length && text.charCodeAt(cut - 1) === 13;
    const reader = new LineReader(text.slice(0, cut));
    for (let line = reader.next(); line !== null; line = reader.next()) yield line;
    carry = text.slice(cut, cut + MAX_LINE);
  }
  if (carry !== '') yield carry;
}

/** What the first pass found: the counts, and the problems (the first of each kind, and how many). */
export interface LogImport {
  readonly format: LogFormat;
  readonly counts: ImportCounts;
  readonly diagnostics: readonly Diagnostic[];
  /** Not text at all (NUL bytes, UTF-16 without a byte order mark): nothing was read. */
  readonly binary: boolean;
}

/** What the import of a log read as a trace found, or null for a trace that is not a log's. */
export function importOfTrace(trace: Trace): LogImport | null {
  if (!isLogFormat(trace.format) || trace.imported === undefined) return null;
  return { format: trace.format, counts: trace.imported, diagnostics: trace.diagnostics, binary: trace.diagnostics.some((d) => d.code === 'binary-file') };
}

/** The first pass: reads the log and counts what it holds. */
export function importLog(chunks: Iterable<string>, format: LogFormat, options: LtraceOptions = {}): LogImport {
  const diagnostics = new BoundedDiagnostics();
  const importer = logImporter(format, () => {}, diagnostics, options);
  // Judged on the first chunk that has anything, as a trace is on its first 4 KiB.
  const rest = chunks[Symbol.iterator]();
  let head = rest.next();
  while (!head.done && head.value === '') head = rest.next();
  if (!head.done && textKind(head.value) !== 'text') return { format, counts: importer.counts, diagnostics: [], binary: true };
  let line = 0;
  for (const text of linesOf(head.done ? [] : resumed(head.value, rest))) importer.read(text, ++line);
  importer.finish();
  return { format, counts: importer.counts, diagnostics: diagnostics.all(), binary: false };
}

/** `first`, then the rest of an iterator. */
function* resumed(first: string, rest: Iterator<string>): Generator<string> {
  yield first;
  for (let next = rest.next(); !next.done; next = rest.next()) yield next.value;
}

/** The log changed between the two passes: the trace written would not match its header. */
export class LogChangedError extends Error {
  name = 'LogChangedError';
}

/**
 * The second pass: the `.rep` trace, in chunks, for a log whose first pass gave `first`. Throws
 * LogChangedError at the end when this pass found other ops than the first.
 */
export function* repOfLog(chunks: Iterable<string>, first: LogImport, options: LtraceOptions = {}): Generator<string> {
  let out = repHeader(first.counts.ids, first.counts.ops);
  const codes = ['a', 'r', 'f'] as const;
  const add: OpSink = (kind, id, size) => {
    out += kind === 'free' ? `f ${id}\n` : `${codes[kind === 'malloc' ? 0 : 1]} ${id} ${size}\n`;
  };
  const importer = logImporter(first.format, add, { push: () => {} }, options);
  let line = 0;
  for (const text of linesOf(chunks)) {
    importer.read(text, ++line);
    if (out.length >= OUT_CHUNK) {
      yield out;
      out = '';
    }
  }
  importer.finish();
  const { ops, ids } = importer.counts;
  if (ops !== first.counts.ops || ids !== first.counts.ids) throw new LogChangedError(`the log changed while it was converted (${first.counts.ops} ops, then ${ops})`);
  yield out;
}

/**
 * The one line that says what a conversion did: "IN: glibc mtrace log, N lines → OUT: X ops, Y
 * ids; Z lines not understood (first at line L: ...)", then a line for each kind of thing left out.
 */
export function describeImport(input: string, output: string, result: LogImport): string {
  const { counts } = result;
  const n = (count: number, one: string, many = `${one}s`) => `${grouped(count)} ${count === 1 ? one : many}`;
  if (result.binary) return `${input}: not a text file (or UTF-16 without a byte order mark): a ${FORMAT_TITLES[result.format]} is lines of text; nothing was converted.\n`;
  const first = counts.firstNotUnderstood;
  const problems = first === null ? 'every line understood' : `${n(counts.notUnderstood, 'line')} not understood (first at line ${first.line}: ${clip(first.message.replace(/\.$/, ''), 200)})`;
  const lines = [`${input}: ${FORMAT_TITLES[result.format]}, ${n(counts.lines, 'line')} → ${output}: ${n(counts.ops, 'op')}, ${n(Math.max(1, counts.ids), 'id')}; ${problems}`];
  const left: string[] = [];
  if (counts.unknownAddresses > 0) left.push(`${n(counts.unknownAddresses, 'free or realloc', 'frees or reallocs')} of addresses the log never allocated (first at line ${firstLine(result, 'unknown-address')})`);
  if (counts.freeNulls > 0) left.push(n(counts.freeNulls, 'free(NULL)', 'free(NULL)s'));
  if (counts.failed > 0) left.push(`${n(counts.failed, 'allocation')} that returned NULL (first at line ${firstLine(result, 'failed-allocation')})`);
  if (counts.unfinished > 0) left.push(`${n(counts.unfinished, 'call')} the log does not finish (first at line ${firstLine(result, 'unfinished-call')})`);
  if (counts.hiddenBlocks > 0) left.push(`${n(counts.hiddenBlocks, 'block')} the log does not show (posix_memalign's, first at line ${firstLine(result, 'hidden-block')})`);
  if (left.length > 0) lines.push(`  left out: ${left.join('; ')}`);
  const notes: string[] = [];
  if (counts.ops === 0 && counts.notUnderstood === 0) notes.push('the log has no allocation, realloc or free to import');
  if (counts.liveAddresses > 0) notes.push(`${n(counts.liveAddresses, 'allocation')} at an address still live, given a new id (first at line ${firstLine(result, 'address-live')})`);
  if (counts.live > 0) notes.push(`${n(counts.live, 'block')} still allocated at the end`);
  if (counts.skipped > 0) notes.push(`${n(counts.skipped, 'line')} of other calls, signals, exits or markers skipped`);
  if (counts.ops > MAX_TRACE_OPS) notes.push(`more ops than the ${grouped(MAX_TRACE_OPS)} Heap Inspector replays: run and check read the first ${grouped(MAX_TRACE_OPS)}`);
  if (notes.length > 0) lines.push(`  ${notes.join('; ')}`);
  return lines.join('\n') + '\n';
}

function firstLine(result: LogImport, code: Diagnostic['code']): number {
  let line = Infinity;
  for (const d of result.diagnostics) if (d.code === code && d.range.line < line) line = d.range.line;
  return line;
}
