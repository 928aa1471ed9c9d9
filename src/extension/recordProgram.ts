// Record a Program's Allocations (docs/recording.md, "In VS Code"): asks for a command line, runs
// `heap-inspector record` on it as a task in the terminal (the program's output is there, and it can
// read its input), and opens the trace when the task ends. Trusted workspaces only: it runs a program.
// The same task type runs from tasks.json: the provider fills in how to run it.

import { existsSync, mkdirSync } from 'node:fs';
import { basename, isAbsolute, join } from 'node:path';
import * as vscode from 'vscode';
import { recordingStem, splitCommandLine } from '../trace/index';
import { COMMANDS, RECORD_TASK_TYPE } from './commandIds';
import { SECTION } from './settings';


/** What the command did: the trace it opened (null when nothing was recorded) and the task's exit code. */
export interface RecordResult {
  readonly trace: string | null;
  readonly exitCode: number | undefined;
}

/** A recording task's definition, as package.json's taskDefinitions states it. */
interface RecordDefinition extends vscode.TaskDefinition {
  readonly command: readonly string[];
  readonly output?: string;
}

/** Where the command and the task run, and where the recorder is built. */
interface RecordPlace {
  readonly extensionUri: vscode.Uri;
  readonly storageUri: vscode.Uri;
}

/**
 * The command and the task provider. The command's arguments, for tests and other extensions: the
 * command line (a string as typed, or its words) and the trace's path; without them it asks, and
 * names the trace after the program in the recordings folder.
 */
export function registerRecordCommand(extensionUri: vscode.Uri, storageUri: vscode.Uri): vscode.Disposable {
  const place: RecordPlace = { extensionUri, storageUri };
  /** The traces the command is recording: it opens them itself; the others (tasks.json's) open when their task ends. */
  const byCommand = new Set<string>();
  let last = '';
  const command = vscode.commands.registerCommand(COMMANDS.recordProgram, async (commandLine?: string | readonly string[], output?: string): Promise<RecordResult | undefined> => {
    if (!trusted()) return undefined;
    const words = Array.isArray(commandLine) ? commandLine : await askCommand(typeof commandLine === 'string' ? commandLine : undefined, last);
    if (words === undefined) return undefined;
    if (typeof commandLine !== 'object') last = words.join(' ');
    const folder = fileFolder();
    const trace = output ?? freshName(recordingsFolder(place, folder), words[0]!);
    byCommand.add(trace);
    try {
      const exitCode = await runTask(recordTask(place, { type: RECORD_TASK_TYPE, command: [...words], output: trace }, folder));
      return { trace: (await openTrace(trace, words, exitCode)) ? trace : null, exitCode };
    } finally {
      byCommand.delete(trace);
    }
  });
  const provider = vscode.tasks.registerTaskProvider(RECORD_TASK_TYPE, {
    provideTasks: () => [],
    resolveTask(task) {
      const problem = definitionProblem(task.definition);
      if (problem !== null) {
        void vscode.window.showErrorMessage(`Heap Inspector: the ${RECORD_TASK_TYPE} task "${task.name}" ${problem}.`);
        return undefined;
      }
      if (!trusted()) return undefined;
      const folder = typeof task.scope === 'object' ? task.scope : fileFolder();
      return recordTask(place, task.definition as RecordDefinition, folder, task);
    },
  });
  const ended = vscode.tasks.onDidEndTaskProcess((e) => {
    const trace = traceOf(e.execution.task);
    if (trace === null || byCommand.has(trace)) return;
    void openTrace(trace, e.execution.task.definition.command as string[], e.exitCode);
  });
  return vscode.Disposable.from(command, provider, ended);
}

function trusted(): boolean {
  if (vscode.workspace.isTrusted) return true;
  void vscode.window.showWarningMessage('Heap Inspector: recording runs a program, which needs a trusted workspace (Manage Workspace Trust).');
  return false;
}

function fileFolder(): vscode.WorkspaceFolder | undefined {
  return vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file');
}

/** Why a definition from tasks.json cannot run, or null. */
function definitionProblem(definition: vscode.TaskDefinition): string | null {
  const command: unknown = definition.command;
  if (!Array.isArray(command) || command.length === 0 || !command.every((w) => typeof w === 'string' && w !== '')) return 'needs "command": the program and its arguments, as a list of words such as ["python3", "script.py"]';
  if (definition.output !== undefined && (typeof definition.output !== 'string' || definition.output.trim() === '')) return 'has an "output" that is not a file name';
  return null;
}

/** heapInspector.recordingsFolder (relative to the workspace folder), else the workspace folder, else the extension's storage; made if missing. */
function recordingsFolder(place: RecordPlace, folder: vscode.WorkspaceFolder | undefined): string {
  const setting = vscode.workspace.getConfiguration(SECTION, folder?.uri).get<string>('recordingsFolder', '').trim();
  const base = folder?.uri.fsPath;
  const dir = setting !== '' && (isAbsolute(setting) || base) ? (isAbsolute(setting) ? setting : join(base!, setting)) : (base ?? join(place.storageUri.fsPath, 'recordings'));
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Opens the trace the recording wrote; when there is none, says so. Whether it was there. */
async function openTrace(trace: string, words: readonly string[], exitCode: number | undefined): Promise<boolean> {
  if (!existsSync(trace)) {
    void vscode.window.showWarningMessage(`Heap Inspector: nothing was recorded from ${basename(words[0] ?? 'the program')} (exit code ${exitCode ?? 'unknown'}); the terminal says why.`);
    return false;
  }
  await vscode.window.showTextDocument(vscode.Uri.file(trace), { preview: false });
  return true;
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

/**
 * The task that runs `record` from the extension's dist/ on the definition's command line, the
 * recorder built into the extension's cache of compiled C; `resolving` is the task from tasks.json
 * being filled in (its definition kept as it is, as VS Code requires). A definition without
 * `output` records into the recordings folder, named after the program.
 */
function recordTask(place: RecordPlace, definition: RecordDefinition, folder: vscode.WorkspaceFolder | undefined, resolving?: vscode.Task): vscode.Task {
  const cli = vscode.Uri.joinPath(place.extensionUri, 'dist', 'cli.js').fsPath;
  const words = definition.command;
  const given = definition.output;
  const trace = given === undefined ? freshName(recordingsFolder(place, folder), words[0]!) : isAbsolute(given) || !folder ? given : join(folder.uri.fsPath, given);
  // The editor's own runtime runs the command line: Electron as Node in the desktop, Node in a server.
  const execution = new vscode.ProcessExecution(process.execPath, [cli, 'record', '--summary', '-o', trace, '--', ...words], {
    env: { ELECTRON_RUN_AS_NODE: '1', HEAP_INSPECTOR_CACHE: join(place.storageUri.fsPath, 'allocators') },
    ...(folder ? { cwd: folder.uri.fsPath } : {}),
  });
  const task = resolving
    ? new vscode.Task(resolving.definition, resolving.scope ?? vscode.TaskScope.Workspace, resolving.name, 'Heap Inspector', execution)
    : new vscode.Task(definition, folder ?? vscode.TaskScope.Workspace, `record ${basename(words[0]!)}`, 'Heap Inspector', execution);
  task.presentationOptions = { reveal: vscode.TaskRevealKind.Always, panel: vscode.TaskPanelKind.Dedicated, clear: true };
  return task;
}

/** The trace a recording task writes (its `record -o`), or null for another task. */
function traceOf(task: vscode.Task): string | null {
  if (task.definition.type !== RECORD_TASK_TYPE || !(task.execution instanceof vscode.ProcessExecution)) return null;
  const args = task.execution.args;
  const at = args.indexOf('-o');
  return at >= 0 && at + 1 < args.length ? args[at + 1]! : null;
}

/** Runs a recording task; resolves with its exit code when it ends. */
async function runTask(task: vscode.Task): Promise<number | undefined> {
  const trace = traceOf(task);
  return new Promise((done) => {
    // Listening before it starts: a short program can end before executeTask resolves.
    const ended = vscode.tasks.onDidEndTaskProcess((e) => {
      if (traceOf(e.execution.task) !== trace) return;
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
