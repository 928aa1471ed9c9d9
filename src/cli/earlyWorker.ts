// Starts the parse worker as the command line starts (parseThread.ts): main.ts imports this module
// first, so the worker boots while the rest of the bundle loads and the file is read
// (docs/performance.md, "The parse beside the replay").

import { join } from 'node:path';
import { earlyParseWorker } from './parseThread';

/** dist/parseWorker.js, beside dist/cli.js. */
export const PARSE_WORKER_FILE = join(__dirname, 'parseWorker.js');

/** HEAP_INSPECTOR_PARSE_WORKER: `always` or `never` (the tests'); unset, by the file's size. */
export const PARSE_WORKER_SETTING = process.env.HEAP_INSPECTOR_PARSE_WORKER;

export const earlyWorker = earlyParseWorker(process.argv.slice(2), PARSE_WORKER_SETTING, PARSE_WORKER_FILE);
