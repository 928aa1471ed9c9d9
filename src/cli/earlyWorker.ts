// The parse worker for this command line (workerHandover.ts): main.ts imports this module first,
// so that, run without the loader, the worker still boots while the rest of the program loads.

import { takeEarlyParseWorker } from './workerHandover';

export { PARSE_WORKER_FILE, PARSE_WORKER_SETTING } from './workerHandover';

export const earlyWorker = takeEarlyParseWorker(process.argv.slice(2));
