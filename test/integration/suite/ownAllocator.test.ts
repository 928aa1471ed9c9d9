// Your own allocator in the real VS Code: the setting names a C file (one of the allocators
// written as fixtures), and a trace opened runs on it: lenses with what it returned, the driver's
// diagnostic on the line of the bug, the panel at that step; a file that does not compile puts
// the compiler's messages on its own lines in the Problems view. Score My Allocator gives the
// lab's whole score over traces, and none when one of them is not valid.

import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { EXTENSION_ID, MALLOCLAB_DIR, open, repoRoot, requireMalloclab, resetSettings } from './support';

const fixture = (name: string) => join(repoRoot, 'test', 'fixtures', 'allocators', name);

async function lenses(uri: vscode.Uri): Promise<vscode.CodeLens[]> {
  return (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 10_000)) ?? [];
}

async function eventually<T>(get: () => T | Promise<T>, check: (v: T) => boolean, what: string, tries = 300): Promise<T> {
  let last: T | undefined;
  for (let i = 0; i < tries; i++) {
    last = await get();
    if (check(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`${what}; last seen: ${JSON.stringify(last)}`);
}

const problems = (uri: vscode.Uri) => vscode.languages.getDiagnostics(uri).map((d) => `${d.range.start.line + 1} ${vscode.DiagnosticSeverity[d.severity]} ${String(d.code ?? '')}`);

describe('Your own allocator in the editor', function () {
  this.timeout(180_000);
  before(resetSettings);
  after(async () => {
    await resetSettings();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('heapInspector.allocator runs an open trace on the C file: its lenses, the overlap on its line, the panel at that step', async () => {
    await vscode.workspace.getConfiguration('heapInspector').update('allocator', fixture('overlap-bug.c'), vscode.ConfigurationTarget.Workspace);
    const document = await open(join(repoRoot, 'samples', 'tiny.rep'));
    const seen = await eventually(() => problems(document.uri), (p) => p.includes('9 Error overlapping-payloads'), 'the overlap on line 9');
    // The overlap on the op that made it; then id 0's payload, written over by id 3's fill, found when id 0 is moved (as the lab driver's -V goes on).
    assert.deepEqual(seen.filter((p) => p.includes('Error')), ['9 Error overlapping-payloads', '10 Error payload-overwritten']);
    const byLine = new Map<number, string[]>();
    for (const lens of await lenses(document.uri)) byLine.set(lens.range.start.line + 1, [...(byLine.get(lens.range.start.line + 1) ?? []), lens.command?.title ?? '']);
    assert.match(byLine.get(1)![0]!, /^overlap-bug\.c · your allocator · 9 ops · heap 4112 B/);
    assert.match(byLine.get(5)![0]!, /^-> 0x0010 · \d+ words? written$/, 'mm_init grew the heap already');
    assert.match(byLine.get(9)![0]!, /^-> 0x0010\b/, 'the payload it handed out over id 0\'s');
    await vscode.commands.executeCommand('heapInspector.openHeapPanel', document.uri, 4);
    const api = (await vscode.extensions.getExtension(EXTENSION_ID)!.activate()) as { panels: { state(): { uri: string | null; step: number | null; blocks: number | null; compared: number }; setCompare(on: boolean): void } };
    const state = await eventually(() => api.panels.state(), (p) => p.uri === document.uri.toString() && p.step === 4 && (p.blocks ?? 0) > 0, 'the panel at op 4');
    assert.ok(state.blocks! >= 2);
    // Side by side: every simulated policy of the trace's list, then the allocator, at op 4.
    api.panels.setCompare(true);
    await eventually(() => api.panels.state(), (p) => p.compared === 6, 'sbrk, first, next, best, worst and the allocator side by side');
    api.panels.setCompare(false);
    const compared = await vscode.commands.executeCommand<{ policies: { policy: string; list: string; errors: number }[] }>('heapInspector.comparePolicies', document.uri);
    assert.deepEqual(compared.policies.at(-1), { ...compared.policies.at(-1)!, policy: 'own', list: 'your allocator (overlap-bug.c)', errors: 2 });
    assert.ok(compared.policies.length > 6, 'every kind of free list and policy before it');
    const json = await vscode.commands.executeCommand<{ preset: string; config: { allocator: string; interface: string }; errors: number }>('heapInspector.runMyAllocator', document.uri);
    assert.equal(json.preset, 'your allocator');
    assert.deepEqual([json.config.allocator, json.config.interface, json.errors], [fixture('overlap-bug.c'), 'csapp', 2]);
  });

  it('a crash is an error on its op with the steps before it; a file that does not compile shows the compiler\'s messages in itself', async () => {
    await vscode.workspace.getConfiguration('heapInspector').update('allocator', fixture('segfault.c'), vscode.ConfigurationTarget.Workspace);
    const document = await open(fixture('huge-request.rep'));
    await eventually(() => problems(document.uri), (p) => p.includes('9 Error allocator-failed'), 'the segmentation fault on line 9');
    // A layout stated wrong: said on the trace's first line, and the layout is found as without one.
    await vscode.workspace.getConfiguration('heapInspector').update('allocatorLayout', { wordSize: 4, allocatedBit: 5 }, vscode.ConfigurationTarget.Workspace);
    const warned = await eventually(() => vscode.languages.getDiagnostics(document.uri).map((d) => d.message), (m) => m.some((x) => x.startsWith('heapInspector.allocatorLayout:')), 'the stated layout refused on line 1');
    assert.match(warned.find((x) => x.startsWith('heapInspector.allocatorLayout:'))!, /allocatedBit 5 must be one of the 3 flag bits/);
    await eventually(() => problems(document.uri), (p) => p.includes('9 Error allocator-failed'), 'the run again, the crash still on line 9');
    const crash = vscode.languages.getDiagnostics(document.uri).find((d) => d.code === 'allocator-failed')!;
    assert.match(crash.message, /segmentation fault \(SIGSEGV\)/);
    const titles = new Map((await lenses(document.uri)).map((l) => [l.range.start.line + 1, l.command?.title ?? '']));
    assert.equal(titles.get(9), 'stopped here: a segmentation fault (SIGSEGV)', "the crashed op's lens");
    assert.equal(titles.get(10), 'not run: the allocator stopped at line 9');
    await vscode.workspace.getConfiguration('heapInspector').update('allocator', fixture('broken.c'), vscode.ConfigurationTarget.Workspace);
    const broken = vscode.Uri.file(fixture('broken.c'));
    const compile = await eventually(() => vscode.languages.getDiagnostics(broken), (d) => d.some((x) => x.severity === vscode.DiagnosticSeverity.Error), 'the compiler\'s error in broken.c');
    assert.equal(compile.find((d) => d.severity === vscode.DiagnosticSeverity.Error)!.range.start.line + 1, 34);
    await eventually(() => problems(document.uri), (p) => p.includes('1 Error allocator-compile'), 'the trace says it did not compile');
  });

  it('Score My Allocator: the lab\'s score of the allocator the setting names over the traces given; a trace that is not valid leaves no index', async function () {
    requireMalloclab(this);
    type Total = { invalid: number; perfIndex: { total: number } | null; total: { ops: number } | null; traces: { trace: string; valid: boolean; ops: number; problem: string | null }[] };
    await vscode.workspace.getConfiguration('heapInspector').update('allocator', fixture('textbook.c'), vscode.ConfigurationTarget.Workspace);
    const traces = ['short1-bal', 'short2-bal'].map((t) => vscode.Uri.file(join(MALLOCLAB_DIR, `${t}.rep`)));
    const total = (await vscode.commands.executeCommand<Total>('heapInspector.scoreMyAllocator', traces))!;
    assert.deepEqual(
      total.traces.map((t) => [t.trace, t.valid, t.ops]),
      [
        ['short1-bal.rep', true, 12],
        ['short2-bal.rep', true, 12],
      ],
    );
    assert.equal(total.total?.ops, 24);
    assert.ok(total.perfIndex !== null && total.perfIndex.total > 0 && total.perfIndex.total <= 100);
    const bad = (await vscode.commands.executeCommand<Total>('heapInspector.scoreMyAllocator', traces, fixture('overlap-bug.c')))!;
    assert.deepEqual([bad.invalid, bad.total, bad.perfIndex], [1, null, null]);
    assert.match(bad.traces[0]!.problem!, /^line 8: The payload 0x0010\.\.0x0040 overlaps/);
  });
});
