// What the panel's block diagram asks of the host beyond the frame it shows (docs/editor.md,
// "Block diagrams"): the heap before the op, sent only when the user asks for it (the `b` key),
// so that stepping costs nothing more. No vscode here: tested in plain Node.

import type { FrameDto } from '../shared/protocol';
import { sourceOf, clampStep, type HeapView, type TraceRun } from '../trace/index';
import { buildFrame } from './frames';

/**
 * The heap before op `step` of a run: the frame after op `step - 1` (the read model rebuilds any
 * step from its checkpoints), or null when there is no op before which to look (step -1); the
 * window of it `view` shows, as the frame after.
 */
export function beforeFrame(run: TraceRun, step: number, view?: HeapView): FrameDto | null {
  const i = clampStep(sourceOf(run), step);
  return i < 0 ? null : buildFrame(run, i - 1, view);
}

/** A file name for an exported picture of a trace at a step: `first-best-worst-op22.svg`. */
export function exportName(traceName: string, step: number, format: 'svg' | 'png'): string {
  const base = traceName.replace(/\.[^.]*$/, '').replace(/[^\w.-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 80) || 'heap';
  return `${base}-op${step + 1}.${format}`;
}
