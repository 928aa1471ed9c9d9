// Record a Program's Allocations (docs/recording.md, "In VS Code"): asks for a command line, runs
// `heap-inspector record` on it as a task in the terminal (the program's output is there, and it can
// read its input), and opens the trace when the task ends. Trusted workspaces only: it runs a program.

import { existsSync, mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import * as vscode from 'vscode';
import { recordingStem, splitCommandLine } from '../trace/index';
import { COMMANDS } from './commandIds';

/** The task type package.json declares for recordings. */
export const RECORD_TASK_TYPE = 'heapInspector.record';

/** What the command did: the trace it opened (null when nothing was recorded) and the task's exit code. */
export interface RecordResult {
  readonly trace: string | null;
  readonly exitCode: number | undefined;
}

/**
 * The command. Its arguments, for tests and other extensions: the command line (a string as typed,
 * or its words) and the trace's path; without them it asks, and names the trace after the program
 * in the workspace folder.
 */
export function registerRecordCommand(extensionUri: vscode.Uri, storageUri: vscode.Uri): vscode.Disposable {
  let last = '';
  return vscode.commands.registerCommand(COMMANDS.recordProgram, async (commandLine?: string | readonly string[], output?: string): Promise<RecordResult | undefined> => {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage('Heap Inspector: recording runs a program, which needs a trusted workspace (Manage Workspace Trust).');
      return undefined;
    }
    const words = Array.isArray(commandLine) ? commandLine : await askCommand(typeof commandLine === 'string' ? commandLine : undefined, last);
    if (words === undefined) return undefined;
    if (typeof commandLine !== 'object') last = words.join(' ');
    const folder = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file');
    const dir = folder?.uri.fsPath ?? join(storageUri.fsPath, 'recordings');
    mkdirSync(dir, { recursive: true });
    const trace = output ?? freshName(dir, words[0]!);
    const exitCode = await runTask(extensionUri, words, trace, folder, join(storageUri.fsPath, 'allocators'));
    if (!existsSync(trace)) {
      void vscode.window.showWarningMessage(`Heap Inspector: nothing was recorded from ${basename(words[0]!)} (exit code ${exitCode ?? 'unknown'}); the terminal says why.`);
      return { trace: null, exitCode };
    }
    await vscode.window.showTextDocument(vscode.Uri.file(trace), { preview: false });
    return { trace, exitCode };
  });
}

/** The command line from the input box (or as given), split into words; undefined when cancelled or refused. */
async function askCommand(given: string | undefined, last: string): Promise<readonly string[] | undefined> {
  const problem = (text: string) => {
    const split = splitCommandLine(text);
    return 'problem' in split ? split.problem : undefined;
  };
  const text =
    given ??
    (await vscode.window.showInputBox({
      title: "Record a Program's Allocations",
      prompt: "The program and its arguments, as in a shell (for pipes or redirections, run sh -c '...')",
      placeHolder: 'python3 script.py',
      value: last,
      validateInput: problem,
    }));
  if (text === undefined) return undefined;
  const split = splitCommandLine(text);
  if ('problem' in split) {
    void vscode.window.showErrorMessage(`Heap Inspector: ${split.problem}.`);
    return undefined;
  }
  return split.words;
}

/** Runs the command line's `record` from the extension's dist/ as a task, the recorder built into the extension's cache of compiled C; resolves with its exit code when it ends. */
async function runTask(extensionUri: vscode.Uri, words: readonly string[], trace: string, folder: vscode.WorkspaceFolder | undefined, cacheDir: string): Promise<number | undefined> {
  const cli = vscode.Uri.joinPath(extensionUri, 'dist', 'cli.js').fsPath;
  // The editor's own runtime runs the command line: Electron as Node in the desktop, Node in a server.
  const execution = new vscode.ProcessExecution(process.execPath, [cli, 'record', '--summary', '-o', trace, '--', ...words], {
    env: { ELECTRON_RUN_AS_NODE: '1', HEAP_INSPECTOR_CACHE: cacheDir },
    ...(folder ? { cwd: folder.uri.fsPath } : {}),
  });
  const task = new vscode.Task({ type: RECORD_TASK_TYPE, command: [...words], output: trace }, folder ?? vscode.TaskScope.Workspace, `record ${basename(words[0]!)}`, 'Heap Inspector', execution);
  task.presentationOptions = { reveal: vscode.TaskRevealKind.Always, panel: vscode.TaskPanelKind.Dedicated, clear: true };
  return new Promise((done) => {
    // Listening before it starts: a short program can end before executeTask resolves.
    const ended = vscode.tasks.onDidEndTaskProcess((e) => {
      if (e.execution.task.definition.type !== RECORD_TASK_TYPE || e.execution.task.definition.output !== trace) return;
      ended.dispose();
      done(e.exitCode);
    });
    vscode.tasks.executeTask(task).then(undefined, (err: unknown) => {
      ended.dispose();
      void vscode.window.showErrorMessage(`Heap Inspector: the recording could not start: ${err instanceof Error ? err.message : String(err)}`);
      done(undefined);
    });
  });
}

/** `name.rep` in the folder, or `name-2.rep`, `name-3.rep`, ...: never a file that is there. */
function freshName(dir: string, program: string): string {
  const name = recordingStem(program);
  let path = join(dir, `${name}.rep`);
  for (let k = 2; existsSync(path); k++) path = join(dir, `${name}-${k}.rep`);
  return path;
}
