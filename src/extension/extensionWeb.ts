// Heap Inspector's browser entry (package.json "browser"; docs/editor.md, "In the browser"): bundled
// by scripts/build.mjs for the web worker extension host, where no Node built-in and nothing of
// src/native/ may be imported (the build fails if one is). Everything activate.ts sets up runs here;
// the commands that need a process say they need the desktop app.

import type * as vscode from 'vscode';
import { activateCommon, type HeapInspectorApi } from './activate';
import { registerDesktopOnly } from './desktopOnly';

export type { HeapInspectorApi } from './activate';

export function activate(context: vscode.ExtensionContext): HeapInspectorApi {
  const api = activateCommon(context, null);
  context.subscriptions.push(registerDesktopOnly());
  return api;
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
