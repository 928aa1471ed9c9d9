// Score My Allocator: the malloc lab's whole score (docs/own-allocator.md, "Scores") of the
// allocator heapInspector.allocator names, over the workspace's .rep traces (all, or those picked),
// under a cancellable progress notification; the lab driver's table goes to its own output.

import * as vscode from 'vscode';
import type { OwnJobListener } from '../native/ownJob';
import { scoreAllocatorAsync } from '../native/ownScore';
import { formatLabTotal, labTotal, labTotalSentence, parseTrace, type LabTotal, type Trace } from '../trace/index';
import { allocatorSetting, heapSettings } from './settings';

export interface ScoreContext {
  /** "Heap Inspector: Score": the table, a plain channel (no log prefixes in a table). */
  readonly scoreOutput: vscode.OutputChannel;
  readonly native: NativePaths;
}

/** Where the user's own allocator is compiled from (the harness shipped with the extension) and cached, and who hears of each compile. */
export interface NativePaths {
  readonly harnessDir: string;
  readonly cacheDir: string;
  readonly listener: OwnJobListener;
}

/** Scores the allocator (the argument, else the setting, else a file chosen now) on the traces (the argument, else those picked); returns the score, undefined when nothing was scored. */
export async function scoreMyAllocator(ctx: ScoreContext, traces?: vscode.Uri | readonly vscode.Uri[], allocator?: vscode.Uri | string): Promise<LabTotal | undefined> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage('Heap Inspector: scoring your allocator compiles and runs the workspace\'s C code, which needs a trusted workspace (Manage Workspace Trust).');
    return undefined;
  }
  const here = vscode.window.activeTextEditor?.document.uri ?? vscode.workspace.workspaceFolders?.[0]?.uri;
  let file = typeof allocator === 'string' ? allocator : (allocator?.fsPath ?? allocatorSetting(here).file ?? undefined);
  if (file === undefined) {
    // Chosen for this score only: the setting (which moves every open trace to the allocator) stays as it is.
    const picked = await vscode.window.showOpenDialog({ title: 'Your allocator (mm.c) to score', canSelectMany: false, filters: { 'C source': ['c'] }, openLabel: 'Score My Allocator' });
    file = picked?.[0]?.fsPath;
  }
  if (file === undefined) return undefined;
  const uris = traces === undefined ? await pickTraces() : traces instanceof vscode.Uri ? [traces] : traces;
  if (uris === undefined || uris.length === 0) return undefined;
  const name = file.split(/[\\/]/).pop() ?? file;
  const allocatorFile = file;
  const { options } = heapSettings(here);
  const run = { harnessDir: ctx.native.harnessDir, cacheDir: ctx.native.cacheDir, checkheap: allocatorSetting(here).checkheap, ...(options.maxHeap !== undefined ? { maxHeap: options.maxHeap } : {}) };
  let outcome;
  try {
    outcome = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Scoring ${name}`, cancellable: true }, async (progress, token) => {
      const read = await readTraces(uris);
      const abort = new AbortController();
      token.onCancellationRequested(() => abort.abort());
      return scoreAllocatorAsync(allocatorFile, read, run, {
        signal: abort.signal,
        progress: (done, next) => progress.report({ increment: done === 0 ? 0 : 100 / uris.length, message: `${next} (${done + 1} of ${uris.length})` }),
        cancelled: () => token.isCancellationRequested,
      });
    });
  } catch (err) {
    void vscode.window.showErrorMessage(`Heap Inspector could not score ${name}: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  }
  // The compiler's messages in the Problems view, as for a trace that runs on the allocator.
  ctx.native.listener.compiled(allocatorFile, outcome.compiled);
  if (outcome.kind === 'unavailable') {
    void vscode.window.showErrorMessage(`Heap Inspector: ${outcome.message}`);
    return undefined;
  }
  if (outcome.cancelled) {
    void vscode.window.showInformationMessage(`Heap Inspector: the score of ${name} was cancelled after ${outcome.scores.length} of ${uris.length} traces.`);
    return undefined;
  }
  const total = labTotal(outcome.scores);
  ctx.scoreOutput.clear();
  ctx.scoreOutput.append(formatLabTotal(name, total));
  ctx.scoreOutput.show(true);
  const sentence = `Heap Inspector: ${labTotalSentence(name, total)}`;
  void (total.invalid > 0 ? vscode.window.showWarningMessage(sentence, 'Show Score') : vscode.window.showInformationMessage(sentence, 'Show Score')).then((choice) => {
    if (choice) ctx.scoreOutput.show(true);
  });
  return total;
}

/** The workspace's .rep traces, all picked to begin with; undefined when there are none or the user dismissed the pick. */
async function pickTraces(): Promise<readonly vscode.Uri[] | undefined> {
  const found = (await vscode.workspace.findFiles('**/*.rep')).sort((a, b) => a.path.localeCompare(b.path));
  if (found.length === 0) {
    void vscode.window.showInformationMessage('Heap Inspector: there are no malloc lab traces (.rep files) in the workspace to score on.');
    return undefined;
  }
  if (found.length === 1) return found;
  const items = found.map((uri) => ({ label: vscode.workspace.asRelativePath(uri), picked: true, uri }));
  const chosen = await vscode.window.showQuickPick(items, { title: 'Traces to score on', placeHolder: 'Every trace is picked; untick those to leave out', canPickMany: true, ignoreFocusOut: true });
  return chosen?.map((item) => item.uri);
}

/** Each trace's text as the editor has it (unsaved edits included), else as stored, parsed. Opening no document: that would start its session. */
async function readTraces(uris: readonly vscode.Uri[]): Promise<{ name: string; trace: Trace }[]> {
  const decoder = new TextDecoder();
  const out: { name: string; trace: Trace }[] = [];
  for (const uri of uris) {
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    let text: string;
    try {
      text = open ? open.getText() : decoder.decode(await vscode.workspace.fs.readFile(uri));
    } catch (err) {
      throw new Error(`cannot read ${uri.fsPath || uri.toString()}: ${err instanceof Error ? err.message : String(err)}`);
    }
    out.push({ name: uri.path.split('/').pop() ?? uri.path, trace: parseTrace(text, 'rep') });
  }
  return out;
}
