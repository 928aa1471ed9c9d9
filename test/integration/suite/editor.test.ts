// Traces inside the editor, through the real VS Code API: lenses, inlay hints, diagnostics,
// quick fixes, hovers, the outline, and the read-only views behind the lenses.

import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { lenses, MALLOCLAB_DIR, open, openText, poll, repoRoot, requireMalloclab, resetSettings, titlesByLine } from './support';

const diagnosticsOf = (uri: vscode.Uri) => vscode.languages.getDiagnostics(uri).map((d) => `${d.range.start.line + 1} ${vscode.DiagnosticSeverity[d.severity]} ${String(d.code)}`);

describe('Traces in the editor', function () {
  this.timeout(120_000);
  before(resetSettings);
  afterEach(resetSettings);

  it('short1-bal: a lens on every op with what it did, and the run summary on top', async function () {
    requireMalloclab(this);
    await vscode.workspace.getConfiguration('heapInspector').update('preset', 'csapp', vscode.ConfigurationTarget.Workspace);
    const document = await open(join(MALLOCLAB_DIR, 'short1-bal.rep'));
    const byLine = titlesByLine(await lenses(document.uri));
    assert.match(byLine.get(1)![0]!, /^first fit · csapp · 12 ops · heap 12304 B · utilisation 66\.2% · no problems$/);
    assert.deepEqual(byLine.get(1)!.slice(1), ['Run with another policy', 'Compare Policies']);
    assert.equal(byLine.get(5)![0], '-> 0x0010 · block 2048 B · split 2048 free · examined 1');
    assert.equal(byLine.get(6)![0], '-> 0x0810 · block 2048 B · exact fit · examined 2');
    assert.equal(byLine.get(7)![0], 'free -> 2048 B free');
    assert.equal(byLine.get(8)![0], '-> 0x0810 · block 56 B · split 1992 free · examined 2');
    assert.equal(byLine.get(9)![0], '-> 0x0848 · block 4080 B · split 2008 free · heap +4096 B · examined 3');
    assert.equal(byLine.size, 1 + 12);
  });

  it('Show Heap at Step writes the heap after an op to a read-only view', async () => {
    const document = await open(join(repoRoot, 'samples', 'first-best-worst.heap'));
    const lens = (await lenses(document.uri)).find((l) => l.range.start.line === 21);
    assert.equal(lens?.command?.command, 'heapInspector.openHeapPanel', 'an op lens opens the panel at its step');
    const text = await vscode.commands.executeCommand<string>('heapInspector.showHeapAtStep', document.uri, 9);
    assert.match(text, /line 22 \(op 10 of 10\): -> 0x0090 · block 48 B · whole block/);
    assert.match(text, /\[P8\]\[F112\]\[A16\]\[A48\]\[A16\]\[F208\]\[A16\]\[F3680\]\[E\]/);
    const view = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'heap-inspector' && d.getText() === text);
    assert.ok(view, 'the view is a heap-inspector: document');
  });

  it('diagnostics land on their lines with severities and the line that allocated the block', async () => {
    const document = await openText(['0', '2', '5', '1', 'a 0 8', 'f 0', 'f 0', 'a 1 0', 'x 1'].join('\n'), 'malloclab-trace');
    const seen = await poll(() => diagnosticsOf(document.uri), (d) => d.length === 3, 'three diagnostics');
    assert.deepEqual(seen.sort(), ['7 Error double-free', '8 Warning zero-size', '9 Error unknown-op'].sort());
    const double = vscode.languages.getDiagnostics(document.uri).find((d) => d.code === 'double-free')!;
    assert.deepEqual(double.relatedInformation?.map((r) => [r.location.range.start.line + 1, r.message]), [[5, 'id 0 was allocated here'], [6, 'and freed here']]);
  });

  it('editing a line updates the lenses and the diagnostics', async () => {
    const document = await openText('p = malloc(24)\nfree(p)\n', 'heap-script');
    assert.equal(titlesByLine(await lenses(document.uri)).get(1)!.at(-1), '-> 0x0020 · block 48 B · split 4048 free · examined 1', 'the op lens after the summary lenses');
    const edit = new vscode.WorkspaceEdit();
    edit.insert(document.uri, new vscode.Position(2, 0), 'free(p)\n');
    await vscode.workspace.applyEdit(edit);
    await poll(() => diagnosticsOf(document.uri), (d) => d.includes('3 Error double-free'), 'the double free is reported');
    const fix = new vscode.WorkspaceEdit();
    fix.replace(document.uri, new vscode.Range(0, 0, 0, 14), 'p = malloc(100)');
    await vscode.workspace.applyEdit(fix);
    await poll(
      async () => titlesByLine(await lenses(document.uri)).get(1)?.at(-1),
      (t) => t === '-> 0x0020 · block 128 B · split 3968 free · examined 1',
      'the lens follows the new size',
    );
  });

  it('a quick fix corrects a wrong op count in the header', async () => {
    const document = await openText(['0', '1', '5', '1', 'a 0 8', 'f 0'].join('\n'), 'malloclab-trace');
    await poll(() => diagnosticsOf(document.uri), (d) => d.includes('3 Error header-op-count'), 'the count is reported');
    const actions = (await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', document.uri, new vscode.Range(2, 0, 2, 1))) ?? [];
    const fix = actions.find((a) => a.title === 'Set the op count to 2');
    assert.ok(fix?.edit, actions.map((a) => a.title).join());
    await vscode.workspace.applyEdit(fix.edit);
    assert.equal(document.lineAt(2).text, '2');
    await poll(() => diagnosticsOf(document.uri), (d) => d.length === 0, 'no problem left');
  });

  it("a hover tells the block's whole life, its address and its header and footer words", async function () {
    requireMalloclab(this);
    await vscode.workspace.getConfiguration('heapInspector').update('preset', 'csapp', vscode.ConfigurationTarget.Workspace);
    const document = await open(join(MALLOCLAB_DIR, 'short1-bal.rep'));
    const hovers = (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, new vscode.Position(4, 2))) ?? [];
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(text, /allocated on line 5 as 2040 bytes in a block of 2048 at 0x0010/);
    assert.match(text, /freed on line 12/);
    assert.match(text, /header `0x0801` \(size 2048, allocated\) · footer `0x0801`/);
  });

  it('a hover on a free of an explicit list gives the block\'s place in the list and its link words as stored', async () => {
    // a..d take 32-byte blocks at 0x0c, 0x2c, 0x4c, 0x6c; LIFO after free(a), free(c): c, a, then the tail.
    const document = await openText(['set preset = csapp', 'set freeList = explicit', 'a = malloc(24)', 'b = malloc(24)', 'c = malloc(24)', 'd = malloc(24)', 'free(a)', 'free(c)'].join('\n'), 'heap-script');
    const hovers = (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, new vscode.Position(7, 2))) ?? [];
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(text, /free list, node 1 of 3: next link `0x000c` · prev link `0x0 \(null: end of the list\)`/);
  });

  it('the outline has one entry per pointer lifetime', async () => {
    const document = await open(join(repoRoot, 'samples', 'realloc.heap'));
    const symbols = (await vscode.commands.executeCommand<vscode.DocumentSymbol[]>('vscode.executeDocumentSymbolProvider', document.uri)) ?? [];
    assert.deepEqual(
      symbols.map((s) => s.name),
      ['name', 'other'],
    );
    assert.match(symbols[0]!.detail, /^6 B at 0x0020, line 5-13$/);
  });

  it('past the lens limit, lenses stay on the summary and problems, and every op gets an inlay hint', async () => {
    await vscode.workspace.getConfiguration('heapInspector').update('codeLens.maxOps', 3, vscode.ConfigurationTarget.Workspace);
    const document = await openText('a = malloc(8)\nb = malloc(8)\nfree(a)\nfree(a)\nc = malloc(8)\n', 'heap-script');
    const byLine = titlesByLine(await lenses(document.uri));
    assert.deepEqual([...byLine.keys()].sort(), [1, 4], 'the summary line and the double free');
    const hints = (await vscode.commands.executeCommand<vscode.InlayHint[]>('vscode.executeInlayHintProvider', document.uri, new vscode.Range(0, 0, 5, 0))) ?? [];
    assert.deepEqual(
      hints.map((h) => [h.position.line + 1, typeof h.label === 'string' ? h.label : h.label.map((p) => p.value).join('')]),
      [
        [1, '-> 0x0020 · block 32 B · split 4064 free · examined 1'],
        [2, '-> 0x0040 · block 32 B · split 4032 free · examined 2'],
        [3, 'free -> 32 B free'],
        [4, 'free: double free'],
        [5, '-> 0x0020 · block 32 B · exact fit · examined 1'],
      ],
    );
  });

  it('the lens setting turns lenses off', async () => {
    const document = await open(join(repoRoot, 'samples', 'tiny.rep'));
    assert.ok((await lenses(document.uri)).length > 0);
    await vscode.workspace.getConfiguration('heapInspector').update('codeLens.enabled', false, vscode.ConfigurationTarget.Workspace);
    assert.equal((await lenses(document.uri)).length, 0);
  });

  it('Compare Policies shows every free list and policy side by side with the command line\'s numbers', async () => {
    await open(join(repoRoot, 'samples', 'first-best-worst.heap'));
    const comparison = await vscode.commands.executeCommand<{ policies: { policy: string; list: string; heapSize: number }[] }>('heapInspector.comparePolicies');
    const rows = comparison?.policies.map((p) => `${p.list} ${p.policy}`) ?? [];
    assert.deepEqual(rows.slice(0, 5), ['none sbrk', 'implicit first', 'implicit next', 'implicit best', 'implicit worst']);
    assert.ok(rows.includes('explicit lifo best'), rows.join(', '));
    const view = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'heap-inspector' && d.uri.path.endsWith('every policy.txt'));
    assert.match(view!.getText(), /^free list\s+policy\s+heap size\s+peak payload/m);
  });
});
