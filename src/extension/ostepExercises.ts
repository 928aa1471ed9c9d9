// New OSTEP Exercise: asks for malloc.py's flags (seed, ops, percent of allocations, largest
// allocation, policy, list order, coalescing) and opens the exercise as a script on OSTEP's model
// with its answers hidden (docs/editor.md, "Exercises"). Given options, it asks nothing.

import * as vscode from 'vscode';
import { exerciseProblem, MAX_EXERCISE_OPS, OSTEP_EXERCISE_DEFAULTS, OSTEP_ORDERS, OSTEP_POLICIES, ostepExercise, pythonInt, type OstepExerciseOptions, type OstepOrder, type OstepPolicy } from '../trace/index';
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
    const o = { ...d, seed, numOps: args.numOps ?? d.numOps, percentAlloc: args.percentAlloc ?? d.percentAlloc, range: args.range ?? d.range, policy, order, coalesce: args.coalesce ?? d.coalesce };
    const problem = exerciseProblem(o);
    if (problem !== null) throw new Error(`not an exercise: ${problem}`);
    return o;
  }
  const title = (n: number) => `New OSTEP Exercise (${n}/7)`;
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
  return { ...d, seed: seedOf(seedText)!, numOps, percentAlloc, range, policy: policy as OstepPolicy, order: order as OstepOrder, coalesce: coalesce === 'Yes' };
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
