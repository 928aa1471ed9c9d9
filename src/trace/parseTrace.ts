// Picks the parser by file name: `.rep` is the malloc lab format, everything else a `.heap` script.

import { HeapScriptParser, parseHeapScript } from './heapFormat';
import type { Trace, TraceFormat } from './model';
import type { TraceParser } from './lineParser';
import { parseRep, RepParser } from './repFormat';

export function formatOf(fileName: string): TraceFormat {
  return /\.rep$/i.test(fileName) ? 'rep' : 'heap';
}

export function parseTrace(text: string, format: TraceFormat): Trace {
  return format === 'rep' ? parseRep(text) : parseHeapScript(text);
}

/** A parser of either format that reads a slice of lines per `advance(maxLines)`; ends with `parseTrace`'s trace. */
export function traceParser(text: string, format: TraceFormat): TraceParser {
  return format === 'rep' ? new RepParser(text) : new HeapScriptParser(text);
}
