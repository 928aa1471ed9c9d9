// The commands, registered in one place. Each takes optional arguments so that menus, tests and
// other extensions can run it without a picker, and returns what it did. Those that need a whole
// run wait for the session's sliced replay (with its progress notification), never replay at once.

import * as vscode from 'vscode';
import { POLICIES, PRESET_DESCRIPTIONS, PRESET_NAMES, type Policy } from '../engine/config';
import { clampStep, Comparison, compareOstep, formatOstepComparison, errorCount, formatComparison, formatHeapPicture, formatRunSummary, percent, sourceOf, runJson, withOwnRow, type TraceRun } from '../trace/index';
import type { Answers } from './answers';
import { COMMANDS, LANGUAGES } from './commandIds';
import { convertLogDocument, logFormatOf, showConverted } from './convertTrace';
import { cursorStep } from './cursorStep';
import { newOstepExercise, type ExerciseArgs } from './ostepExercises';
import { DisposableStore } from './dispose';
import { isFile } from './fileSessions';
import type { HeapViews } from './heapViews';
import type { HeapPanels } from './panels';
import { allocatorSetting, heapSettings, SECTION, settingsTarget } from './settings';
import { runComparison } from './runComparison';
import { isTraceDocument, TraceSession, type TraceSessions } from './traceSessions';

const POLICY_DESCRIPTIONS: Readonly<Record<Policy, string>> = {
  sbrk: 'the baseline: every malloc moves the break, free does nothing',
  first: 'the lowest-address free block that fits',
  next: 'first fit, starting where the last search stopped',
  best: 'the smallest free block that fits',
  worst: 'the largest free block, split in two',
};

/** Select Policy's item for the user's own allocator. */
const OWN_ITEM = 'your allocator (mm.c)';

export interface CommandContext {
  /** A process can run (the desktop entry): Run My Allocator on This Trace is registered here; in the browser src/extension/desktopOnly.ts says it needs the desktop app. */
  readonly desktop: boolean;
  readonly extensionUri: vscode.Uri;
  readonly answers: Answers;
  readonly sessions: TraceSessions;
  readonly output: vscode.LogOutputChannel;
  readonly views: HeapViews;
  readonly panels: HeapPanels;
}

export function registerCommands(ctx: CommandContext): vscode.Disposable {
  const store = new DisposableStore();
  const register = (id: string, run: (...args: never[]) => unknown) => store.add(vscode.commands.registerCommand(id, run));

  // A trace file read without a document, shown in the panel (docs/editor.md, "Big traces").
  register(COMMANDS.openLargeTrace, async (target?: vscode.Uri) => {
    const uri = target instanceof vscode.Uri ? target : (await vscode.window.showOpenDialog({ canSelectMany: false, title: 'Open Large Trace in the Heap Panel', filters: { Traces: ['rep', 'heap', 'mtrace', 'ltrace'] } }))?.[0];
    if (!uri) return undefined;
    const session = ctx.sessions.file(uri);
    if (!session) {
      void vscode.window.showErrorMessage(`Heap Inspector: ${uri.path.slice(uri.path.lastIndexOf('/') + 1)} is not a trace (.rep, .heap, .mtrace or .ltrace).`);
      return undefined;
    }
    return ctx.panels.open(session);
  });

  register(COMMANDS.runTrace, async (target?: vscode.Uri) => {
    const session = await sessionFor(ctx, target);
    if (!session) return undefined;
    const run = await session.complete();
    if (!run?.replay.done) return stopped(session, run);
    const summary = formatRunSummary(session.name, run);
    ctx.output.info(`Run Trace: ${session.uri.toString()}\n${summary}`);
    for (const problem of session.settingsProblems) ctx.output.warn(problem);
    const source = sourceOf(run);
    const m = source.metricsAt(source.steps - 1);
    const errors = errorCount(run.diagnostics);
    const message = `${session.name}: heap ${m.heapSize} bytes, utilisation ${percent(m.utilisation)}, ${source.steps} ops (${source.label}, ${source.preset} preset)${errors > 0 ? `; ${errors} error${errors === 1 ? '' : 's'}` : ''}`;
    void (errors > 0 ? vscode.window.showWarningMessage(message, 'Show Output') : vscode.window.showInformationMessage(message, 'Show Output')).then((choice) => {
      if (choice) ctx.output.show(true);
    });
    return runJson(run);
  });

  register(COMMANDS.resumeReplay, async (target?: vscode.Uri | string) => {
    const session = await sessionFor(ctx, typeof target === 'string' ? vscode.Uri.parse(target) : target);
    if (!session) return undefined;
    session.resume();
    return session.state;
  });

  register(COMMANDS.selectPolicy, async (policy?: string) => {
    const own = allocatorSetting(vscode.window.activeTextEditor?.document.uri).file;
    const ownItem = { label: OWN_ITEM, description: own ? `${own.split(/[\\/]/).pop()}, compiled with the malloc lab's memlib` : 'your mm.c, compiled with the malloc lab\'s memlib (choose the file)' };
    const chosen = policy ?? (await pick('Allocation policy for traces', [...POLICIES.map((p) => ({ label: p, description: POLICY_DESCRIPTIONS[p] })), ...(ctx.desktop ? [ownItem] : [])], own ? OWN_ITEM : vscode.workspace.getConfiguration(SECTION).get<string>('policy')));
    if (chosen === undefined) return undefined;
    if (chosen === OWN_ITEM) return vscode.commands.executeCommand(COMMANDS.runMyAllocator);
    const set = await selectSetting('policy', 'Allocation policy for traces', POLICIES, POLICY_DESCRIPTIONS, chosen);
    // A simulated policy chosen: the traces leave the user's allocator for it.
    if (set !== undefined && own) await vscode.workspace.getConfiguration(SECTION).update('allocator', undefined, settingsTarget());
    return set;
  });

  if (ctx.desktop) register(COMMANDS.runMyAllocator, async (target?: vscode.Uri, allocator?: vscode.Uri | string) => {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage('Heap Inspector: running your allocator compiles and runs the workspace\'s C code, which needs a trusted workspace (Manage Workspace Trust).');
      return undefined;
    }
    const session = await sessionFor(ctx, target);
    if (!session) return undefined;
    const current = allocatorSetting(session.uri).file;
    let file: string | undefined = typeof allocator === 'string' ? allocator : (allocator?.fsPath ?? current ?? undefined);
    if (file === undefined) {
      const picked = await vscode.window.showOpenDialog({ title: 'Your allocator (mm.c)', canSelectMany: false, filters: { 'C source': ['c'] }, openLabel: 'Run My Allocator' });
      file = picked?.[0]?.fsPath;
    }
    if (file === undefined) return undefined;
    if (file !== current) await vscode.workspace.getConfiguration(SECTION).update('allocator', file, settingsTarget());
    const run = await session.complete();
    if (!run || run.model !== 'own') return stopped(session, run);
    ctx.output.info(formatRunSummary(session.name, run));
    const errors = errorCount(run.diagnostics);
    void vscode.window.showInformationMessage(`${session.name} on ${file.split(/[\\/]/).pop()}: ${run.replay.recorded} of ${run.replay.length} ops, ${errors === 0 ? 'no errors' : `${errors} error${errors === 1 ? '' : 's'} (see the Problems view)`}.`);
    return runJson(run);
  });
  register(COMMANDS.selectPreset, (preset?: string) => selectSetting('preset', 'Heap layout preset', PRESET_NAMES, PRESET_DESCRIPTIONS, preset));

  register(COMMANDS.convertTrace, async (target?: vscode.Uri) => {
    const found = await documentFor(ctx, target);
    const document = found instanceof TraceSession ? undefined : found;
    // A log open as plain text (a .log file, say) converts too; no session reads it.
    const log = document && !isTraceDocument(document) ? logFormatOf(document) : undefined;
    if (document && log) return convertLogDocument(ctx.output, document, log);
    const session = found instanceof TraceSession ? found : sessionOf(ctx, document);
    if (!session) return undefined;
    // The session's trace is this text parsed (a slice at a time for a long one).
    const trace = (await session.parsed())?.trace;
    if (!trace) return stopped(session, undefined);
    return showConverted(ctx.output, session.name, trace);
  });

  register(COMMANDS.newScriptFromSample, async (sample?: string) => {
    const dir = vscode.Uri.joinPath(ctx.extensionUri, 'samples');
    const entries = (await vscode.workspace.fs.readDirectory(dir)).filter(([name, type]) => type === vscode.FileType.File && /\.(heap|rep)$/.test(name)).map(([name]) => name).sort();
    const chosen = sample ?? (await pick('Sample to start from', entries.map((e) => ({ label: e })), undefined));
    if (chosen === undefined) return undefined;
    if (!entries.includes(chosen)) {
      void vscode.window.showErrorMessage(`There is no sample "${chosen}"; the samples are ${entries.join(', ')}.`);
      return undefined;
    }
    const bytes = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(dir, chosen));
    const document = await vscode.workspace.openTextDocument({
      language: chosen.endsWith('.rep') ? LANGUAGES.rep : LANGUAGES.heap,
      content: new TextDecoder().decode(bytes),
    });
    await vscode.window.showTextDocument(document, { preview: false });
    return { sample: chosen, uri: document.uri.toString() };
  });

  register(COMMANDS.showOutput, () => ctx.output.show());

  register(COMMANDS.newOstepExercise, async (args?: ExerciseArgs) => {
    try {
      return await newOstepExercise(args);
    } catch (err) {
      void vscode.window.showErrorMessage(`Heap Inspector: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    }
  });

  // An exercise's answers: all of them, none again, or one op's (its lens and hover).
  register(COMMANDS.showAnswers, async (target?: vscode.Uri) => {
    const session = await sessionFor(ctx, target);
    if (!session) return false;
    ctx.answers.showAll(session.uri);
    return true;
  });
  register(COMMANDS.hideAnswers, async (target?: vscode.Uri) => {
    const session = await sessionFor(ctx, target);
    if (!session) return false;
    ctx.answers.hideAll(session.uri);
    return true;
  });
  register(COMMANDS.revealAnswer, async (target?: vscode.Uri | string, opIndex?: number) => {
    // A hover's command link passes the uri as a string.
    const uri = typeof target === 'string' ? vscode.Uri.parse(target) : target;
    const session = await sessionFor(ctx, uri);
    if (!session || typeof opIndex !== 'number' || !Number.isInteger(opIndex) || opIndex < 0) return false;
    ctx.answers.reveal(session.uri, opIndex);
    return true;
  });

  register(COMMANDS.openHeapPanel, async (target?: vscode.Uri, step?: number) => {
    const session = await sessionFor(ctx, target);
    if (!session) return undefined;
    // A lens click names its step; the palette and the editor title open at the cursor's op (docs/editor.md, "The heap panel").
    let at = typeof step === 'number' && Number.isInteger(step) ? step : cursorStep(session);
    // A step already replayed opens at once; the last step needs the whole run.
    const run = at !== undefined && session.latest && at < sourceOf(session.latest).steps ? session.latest : await session.complete();
    if (!run) return stopped(session, run);
    if (!run.replay.done) void stopped(session, run);
    at ??= cursorStep(session); // the trace was not read yet before
    return ctx.panels.open(session, at);
  });

  // The panel builds the picture and posts it back; savePicture (diagramExport.ts) asks where it goes.
  for (const [id, format] of [[COMMANDS.exportDiagramSvg, 'svg'], [COMMANDS.exportDiagramPng, 'png']] as const) {
    register(id, () => ctx.panels.requestExport(format) || void vscode.window.showInformationMessage('Heap Inspector: open the heap panel on a trace to export its diagram.'));
  }

  for (const [id, delta] of [[COMMANDS.stepForward, 1], [COMMANDS.stepBack, -1]] as const) {
    register(id, async () => {
      const session = await sessionFor(ctx, undefined);
      return session ? ctx.panels.move(session, delta) : undefined;
    });
  }

  register(COMMANDS.comparePolicies, async (target?: vscode.Uri) => {
    const session = await sessionFor(ctx, target);
    if (!session) return undefined;
    const run = await session.complete();
    if (!run?.replay.done) return stopped(session, run);
    if (run.model === 'ostep') {
      // OSTEP's model: malloc.py's policies and list orders, each a quick run of the script.
      const text = formatOstepComparison(session.name, run.config, compareOstep(run.trace, run.config));
      await ctx.views.show(`/${session.name} - every policy.txt`, text);
      return text;
    }
    // The session's run stands for its own policy; the others are replayed without history.
    const every = Comparison.of(run.trace, { defaults: heapSettings(session.uri).options }, { ...(run.model === 'engine' ? { known: run } : {}), families: true });
    if (!(await runComparison(every, `Heap Inspector: every policy on ${session.name}`, session.isBig))) {
      void vscode.window.showInformationMessage(`Heap Inspector: the comparison of every policy on ${session.name} was cancelled.`);
      return undefined;
    }
    // The user's own allocator (heapInspector.allocator): its run is the session's, a row after the simulated ones.
    const comparison = run.model === 'own' ? withOwnRow(every.result()!, run.source, run.diagnostics) : every.result()!;
    const text = formatComparison(session.name, comparison);
    await ctx.views.show(`/${session.name} - every policy.txt`, text);
    return comparison;
  });

  register(COMMANDS.showHeapAtStep, async (target?: vscode.Uri, opIndex?: number) => {
    const session = await sessionFor(ctx, target);
    if (!session) return undefined;
    const wanted = typeof opIndex === 'number' && Number.isInteger(opIndex) ? opIndex : undefined;
    const latest = session.latest;
    const run = wanted !== undefined && latest && wanted < sourceOf(latest).steps ? latest : await session.complete();
    if (!run) return stopped(session, run);
    const source = sourceOf(run);
    const i = clampStep(source, wanted ?? source.steps - 1);
    const heading = i < 0 ? `${session.name}: the heap before the first op` : `${session.name}, line ${run.trace.ops.line(i)} (op ${i + 1} of ${source.length}): ${source.summaryAt(i)}`;
    const text = `${heading}\n\n${formatHeapPicture(source, i)}\n`;
    await ctx.views.show(`/${session.name} - step ${i + 1}.txt`, text);
    return text;
  });

  return store;
}

/** Says that the user stopped the replay (or the reading) of a trace, with a way to go on (nothing if it failed); returns undefined. */
function stopped(session: TraceSession, run: TraceRun | undefined): undefined {
  if (session.state === 'error') return undefined; // the failure was shown when it happened
  const what = run ? `the replay of ${session.name} was stopped after ${run.replay.recorded.toLocaleString('en-US')} of ${run.replay.length.toLocaleString('en-US')} ops` : `reading ${session.name} was stopped`;
  void vscode.window.showInformationMessage(`Heap Inspector: ${what}.`, 'Resume').then((choice) => {
    if (choice) session.resume();
  });
  return undefined;
}

/**
 * The session of the given file, or of the active editor, or else of the trace the panel shows (a
 * file read without a document among them, docs/editor.md, "Big traces"); says why when there is none.
 */
async function sessionFor(ctx: CommandContext, target: vscode.Uri | undefined): Promise<TraceSession | undefined> {
  const file = target instanceof vscode.Uri ? ctx.sessions.sessionOfFile(target) : shownSession(ctx);
  if (file) return file;
  const found = await documentFor(ctx, target);
  return found instanceof TraceSession ? found : sessionOf(ctx, found);
}

/**
 * The document a command works on: `target` opened, else the active editor's. A trace file that
 * cannot be opened as a document (over the 50 MB VS Code opens for extensions) is read without
 * one: its session (docs/limits.md). Said when there is neither.
 */
async function documentFor(ctx: CommandContext, target: vscode.Uri | undefined): Promise<vscode.TextDocument | TraceSession | undefined> {
  if (!(target instanceof vscode.Uri)) return vscode.window.activeTextEditor?.document;
  try {
    return await vscode.workspace.openTextDocument(target);
  } catch (err) {
    const file = (await isFile(target)) ? ctx.sessions.file(target) : undefined;
    if (file) return file;
    void vscode.window.showErrorMessage(`Heap Inspector cannot open ${target.fsPath || target.toString()}: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  }
}

/** With no trace in the active editor (the panel has the focus, say), the session of the trace the panel shows. */
function shownSession(ctx: CommandContext): TraceSession | undefined {
  const active = vscode.window.activeTextEditor?.document;
  const shown = ctx.panels.state().uri;
  if ((active && isTraceDocument(active)) || shown === null) return undefined;
  const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === shown);
  return document ? ctx.sessions.get(document) : ctx.sessions.sessionOfFile(vscode.Uri.parse(shown));
}

/** The session of a trace document; said when there is none. */
function sessionOf(ctx: CommandContext, document: vscode.TextDocument | undefined): TraceSession | undefined {
  const session = document && isTraceDocument(document) ? ctx.sessions.get(document) : undefined;
  if (!session) {
    void vscode.window.showErrorMessage('Heap Inspector: open a malloc lab trace (.rep), a heap script (.heap) or an allocation log (.mtrace, .ltrace) first.');
  }
  return session;
}

/** Sets `heapInspector.<key>` to `value`, or to what the user picks; returns what was set. */
async function selectSetting<T extends string>(key: string, title: string, allowed: readonly T[], descriptions: Readonly<Record<T, string>>, value: string | undefined): Promise<T | undefined> {
  const current = vscode.workspace.getConfiguration(SECTION).get<string>(key);
  const chosen = value ?? (await pick(title, allowed.map((a) => ({ label: a, description: descriptions[a] })), current));
  if (chosen === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(chosen)) {
    void vscode.window.showErrorMessage(`Unknown ${key} "${chosen}"; choose one of ${allowed.join(', ')}.`);
    return undefined;
  }
  await vscode.workspace.getConfiguration(SECTION).update(key, chosen, settingsTarget());
  return chosen as T;
}

async function pick(title: string, items: vscode.QuickPickItem[], current: string | undefined): Promise<string | undefined> {
  const marked = items.map((i) => (i.label === current ? { ...i, detail: 'current setting' } : i));
  const choice = await vscode.window.showQuickPick(marked, { title, placeHolder: title });
  return choice?.label;
}
