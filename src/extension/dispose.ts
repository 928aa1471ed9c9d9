// One disposables helper for the extension (vscode-hexeditor's dispose.ts idea).

import type * as vscode from 'vscode';

export class DisposableStore implements vscode.Disposable {
  private readonly items: vscode.Disposable[] = [];
  private disposed = false;

  add<T extends vscode.Disposable>(item: T): T {
    if (this.disposed) item.dispose();
    else this.items.push(item);
    return item;
  }

  dispose(): void {
    this.disposed = true;
    while (this.items.length > 0) {
      try {
        this.items.pop()!.dispose();
      } catch {
        // one failing disposable must not keep the others alive
      }
    }
  }
}
