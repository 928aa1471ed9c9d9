// Allocation logs in the editor (docs/importing.md): an `.mtrace` file opens as a trace, with
// lenses on its ops, diagnostics on the lines left out and the heap panel; Convert Trace turns
// it, or an ltrace log open as plain text, into a `.rep` trace in a new editor.

import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { restorableTrace } from '../../../src/extension/panels';
import { extension, lenses, open, openText, poll, repoRoot, resetSettings, titlesByLine } from './support';

const sample = (name: string) => join(repoRoot, 'samples', name);

/** What allocations.c did (test/fixtures/logs/allocations.c), as the .rep trace both of its logs become. */
const ALLOCATIONS_REP = '0\n5\n11\n1\na 0 24\na 1 32\na 2 100\nr 0 4000\na 3 40\na 4 16\nf 4\nf 1\nf 2\nf 0\nf 3\n';

describe('Allocation logs in the editor', function () {
  this.timeout(120_000);
  before(resetSettings);
  afterEach(resetSettings);

  it('an .mtrace file is a trace: its language, a lens on each op, the failed allocations on their lines', async () => {
    const document = await open(sample('allocations.mtrace'));
    assert.equal(document.languageId, 'glibc-mtrace');
    const byLine = titlesByLine(await poll(() => lenses(document.uri), (list) => list.some((l) => l.range.start.line === 1 && /^-> 0x/.test(l.command?.title ?? '')), 'a lens on the first malloc'));
    assert.match(byLine.get(1)![0]!, / · 11 ops · /, 'the run summary on the first line');
    for (const line of [2, 3, 4, 6, 7, 8, 9, 12, 13, 14, 15]) assert.ok(byLine.has(line), `a lens on op line ${line}`);
    assert.equal(byLine.has(5), false, "a realloc's first line holds no op");
    assert.match(byLine.get(9)![0]!, /^free /);
    const problems = await poll(
      () => vscode.languages.getDiagnostics(document.uri).map((d) => `${d.range.start.line + 1} ${String(d.code)}`),
      (list) => list.length >= 2,
      'the failed allocations are diagnostics',
    );
    assert.deepEqual(problems, ['10 failed-allocation', '11 failed-allocation']);
  });

  it('the heap panel opens on an .mtrace file at a step, and a restored panel may reopen a log', async () => {
    const document = await open(sample('allocations.mtrace'));
    const api = ((await (await extension()).activate()) as { panels: { state(): { uri: string | null; blocks: number | null }; highlightedLine(uri: string): number | undefined } }).panels;
    const opened = await vscode.commands.executeCommand<{ uri: string; step: number }>('heapInspector.openHeapPanel', document.uri, 3);
    assert.equal(opened?.step, 3);
    await poll(() => api.state(), (state) => state.uri === document.uri.toString() && (state.blocks ?? 0) > 0, 'the panel drew the heap');
    assert.equal(api.highlightedLine(document.uri.toString()), 6, "the realloc's op is on its second line");
    assert.ok(restorableTrace(vscode.Uri.file('/somewhere/prog.mtrace').toString()));
    assert.ok(restorableTrace(vscode.Uri.file('/somewhere/prog.ltrace').toString()));
  });

  it('Convert Trace turns an .mtrace file into the .rep trace, in a new editor', async () => {
    const original = await open(sample('allocations.mtrace'));
    const before = original.getText();
    const converted = await vscode.commands.executeCommand<{ language: string; summary?: string }>('heapInspector.convertTrace');
    assert.equal(converted?.language, 'malloclab-trace');
    assert.match(converted?.summary ?? '', /^allocations\.mtrace: glibc mtrace log, 16 lines → the new \.rep trace: 11 ops, 5 ids; every line understood/);
    const document = vscode.window.activeTextEditor!.document;
    assert.ok(document.isUntitled);
    assert.equal(document.languageId, 'malloclab-trace');
    assert.equal(document.getText(), ALLOCATIONS_REP);
    assert.equal(original.getText(), before);
  });

  it('Convert Trace reads an ltrace log open as plain text', async () => {
    await openText(readFileSync(sample('allocations.ltrace'), 'utf8'), 'plaintext');
    const converted = await vscode.commands.executeCommand<{ language: string; summary?: string }>('heapInspector.convertTrace');
    assert.equal(converted?.language, 'malloclab-trace');
    assert.match(converted?.summary ?? '', /ltrace log, 15 lines → the new \.rep trace: 11 ops, 5 ids; every line understood\n {2}left out: 1 free\(NULL\); 2 allocations that returned NULL/);
    assert.equal(vscode.window.activeTextEditor!.document.getText(), ALLOCATIONS_REP);
  });
});
