// Heap Inspector's composition root: one session manager, the commands, the language features
// (lenses, hints, diagnostics, hovers, outline, status bar), the read-only views, the output.
// Everything vscode-specific lives in this folder; the engine and traces are pure libraries.

import * as vscode from 'vscode';
import { Answers } from './answers';
import { AllocatorProblems } from './ownAllocator';
import { registerCommands } from './commands';
import { HeapViews } from './heapViews';
import { HeapPanels } from './panels';
import { Steps } from './steps';
import { registerLanguageFeatures } from './languageFeatures';
import { registerRecordCommand } from './recordProgram';
import { TraceSessions } from './traceSessions';

export interface HeapInspectorApi {
  /** The trace sessions (for tests and other extensions). */
  readonly sessions: TraceSessions;
  /** The heap panel and study view. */
  readonly panels: HeapPanels;
}

export function activate(context: vscode.ExtensionContext): HeapInspectorApi {
  const output = vscode.window.createOutputChannel('Heap Inspector', { log: true });
  const allocatorProblems = new AllocatorProblems();
  context.subscriptions.push(allocatorProblems);
  const native = {
    harnessDir: vscode.Uri.joinPath(context.extensionUri, 'harness').fsPath,
    cacheDir: vscode.Uri.joinPath(context.globalStorageUri, 'allocators').fsPath,
    listener: allocatorProblems,
  };
  const sessions = new TraceSessions(native);
  const scoreOutput = vscode.window.createOutputChannel('Heap Inspector: Score');
  const views = new HeapViews();
  const steps = new Steps();
  const answers = new Answers();
  const panels = new HeapPanels(context.extensionUri, sessions, steps, answers);
  context.subscriptions.push(output, scoreOutput, sessions, views, steps, panels, answers, registerCommands({ extensionUri: context.extensionUri, answers, sessions, output, views, panels, scoreOutput, native }), registerLanguageFeatures(sessions, answers), registerRecordCommand(context.extensionUri, context.globalStorageUri));
  return { sessions, panels };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
