// Picks the parser by format: `.rep` is the malloc lab format, `.heap` a script, and the allocation
// logs (glibc mtrace, ltrace) are read through their importers into `.rep` ops (docs/importing.md).
// Which format a file is comes from its name, or its name and content (import/detect.ts).

import { HeapScriptParser } from './heapFormat';
import { detectFormat, FORMAT_SAMPLE_CHARS } from './import/detect';
import { LogParser } from './import/logParser';
import { asciiText } from './lines';
import type { Trace, TraceFormat } from './model';
import type { TraceParser } from './lineParser';
import { parseRepBytes, RepParser } from './repFormat';

export { detectFormat, formatOf } from './import/detect';

const PARSERS: Readonly<Record<TraceFormat, (text: string) => TraceParser>> = {
  rep: (text) => new RepParser(text),
  heap: (text) => new HeapScriptParser(text),
  mtrace: (text) => new LogParser(text, 'mtrace'),
  ltrace: (text) => new LogParser(text, 'ltrace'),
};

export function parseTrace(text: string, format: TraceFormat): Trace {
  const parser = traceParser(text, format);
  parser.advance(Infinity);
  return parser.trace;
}

/** A parser of the format that reads a slice of lines per `advance(maxLines)`; ends with `parseTrace`'s trace. */
export function traceParser(text: string, format: TraceFormat): TraceParser {
  return PARSERS[format](text);
}

/** Whether `parseTraceBytes` reads these bytes as a `.rep` trace from the bytes themselves (unless they turn out not to be ASCII). */
export function repBytes(fileName: string, bytes: Uint8Array): boolean {
  // detectFormat reads no further than its sample, and asks only whether the text goes beyond it.
  const head = asciiText(bytes, 0, Math.min(bytes.length, FORMAT_SAMPLE_CHARS + 1));
  return head !== null && detectFormat(fileName, head) === 'rep';
}

/**
 * A file's trace from its bytes, as `parseTrace` of its text (`decode` makes the text, as the
 * editor shows it) with the format `detectFormat` tells: a `.rep` trace of ASCII is read from the
 * bytes themselves, without the text or a string for each line (docs/performance.md, "At scale").
 */
export function parseTraceBytes(fileName: string, bytes: Uint8Array, decode: (bytes: Uint8Array) => string): Trace {
  if (repBytes(fileName, bytes)) {
    const trace = parseRepBytes(bytes);
    if (trace !== null) return trace;
  }
  const text = decode(bytes);
  return parseTrace(text, detectFormat(fileName, text));
}
