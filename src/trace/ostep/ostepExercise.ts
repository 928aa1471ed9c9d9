// An OSTEP homework exercise as a script: the ops malloc.py's random mode draws for a seed and its
// flags, written as `ptrN = malloc(size)` and `free(ptrN)` on OSTEP's model with the answers hidden
// (docs/ostep.md, "Exercises"). Run on the model, each op's result is the one `malloc.py -c` prints.

import { OSTEP_DEFAULTS } from './ostepConfig';
import { MAX_OSTEP_FLAG_OPS } from './ostepFlags';
import { OstepHeap, type OstepHeapOptions } from './ostepHeap';
import { drawOstepOps, type OstepDrawOptions } from './ostepRun';
import { grouped } from '../figures';

export interface OstepExerciseOptions extends OstepHeapOptions, OstepDrawOptions {}

/** malloc.py's defaults: seed 0, 10 ops, sizes 1 to 10, half of them allocations (and its heap's, OSTEP_DEFAULTS). */
export const OSTEP_EXERCISE_DEFAULTS: OstepExerciseOptions = { ...OSTEP_DEFAULTS, seed: 0n, numOps: 10, range: 10, percentAlloc: 50 };

/** The most ops an exercise draws (as `heap-inspector ostep -n`). */
export const MAX_EXERCISE_OPS = MAX_OSTEP_FLAG_OPS;

/** malloc.py's flags for an exercise, the defaults left out: `-s 3 -n 20 -p FIRST -l SIZESORT+ -C`. */
export function ostepFlags(o: OstepExerciseOptions): string {
  const d = OSTEP_EXERCISE_DEFAULTS;
  const flags: string[] = [`-s ${o.seed}`];
  const add = (flag: string, value: string | number | bigint, fallback: string | number | bigint) => {
    if (value !== fallback) flags.push(`${flag} ${value}`);
  };
  add('-n', o.numOps, d.numOps);
  add('-r', o.range, d.range);
  add('-P', o.percentAlloc, d.percentAlloc);
  add('-S', o.size, d.size);
  add('-b', o.baseAddr, d.baseAddr);
  add('-H', o.headerSize, d.headerSize);
  add('-a', o.alignment, d.alignment);
  add('-p', o.policy, d.policy);
  add('-l', o.order, d.order);
  if (o.coalesce) flags.push('-C');
  return flags.join(' ');
}

/** Why an exercise's options cannot be drawn, or null (the bounds of `heap-inspector ostep`, which the command's inputs share). */
export function exerciseProblem(o: OstepExerciseOptions): string | null {
  if (!Number.isInteger(o.numOps) || o.numOps < 1 || o.numOps > MAX_EXERCISE_OPS) return `the number of ops must be a whole number from 1 to ${grouped(MAX_EXERCISE_OPS)}`;
  if (!Number.isInteger(o.percentAlloc) || o.percentAlloc < 1 || o.percentAlloc > 100) return 'the percent of allocations must be a whole number from 1 to 100';
  if (!Number.isInteger(o.range) || o.range < 1 || o.range > 2 ** 40) return 'the largest allocation must be a whole number of bytes from 1';
  if (!Number.isInteger(o.size) || o.size < 0 || o.size > 2 ** 30) return 'the heap size must be a whole number of bytes up to 1G';
  if (!Number.isInteger(o.baseAddr) || o.baseAddr < 0 || o.baseAddr > 2 ** 40) return 'the base address must be a whole number from 0 to 2^40';
  if (!Number.isInteger(o.headerSize) || o.headerSize < 0 || o.headerSize > 2 ** 40) return 'the header size must be a whole number from 0 to 2^40';
  if (!Number.isInteger(o.alignment) || (o.alignment !== -1 && (o.alignment < 1 || o.alignment > 2 ** 40))) return 'the alignment must be -1 (none) or a whole number from 1';
  return null;
}

/** The exercise as a `.heap` script whose answers the editor hides until asked. */
export function ostepExercise(o: OstepExerciseOptions): string {
  const flags = ostepFlags(o);
  const lines = [
    `# OSTEP free-space exercise: malloc.py ${flags}`,
    '# For each op: what does it return, how many list elements does it search, and what is the free list after it?',
    '# The answers are hidden: "Show answer" on a line shows that one, "Show all answers" at the top shows them all.',
    `# The same answers on the command line: heap-inspector ostep ${flags} -c`,
    'set preset = ostep',
    'set answers = hidden',
    `set heapSize = ${o.size}`,
    `set baseAddr = ${o.baseAddr}`,
    `set headerSize = ${o.headerSize}`,
    `set alignment = ${o.alignment === -1 ? 'none' : o.alignment}`,
    `set policy = ${o.policy.toLowerCase()}`,
    `set order = ${o.order}`,
    `set coalesce = ${o.coalesce ? 'immediate' : 'off'}`,
    '',
  ];
  drawOstepOps(o, new OstepHeap(o), (draw) => {
    lines.push(draw.kind === 'alloc' ? `ptr${draw.index} = malloc(${draw.size})` : `free(ptr${draw.index})`);
  });
  return lines.join('\n') + '\n';
}
