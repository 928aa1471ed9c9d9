// A run of OSTEP's malloc.py: its preamble, then the random ops (Python's generator, seeded as
// malloc.py seeds it) or an -A list, printed exactly as malloc.py prints them.

import { OstepAddressInUse, OstepHeap, type OstepAlloc, type OstepHeapOptions } from './ostepHeap';
import { pythonInt } from './pythonInt';
import { PythonRandom } from './pythonRandom';

export interface OstepRunOptions extends OstepHeapOptions {
  readonly seed: bigint;
  readonly numOps: number;
  readonly range: number;
  /** Percent of random ops that are allocations; must be at least 1, as malloc.py asserts. */
  readonly percentAlloc: number;
  /** The -A text as given; empty for random mode. */
  readonly allocList: string;
  /** -c: print the answers instead of `?`. */
  readonly compute: boolean;
}

/** One op of an -A list: `+N` allocates N bytes, `-k` frees the k-th allocation. */
export type OstepOp = { readonly kind: 'alloc'; readonly size: bigint } | { readonly kind: 'free'; readonly index: bigint };

/** Why an -A op cannot be read (malloc.py would stop there with an exception). */
export interface OstepOpProblem {
  readonly code: 'empty-op' | 'bad-sign' | 'bad-number';
  /** The op's position in the list, from 0, and its text. */
  readonly position: number;
  readonly text: string;
}

/** Where malloc.py itself would stop with an exception midway, after printing what came before. */
export type OstepCrash =
  | { readonly code: 'free-of-failed-alloc'; readonly index: number }
  | { readonly code: 'address-in-use'; readonly addr: number };

/**
 * An -A list read as malloc.py reads it: ops split at commas, the number after the sign up to the
 * next same sign (`+5+3` allocates 5), read as Python's `int()` (spaces and underscores allowed).
 */
export function parseOstepOps(text: string): { ops: OstepOp[] } | { problem: OstepOpProblem } {
  const ops: OstepOp[] = [];
  const parts = text.split(',');
  for (let position = 0; position < parts.length; position++) {
    const op = parts[position]!;
    const sign = op[0];
    if (sign === undefined) return { problem: { code: 'empty-op', position, text: op } };
    if (sign !== '+' && sign !== '-') return { problem: { code: 'bad-sign', position, text: op } };
    const value = pythonInt(op.slice(1).split(sign)[0]!, 10);
    if (value === null) return { problem: { code: 'bad-number', position, text: op } };
    ops.push(sign === '+' ? { kind: 'alloc', size: value } : { kind: 'free', index: value });
  }
  return { ops };
}

/** The preamble: every option as malloc.py prints it, then a blank line. */
function preamble(o: OstepRunOptions): string {
  const py = (b: boolean) => (b ? 'True' : 'False');
  return (
    `seed ${o.seed}\nsize ${o.size}\nbaseAddr ${o.baseAddr}\nheaderSize ${o.headerSize}\nalignment ${o.alignment}\n` +
    `policy ${o.policy}\nlistOrder ${o.order}\ncoalesce ${py(o.coalesce)}\nnumOps ${o.numOps}\nrange ${o.range}\n` +
    `percentAlloc ${o.percentAlloc}\nallocList ${o.allocList}\ncompute ${py(o.compute)}\n\n`
  );
}

/**
 * Runs malloc.py's program and hands its standard output to `out` a chunk at a time. `ops` is the
 * parsed -A list (ignored when `allocList` is empty). Returns the crash where malloc.py would stop
 * with a traceback, after the output it prints before it, or null.
 */
export function runOstep(options: OstepRunOptions, ops: readonly OstepOp[], out: (text: string) => void): OstepCrash | null {
  const heap = new OstepHeap(options);
  let chunk = preamble(options);
  const print = (line: string) => {
    chunk += line + '\n';
    if (chunk.length >= 1 << 16) {
      out(chunk);
      chunk = '';
    }
  };
  try {
    return options.allocList === '' ? randomOps(options, heap, print) : listOps(options, ops, heap, print);
  } catch (err) {
    if (err instanceof OstepAddressInUse) return { code: 'address-in-use', addr: err.addr };
    throw err;
  } finally {
    out(chunk);
  }
}

/** One op of random mode as malloc.py draws it: allocation `index` of `size` bytes and what the heap did, or the free of allocation `index`. */
export type OstepDraw =
  | { readonly kind: 'alloc'; readonly index: number; readonly size: number; readonly result: OstepAlloc }
  | { readonly kind: 'free'; readonly index: number; readonly rc: 0 | -1 };

/** What random mode draws from: the seed, the number of ops, the largest request and the percent of allocations. */
export type OstepDrawOptions = Pick<OstepRunOptions, 'seed' | 'numOps' | 'range' | 'percentAlloc'>;

/**
 * Random mode's ops, drawn as malloc.py draws them (Python's generator, seeded as it seeds it) and
 * run on `heap` as they are drawn (which allocations are live to be freed depends on the results):
 * each op is handed to `visit` after it ran.
 */
export function drawOstepOps(o: OstepDrawOptions, heap: OstepHeap, visit: (draw: OstepDraw) => void): void {
  const random = new PythonRandom(o.seed);
  const percent = o.percentAlloc / 100;
  const pointers = new Map<number, number>(); // allocation index -> address, live ones only
  const live: number[] = []; // live allocation indexes in allocation order
  let c = 0;
  for (let j = 0; j < o.numOps; ) {
    if (random.random() < percent) {
      const size = Math.trunc(random.random() * o.range) + 1;
      const result = heap.malloc(size);
      if (result.addr !== -1) {
        pointers.set(c, result.addr);
        live.push(c);
      }
      visit({ kind: 'alloc', index: c, size, result });
      c++;
    } else {
      // With nothing live a free draw prints nothing and does not count as an op.
      if (live.length === 0) continue;
      const d = Math.trunc(random.random() * live.length);
      const index = live[d]!;
      const rc = heap.free(pointers.get(index)!);
      pointers.delete(index);
      live.splice(d, 1);
      visit({ kind: 'free', index, rc });
    }
    j++;
  }
}

function randomOps(o: OstepRunOptions, heap: OstepHeap, print: (line: string) => void): null {
  drawOstepOps(o, heap, (draw) => {
    if (draw.kind === 'alloc') {
      const { addr, searched } = draw.result;
      // Random mode prints the address plus the header size, a failure included.
      print(`ptr[${draw.index}] = Alloc(${draw.size})` + (o.compute ? ` returned ${addr + o.headerSize} (searched ${searched} elements)` : ' returned ?'));
    } else {
      print(`Free(ptr[${draw.index}])`);
      print(o.compute ? `returned ${draw.rc}` : 'returned ?');
    }
    print(o.compute ? heap.dump() : 'List? ');
    print('');
  });
  return null;
}

function listOps(o: OstepRunOptions, ops: readonly OstepOp[], heap: OstepHeap, print: (line: string) => void): OstepCrash | null {
  // Every successful allocation keeps its address, freed or not: a second free of it returns -1,
  // or frees whoever holds that address now.
  const pointers = new Map<number, number>();
  let c = 0;
  for (const op of ops) {
    if (op.kind === 'alloc') {
      const size = Number(op.size);
      const { addr, searched } = heap.malloc(size);
      if (addr !== -1) pointers.set(c, addr);
      print(`ptr[${c}] = Alloc(${size})` + (o.compute ? ` returned ${addr} (searched ${searched} elements)` : ' returned ?'));
      c++;
    } else {
      // The index is checked against the count of successful allocations, not against c.
      if (op.index >= BigInt(pointers.size)) {
        print('Invalid Free: Skipping');
        continue;
      }
      const index = Number(op.index);
      print(`Free(ptr[${index}])`);
      const addr = pointers.get(index);
      if (addr === undefined) return { code: 'free-of-failed-alloc', index };
      const rc = heap.free(addr);
      print(o.compute ? `returned ${rc}` : 'returned ?');
    }
    print(o.compute ? heap.dump() : 'List?');
    print('');
  }
  return null;
}
