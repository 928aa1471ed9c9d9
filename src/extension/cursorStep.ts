// Where the student is: the op at the cursor of a trace's editor, for opening the heap panel there
// and for the study view's first step (docs/editor.md, "The heap panel").

import * as vscode from 'vscode';
import type { TraceSession } from './traceSessions';

/** The editor the trace is read in: the active editor if it shows the trace, else a visible one. */
function editorOf(document: vscode.TextDocument): vscode.TextEditor | undefined {
  const active = vscode.window.activeTextEditor;
  if (active?.document === document) return active;
  return vscode.window.visibleTextEditors.find((e) => e.document === document);
}

/**
 * The op at the cursor: the op on its line, else the next op after it (the first op from a
 * header or a comment above it), else the last op. Undefined without an editor on the trace or
 * before the trace is read.
 */
export function cursorStep(session: TraceSession): number | undefined {
  const editor = session.document && editorOf(session.document);
  const ops = session.latest?.trace.ops;
  if (!editor || !ops || ops.length === 0) return undefined;
  return Math.min(ops.firstFromLine(editor.selection.active.line + 1), ops.length - 1);
}
