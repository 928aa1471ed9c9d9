// The editor's side of the user's own allocator (docs/own-allocator.md): the compiler's messages
// about their mm.c in the Problems view, kept up to date by every compile the sessions make.

import * as vscode from 'vscode';
import type { OwnJobListener } from '../native/ownJob';
import type { CompileResult } from '../native/ownAllocator';

export class AllocatorProblems implements OwnJobListener, vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('heap-inspector-allocator');

  compiled(file: string, result: CompileResult): void {
    const byFile = new Map<string, vscode.Diagnostic[]>([[file, []]]);
    for (const m of result.messages) {
      const d = new vscode.Diagnostic(new vscode.Range(Math.max(0, m.line - 1), Math.max(0, m.column - 1), Math.max(0, m.line - 1), Math.max(0, m.column)), m.message, m.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning);
      d.source = 'Heap Inspector (cc)';
      const list = byFile.get(m.file) ?? [];
      list.push(d);
      byFile.set(m.file, list);
    }
    // A compiler that is missing is said on the file itself.
    if (!result.ok && result.reason !== 'failed') {
      const d = new vscode.Diagnostic(new vscode.Range(0, 0, 0, 0), result.text, vscode.DiagnosticSeverity.Error);
      d.source = 'Heap Inspector';
      byFile.get(file)!.push(d);
    }
    for (const [path, list] of byFile) this.collection.set(vscode.Uri.file(path), list);
  }

  dispose(): void {
    this.collection.dispose();
  }
}
