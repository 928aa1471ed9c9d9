// The parse worker started as early as the command line can (parseThread.ts; docs/performance.md,
// "The parse beside the replay"): the loader (bin.ts) starts it before it compiles the program,
// so that the worker boots while the program loads and the file is read, and leaves it on a
// process-wide symbol for the program to take (earlyWorker.ts). No side effects here: both the
// loader and the program import this module.

import { join } from 'node:path';
import { earlyParseWorker, type ParseWorker } from './parseThread';

/** dist/parseWorker.js, beside dist/cli.js and dist/cli-main.js. */
export const PARSE_WORKER_FILE = join(__dirname, 'parseWorker.js');

/** HEAP_INSPECTOR_PARSE_WORKER: `always` or `never` (the tests'); unset, by the file's size. */
export const PARSE_WORKER_SETTING = process.env.HEAP_INSPECTOR_PARSE_WORKER;

/** Where the loader leaves the worker it started (null: the command needs none). */
const HANDED_OVER = Symbol.for('heap-inspector.earlyParseWorker');

type Handover = { [HANDED_OVER]?: ParseWorker | null };

/** The loader's part: starts the worker when the command line will likely need it, and leaves it for the program. */
export function startEarlyParseWorker(argv: readonly string[]): void {
  (globalThis as Handover)[HANDED_OVER] = earlyParseWorker(argv, PARSE_WORKER_SETTING, PARSE_WORKER_FILE);
}

/** The program's part: the worker the loader started (null when none was needed), or, run without the loader, one started now. */
export function takeEarlyParseWorker(argv: readonly string[]): ParseWorker | null {
  const handover = globalThis as Handover;
  if (!(HANDED_OVER in handover)) return earlyParseWorker(argv, PARSE_WORKER_SETTING, PARSE_WORKER_FILE);
  const worker = handover[HANDED_OVER] ?? null;
  delete handover[HANDED_OVER];
  return worker;
}
