// The heap panel and the study side view in the real VS Code: opening, stepping with the editor
// following, CodeLens clicks moving the panel, and the side view on the same step.

import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { restorableTrace } from '../../../src/extension/panels';
import { EXTENSION_ID, open, repoRoot, resetSettings } from './support';

interface PanelApi {
  state(): { visible: boolean; uri: string | null; step: number | null; blocks: number | null };
  studyState(): { uri: string | null; step: number | null; blocks: number | null };
  highlightedLine(uri: string): number | undefined;
}

async function panels(): Promise<PanelApi> {
  const api = (await vscode.extensions.getExtension(EXTENSION_ID)!.activate()) as { panels: PanelApi };
  return api.panels;
}

async function eventually<T>(get: () => T, check: (v: T) => boolean, what: string): Promise<T> {
  let last: T | undefined;
  for (let i = 0; i < 150; i++) {
    last = get();
    if (check(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`${what}; last seen: ${JSON.stringify(last)}`);
}

describe('Heap panel and study view', function () {
  this.timeout(120_000);
  before(resetSettings);
  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('a panel restored after a reload reopens only a trace file, whatever URI its saved state holds', () => {
    const trace = vscode.Uri.file(join(repoRoot, 'samples', 'tiny.rep'));
    assert.equal(restorableTrace(trace.toString())?.toString(), trace.toString());
    assert.ok(restorableTrace(vscode.Uri.file('/somewhere/else/trace.HEAP').toString()), 'any .rep or .heap file');
    const hostile: unknown[] = [
      'command:workbench.action.quit',
      'command:heapInspector.runTrace?%5B%5D',
      'https://example.invalid/trace.rep',
      'untitled:Untitled-1',
      vscode.Uri.file('/etc/passwd').toString(),
      'file:///tmp/trace.rep.exe',
      'not a uri at all: %%%',
      '',
      `file:///${'a/'.repeat(10_000)}x.rep`,
      42,
      null,
      { uri: 'file:///x.rep' },
    ];
    for (const state of hostile) assert.equal(restorableTrace(state), undefined, `refused: ${String(state).slice(0, 60)}`);
  });

  it("Open Heap Panel opens at the op on the cursor's line: the first op from the header, the next op from a comment", async () => {
    const document = await open(join(repoRoot, 'samples', 'first-best-worst.heap'));
    const api = await panels();
    const editor = await vscode.window.showTextDocument(document, vscode.ViewColumn.One);
    const openAt = async (line: number, ...args: unknown[]) => {
      editor.selection = new vscode.Selection(line - 1, 2, line - 1, 2);
      return vscode.commands.executeCommand<{ uri: string; step: number }>('heapInspector.openHeapPanel', ...args);
    };
    // The cursor on `p = malloc(32)` (line 22), the last op.
    const opened = await openAt(22);
    assert.equal(opened?.uri, document.uri.toString());
    assert.equal(opened?.step, 9);
    // The webview loads, says `ready`, and gets the snapshot with every block.
    const state = await eventually(() => api.state(), (s) => s.blocks === 7, 'the panel drew the 7 blocks');
    assert.equal(state.uri, document.uri.toString());
    assert.equal(api.highlightedLine(document.uri.toString()), 22, 'the editor highlights the current op');
    // On free(medium), line 14 (as the editor title's button passes the trace).
    assert.equal((await openAt(14, document.uri))?.step, 7);
    assert.equal(api.highlightedLine(document.uri.toString()), 14);
    // The header comment: the first op, big = malloc(100) on line 6.
    assert.equal((await openAt(1))?.step, 0);
    assert.equal(api.highlightedLine(document.uri.toString()), 6);
    await eventually(() => api.state(), (s) => s.step === 0 && s.blocks !== null, 'the panel shows the first op');
    // A comment between ops: the op after it, p = malloc(32).
    assert.equal((await openAt(18))?.step, 9);
  });

  it('the study side view starts at the cursor of a trace never stepped, and follows the cursor as it moves', async () => {
    // A script no view has stepped (a file of its own). Line 1 is a comment; the ops are on lines 2 to 5.
    const dir = mkdtempSync(join(tmpdir(), 'heap-inspector-study-'));
    const path = join(dir, 'cursor.heap');
    writeFileSync(path, '# the study view follows the cursor\na = malloc(16)\nb = malloc(32)\nfree(a)\nc = malloc(8)\n');
    const document = await open(path);
    const api = await panels();
    await vscode.commands.executeCommand('heapInspector.studyView.focus');
    const study = await eventually(() => api.studyState(), (s) => s.uri === document.uri.toString() && s.blocks !== null, 'the side view drew the script');
    assert.equal(study.step, 0, 'the cursor is on the header comment: the first op');
    await vscode.window.showTextDocument(document, vscode.ViewColumn.One);
    // Three lines down with the cursor keys' command: free(a), op 2.
    for (let k = 0; k < 3; k++) await vscode.commands.executeCommand('cursorDown');
    await eventually(() => api.studyState(), (s) => s.step === 2, 'the side view follows the cursor to free(a)');
    assert.equal(vscode.window.activeTextEditor?.selection.active.line, 3);
    rmSync(dir, { recursive: true, force: true });
  });

  it('stepping moves the highlighted line in the editor', async () => {
    const document = await open(join(repoRoot, 'samples', 'first-best-worst.heap'));
    const api = await panels();
    await vscode.commands.executeCommand('heapInspector.openHeapPanel', document.uri, 9);
    await vscode.window.showTextDocument(document, vscode.ViewColumn.One);
    assert.equal(await vscode.commands.executeCommand('heapInspector.stepBack'), 8);
    assert.equal(api.highlightedLine(document.uri.toString()), 15);
    assert.equal(await vscode.commands.executeCommand('heapInspector.stepBack'), 7);
    assert.equal(api.highlightedLine(document.uri.toString()), 14);
    assert.equal(await vscode.commands.executeCommand('heapInspector.stepForward'), 8);
    await eventually(() => api.state(), (s) => s.step === 8, 'the panel follows');
  });

  it('clicking an op CodeLens opens the panel at that step', async () => {
    const document = await open(join(repoRoot, 'samples', 'coalescing.heap'));
    const api = await panels();
    const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', document.uri, 100)) ?? [];
    const lens = lenses.find((l) => l.range.start.line === 10 && l.command?.command === 'heapInspector.openHeapPanel');
    assert.ok(lens?.command, 'the free(b) line has an op lens');
    await vscode.commands.executeCommand(lens.command.command, ...(lens.command.arguments ?? []));
    const state = await eventually(() => api.state(), (s) => s.uri === document.uri.toString() && s.step === 5, 'the panel is at free(b)');
    assert.equal(state.blocks, 6);
    assert.equal(api.highlightedLine(document.uri.toString()), 11);
  });

  it('the study side view shows the same trace at the same step', async () => {
    const document = await open(join(repoRoot, 'samples', 'coalescing.heap'));
    const api = await panels();
    await vscode.commands.executeCommand('heapInspector.openHeapPanel', document.uri, 6);
    await vscode.commands.executeCommand('heapInspector.studyView.focus');
    const study = await eventually(() => api.studyState(), (s) => s.uri === document.uri.toString() && s.blocks !== null, 'the side view drew the trace');
    assert.equal(study.step, 6);
    await vscode.commands.executeCommand('heapInspector.openHeapPanel', document.uri, 2);
    await eventually(() => api.studyState(), (s) => s.step === 2, 'the side view follows the panel');
  });
});
