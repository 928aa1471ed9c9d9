// What both entries activate (docs/architecture.md, "Desktop and browser"): one session manager,
// the commands, the language features (lenses, hints, diagnostics, hovers, outline, status bar),
// the read-only views, the panel, the output. Nothing here needs a process: the desktop entry
// (extension.ts) passes what runs the user's allocator, the browser entry (extensionWeb.ts) null.

import * as vscode from 'vscode';
import { Answers } from './answers';
import { registerCommands } from './commands';
import { HeapViews } from './heapViews';
import { HeapPanels } from './panels';
import { Steps } from './steps';
import { registerLanguageFeatures } from './languageFeatures';
import { TraceSessions, type NativeOptions } from './traceSessions';

export interface HeapInspectorApi {
  /** The trace sessions (for tests and other extensions). */
  readonly sessions: TraceSessions;
  /** The heap panel and study view. */
  readonly panels: HeapPanels;
  /** Where the extension runs: 'node' (a Node extension host, desktop or remote) or 'web-worker' (the browser's, no process). */
  readonly host: ExtensionHostKind;
}

export type ExtensionHostKind = 'node' | 'web-worker';

/** The host this code runs in, by what it can see: a web worker has no `process`. */
export function hostKind(): ExtensionHostKind {
  return typeof process === 'undefined' ? 'web-worker' : 'node';
}

export function activateCommon(context: vscode.ExtensionContext, native: NativeOptions | null): HeapInspectorApi {
  const output = vscode.window.createOutputChannel('Heap Inspector', { log: true });
  const host = hostKind();
  output.info(`Heap Inspector activated in ${host === 'web-worker' ? 'the web worker extension host (no process: compiling, running and recording programs need the desktop app)' : 'a Node extension host'}.`);
  const sessions = new TraceSessions(native, context.workspaceState);
  const views = new HeapViews();
  const steps = new Steps();
  const answers = new Answers();
  const panels = new HeapPanels(context.extensionUri, sessions, steps, answers);
  context.subscriptions.push(output, sessions, views, steps, panels, answers, registerCommands({ desktop: native !== null, extensionUri: context.extensionUri, answers, sessions, output, views, panels }), registerLanguageFeatures(sessions, answers));
  return { sessions, panels, host };
}
