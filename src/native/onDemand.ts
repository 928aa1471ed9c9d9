// Node modules only some commands need, loaded the first time one is used rather than at start:
// loading node:child_process (and node:net and the streams with it) and node:crypto costs every
// start of the command line about 10 ms, and `run`, `compare` and `check` of a trace use neither
// (docs/cli.md, "Start-up").

import type * as ChildProcess from 'node:child_process';
import type * as Crypto from 'node:crypto';

let childProcessModule: typeof ChildProcess | undefined;
let cryptoModule: typeof Crypto | undefined;

/** node:child_process, loaded at the first call. */
export function childProcess(): typeof ChildProcess {
  return (childProcessModule ??= require('node:child_process') as typeof ChildProcess);
}

/** node:crypto's createHash, the module loaded at the first call. */
export function createHash(algorithm: string): Crypto.Hash {
  return (cryptoModule ??= require('node:crypto') as typeof Crypto).createHash(algorithm);
}
