// The panel's side by side: a comparison's runs (one per policy, with history) packed as frames at
// the same step. Packing only; the comparison itself is src/trace/comparison.ts.

import { policyLabel } from '../engine/index';
import type { CompareDto } from '../shared/protocol';
import type { Comparison } from '../trace/index';
import { buildFrame } from './frames';

/** Every policy's heap at `step`, or null until the comparison (made with history) is done. */
export function buildCompare(comparison: Comparison, step: number): CompareDto | null {
  const runs = comparison.runs();
  if (runs === undefined) return null;
  return { frames: runs.map(({ policy, run }) => ({ policy, label: policyLabel(policy), frame: buildFrame(run, step) })) };
}
