// New OSTEP Exercise: asks for malloc.py's flags (seed, ops, percent of allocations, largest
// allocation, policy, list order, coalescing, and the heap's layout) and opens the exercise as a script on OSTEP's model
// with its answers hidden (docs/editor.md, "Exercises"). Given options, it asks nothing.

import * as vscode from 'vscode';
import { exerciseProblem, MAX_EXERCISE_OPS, OSTEP_EXERCISE_DEFAULTS, OSTEP_ORDERS, OSTEP_POLICIES, ostepExercise, parseOstepArgs, pythonInt, type OstepExerciseOptions, type OstepOrder, type OstepPolicy, type OstepRunOptions } from '../trace/index';
import { LANGUAGES } from './commandIds';

/** What a caller (a test, another extension) may give instead of answering the questions. */
export interface ExerciseArgs {
  readonly seed?: string | number;
  readonly numOps?: number;
  readonly percentAlloc?: number;
  readonly range?: number;
  readonly policy?: string;
  readonly order?: string;
  readonly coalesce?: boolean;
  /** The heap's layout (malloc.py's -S, -b, -H and -a). */
  readonly size?: number;
  readonly baseAddr?: number;
  readonly headerSize?: number;
  readonly alignment?: number;
}

/** Python reads a seed of at most this many digits. */
const MAX_SEED_DIGITS = 4300;

const ORDER_DESCRIPTIONS: Readonly<Record<OstepOrder, string>> = {
  ADDRSORT: 'sorted by address',
  'SIZESORT+': 'sorted by size, smallest first',
  'SIZESORT-': 'sorted by size, largest first',
  'INSERT-FRONT': 'a freed chunk goes to the head',
  'INSERT-BACK': 'a freed chunk goes to the tail',
};

const POLICY_DESCRIPTIONS: Readonly<Record<OstepPolicy, string>> = {
  BEST: 'the smallest chunk that fits',
  WORST: 'the largest chunk',
  FIRST: 'the first chunk in list order that fits',
};

/** The exercise's options from `args`, or asked one by one; undefined when the user cancels. Throws on bad `args`. */
async function exerciseOptions(args: ExerciseArgs | undefined): Promise<OstepExerciseOptions | undefined> {
  const d = OSTEP_EXERCISE_DEFAULTS;
  if (args !== undefined) {
    const seed = seedOf(String(args.seed ?? d.seed));
    const policy = (OSTEP_POLICIES as readonly string[]).includes(args.policy ?? d.policy) ? ((args.policy ?? d.policy) as OstepPolicy) : undefined;
    const order = (OSTEP_ORDERS as readonly string[]).includes(args.order ?? d.order) ? ((args.order ?? d.order) as OstepOrder) : undefined;
    if (seed === null || policy === undefined || order === undefined) throw new Error(`not an exercise: ${JSON.stringify(args)}`);
    const o = {
      ...d,
      seed,
      numOps: args.numOps ?? d.numOps,
      percentAlloc: args.percentAlloc ?? d.percentAlloc,
      range: args.range ?? d.range,
      policy,
      order,
      coalesce: args.coalesce ?? d.coalesce,
      size: args.size ?? d.size,
      baseAddr: args.baseAddr ?? d.baseAddr,
      headerSize: args.headerSize ?? d.headerSize,
      alignment: args.alignment ?? d.alignment,
    };
    const problem = exerciseProblem(o);
    if (problem !== null) throw new Error(`not an exercise: ${problem}`);
    return o;
  }
  const title = (n: number) => `New OSTEP Exercise (${n}/8)`;
  const seedText = await ask(title(1), 'Random seed (malloc.py -s)', String(d.seed), (v) => (seedOf(v) === null ? `A whole number of at most ${MAX_SEED_DIGITS} digits, like 0 or 42.` : null));
  if (seedText === undefined) return undefined;
  const numOps = await askNumber(title(2), 'Number of random ops (malloc.py -n)', d.numOps, 1, MAX_EXERCISE_OPS);
  if (numOps === undefined) return undefined;
  const percentAlloc = await askNumber(title(3), 'Percent of ops that are allocations (malloc.py -P)', d.percentAlloc, 1, 100);
  if (percentAlloc === undefined) return undefined;
  const range = await askNumber(title(4), 'Largest allocation in bytes (malloc.py -r)', d.range, 1, 2 ** 40);
  if (range === undefined) return undefined;
  const policy = await choose(title(5), 'Policy (malloc.py -p)', OSTEP_POLICIES.map((p) => ({ label: p, description: POLICY_DESCRIPTIONS[p] })));
  if (policy === undefined) return undefined;
  const order = await choose(title(6), 'Free list order (malloc.py -l)', OSTEP_ORDERS.map((o) => ({ label: o, description: ORDER_DESCRIPTIONS[o] })));
  if (order === undefined) return undefined;
  const coalesce = await choose(title(7), 'Coalesce the free list after each free? (malloc.py -C)', [
    { label: 'No', description: 'as malloc.py without -C' },
    { label: 'Yes', description: 'merge a freed chunk with its neighbours in list order' },
  ]);
  if (coalesce === undefined) return undefined;
  const layoutText = await ask(title(8), "The heap, as malloc.py's -S (size), -b (base address), -H (header size) and -a (alignment); empty for its defaults: 100 bytes at 1000, no header, no alignment", '', (v) => layoutOf(v).problem);
  if (layoutText === undefined) return undefined;
  return { ...d, ...layoutOf(layoutText).layout, seed: seedOf(seedText)!, numOps, percentAlloc, range, policy: policy as OstepPolicy, order: order as OstepOrder, coalesce: coalesce === 'Yes' };
}

type Layout = Pick<OstepExerciseOptions, 'size' | 'baseAddr' | 'headerSize' | 'alignment'>;

/** The heap's layout from flags such as `-S 200 -H 4 -a 4`, read as malloc.py reads them, or why not (any other flag is one the other questions ask). */
function layoutOf(text: string): { layout: Layout; problem: null } | { layout: null; problem: string } {
  const parsed = parseOstepArgs(text.trim() === '' ? [] : text.trim().split(/\s+/));
  if ('error' in parsed) return { layout: null, problem: parsed.error };
  if ('help' in parsed) return { layout: null, problem: 'Only -S, -b, -H and -a here.' };
  const defaults = parseOstepArgs([]) as { options: OstepRunOptions };
  const o = parsed.options;
  const others = (['seed', 'numOps', 'range', 'percentAlloc', 'policy', 'order', 'coalesce', 'allocList', 'compute'] as const).filter((k) => o[k] !== defaults.options[k]);
  if (others.length > 0) return { layout: null, problem: `Only -S, -b, -H and -a here (the other questions ask for ${others.join(', ')}).` };
  if (o.size < 0 || o.size > 2 ** 30) return { layout: null, problem: 'The heap size (-S) is from 0 to 1G (1073741824) bytes.' };
  if (o.baseAddr < 0 || o.headerSize < 0) return { layout: null, problem: 'A script takes no negative base address (-b) or header size (-H).' };
  return { layout: { size: o.size, baseAddr: o.baseAddr, headerSize: o.headerSize, alignment: o.alignment }, problem: null };
}

/** A seed as Python's int() reads it in base 10, or null. */
function seedOf(text: string): bigint | null {
  const seed = pythonInt(text, 10);
  return seed !== null && (seed < 0n ? -seed : seed).toString().length <= MAX_SEED_DIGITS ? seed : null;
}

async function ask(title: string, prompt: string, value: string, validate: (v: string) => string | null): Promise<string | undefined> {
  return vscode.window.showInputBox({ title, prompt, value, ignoreFocusOut: true, validateInput: validate });
}

async function askNumber(title: string, prompt: string, value: number, min: number, max: number): Promise<number | undefined> {
  const text = await ask(title, prompt, String(value), (v) => {
    const n = /^\s*\d+\s*$/.test(v) ? Number(v) : NaN;
    return n >= min && n <= max ? null : `A whole number from ${min.toLocaleString('en-US')} to ${max.toLocaleString('en-US')}.`;
  });
  return text === undefined ? undefined : Number(text);
}

async function choose(title: string, placeHolder: string, items: vscode.QuickPickItem[]): Promise<string | undefined> {
  return (await vscode.window.showQuickPick(items, { title, placeHolder, ignoreFocusOut: true }))?.label;
}

/** Opens a new exercise; returns its document's uri and the script, or undefined when cancelled. */
export async function newOstepExercise(args?: ExerciseArgs): Promise<{ uri: string; text: string } | undefined> {
  const options = await exerciseOptions(args);
  if (options === undefined) return undefined;
  const text = ostepExercise(options);
  const document = await vscode.workspace.openTextDocument({ language: LANGUAGES.heap, content: text });
  await vscode.window.showTextDocument(document, { preview: false });
  return { uri: document.uri.toString(), text };
}
