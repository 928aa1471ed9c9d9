#!/usr/bin/env node
// `heap-inspector`, as installed (dist/cli.js): loads the program (dist/cli-main.js, built from
// main.ts) with its start-up code cache (codeCache.ts; docs/cli.md, "Start-up").

import { join } from 'node:path';
import { runBundle } from './codeCache';

declare const HEAP_INSPECTOR_MAIN_HASH: string;

runBundle({ file: join(__dirname, 'cli-main.js'), hash: HEAP_INSPECTOR_MAIN_HASH }, process.argv[2]);
