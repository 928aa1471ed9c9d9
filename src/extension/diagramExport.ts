// Saving the pictures the panel exports (docs/editor.md, "Block diagrams"): the webview builds the
// SVG or PNG, the protocol's guard has checked it (src/shared/protocol.ts), and here the user
// picks where it goes; the file is written through the workspace's file system.

import * as vscode from 'vscode';
import type { ExportFormat } from '../shared/protocol';

const FILTERS: Readonly<Record<ExportFormat, Record<string, string[]>>> = { svg: { 'SVG image': ['svg'] }, png: { 'PNG image': ['png'] } };

/** Asks where to save the picture and writes it; the saved file's URI, or undefined when the user cancelled. */
export async function savePicture(format: ExportFormat, data: string, name: string, near: vscode.Uri | undefined): Promise<vscode.Uri | undefined> {
  const folder = near && near.scheme !== 'untitled' ? vscode.Uri.joinPath(near, '..') : vscode.workspace.workspaceFolders?.[0]?.uri;
  const target = await vscode.window.showSaveDialog({ defaultUri: folder ? vscode.Uri.joinPath(folder, name) : undefined, filters: FILTERS[format], title: `Export the heap diagram as ${format.toUpperCase()}` });
  if (!target) return undefined;
  const bytes = format === 'svg' ? new TextEncoder().encode(data) : Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
  await vscode.workspace.fs.writeFile(target, bytes);
  void vscode.window.showInformationMessage(`Heap Inspector: saved the diagram to ${vscode.workspace.asRelativePath(target)}.`);
  return target;
}
