// Record a Program's Allocations in the real VS Code (docs/recording.md, "In VS Code"): a command
// line runs in a task terminal with the recorder, and the trace it wrote opens when it ends.

import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { extension } from './support';

describe("Record a Program's Allocations", function () {
  this.timeout(180_000);
  const folder = () => vscode.workspace.workspaceFolders![0]!.uri.fsPath;
  after(async () => {
    for (const name of ['recorded-sort.rep', 'recorded-sort.rep.jsonl', 'task-recordings', '.vscode/tasks.json']) rmSync(join(folder(), name), { force: true, recursive: true });
    await vscode.workspace.getConfiguration('heapInspector').update('recordingsFolder', undefined, vscode.ConfigurationTarget.Workspace);
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

  it('runs a heapInspector.record task from tasks.json (filled in by the provider) into the recordings folder, and opens its trace when it ends', async function () {
    if (process.platform !== 'linux') this.skip();
    await (await extension()).activate();
    await vscode.workspace.getConfiguration('heapInspector').update('recordingsFolder', 'task-recordings', vscode.ConfigurationTarget.Workspace);
    mkdirSync(join(folder(), '.vscode'), { recursive: true });
    writeFileSync(join(folder(), '.vscode', 'tasks.json'), JSON.stringify({ version: '2.0.0', tasks: [{ type: 'heapInspector.record', label: 'record sort of tiny', command: ['sort', 'tiny.rep'] }, { type: 'heapInspector.record', label: 'no command' }] }));
    // The workbench reads tasks.json as it changes: wait until it lists the task.
    let task: vscode.Task | undefined;
    for (let k = 0; k < 100 && !task; k++) {
      task = (await vscode.tasks.fetchTasks({ type: 'heapInspector.record' })).find((t) => t.name === 'record sort of tiny');
      if (!task) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(task, 'the task from tasks.json is listed');
    const ended = new Promise<number | undefined>((done) => {
      const listener = vscode.tasks.onDidEndTaskProcess((e) => {
        if (e.execution.task.name !== 'record sort of tiny') return;
        listener.dispose();
        done(e.exitCode);
      });
    });
    await vscode.tasks.executeTask(task);
    assert.equal(await ended, 0);
    const dir = join(folder(), 'task-recordings');
    assert.deepEqual(readdirSync(dir).sort(), ['sort.rep', 'sort.rep.jsonl'], 'named after the program, in the folder the setting names');
    const trace = join(dir, 'sort.rep');
    for (let k = 0; k < 100 && vscode.window.activeTextEditor?.document.uri.fsPath !== trace; k++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(vscode.window.activeTextEditor?.document.uri.fsPath, trace, 'the trace opens when the task ends');
  });
});
