// The panel's side by side: a comparison's runs (one per policy, with history) packed as frames at
// the same step. Packing only; the comparison itself is src/trace/comparison.ts.

import { policyLabel } from '../engine/index';
import type { CompareDto } from '../shared/protocol';
import { OSTEP_POLICIES, ostepVariant, type Comparison, type OstepRun, type OwnRun } from '../trace/index';
import { buildFrame, frameOf } from './frames';

/**
 * Every policy's heap at `step`, or null until the comparison (made with history) is done; with
 * `own`, the user's own allocator's run (the session's) after them, at the same step.
 */
export function buildCompare(comparison: Comparison, step: number, own?: OwnRun): CompareDto | null {
  const runs = comparison.runs();
  if (runs === undefined) return null;
  const frames = runs.map(({ policy, run }) => ({ policy, label: policyLabel(policy), frame: buildFrame(run, step) }));
  return { frames: own ? [...frames, { policy: 'own', label: `your allocator (${own.source.label})`, frame: buildFrame(own, step) }] : frames };
}

/** OSTEP's three policies on a script run on its model, its list order and the rest kept, at `step` (each a quick run, made once per run). */
export function buildOstepCompare(run: OstepRun, step: number): CompareDto {
  let sources = ostepVariants.get(run);
  if (sources === undefined) {
    sources = OSTEP_POLICIES.map((policy) => ostepVariant(run.trace, run.config, policy));
    ostepVariants.set(run, sources);
  }
  return { frames: sources.map((source) => ({ policy: source.policy, label: source.label, frame: frameOf(source, step) })) };
}

const ostepVariants = new WeakMap<OstepRun, ReturnType<typeof ostepVariant>[]>();
