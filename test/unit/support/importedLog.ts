// Test helper: an allocation log read as a trace (docs/importing.md), and what it became: the
// `.rep` op lines, its diagnostics as `line code` strings, and the import's counts.

import { LogParser, printRep, type Diagnostic, type ImportCounts, type LogFormat, type LtraceOptions, type Trace } from '../../../src/trace/index';

export interface Imported {
  readonly trace: Trace;
  /** The `.rep` trace's op lines (after the four header lines). */
  readonly ops: string[];
  /** The `.rep` header's id count. */
  readonly ids: number;
  /** `line code` for each diagnostic, in order. */
  readonly problems: string[];
  readonly counts: ImportCounts;
}

export function imported(format: LogFormat, text: string, options: LtraceOptions = {}): Imported {
  const parser = new LogParser(text, format, options);
  parser.advance(Infinity);
  const trace = parser.trace;
  const lines = printRep(trace).text.trimEnd().split('\n');
  return { trace, ops: lines.slice(4), ids: Number(lines[1]), problems: trace.diagnostics.map(problem), counts: trace.imported! };
}

export function problem(d: Diagnostic): string {
  return `${d.range.line} ${d.code}`;
}

/** Lines joined with LF. */
export function log(...lines: string[]): string {
  return lines.join('\n') + '\n';
}
