// Record a Program's Allocations in the real VS Code (docs/recording.md, "In VS Code"): a command
// line runs in a task terminal with the recorder, and the trace it wrote opens when it ends.

import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { extension } from './support';

describe("Record a Program's Allocations", function () {
  this.timeout(180_000);
  const folder = () => vscode.workspace.workspaceFolders![0]!.uri.fsPath;
  after(async () => {
    for (const name of ['recorded-sort.rep', 'recorded-sort.rep.jsonl']) rmSync(join(folder(), name), { force: true });
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('runs the command line with the recorder in a task and opens the trace it wrote', async function () {
    if (process.platform !== 'linux') this.skip();
    await (await extension()).activate();
    const trace = join(folder(), 'recorded-sort.rep');
    const result = await vscode.commands.executeCommand<{ trace: string | null; exitCode: number | undefined }>('heapInspector.recordProgram', "sort 'tiny.rep'", trace);
    assert.deepEqual(result, { trace, exitCode: 0 });
    assert.equal(vscode.window.activeTextEditor?.document.uri.fsPath, trace);
    assert.equal(vscode.window.activeTextEditor?.document.languageId, 'malloclab-trace');
    assert.ok(existsSync(`${trace}.jsonl`));
    const sidecar = JSON.parse(readFileSync(`${trace}.jsonl`, 'utf8').split('\n')[0]!) as { format: string; command: string[]; exit: { status: number } };
    assert.deepEqual([sidecar.format, sidecar.command, sidecar.exit.status], ['heap-inspector-recording', ['sort', 'tiny.rep'], 0]);
    const run = await vscode.commands.executeCommand<{ errors: number; ops: number }>('heapInspector.runTrace', vscode.Uri.file(trace));
    assert.equal(run.errors, 0);
    assert.ok(run.ops > 0);
  });
});
