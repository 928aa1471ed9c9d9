// Picks the parser by format: `.rep` is the malloc lab format, `.heap` a script, and the allocation
// logs (glibc mtrace, ltrace) are read through their importers into `.rep` ops (docs/importing.md).
// Which format a file is comes from its name, or its name and content (import/detect.ts).

import { HeapScriptParser } from './heapFormat';
import { LogParser } from './import/logParser';
import type { Trace, TraceFormat } from './model';
import type { TraceParser } from './lineParser';
import { RepParser } from './repFormat';

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
