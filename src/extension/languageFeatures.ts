// What the trace file shows: lenses (or inlay hints past a size limit), diagnostics and quick fixes,
// hovers, an outline of lifetimes, a status bar item. All read the session's run, partial or not
// (ops not replayed yet say so); providers wait at most for the reading and cost what is on screen.

import * as vscode from 'vscode';
import { BLOCK_STATUSES } from '../engine/results';
import { hex } from '../engine/memory';
import { cappedDiagnostics, codeBlock, codeSpan, describeLife, describeRun, errorCount, escapeMarkdown, percent, problemCount, sourceOf, slotName, type Diagnostic as TraceDiagnostic, formatAddress, type AddressStyle, type BlockLife, type HeapState, type OpTable, type TraceRun } from '../trace/index';
import { COMMANDS, TRACE_LANGUAGES } from './commandIds';
import { toDiagnostic, toRange } from './convert';
import { DisposableStore } from './dispose';
import { codeLensEnabled, codeLensMaxOps } from './settings';
import type { TraceSession, TraceSessions } from './traceSessions';
import { Answers } from './answers';
import { firstIndex, lowerBound } from '../shared/bisect';
import { linkWordText, listNodeOf } from '../shared/protocol';

const SELECTOR: vscode.DocumentSelector = TRACE_LANGUAGES.flatMap((language) => [
  { language, scheme: 'file' },
  { language, scheme: 'untitled' },
  { language, scheme: 'vscode-vfs' },
  { language, scheme: 'vscode-remote' },
]);

/** VS Code shows at most 1000 problems per file; more would only cost time to convert and send. */
export const MAX_PUBLISHED_DIAGNOSTICS = 1000;
/** Past the lens limit, lenses stay on at most this many problem lines (the rest keep squiggles and hints). */
const MAX_PROBLEM_LENSES = 1000;
/** The outline lists at most this many lifetimes. */
export const MAX_SYMBOLS = 10_000;

/** The op on a 0-based line (-1: none), by binary search (ops are in line order). */
export function opAtLine(ops: OpTable, line: number): number {
  const i = ops.firstFromLine(line + 1);
  return i < ops.length && ops.line(i) === line + 1 ? i : -1;
}

/** The first diagnostic at or after a 1-based line (diagnostics are in line order). */
function firstDiagnosticFrom(diagnostics: readonly TraceDiagnostic[], line: number): number {
  return firstIndex(diagnostics.length, (k) => diagnostics[k]!.range.line >= line);
}

const count = (n: number) => n.toLocaleString('en-US');

class OpLens extends vscode.CodeLens {
  constructor(
    range: vscode.Range,
    readonly session: TraceSession,
    readonly run: TraceRun,
    readonly opIndex: number,
  ) {
    super(range);
  }
}

/** Why an op has no result yet, in a few words. */
function notReplayed(session: TraceSession, run?: TraceRun, i?: number): string {
  // One's own allocator ran and stopped short: why this op has no result.
  if (run?.model === 'own' && run.replay.done && i !== undefined) return run.source.notRunText(i);
  return session.state === 'stopped' ? 'not replayed: the replay was stopped' : 'not replayed yet';
}

/** The diagnostics to publish: everything once the job ended, the trace's and settings' own while it replays. */
function publishable(session: TraceSession, run: TraceRun): readonly TraceDiagnostic[] {
  const state = session.state;
  if (state === 'done' || state === 'stopped' || state === 'error') return run.diagnostics;
  // A run of one's own allocator is recorded whole: its diagnostics come with it.
  if (run.model === 'own') return run.diagnostics;
  const fromReplay = new Set(run.replay.diagnostics);
  return fromReplay.size === 0 ? run.diagnostics : run.diagnostics.filter((d) => !fromReplay.has(d));
}

/** The block at header address `addr` after a step, with its words as stored and as the layout decodes them (markdown); empty if no block starts there. */
function describeBlock(heap: HeapState, addr: number, style: AddressStyle): string {
  const at = (a: number) => formatAddress(style, a);
  const k = lowerBound(heap.addrs, addr, heap.count);
  if (k >= heap.count || heap.addrs[k] !== addr) return '';
  // A word the model keeps no value for is 'none', or, where the block keeps bytes for it (OSTEP's header), their count.
  const word = (stored: number, size: number, allocated: number, room = 0) => (allocated >= 0 ? `\`${hex(stored)}\` (size ${size}, ${allocated ? 'allocated' : 'free'})` : room > 0 ? `${room} bytes, no value stored` : 'none');
  return (
    `After this op: block at \`${at(addr)}\`, ${heap.sizes[k]} bytes, ${BLOCK_STATUSES[heap.states[k]!]}; payload \`${at(heap.payloadAddrs[k]!)}\`, ${heap.payloadSizes[k]} bytes\n\n` +
    `header ${word(heap.headers[k]!, heap.headerSizes[k]!, heap.headerAllocated[k]!, heap.payloadAddrs[k]! - addr)} · footer ${word(heap.footers[k]!, heap.footerSizes[k]!, heap.footerAllocated[k]!)}` +
    linkWords(heap, addr)
  );
}

/** A free block's place on its list and the link words its payload stores (markdown); empty off any list. */
function linkWords(heap: HeapState, addr: number): string {
  const node = listNodeOf(heap, addr);
  if (node === null) return '';
  const word = (w: number) => `\`${linkWordText(w, hex)}\``;
  const place = `\n\n${node.list.label}, node ${node.position + 1} of ${node.list.nodes.length}`;
  return node.list.linkWords ? `${place}: next link ${word(node.next)} · prev link ${word(node.prev)}` : `${place} (the model keeps its list outside the heap: no link words)`;
}

export function registerLanguageFeatures(sessions: TraceSessions, answers: Answers): vscode.Disposable {
  const store = new DisposableStore();
  const lensesChanged = store.add(new vscode.EventEmitter<void>());
  const hintsChanged = store.add(new vscode.EventEmitter<void>());
  // An exercise's answer shown or hidden: every view of a result says so.
  store.add(
    answers.onDidChange(() => {
      lensesChanged.fire();
      hintsChanged.fire();
    }),
  );
  const diagnostics = store.add(vscode.languages.createDiagnosticCollection('heap-inspector'));

  const publish = (session: TraceSession) => {
    if (session.document?.isClosed) return;
    const run = session.latest;
    if (!run) return; // still reading: what was published stays until the trace is known
    const uri = session.uri;
    const { shown, hidden } = cappedDiagnostics(publishable(session, run), MAX_PUBLISHED_DIAGNOSTICS - session.settingsProblems.length);
    const list = shown.map((d) => toDiagnostic(uri, d));
    if (hidden > 0) {
      const d = new vscode.Diagnostic(new vscode.Range(0, 0, 0, 0), `${count(hidden)} more problems are not listed here (Heap Inspector: Run Trace counts them all).`, vscode.DiagnosticSeverity.Information);
      d.source = 'Heap Inspector';
      list.push(d);
    }
    for (const problem of session.settingsProblems) {
      const d = new vscode.Diagnostic(new vscode.Range(0, 0, 0, 0), `${problem} The setting is ignored.`, vscode.DiagnosticSeverity.Warning);
      d.source = 'Heap Inspector';
      list.push(d);
    }
    diagnostics.set(uri, list);
  };
  store.add(
    sessions.onDidChange((session) => {
      publish(session);
      lensesChanged.fire();
      hintsChanged.fire();
    }),
  );
  // More ops replayed: hints on screen and the summary lens fill in (diagnostics wait for the end).
  store.add(
    sessions.onDidProgress(() => {
      lensesChanged.fire();
      hintsChanged.fire();
    }),
  );
  store.add(vscode.workspace.onDidCloseTextDocument((d) => diagnostics.delete(d.uri)));
  store.add(sessions.onDidDrop((s) => s.document === undefined && diagnostics.delete(s.uri)));
  store.add(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('heapInspector.codeLens')) {
        lensesChanged.fire();
        hintsChanged.fire();
      }
    }),
  );
  for (const document of vscode.workspace.textDocuments) {
    const session = sessions.get(document);
    if (session) publish(session);
  }

  // --- CodeLens -------------------------------------------------------------------------------
  store.add(
    vscode.languages.registerCodeLensProvider(SELECTOR, {
      onDidChangeCodeLenses: lensesChanged.event,
      async provideCodeLenses(document, token) {
        const session = sessions.get(document);
        if (!session || !codeLensEnabled(document.uri)) return [];
        const top = new vscode.Range(0, 0, 0, 0);
        const run = await session.parsed(token);
        if (!run) {
          return session.state === 'stopped'
            ? [new vscode.CodeLens(top, { title: `Reading ${session.name} was stopped · Resume`, command: COMMANDS.resumeReplay, arguments: [document.uri], tooltip: 'Resume Replay' })]
            : [];
        }
        const { trace, diagnostics: problems } = run;
        const lenses: vscode.CodeLens[] = [summaryLens(session, run, top, answers.hides(document.uri, run, -1))];
        if (Answers.hiddenBy(run)) {
          lenses.push(
            answers.allShown(document.uri, run)
              ? new vscode.CodeLens(top, { title: 'Hide answers', command: COMMANDS.hideAnswers, arguments: [document.uri], tooltip: 'Hide every answer again' })
              : new vscode.CodeLens(top, { title: 'Show all answers', command: COMMANDS.showAnswers, arguments: [document.uri], tooltip: 'Show what every op returns and the free list after it' }),
          );
        } else {
          // A script on OSTEP's model names its policy itself: the workspace's policy does not apply to it.
          if (run.model === 'engine') lenses.push(new vscode.CodeLens(top, { title: 'Run with another policy', command: COMMANDS.selectPolicy, tooltip: 'Select Policy (a workspace setting)' }));
          lenses.push(new vscode.CodeLens(top, { title: 'Compare Policies', command: COMMANDS.comparePolicies, arguments: [document.uri] }));
        }
        if (trace.ops.length <= codeLensMaxOps(document.uri)) {
          for (let i = 0; i < trace.ops.length; i++) lenses.push(new OpLens(toRange(trace.ops.range(i)), session, run, i));
          return lenses;
        }
        // Past the limit: only problem lines, found from the diagnostics, not by walking the ops.
        let last = -1;
        let shown = 0;
        for (const d of problems) {
          if (shown >= MAX_PROBLEM_LENSES) break;
          if (d.range.line === last) continue;
          last = d.range.line;
          const i = opAtLine(trace.ops, d.range.line - 1);
          if (i < 0) continue;
          lenses.push(new OpLens(toRange(trace.ops.range(i)), session, run, i));
          shown++;
        }
        return lenses;
      },
      resolveCodeLens(lens) {
        if (!(lens instanceof OpLens)) return lens;
        const { trace } = lens.run;
        const source = sourceOf(lens.run);
        if (lens.opIndex < source.steps && answers.hides(lens.session.uri, lens.run, lens.opIndex)) {
          lens.command = { title: 'answer hidden · Show answer', command: COMMANDS.revealAnswer, arguments: [lens.session.uri, lens.opIndex], tooltip: 'Show what this op returns and the free list after it' };
        } else if (lens.opIndex < source.steps) {
          lens.command = { title: source.summaryAt(lens.opIndex), command: COMMANDS.openHeapPanel, arguments: [lens.session.uri, lens.opIndex], tooltip: `Show the heap after line ${trace.ops.line(lens.opIndex)} in the heap panel` };
        } else if (lens.session.state === 'stopped') {
          lens.command = { title: `${notReplayed(lens.session)} · Resume`, command: COMMANDS.resumeReplay, arguments: [lens.session.uri], tooltip: 'Resume Replay' };
        } else {
          lens.command = { title: notReplayed(lens.session, lens.run, lens.opIndex), command: '' };
        }
        return lens;
      },
    }),
  );

  // --- inlay hints past the lens limit: only the lines on screen ----------------------------------
  store.add(
    vscode.languages.registerInlayHintsProvider(SELECTOR, {
      onDidChangeInlayHints: hintsChanged.event,
      async provideInlayHints(document, range, token) {
        const session = sessions.get(document);
        if (!session || !codeLensEnabled(document.uri)) return [];
        const run = await session.parsed(token);
        if (!run || token.isCancellationRequested) return [];
        const { trace } = run;
        if (trace.ops.length <= codeLensMaxOps(document.uri)) return [];
        const hints: vscode.InlayHint[] = [];
        const source = sourceOf(run);
        const stopped = session.state === 'stopped';
        for (let i = trace.ops.firstFromLine(range.start.line + 1); i < trace.ops.length; i++) {
          const line = trace.ops.line(i);
          if (line - 1 > range.end.line || line > document.lineCount) break;
          const end = document.lineAt(line - 1).range.end;
          if (!range.contains(end)) continue; // VS Code drops hints outside the range it asked for
          let hint: vscode.InlayHint;
          if (i < source.steps) {
            hint = new vscode.InlayHint(end, answers.hides(document.uri, run, i) ? 'answer hidden' : source.summaryAt(i));
          } else if (stopped) {
            const resume = new vscode.InlayHintLabelPart('Resume');
            resume.command = { title: 'Resume Replay', command: COMMANDS.resumeReplay, arguments: [document.uri] };
            hint = new vscode.InlayHint(end, [new vscode.InlayHintLabelPart(`${notReplayed(session)} · `), resume]);
          } else {
            hint = new vscode.InlayHint(end, notReplayed(session, run, i));
          }
          hint.paddingLeft = true;
          hints.push(hint);
        }
        return hints;
      },
    }),
  );

  // --- quick fixes ----------------------------------------------------------------------------
  store.add(
    vscode.languages.registerCodeActionsProvider(
      SELECTOR,
      {
        async provideCodeActions(document, range, _context, token) {
          const session = sessions.get(document);
          if (!session) return [];
          const run = await session.parsed(token);
          if (!run) return [];
          const actions: vscode.CodeAction[] = [];
          const list = run.diagnostics;
          for (let k = firstDiagnosticFrom(list, range.start.line + 1); k < list.length && list[k]!.range.line <= range.end.line + 1; k++) {
            const d = list[k]!;
            if (!d.fix || toRange(d.range).intersection(range) === undefined) continue;
            const action = new vscode.CodeAction(d.fix.title, vscode.CodeActionKind.QuickFix);
            action.edit = new vscode.WorkspaceEdit();
            action.edit.replace(document.uri, toRange(d.fix.range), d.fix.newText);
            action.diagnostics = [toDiagnostic(document.uri, d)];
            action.isPreferred = true;
            actions.push(action);
          }
          return actions;
        },
      },
      { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] },
    ),
  );

  // --- hover: the block's whole life ----------------------------------------------------------
  store.add(
    vscode.languages.registerHoverProvider(SELECTOR, {
      async provideHover(document, position, token) {
        const session = sessions.get(document);
        if (!session) return undefined;
        const run = await session.parsed(token);
        if (!run) return undefined;
        const { trace } = run;
        const i = opAtLine(trace.ops, position.line);
        if (i < 0) return undefined;
        const slot = trace.ops.ptr(i);
        const name = slot === null ? 'NULL' : slotName(trace.format, trace.names, slot);
        // What the op did, the block's life and the block it left: the read model every view reads.
        const source = sourceOf(run);
        if (i < source.steps && answers.hides(document.uri, run, i)) {
          const md = new vscode.MarkdownString(`**Answer hidden.** [Show the answer](command:${COMMANDS.revealAnswer}?${encodeURIComponent(JSON.stringify([document.uri.toString(), i]))}) for this op, or Show all answers at the top of the file.`);
          md.isTrusted = { enabledCommands: [COMMANDS.revealAnswer] };
          return new vscode.Hover(md, toRange(trace.ops.range(i)));
        }
        const lives = source.lives();
        const life = lives.of(i);
        const lifeText = life < 0 ? '' : `Block of ${codeSpan(name)}:\n\n${describeLife(lives.at(life), source.addresses).map((l) => `- ${escapeMarkdown(l)}`).join('\n')}\n\n`;
        const md = new vscode.MarkdownString();
        if (i >= source.steps) {
          const stopped = session.state === 'stopped';
          md.isTrusted = { enabledCommands: [COMMANDS.resumeReplay] };
          md.appendMarkdown(`**${stopped ? 'Not replayed' : 'Not replayed yet'}**: the replay ${stopped ? 'was stopped after' : 'has reached'} op ${count(source.steps)} of ${count(source.length)}.`);
          if (stopped) md.appendMarkdown(` [Resume the replay](command:${COMMANDS.resumeReplay}?${encodeURIComponent(JSON.stringify([document.uri.toString()]))})`);
          md.appendMarkdown(`\n\n${lifeText}`);
          return new vscode.Hover(md, toRange(trace.ops.range(i)));
        }
        md.appendMarkdown(`**${escapeMarkdown(source.summaryAt(i))}**\n\n${lifeText}`);
        // What one's own allocator printed during this op (its debug output, its mm_checkheap's).
        const printed = run.model === 'own' ? run.source.printedDuring(i, run.log) : '';
        if (printed !== '') md.appendMarkdown(`Printed during this op:\n\n${codeBlock(printed)}\n\n`);
        const block = source.blockAt(i);
        if (block !== null) md.appendMarkdown(describeBlock(source.heapAt(i), block, source.addresses));
        return new vscode.Hover(md, toRange(trace.ops.range(i)));
      },
    }),
  );

  // --- outline: one entry per pointer lifetime -----------------------------------------------
  store.add(
    vscode.languages.registerDocumentSymbolProvider(SELECTOR, {
      async provideDocumentSymbols(document, token) {
        const session = sessions.get(document);
        if (!session) return [];
        const run = await session.parsed(token);
        if (!run) return [];
        const { trace } = run;
        // The run's block lives (a run that saw an allocation fail has its own, once it is done).
        const source = sourceOf(run);
        const lives = source.lives();
        // An exercise's outline gives no address away while its answers are hidden.
        const style = answers.hides(document.uri, run, -1) ? null : source.addresses;
        const symbols: vscode.DocumentSymbol[] = [];
        for (let k = 0; k < Math.min(lives.count, MAX_SYMBOLS); k++) {
          const life = lives.at(k);
          const { allocated } = life;
          const first = trace.ops.range(allocated.step);
          const lastOp = trace.ops.range(life.lastStep);
          const name = slotName(trace.format, trace.names, trace.ops.ptr(allocated.step) ?? 0);
          symbols.push(new vscode.DocumentSymbol(name, lifeDetail(life, style), vscode.SymbolKind.Variable, new vscode.Range(first.line - 1, 0, lastOp.line - 1, lastOp.endColumn - 1), toRange(first)));
        }
        return symbols;
      },
    }),
  );

  // --- status bar -----------------------------------------------------------------------------
  const status = store.add(vscode.window.createStatusBarItem('heapInspector.status', vscode.StatusBarAlignment.Right, 100));
  status.name = 'Heap Inspector';
  const updateStatus = () => {
    const document = vscode.window.activeTextEditor?.document;
    const session = document ? sessions.get(document) : undefined;
    if (!session) {
      status.hide();
      return;
    }
    const run = session.latest;
    const state = session.state;
    const policy = run ? sourceOf(run).label : 'Heap Inspector';
    const progress = `${Math.floor(session.progress.fraction * 100)}%`;
    if (state === 'done' && run && answers.hides(document!.uri, run, -1)) {
      status.text = `$(eye-closed) ${policy} · answers hidden`;
      status.tooltip = 'Heap Inspector: an exercise; each op\'s result is hidden until you ask for it. Click to show every answer.';
      status.command = { title: 'Show Answers', command: COMMANDS.showAnswers, arguments: [session.uri] };
    } else if (state === 'done' && run) {
      const source = sourceOf(run);
      const m = source.metricsAt(source.steps - 1);
      status.text = `$(server) ${policy} · ${percent(m.utilisation, 1)}`;
      const ostep = run.model === 'ostep';
      status.tooltip = `Heap Inspector: ${policy}, ${run.preset} preset, utilisation ${percent(m.utilisation)} (peak payload / heap size)${m.unknown ? `; ${m.unknown}` : ''}. Click to ${ostep ? 'compare its policies and list orders' : 'select the policy'}.`;
      status.command = ostep ? { title: 'Compare Policies', command: COMMANDS.comparePolicies, arguments: [session.uri] } : COMMANDS.selectPolicy;
    } else if (state === 'stopped') {
      status.text = `$(debug-pause) ${policy} · stopped at ${progress}`;
      status.tooltip = run
        ? `Heap Inspector: the replay was stopped after ${count(sourceOf(run).steps)} of ${count(run.trace.ops.length)} ops; the ops after that are not replayed. Click to resume.`
        : `Heap Inspector: reading ${session.name} was stopped. Click to resume.`;
      status.command = { title: 'Resume Replay', command: COMMANDS.resumeReplay, arguments: [session.uri] };
    } else if (state === 'error') {
      status.text = `$(error) ${policy} · failed at ${progress}`;
      status.tooltip = `Heap Inspector: the replay of ${session.name} failed (the error was shown); the ops after it are not replayed.`;
      status.command = COMMANDS.selectPolicy;
    } else {
      status.text = `$(sync~spin) ${policy} · ${state === 'reading' ? 'reading' : 'replaying'} ${progress}`;
      status.tooltip = `Heap Inspector: ${session.describeProgress()}.`;
      status.command = COMMANDS.selectPolicy;
    }
    status.show();
  };
  store.add(vscode.window.onDidChangeActiveTextEditor(updateStatus));
  store.add(sessions.onDidChange(updateStatus));
  store.add(sessions.onDidProgress(updateStatus));
  store.add(answers.onDidChange(updateStatus));
  updateStatus();

  return store;
}

/** An outline entry's detail: the bytes asked, where they went, and the lines the block lived. */
function lifeDetail({ allocated, freed }: BlockLife, style: AddressStyle | null): string {
  const r = allocated.result;
  const where = style === null ? '' : r === null ? ', not replayed yet' : r.pointer !== null ? ` at ${formatAddress(style, r.pointer)}` : ' (NULL)';
  return `${allocated.requested} B${where}, line ${allocated.line}${freed ? `-${freed.line}` : ', never freed'}`;
}

/** The lens on top of the file: the run's summary, or how far the replay is, or that it stopped. */
function summaryLens(session: TraceSession, run: TraceRun, top: vscode.Range, answersHidden: boolean): vscode.CodeLens {
  const problems = run.diagnostics;
  const source = sourceOf(run);
  const uri = session.uri;
  const state = session.state;
  if (state === 'stopped') {
    return new vscode.CodeLens(top, { title: `Replay stopped after ${count(source.steps)} of ${count(source.length)} ops · Resume`, command: COMMANDS.resumeReplay, arguments: [uri], tooltip: 'Resume Replay: replay the rest of the trace' });
  }
  if (source.steps < source.length) {
    return new vscode.CodeLens(top, { title: `${session.describeProgress()}…`, command: '', tooltip: 'The results appear as the replay reaches each op' });
  }
  const errors = errorCount(problems);
  const warnings = problemCount(problems, 'warning');
  if (answersHidden) {
    return new vscode.CodeLens(top, { title: `Exercise · ${source.label} · ${count(source.steps)} ops · answers hidden`, command: '', tooltip: 'Each op\'s result is hidden until you ask for it (set answers = hidden)' });
  }
  return new vscode.CodeLens(top, { title: describeRun(source, errors, warnings), command: COMMANDS.runTrace, arguments: [uri], tooltip: 'Run Trace: the full summary in the output' });
}

