// Trace files read without a document (docs/limits.md, "Big traces in the editor") behave like
// editor sessions: Step Forward and Back move the file the panel shows when no trace editor is
// active; several files are read at once, one session per Uri; Compare Policies and Show Heap at
// Step on a file's Uri answer what they answer for the same trace open in an editor; and a panel
// restored after a reload reads its file without a document again. Small generated files stand in
// for big ones (the reading is the same: src/extension/fileTrace.ts).

import * as assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { eventually as until, EXTENSION_ID, resetSettings } from './support';

interface Session {
  readonly document: vscode.TextDocument | undefined;
  complete(): Promise<{ readonly replay: { readonly recorded: number; readonly done: boolean } } | undefined>;
}
interface Api {
  sessions: { sessionOfFile(uri: vscode.Uri): Session | undefined; closeFile(uri: vscode.Uri): void; restore(uri: vscode.Uri): Promise<Session | undefined> };
  panels: { state(): { uri: string | null; step: number | null; blocks: number | null } };
}

/** A .rep trace of `ops` ops with `live` blocks live at once, sizes from `seed`. */
function generatedTrace(ops: number, live: number, seed: number): string {
  const lines: string[] = [];
  let next = 0;
  let oldest = 0;
  for (let op = 0; op < ops; op++) {
    if (op < live || op % 2 === 0) lines.push(`a ${next} ${8 + ((next * seed) % 500)}`), next++;
    else lines.push(`f ${oldest++}`);
  }
  return [0, next, ops, 1, ...lines].join('\n') + '\n';
}

describe('Trace files read without a document behave like editor sessions', function () {
  this.timeout(120_000);
  const OPS = 20_000;
  let dir: string;
  let api: Api;
  let first: vscode.Uri;
  let second: vscode.Uri;
  /** A copy of the first file, opened in an editor: what the file's session must agree with. */
  let copy: vscode.Uri;

  before(async () => {
    await resetSettings();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    assert.ok(folder, 'the suite runs in a workspace');
    dir = mkdtempSync(join(folder, 'files-'));
    writeFileSync(join(dir, 'first.rep'), generatedTrace(OPS, 300, 37));
    writeFileSync(join(dir, 'second.rep'), generatedTrace(OPS / 2, 50, 11));
    copyFileSync(join(dir, 'first.rep'), join(dir, 'copy.rep'));
    [first, second, copy] = ['first.rep', 'second.rep', 'copy.rep'].map((name) => vscode.Uri.file(join(dir, name))) as [vscode.Uri, vscode.Uri, vscode.Uri];
    api = (await vscode.extensions.getExtension(EXTENSION_ID)!.activate()) as Api;
  });
  after(async () => {
    api?.sessions.closeFile(first);
    api?.sessions.closeFile(second);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    rmSync(dir, { recursive: true, force: true });
  });

  const shown = async (uri: vscode.Uri, ops: number) => {
    const opened = await vscode.commands.executeCommand<{ uri: string | null }>('heapInspector.openLargeTrace', uri);
    assert.equal(opened?.uri, uri.toString(), 'the panel shows the file');
    const session = api.sessions.sessionOfFile(uri);
    assert.ok(session, `${uri.path} has a session`);
    assert.equal(session.document, undefined, 'without a document');
    assert.equal((await session.complete())?.replay.recorded, ops);
    await until(() => api.panels.state().step === ops - 1 && api.panels.state().blocks !== null, 'the panel shows the last step');
    return session;
  };
  const step = (command: 'stepForward' | 'stepBack') => vscode.commands.executeCommand<number | undefined>(`heapInspector.${command}`);

  it('Step Forward and Back move the file the panel shows; a second file gets a session of its own, and the steps follow it', async () => {
    const a = await shown(first, OPS);
    assert.equal(vscode.window.activeTextEditor, undefined, 'no editor: the panel is all there is');
    assert.equal(await step('stepBack'), OPS - 2);
    assert.equal(await step('stepBack'), OPS - 3);
    await until(() => api.panels.state().step === OPS - 3, 'the panel moved back two steps');
    assert.equal(await step('stepForward'), OPS - 2);
    await until(() => api.panels.state().step === OPS - 2, 'and forward one');

    const b = await shown(second, OPS / 2);
    assert.equal(api.sessions.sessionOfFile(first), a, 'the first file keeps its session beside the second');
    assert.notEqual(a, b);
    assert.equal(await step('stepBack'), OPS / 2 - 2, 'the steps follow the file on show');
    await until(() => api.panels.state().uri === second.toString() && api.panels.state().step === OPS / 2 - 2, 'the panel moved on the second file');
    // Back to the first: it is where it was left, with no new reading.
    await vscode.commands.executeCommand('heapInspector.openHeapPanel', first, 100);
    await until(() => api.panels.state().uri === first.toString() && api.panels.state().step === 100, 'the panel shows the first file at op 101');
    assert.equal(api.sessions.sessionOfFile(first), a);
    assert.ok(!vscode.workspace.textDocuments.some((d) => d.uri.toString() === first.toString()), 'no document was opened for it');
  });

  it('Compare Policies and Show Heap at Step on a file answer what they answer for the same trace in an editor', async () => {
    const onFile = await vscode.commands.executeCommand<unknown>('heapInspector.comparePolicies', first);
    const heapOnFile = await vscode.commands.executeCommand<string>('heapInspector.showHeapAtStep', first, 1234);
    assert.ok(!vscode.workspace.textDocuments.some((d) => d.uri.toString() === first.toString()), 'the file was not opened as a document');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(copy));
    const inEditor = await vscode.commands.executeCommand<unknown>('heapInspector.comparePolicies', copy);
    const heapInEditor = await vscode.commands.executeCommand<string>('heapInspector.showHeapAtStep', copy, 1234);
    assert.ok(onFile && typeof onFile === 'object', 'a comparison');
    assert.deepEqual(onFile, inEditor);
    assert.match(heapOnFile, /^first\.rep, line \d+ \(op 1235 of 20000\): /);
    assert.equal(heapOnFile, heapInEditor.replace(/^copy\.rep/, 'first.rep'));
  });

  it('a panel restored after a reload reads a file it showed without a document again, and one it never read that way from its document', async () => {
    api.sessions.closeFile(first);
    assert.equal(api.sessions.sessionOfFile(first), undefined);
    const restored = await api.sessions.restore(first);
    assert.ok(restored, 'restored');
    assert.equal(restored.document, undefined, 'read without a document, as before the reload');
    assert.equal(api.sessions.sessionOfFile(first), restored);
    assert.equal((await restored.complete())?.replay.recorded, OPS);
    const editorTrace = await api.sessions.restore(copy);
    assert.equal(editorTrace?.document?.uri.toString(), copy.toString(), 'a trace shown from its editor comes back with its document');
    assert.equal(await api.sessions.restore(vscode.Uri.file(join(dir, 'gone.rep'))), undefined, 'a file that is gone: nothing');
  });
});
