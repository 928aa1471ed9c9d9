// Test helper: the command line run in-process on a space-separated argument string, with files
// given by name (anything else is read from disk), and what it printed and returned.

import { readFileSync } from 'node:fs';
import { runCli } from '../../../src/cli/cli';

export function cli(argv: string, files: Readonly<Record<string, string>> = {}): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const io = { readFile: (path: string) => files[path] ?? readFileSync(path, 'utf8'), out: (t: string) => void (out += t), err: (t: string) => void (err += t) };
  const code = runCli(argv.split(' '), io, '0.0.0');
  return { code, out, err };
}
