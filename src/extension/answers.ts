// Exercises: a script that says `set answers = hidden` keeps each op's result off the editor (the
// lenses, hints, hovers, outline and status bar) until the student asks, one op at a time or all
// at once (docs/editor.md, "Exercises"). What was asked for is kept per document while it is open.

import * as vscode from 'vscode';
import type { TraceRun } from '../trace/index';

interface Asked {
  /** Every answer shown (Show Answers), or hidden again (Hide Answers) after that. */
  all: boolean;
  /** The ops whose answer was asked for one at a time (by op index). */
  readonly ops: Set<number>;
}

export class Answers implements vscode.Disposable {
  private readonly asked = new Map<string, Asked>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  /** An answer was shown or hidden in this document. */
  readonly onDidChange = this.changed.event;
  private readonly closing: vscode.Disposable;

  constructor() {
    this.closing = vscode.workspace.onDidCloseTextDocument((d) => this.asked.delete(d.uri.toString()));
  }

  /** Whether the run's script hides its answers (`set answers = hidden`). */
  static hiddenBy(run: TraceRun): boolean {
    let hidden = false;
    for (const s of run.trace.settings) if (s.key === 'answers') hidden = s.value === 'hidden';
    return hidden;
  }

  /** Whether op `i`'s result is to be kept from the student (-1: the whole run's summary). */
  hides(uri: vscode.Uri, run: TraceRun, i: number): boolean {
    if (!Answers.hiddenBy(run)) return false;
    const asked = this.asked.get(uri.toString());
    return !(asked?.all || (i >= 0 && asked?.ops.has(i)));
  }

  /** Whether every answer of the document is shown (or it hides none). */
  allShown(uri: vscode.Uri, run: TraceRun): boolean {
    return !Answers.hiddenBy(run) || this.asked.get(uri.toString())?.all === true;
  }

  reveal(uri: vscode.Uri, i: number): void {
    this.entry(uri).ops.add(i);
    this.changed.fire(uri);
  }

  showAll(uri: vscode.Uri): void {
    this.entry(uri).all = true;
    this.changed.fire(uri);
  }

  /** Hides every answer again, the ones asked for one at a time too. */
  hideAll(uri: vscode.Uri): void {
    this.asked.set(uri.toString(), { all: false, ops: new Set() });
    this.changed.fire(uri);
  }

  private entry(uri: vscode.Uri): Asked {
    const key = uri.toString();
    let asked = this.asked.get(key);
    if (asked === undefined) {
      asked = { all: false, ops: new Set() };
      this.asked.set(key, asked);
    }
    return asked;
  }

  dispose(): void {
    this.closing.dispose();
    this.changed.dispose();
  }
}
