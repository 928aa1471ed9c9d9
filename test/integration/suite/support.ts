// Shared helpers of the integration suites: where things are, the extension, and opening traces.

import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import * as vscode from 'vscode';

/** The repository (the extension under development): found upwards from this bundle. */
export const repoRoot = (() => {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'src', 'extension'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot find the repository above ${__dirname}`);
    dir = up;
  }
  return dir;
})();

export const MALLOCLAB_DIR = resolve(repoRoot, '..', 'shared', 'traces', 'malloclab');
export const EXTENSION_ID = 'heap-inspector.heap-inspector';

export async function extension(): Promise<vscode.Extension<unknown>> {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext, `${EXTENSION_ID} is installed`);
  return ext;
}

/** Opens a file in an editor and returns its document. */
export async function open(path: string): Promise<vscode.TextDocument> {
  const document = await vscode.workspace.openTextDocument(vscode.Uri.file(path));
  await vscode.window.showTextDocument(document, { preview: false });
  await activated();
  return document;
}

/** Opening a trace activates the extension; wait for that before asking its providers. */
async function activated(): Promise<void> {
  await vscode.extensions.getExtension(EXTENSION_ID)?.activate();
}

/** Opens untitled text in an editor with a language. */
export async function openText(content: string, language: string): Promise<vscode.TextDocument> {
  const document = await vscode.workspace.openTextDocument({ content, language });
  await vscode.window.showTextDocument(document, { preview: false });
  await activated();
  return document;
}

export async function resetSettings(): Promise<void> {
  const config = vscode.workspace.getConfiguration('heapInspector');
  for (const key of ['preset', 'policy', 'coalesce', 'freeList', 'order', 'classes', 'maxHeap', 'allocator', 'allocatorLayout', 'checkheap', 'codeLens.enabled', 'codeLens.maxOps']) {
    await config.update(key, undefined, vscode.ConfigurationTarget.Workspace);
    await config.update(key, undefined, vscode.ConfigurationTarget.Global);
  }
}

/** Skips when ../shared is missing, except under CI (the launcher passes CI through). */
export function requireMalloclab(context: Mocha.Context): void {
  if (existsSync(join(MALLOCLAB_DIR, 'short1-bal.rep'))) return;
  if (process.env.CI === 'true') throw new Error(`the malloc lab traces are missing from ${MALLOCLAB_DIR}`);
  context.skip();
}

export interface RunJson {
  ops: number;
  heapSize: number;
  utilization: number;
  preset: string;
  config: { policy: string; maxHeap: number; freeList?: string; order?: string; classes?: number[] };
  nulls: number;
  errors: number;
}

/** Waits (up to a minute, or `seconds`) until `check()` holds; fails saying `what` otherwise. */
export async function eventually(check: () => boolean, what: string, seconds = 60): Promise<void> {
  for (let i = 0; i < seconds * 10; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(what);
}

export async function lenses(uri: vscode.Uri): Promise<vscode.CodeLens[]> {
  return (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 10_000)) ?? [];
}

/** The lenses' titles by 1-based line, in order. */
export function titlesByLine(list: vscode.CodeLens[]): Map<number, string[]> {
  const byLine = new Map<number, string[]>();
  for (const lens of list) {
    const line = lens.range.start.line + 1;
    byLine.set(line, [...(byLine.get(line) ?? []), lens.command?.title ?? '']);
  }
  return byLine;
}

/** Polls until `check` holds of what `get` gives (lenses and diagnostics follow edits and openings after a moment); returns it. */
export async function poll<T>(get: () => Promise<T> | T, check: (v: T) => boolean, what: string): Promise<T> {
  let last: T | undefined;
  for (let i = 0; i < 100; i++) {
    last = await get();
    if (check(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`${what}; last seen: ${JSON.stringify(last)}`);
}
