// Between the trace layer's 1-based lines and columns and VS Code's 0-based positions.

import * as vscode from 'vscode';
import type { Diagnostic as TraceDiagnostic, SourceRange } from '../trace/index';

export function toRange(r: SourceRange): vscode.Range {
  return new vscode.Range(r.line - 1, Math.max(0, r.column - 1), r.endLine - 1, Math.max(0, r.endColumn - 1));
}

const SEVERITY: Readonly<Record<TraceDiagnostic['severity'], vscode.DiagnosticSeverity>> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

export function toDiagnostic(uri: vscode.Uri, d: TraceDiagnostic): vscode.Diagnostic {
  const diagnostic = new vscode.Diagnostic(toRange(d.range), d.message, SEVERITY[d.severity]);
  diagnostic.source = 'Heap Inspector';
  diagnostic.code = d.code;
  if (d.related?.length) {
    diagnostic.relatedInformation = d.related.map((r) => new vscode.DiagnosticRelatedInformation(new vscode.Location(uri, toRange(r.range)), r.message));
  }
  return diagnostic;
}
