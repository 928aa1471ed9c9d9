// malloc.py's flags read as its optparse reads them (long forms, unique prefixes, clusters, -xVALUE),
// checked against its assertions and the bounds of this port (docs/ostep.md, "What this port
// refuses"): for `heap-inspector ostep` and for the editor's exercises.

import { optparseInt } from './pythonInt';
import { OSTEP_ORDERS, OSTEP_POLICIES, type OstepOrder, type OstepPolicy } from './ostepHeap';
import { parseOstepOps, type OstepOp, type OstepRunOptions } from './ostepRun';

type Dest = 'seed' | 'size' | 'baseAddr' | 'headerSize' | 'alignment' | 'policy' | 'order' | 'coalesce' | 'numOps' | 'range' | 'percentAlloc' | 'allocList' | 'compute' | 'help';

interface Flag {
  readonly short: string;
  readonly long: string;
  readonly dest: Dest;
  readonly kind: 'int' | 'string' | 'switch';
}

const FLAGS: readonly Flag[] = [
  { short: '-s', long: '--seed', dest: 'seed', kind: 'int' },
  { short: '-S', long: '--size', dest: 'size', kind: 'int' },
  { short: '-b', long: '--baseAddr', dest: 'baseAddr', kind: 'int' },
  { short: '-H', long: '--headerSize', dest: 'headerSize', kind: 'int' },
  { short: '-a', long: '--alignment', dest: 'alignment', kind: 'int' },
  { short: '-p', long: '--policy', dest: 'policy', kind: 'string' },
  { short: '-l', long: '--listOrder', dest: 'order', kind: 'string' },
  { short: '-C', long: '--coalesce', dest: 'coalesce', kind: 'switch' },
  { short: '-n', long: '--numOps', dest: 'numOps', kind: 'int' },
  { short: '-r', long: '--range', dest: 'range', kind: 'int' },
  { short: '-P', long: '--percentAlloc', dest: 'percentAlloc', kind: 'int' },
  { short: '-A', long: '--allocList', dest: 'allocList', kind: 'string' },
  { short: '-c', long: '--compute', dest: 'compute', kind: 'switch' },
  { short: '-h', long: '--help', dest: 'help', kind: 'switch' },
];

/** Numbers beyond these are refused: they keep every address and size an exact double. */
const MAX_NUMBER = 2n ** 40n;
const MAX_HEADER = 2n ** 32n;
/** The most random ops a run draws (-n). */
export const MAX_OSTEP_FLAG_OPS = 10_000;
const MAX_OPS = BigInt(MAX_OSTEP_FLAG_OPS);
/** Python 3.11 refuses to read or print an integer of more digits than this. */
const MAX_SEED_DIGITS = 4300;

class FlagError extends Error {}

type Values = { -readonly [K in Dest]?: bigint | string | true };

/** malloc.py's flags read and checked as `heap-inspector ostep` reads them: its options and -A ops, `help`, or why they are refused. */
export function parseOstepArgs(argv: readonly string[]): { readonly options: OstepRunOptions; readonly ops: OstepOp[] } | { readonly help: true } | { readonly error: string } {
  try {
    const values = parseFlags(argv);
    if (values.help === true) return { help: true };
    const options = checkedOptions(values);
    return { options, ops: options.allocList !== '' ? checkedOps(options.allocList) : [] };
  } catch (err) {
    if (!(err instanceof FlagError)) throw err;
    return { error: err.message };
  }
}

/** The flags as optparse reads them: `--`, `--long[=value]` or a unique prefix, `-x` clusters, `-xVALUE`. */
function parseFlags(argv: readonly string[]): Values {
  const values: Values = {};
  const rest = [...argv];
  while (rest.length > 0) {
    const arg = rest.shift()!;
    if (arg === '--') break;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq >= 0 ? arg.slice(0, eq) : arg;
      if (eq >= 0) rest.unshift(arg.slice(eq + 1));
      const flag = matchLong(name);
      if (flag.kind === 'switch') {
        if (eq >= 0) throw new FlagError(`${flag.long} takes no value`);
        values[flag.dest] = true;
      } else {
        values[flag.dest] = valueOf(flag, flag.long, rest);
      }
    } else if (arg.startsWith('-') && arg.length > 1) {
      for (let i = 1; i < arg.length; i++) {
        const name = `-${arg[i]}`;
        const flag = FLAGS.find((f) => f.short === name);
        if (flag === undefined) throw new FlagError(`no such flag: ${name}`);
        if (flag.kind === 'switch') {
          values[flag.dest] = true;
          if (flag.dest === 'help') return values;
          continue;
        }
        if (i + 1 < arg.length) rest.unshift(arg.slice(i + 1));
        values[flag.dest] = valueOf(flag, name, rest);
        break;
      }
    }
    // Anything else is a positional argument, which malloc.py accepts and ignores.
    if (values.help === true) return values;
  }
  return values;
}

/** An exact long name, or the one long name it is a prefix of (as optparse's abbreviations). */
function matchLong(name: string): Flag {
  const exact = FLAGS.find((f) => f.long === name);
  if (exact !== undefined) return exact;
  const matches = FLAGS.filter((f) => f.long.startsWith(name));
  if (matches.length === 1) return matches[0]!;
  if (matches.length === 0) throw new FlagError(`no such flag: ${name}`);
  throw new FlagError(`ambiguous flag: ${name} (${matches.map((f) => f.long).join(', ')}?)`);
}

function valueOf(flag: Flag, name: string, rest: string[]): bigint | string {
  const text = rest.shift();
  if (text === undefined) throw new FlagError(`${name} needs a value`);
  if (flag.kind === 'string') return text;
  const n = optparseInt(text);
  if (n === null) throw new FlagError(`${name} takes an integer (got "${text}")`);
  return n;
}

function intOf(values: Values, dest: Dest, fallback: bigint, limit: bigint, name: string): number {
  const v = values[dest];
  const n = typeof v === 'bigint' ? v : fallback;
  if (n > limit || n < -limit) throw new FlagError(`${name} must be between ${-limit} and ${limit} (got ${n})`);
  return Number(n);
}

/** malloc.py's assertions, checked before anything is printed, and the bounds of this port. */
function checkedOptions(values: Values): OstepRunOptions {
  const policy = typeof values.policy === 'string' ? values.policy : 'BEST';
  if (!(OSTEP_POLICIES as readonly string[]).includes(policy)) throw new FlagError(`-p must be one of ${OSTEP_POLICIES.join(', ')} (got "${policy}")`);
  const order = typeof values.order === 'string' ? values.order : 'ADDRSORT';
  if (!(OSTEP_ORDERS as readonly string[]).includes(order)) throw new FlagError(`-l must be one of ${OSTEP_ORDERS.join(', ')} (got "${order}")`);
  const alignment = intOf(values, 'alignment', -1n, MAX_NUMBER, '-a');
  if (alignment !== -1 && alignment <= 0) throw new FlagError(`-a must be -1 (no alignment) or positive (got ${alignment})`);
  const percentAlloc = intOf(values, 'percentAlloc', 50n, MAX_NUMBER, '-P');
  if (percentAlloc <= 0) throw new FlagError(`-P must be at least 1 (got ${percentAlloc})`);
  const numOps = intOf(values, 'numOps', 10n, MAX_OPS, '-n');
  const seed = typeof values.seed === 'bigint' ? values.seed : 0n;
  if ((seed < 0n ? -seed : seed).toString().length > MAX_SEED_DIGITS) throw new FlagError(`-s takes a seed of at most ${MAX_SEED_DIGITS} digits`);
  return {
    seed,
    size: intOf(values, 'size', 100n, MAX_NUMBER, '-S'),
    baseAddr: intOf(values, 'baseAddr', 1000n, MAX_NUMBER, '-b'),
    headerSize: intOf(values, 'headerSize', 0n, MAX_HEADER, '-H'),
    alignment,
    policy: policy as OstepPolicy,
    order: order as OstepOrder,
    coalesce: values.coalesce === true,
    numOps,
    range: intOf(values, 'range', 10n, MAX_NUMBER, '-r'),
    percentAlloc,
    allocList: typeof values.allocList === 'string' ? values.allocList : '',
    compute: values.compute === true,
  };
}

function checkedOps(text: string): OstepOp[] {
  const parsed = parseOstepOps(text);
  if ('problem' in parsed) {
    const { code, position, text: op } = parsed.problem;
    const why = code === 'empty-op' ? 'is empty' : code === 'bad-sign' ? 'must start with + (allocate) or - (free)' : 'needs a whole number after its sign';
    throw new FlagError(`-A: op ${position + 1} ("${op}") ${why}`);
  }
  for (const op of parsed.ops) {
    if (op.kind === 'alloc' && (op.size > MAX_NUMBER || op.size < -MAX_NUMBER)) throw new FlagError(`-A: an allocation must be between ${-MAX_NUMBER} and ${MAX_NUMBER} bytes (got ${op.size})`);
  }
  return parsed.ops;
}
