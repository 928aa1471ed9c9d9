// `heap-inspector ostep`: OSTEP's vm-freespace/malloc.py on the command line, its flags read as its
// optparse reads them (long forms, unique prefixes, clusters) and its output reproduced byte for byte.

import { MAX_OSTEP_FLAG_OPS, parseOstepArgs, runOstep, type OstepCrash } from '../trace/index';

export const OSTEP_USAGE = `Usage: heap-inspector ostep [flags]

OSTEP's free-space simulator (vm-freespace/malloc.py), its output reproduced byte for byte.

Flags (as malloc.py's; long forms may be shortened to a unique prefix):
  -s, --seed N              the random seed (default 0)
  -S, --size N              size of the heap (default 100)
  -b, --baseAddr N          base address of the heap (default 1000)
  -H, --headerSize N        size of the header (default 0)
  -a, --alignment N         align allocated units to N; -1 for none (default -1)
  -p, --policy P            BEST, WORST or FIRST (default BEST)
  -l, --listOrder L         ADDRSORT, SIZESORT+, SIZESORT-, INSERT-FRONT or INSERT-BACK (default ADDRSORT)
  -C, --coalesce            coalesce the free list
  -n, --numOps N            number of random ops (default 10, at most ${MAX_OSTEP_FLAG_OPS})
  -r, --range N             largest random allocation (default 10)
  -P, --percentAlloc N      percent of random ops that are allocations (default 50)
  -A, --allocList OPS       instead of random ops, a list such as +10,+20,-0 (-k frees ptr[k])
  -c, --compute             print the answers instead of ?
  -h, --help                this text

Numbers are read as malloc.py reads them (0x hex, 0b binary, a leading 0 octal).
Exit codes: 0 done, 1 malloc.py itself would stop midway (its output up to there is printed),
2 bad flags or an output past 64 MiB.`;

/** With -c a long run's list dumps grow with it: its output stops here rather than fill memory. */
const MAX_OUTPUT_CHARS = 64 * 2 ** 20;

class OutputLimit extends Error {}

/** Where the run writes: standard output and standard error (cli.ts's CliIo is one). */
export interface OstepIo {
  out(text: string): void;
  err(text: string): void;
}

export function runOstepCli(argv: readonly string[], io: OstepIo): number {
  const parsed = parseOstepArgs(argv);
  if ('help' in parsed) {
    io.out(OSTEP_USAGE + '\n');
    return 0;
  }
  if ('error' in parsed) {
    io.err(`heap-inspector ostep: ${parsed.error} (heap-inspector ostep --help lists the flags)\n`);
    return 2;
  }
  const { options, ops } = parsed;
  let written = 0;
  const out = (text: string) => {
    if (written + text.length > MAX_OUTPUT_CHARS) throw new OutputLimit();
    written += text.length;
    io.out(text);
  };
  let crash: OstepCrash | null;
  try {
    crash = runOstep(options, ops, out);
  } catch (err) {
    if (!(err instanceof OutputLimit)) throw err;
    io.err(`heap-inspector ostep: the output stopped at ${MAX_OUTPUT_CHARS / 2 ** 20} MiB; ask for fewer ops (-n) or a smaller heap (-S)\n`);
    return 2;
  }
  if (crash === null) return 0;
  io.err(`heap-inspector ostep: ${crashMessage(crash)}\n`);
  return 1;
}

function crashMessage(crash: OstepCrash): string {
  switch (crash.code) {
    case 'free-of-failed-alloc':
      return `malloc.py stops here (a KeyError): ptr[${crash.index}] has no address, its Alloc failed`;
    case 'address-in-use':
      return `malloc.py stops here (an AssertionError): a second chunk at address ${crash.addr}, which a zero-size allocation left in use`;
  }
}
