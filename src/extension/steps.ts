// The current step of each open trace, one number per document: the panel, the side view and the
// editor's highlighted line all follow it.

import * as vscode from 'vscode';
import { sourceOf } from '../trace/index';
import type { TraceSession } from './traceSessions';

/** The current step of each trace; the panel, the side view and the editor highlight follow it. */
export class Steps implements vscode.Disposable {
  private readonly steps = new Map<string, number>();
  private readonly changed = new vscode.EventEmitter<{ uri: string; step: number }>();
  readonly onDidChange = this.changed.event;
  /** A trace closed and opened again is a new session: it starts where the cursor is, as at first. */
  private readonly closing = vscode.workspace.onDidCloseTextDocument((d) => this.steps.delete(d.uri.toString()));

  get(session: TraceSession): number {
    const last = lastStep(session);
    const step = this.steps.get(session.uri.toString()) ?? last;
    return Math.max(-1, Math.min(step, last));
  }

  set(session: TraceSession, step: number): number {
    const last = lastStep(session);
    const clamped = Math.max(-1, Math.min(step, last));
    const uri = session.uri.toString();
    if (this.steps.get(uri) !== clamped) {
      this.steps.set(uri, clamped);
      this.changed.fire({ uri, step: clamped });
    }
    return clamped;
  }

  /**
   * The step a trace starts at when it was never stepped (else it starts at its last step), without
   * telling anyone: the caller posts a snapshot (docs/editor.md, "The heap panel": where the cursor is).
   */
  startAt(session: TraceSession, step: number | undefined): void {
    const uri = session.uri.toString();
    if (step !== undefined && !this.steps.has(uri)) this.steps.set(uri, step);
  }

  dispose(): void {
    this.closing.dispose();
    this.changed.dispose();
  }
}

/** The last step the session's read model has (-1: none yet). */
function lastStep(session: TraceSession): number {
  const run = session.latest;
  return (run ? sourceOf(run).steps : 0) - 1;
}
