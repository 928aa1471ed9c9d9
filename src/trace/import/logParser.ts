// An allocation log read as a trace (docs/importing.md): the importer of its format turns each
// line into `.rep` ops on ids, which go straight into the op table, so an `.mtrace` file opens,
// replays, checks and converts like a `.rep` trace, a slice of lines at a time.

import { mergeDiagnostics, type DiagnosticSink } from '../diagnostics';
import { LineParser } from '../lineParser';
import { FORMAT_TITLES, lineRange, slotName, type Diagnostic } from '../model';
import type { LogImporter, OpSink } from './logImporter';
import { LtraceImporter, type LtraceOptions } from './ltrace';
import { MtraceImporter } from './mtrace';

/** The formats read through an importer. */
export type LogFormat = 'mtrace' | 'ltrace';

export function isLogFormat(format: string): format is LogFormat {
  return format === 'mtrace' || format === 'ltrace';
}

/** The importer of `format`, putting its ops into `sink` and its problems into `diagnostics`. */
export function logImporter(format: LogFormat, sink: OpSink, diagnostics: DiagnosticSink, options: LtraceOptions = {}): LogImporter {
  return format === 'mtrace' ? new MtraceImporter(sink, diagnostics) : new LtraceImporter(sink, diagnostics, options);
}

/** Reads a log as a trace whose ops are the log's, on ids (a slice of lines per `advance`). */
export class LogParser extends LineParser {
  private readonly importer: LogImporter;

  constructor(
    text: string,
    private readonly format: LogFormat,
    options: LtraceOptions = {},
  ) {
    super(text, `a ${FORMAT_TITLES[format]}`);
    const add: OpSink = (kind, id, size, line, column, endColumn) => {
      while (this.names.length <= id) this.names.push(String(this.names.length));
      this.ops.add(kind, id, kind === 'realloc' ? id : null, size, line, column, endColumn);
    };
    this.importer = logImporter(format, add, this.diagnostics, options);
  }

  protected describeSlot(slot: number): string {
    return slotName(this.format, this.names, slot);
  }

  protected parseLine(text: string, line: number): void {
    this.importer.read(text, line);
  }

  protected finish(): void {
    if (!this.binary && !this.cut) this.importer.finish();
    this.lifetimes.catchUp();
    const analysis = this.lifetimes.finish(true);
    const empty: Diagnostic[] = [];
    if (!this.binary && this.importer.counts.ops === 0 && this.importer.counts.notUnderstood === 0) {
      empty.push({ range: lineRange(1, 1, 1), severity: 'warning', code: 'empty-trace', message: `The log has no allocation, realloc or free to import${this.length === 0 ? ' (the file is empty)' : ''}.` });
    }
    this.result = {
      format: this.format,
      ops: this.ops.finish(),
      names: this.names,
      header: null,
      settings: [],
      comments: [],
      diagnostics: mergeDiagnostics(this.diagnostics.all(), empty, analysis.diagnostics),
      lifetimes: analysis,
      lineCount: this.reader.line,
      imported: this.importer.counts,
    };
  }
}
