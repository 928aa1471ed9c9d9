// Test helper: the command line run in memory, files given by name (others read from disk).

import { readFileSync } from 'node:fs';
import { runCli } from '../../../src/cli/cli';

/** `heap-inspector <argv>` (split on spaces) with `files` in place of the disk: its exit code, stdout and stderr. */
export function cli(argv: string, files: Readonly<Record<string, string>> = {}): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const io = { readFile: (path: string) => files[path] ?? readFileSync(path, 'utf8'), out: (t: string) => void (out += t), err: (t: string) => void (err += t) };
  const code = runCli(argv.split(' '), io, '0.0.0');
  return { code, out, err };
}
