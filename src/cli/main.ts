#!/usr/bin/env node
// Node entry point of `heap-inspector`: real files and streams around runCli.

import { readFileSync, statSync } from 'node:fs';
import { runCli } from './cli';

declare const HEAP_INSPECTOR_VERSION: string;

/** Traces beyond this are refused rather than read into memory (a 1,000,000-op trace is ~15 MB). */
const MAX_FILE_BYTES = 512 * 2 ** 20;

// `heap-inspector run --ops big.rep | head` closes the pipe early: that is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

process.exitCode = runCli(
  process.argv.slice(2),
  {
    readFile(path) {
      let stat;
      try {
        stat = statSync(path);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        throw new Error(code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : String(err));
      }
      if (stat.isDirectory()) throw new Error('it is a directory');
      if (stat.size > MAX_FILE_BYTES) throw new Error(`it is ${stat.size} bytes; traces up to ${MAX_FILE_BYTES} bytes are read`);
      return readFileSync(path, 'utf8');
    },
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
  },
  typeof HEAP_INSPECTOR_VERSION === 'string' ? HEAP_INSPECTOR_VERSION : 'dev',
);
