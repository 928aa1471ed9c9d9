// Read-only documents the extension generates (the heap at a step, the policy comparison), served
// under the `heap-inspector:` scheme so they cannot be edited or saved by mistake.

import * as vscode from 'vscode';
import { DisposableStore } from './dispose';

export const VIEW_SCHEME = 'heap-inspector';

export class HeapViews implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly contents = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly store = new DisposableStore();

  constructor() {
    this.store.add(this.changed);
    this.store.add(vscode.workspace.registerTextDocumentContentProvider(VIEW_SCHEME, this));
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.toString()) ?? 'This view is no longer available; run the command again.';
  }

  /** Shows `content` in a read-only editor titled by `path` (e.g. `/short1-bal.rep - step 5.txt`). */
  async show(path: string, content: string): Promise<vscode.TextDocument> {
    const uri = vscode.Uri.from({ scheme: VIEW_SCHEME, path });
    this.contents.set(uri.toString(), content);
    this.changed.fire(uri);
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document, { preview: true, viewColumn: vscode.ViewColumn.Beside, preserveFocus: true });
    return document;
  }

  dispose(): void {
    this.contents.clear();
    this.store.dispose();
  }
}
