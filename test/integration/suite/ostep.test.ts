// OSTEP's model in the real VS Code: New OSTEP Exercise opens a script whose lenses hide their
// answers until asked (one op, or all), the answers are what `heap-inspector ostep -c` prints,
// and the heap panel, Run Trace and Compare Policies work on the model.

import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { EXTENSION_ID, openText, repoRoot, resetSettings } from './support';

async function lenses(uri: vscode.Uri): Promise<vscode.CodeLens[]> {
  return (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 10_000)) ?? [];
}

/** The lens titles by 1-based line. */
async function titles(uri: vscode.Uri): Promise<Map<number, string[]>> {
  const byLine = new Map<number, string[]>();
  for (const lens of await lenses(uri)) {
    const line = lens.range.start.line + 1;
    byLine.set(line, [...(byLine.get(line) ?? []), lens.command?.title ?? '']);
  }
  return byLine;
}

async function eventually<T>(get: () => Promise<T>, check: (v: T) => boolean, what: string): Promise<T> {
  let last: T | undefined;
  for (let i = 0; i < 100; i++) {
    last = await get();
    if (check(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`${what}; last seen: ${JSON.stringify(last, (_k, v: unknown) => (v instanceof Map ? [...v] : v))}`);
}

/** malloc.py's answers for the same flags, from the command line: each op's result line(s) and its list. */
function cliAnswers(flags: string[]): { result: string; list: string }[] {
  const run = spawnSync(process.execPath, [join(repoRoot, 'dist', 'cli.js'), 'ostep', ...flags, '-c'], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const body = run.stdout.slice(run.stdout.indexOf('\n\n') + 2);
  return body
    .split('\n\n')
    .filter((b) => b.length > 0)
    .map((b) => {
      const lines = b.split('\n');
      const result = lines[0]!.startsWith('Free(') ? lines[1]! : lines[0]!.slice(lines[0]!.indexOf(' returned ') + 1);
      return { result, list: lines[lines.length - 1]! };
    });
}

describe("OSTEP's model in the editor", function () {
  this.timeout(120_000);
  before(resetSettings);
  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('New OSTEP Exercise opens a script whose answers stay hidden until asked, one op or all', async () => {
    const opened = await vscode.commands.executeCommand<{ uri: string; text: string }>('heapInspector.newOstepExercise', { seed: 7, numOps: 12, policy: 'FIRST', order: 'SIZESORT-', coalesce: true });
    assert.ok(opened);
    const document = vscode.window.activeTextEditor!.document;
    assert.equal(document.uri.toString(), opened.uri);
    assert.equal(document.languageId, 'heap-script');
    assert.match(document.getText(), /^# OSTEP free-space exercise: malloc\.py -s 7 -n 12 -p FIRST -l SIZESORT- -C$/m);
    const opLines = document
      .getText()
      .split('\n')
      .flatMap((text, k) => (/^(ptr\d+ = malloc|free)\(/.test(text) ? [k + 1] : []));
    assert.equal(opLines.length, 12);

    const hidden = await eventually(() => titles(document.uri), (t) => (t.get(opLines[0]!)?.length ?? 0) > 0, 'the lenses');
    assert.deepEqual(hidden.get(1), ['Exercise · FIRST fit, SIZESORT-, coalescing · 12 ops · answers hidden', 'Show all answers']);
    for (const line of opLines) assert.deepEqual(hidden.get(line), ['answer hidden · Show answer'], `line ${line}`);
    const hover = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, new vscode.Position(opLines[0]! - 1, 1));
    const hoverText = hover.flatMap((h) => h.contents.map((c) => (c instanceof vscode.MarkdownString ? c.value : String(c)))).join('\n');
    assert.match(hoverText, /Answer hidden/);
    assert.doesNotMatch(hoverText, /returned|10\d\d/, 'the hover gives nothing away');

    const answers = cliAnswers(['-s', '7', '-n', '12', '-p', 'FIRST', '-l', 'SIZESORT-', '-C']);
    assert.equal(answers.length, 12);
    // One op's answer, as its lens's command asks for it.
    const third = (await lenses(document.uri)).find((l) => l.range.start.line === opLines[2]! - 1)!;
    assert.equal(third.command?.command, 'heapInspector.revealAnswer');
    await vscode.commands.executeCommand(third.command.command, ...(third.command.arguments ?? []));
    const one = await eventually(() => titles(document.uri), (t) => t.get(opLines[2]!)?.[0] !== 'answer hidden · Show answer', 'the third answer');
    assert.equal(one.get(opLines[2]!)![0], `${answers[2]!.result} · ${answers[2]!.list}`);
    assert.equal(one.get(opLines[3]!)![0], 'answer hidden · Show answer', 'the others stay hidden');

    // The heap is an answer too: the panel shows it once every answer is shown.
    const api = (await vscode.extensions.getExtension(EXTENSION_ID)!.activate()) as { panels: { state(): { uri: string | null; blocks: number | null } } };
    await vscode.commands.executeCommand('heapInspector.openHeapPanel', document.uri, 2);
    await eventually(async () => api.panels.state(), (p) => p.uri === document.uri.toString(), 'the panel on the exercise');
    assert.equal(api.panels.state().blocks, null, 'no heap while the answers are hidden');
    await vscode.commands.executeCommand('heapInspector.showAnswers', document.uri);
    await eventually(async () => api.panels.state(), (p) => p.blocks !== null && p.blocks > 0, 'the heap once every answer is shown');
    await vscode.window.showTextDocument(document);
    const all = await eventually(() => titles(document.uri), (t) => t.get(1)?.[1] === 'Hide answers', 'every answer');
    opLines.forEach((line, i) => assert.equal(all.get(line)![0], `${answers[i]!.result} · ${answers[i]!.list}`, `op ${i + 1}, line ${line}`));
    assert.match(all.get(1)![0]!, /^FIRST fit, SIZESORT-, coalescing · ostep · 12 ops · heap 100 B/);

    await vscode.commands.executeCommand('heapInspector.hideAnswers', document.uri);
    await eventually(() => titles(document.uri), (t) => t.get(opLines[2]!)?.[0] === 'answer hidden · Show answer', 'hidden again');
  });

  it('a script on the model: Run Trace, Compare Policies and the heap panel', async () => {
    const document = await openText(['set preset = ostep', 'set headerSize = 4', 'set order = INSERT-BACK', 'a = malloc(10)', 'b = malloc(20)', 'free(a)', 'c = malloc(6)', 'p = realloc(c, 9)'].join('\n'), 'heap-script');
    const diagnostics = await eventually(async () => vscode.languages.getDiagnostics(document.uri), (d) => d.length > 0, 'the realloc is refused');
    assert.deepEqual(diagnostics.map((d) => [d.range.start.line + 1, String(d.code), vscode.DiagnosticSeverity[d.severity]]), [[8, 'not-in-model', 'Error']]);
    const byLine = await titles(document.uri);
    assert.equal(byLine.get(4)![0], 'returned 1004 (searched 1 elements) · Free List [ Size 1 ]: [ addr:1014 sz:86 ]');
    assert.equal(byLine.get(7)![0], 'returned 1004 (searched 2 elements) · Free List [ Size 2 ]: [ addr:1038 sz:62 ][ addr:1010 sz:4 ]');
    const summary = await vscode.commands.executeCommand<{ preset: string; config: unknown; blocksExamined: number; errors: number }>('heapInspector.runTrace', document.uri);
    assert.equal(summary.preset, 'ostep');
    assert.deepEqual(summary.config, { size: 100, baseAddr: 1000, headerSize: 4, alignment: -1, policy: 'BEST', order: 'INSERT-BACK', coalesce: false });
    assert.deepEqual([summary.blocksExamined, summary.errors], [4, 1]);
    const compared = await vscode.commands.executeCommand<string>('heapInspector.comparePolicies', document.uri);
    assert.match(compared, /every policy and list order on OSTEP's model/);
    assert.match(compared, /^BEST \* {2}INSERT-BACK /m);

    await vscode.commands.executeCommand('heapInspector.openHeapPanel', document.uri, 3);
    const api = (await vscode.extensions.getExtension(EXTENSION_ID)!.activate()) as { panels: { state(): { visible: boolean; uri: string | null; step: number | null; blocks: number | null } } };
    for (let i = 0; i < 100 && api.panels.state().blocks === null; i++) await new Promise((r) => setTimeout(r, 100));
    const state = api.panels.state();
    assert.equal(state.uri, document.uri.toString());
    assert.equal(state.step, 3);
    assert.equal(state.blocks, 4, 'c, the 4 bytes c left of a, b and the rest');
  });
});
