#!/usr/bin/env node
// `heap-inspector`, as installed (dist/cli.js): starts the parse worker a long trace will need
// (workerHandover.ts), then loads the program (dist/cli-main.js, built from main.ts) with its
// start-up code cache (codeCache.ts; docs/cli.md, "Start-up").

import { join } from 'node:path';
import { runBundle } from './codeCache';
import { startEarlyParseWorker } from './workerHandover';

declare const HEAP_INSPECTOR_MAIN_HASH: string;

startEarlyParseWorker(process.argv.slice(2));
runBundle({ file: join(__dirname, 'cli-main.js'), hash: HEAP_INSPECTOR_MAIN_HASH }, process.argv[2]);
