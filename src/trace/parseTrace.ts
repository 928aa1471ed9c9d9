// Picks the parser by file name: `.rep` is the malloc lab format, everything else a `.heap` script.

import { parseHeapScript } from './heapFormat';
import type { Trace, TraceFormat } from './model';
import { parseRep } from './repFormat';

export function formatOf(fileName: string): TraceFormat {
  return /\.rep$/i.test(fileName) ? 'rep' : 'heap';
}

export function parseTrace(text: string, format: TraceFormat): Trace {
  return format === 'rep' ? parseRep(text) : parseHeapScript(text);
}
