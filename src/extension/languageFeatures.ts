// What the trace file itself shows: a CodeLens on each op (or inlay hints past a size limit),
// diagnostics with related lines and quick fixes, hovers with a block's whole life, an outline of
// pointer lifetimes, and a status bar item. All of it reads the document's session.

import * as vscode from 'vscode';
import { hex } from '../engine/memory';
import { describeLifetime, describeRun, describeStep, errorCount, type TraceOp } from '../trace/index';
import { COMMANDS, TRACE_LANGUAGES } from './commandIds';
import { toDiagnostic, toRange } from './convert';
import { DisposableStore } from './dispose';
import { codeLensEnabled, codeLensMaxOps } from './settings';
import type { TraceSession, TraceSessions } from './traceSessions';

const SELECTOR: vscode.DocumentSelector = TRACE_LANGUAGES.flatMap((language) => [
  { language, scheme: 'file' },
  { language, scheme: 'untitled' },
  { language, scheme: 'vscode-vfs' },
  { language, scheme: 'vscode-remote' },
]);

/** The op on a 0-based line, by binary search (ops are in line order). */
export function opAtLine(ops: readonly TraceOp[], line: number): number {
  let lo = 0;
  let hi = ops.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const l = ops[mid]!.range.line - 1;
    if (l === line) return mid;
    if (l < line) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** The first op at or after a 0-based line. */
function firstOpFrom(ops: readonly TraceOp[], line: number): number {
  let lo = 0;
  let hi = ops.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ops[mid]!.range.line - 1 < line) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

class OpLens extends vscode.CodeLens {
  constructor(
    range: vscode.Range,
    readonly session: TraceSession,
    readonly version: number,
    readonly opIndex: number,
  ) {
    super(range);
  }
}

export function registerLanguageFeatures(sessions: TraceSessions): vscode.Disposable {
  const store = new DisposableStore();
  const lensesChanged = store.add(new vscode.EventEmitter<void>());
  const hintsChanged = store.add(new vscode.EventEmitter<void>());
  const diagnostics = store.add(vscode.languages.createDiagnosticCollection('heap-inspector'));

  const publish = (session: TraceSession) => {
    if (session.document.isClosed) return;
    const { run } = session;
    const uri = session.document.uri;
    const list = run.diagnostics.map((d) => toDiagnostic(uri, d));
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
  store.add(vscode.workspace.onDidCloseTextDocument((d) => diagnostics.delete(d.uri)));
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
      provideCodeLenses(document) {
        const session = sessions.get(document);
        if (!session || !codeLensEnabled(document.uri)) return [];
        const { trace, replay, preset, diagnostics: problems } = session.run;
        const top = new vscode.Range(0, 0, 0, 0);
        const errors = errorCount(problems);
        const warnings = problems.filter((d) => d.severity === 'warning').length;
        const lenses: vscode.CodeLens[] = [
          new vscode.CodeLens(top, { title: describeRun(replay, preset, errors, warnings), command: COMMANDS.runTrace, arguments: [document.uri], tooltip: 'Run Trace: the full summary in the output' }),
          new vscode.CodeLens(top, { title: 'Run with another policy', command: COMMANDS.selectPolicy, tooltip: 'Select Policy (a workspace setting)' }),
          new vscode.CodeLens(top, { title: 'Compare Policies', command: COMMANDS.comparePolicies, arguments: [document.uri] }),
        ];
        const all = trace.ops.length <= codeLensMaxOps(document.uri);
        const problemLines = new Set(problems.map((d) => d.range.line));
        for (let i = 0; i < replay.recorded; i++) {
          const op = trace.ops[i]!;
          if (all || problemLines.has(op.range.line)) lenses.push(new OpLens(toRange(op.range), session, document.version, i));
        }
        return lenses;
      },
      resolveCodeLens(lens) {
        if (!(lens instanceof OpLens)) return lens;
        const { replay, trace } = lens.session.run;
        const step = lens.opIndex < replay.recorded ? replay.step(lens.opIndex) : undefined;
        lens.command = step
          ? { title: describeStep(step), command: COMMANDS.openHeapPanel, arguments: [lens.session.document.uri, lens.opIndex], tooltip: `Show the heap after line ${trace.ops[lens.opIndex]!.range.line} in the heap panel` }
          : { title: '(trace changed)', command: '' };
        return lens;
      },
    }),
  );

  // --- inlay hints past the lens limit --------------------------------------------------------
  store.add(
    vscode.languages.registerInlayHintsProvider(SELECTOR, {
      onDidChangeInlayHints: hintsChanged.event,
      provideInlayHints(document, range) {
        const session = sessions.get(document);
        if (!session || !codeLensEnabled(document.uri)) return [];
        const { trace, replay } = session.run;
        if (trace.ops.length <= codeLensMaxOps(document.uri)) return [];
        const hints: vscode.InlayHint[] = [];
        for (let i = firstOpFrom(trace.ops, range.start.line); i < replay.recorded; i++) {
          const op = trace.ops[i]!;
          if (op.range.line - 1 > range.end.line) break;
          const end = document.lineAt(op.range.line - 1).range.end;
          const hint = new vscode.InlayHint(end, describeStep(replay.step(i)));
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
        provideCodeActions(document, range) {
          const session = sessions.get(document);
          if (!session) return [];
          return session.run.diagnostics
            .filter((d) => d.fix && toRange(d.range).intersection(range) !== undefined)
            .map((d) => {
              const action = new vscode.CodeAction(d.fix!.title, vscode.CodeActionKind.QuickFix);
              action.edit = new vscode.WorkspaceEdit();
              action.edit.replace(document.uri, toRange(d.fix!.range), d.fix!.newText);
              action.diagnostics = [toDiagnostic(document.uri, d)];
              action.isPreferred = true;
              return action;
            });
        },
      },
      { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] },
    ),
  );

  // --- hover: the block's whole life ----------------------------------------------------------
  store.add(
    vscode.languages.registerHoverProvider(SELECTOR, {
      provideHover(document, position) {
        const session = sessions.get(document);
        if (!session) return undefined;
        const { trace, replay } = session.run;
        const i = opAtLine(trace.ops, position.line);
        if (i < 0 || i >= replay.recorded) return undefined;
        const step = replay.step(i);
        const md = new vscode.MarkdownString();
        md.appendMarkdown(`**${escape(describeStep(step))}**\n\n`);
        const life = describeLifetime(trace, replay, i);
        const slot = trace.ops[i]!.ptr;
        const name = slot === null ? 'NULL' : trace.format === 'rep' ? `id ${trace.names[slot]}` : trace.names[slot];
        if (life) md.appendMarkdown(`Block of \`${name}\`:\n\n${life.map((l) => `- ${escape(l)}`).join('\n')}\n\n`);
        const addr = step.block?.addr;
        if (addr !== undefined) {
          const block = replay.heapAt(i).walk().blocks.find((b) => b.addr === addr);
          if (block) {
            const word = (w: number | null) => (w === null ? 'none' : `\`${hex(w)}\` (size ${w - (w % 8)}, ${w % 2 ? 'allocated' : 'free'})`);
            md.appendMarkdown(
              `After this op: block at \`${hex(block.addr)}\`, ${block.size} bytes, ${block.status}; payload \`${hex(block.payloadAddr)}\`, ${block.payloadSize} bytes\n\n` +
                `header ${word(block.header)} · footer ${word(block.footer)}`,
            );
          }
        }
        return new vscode.Hover(md, toRange(trace.ops[i]!.range));
      },
    }),
  );

  // --- outline: one entry per pointer lifetime -----------------------------------------------
  store.add(
    vscode.languages.registerDocumentSymbolProvider(SELECTOR, {
      provideDocumentSymbols(document) {
        const session = sessions.get(document);
        if (!session) return [];
        const { trace, replay } = session.run;
        return trace.lifetimes.lifetimes.map((t) => {
          const first = trace.ops[t.start]!;
          const lastOp = trace.ops[t.end >= 0 ? t.end : (t.reallocs[t.reallocs.length - 1] ?? t.start)]!;
          const name = trace.format === 'rep' ? `id ${trace.names[first.ptr ?? 0]}` : (trace.names[first.ptr ?? 0] ?? '?');
          const step = t.start < replay.recorded ? replay.step(t.start) : undefined;
          const size = first.kind === 'calloc' ? first.count * first.size : 'size' in first ? first.size : 0n;
          const detail = `${size} B${step?.ptr != null ? ` at ${hex(step.ptr)}` : ' (NULL)'}, line ${first.range.line}${t.end >= 0 ? `-${trace.ops[t.end]!.range.line}` : ', never freed'}`;
          const range = new vscode.Range(first.range.line - 1, 0, lastOp.range.line - 1, lastOp.range.endColumn - 1);
          return new vscode.DocumentSymbol(name, detail, vscode.SymbolKind.Variable, range, toRange(first.range));
        });
      },
    }),
  );

  // --- status bar -----------------------------------------------------------------------------
  const status = store.add(vscode.window.createStatusBarItem('heapInspector.status', vscode.StatusBarAlignment.Right, 100));
  status.name = 'Heap Inspector';
  status.command = COMMANDS.selectPolicy;
  const updateStatus = () => {
    const document = vscode.window.activeTextEditor?.document;
    const session = document ? sessions.get(document) : undefined;
    if (!session) {
      status.hide();
      return;
    }
    const { replay, config, preset } = session.run;
    const policy = config.policy === 'sbrk' ? 'sbrk' : `${config.policy} fit`;
    status.text = `$(server) ${policy} · ${(replay.finalMetrics.utilisation * 100).toFixed(1)}%`;
    status.tooltip = `Heap Inspector: ${policy}, ${preset} preset, utilisation ${(replay.finalMetrics.utilisation * 100).toFixed(2)}% (peak payload / heap size). Click to select the policy.`;
    status.show();
  };
  store.add(vscode.window.onDidChangeActiveTextEditor(updateStatus));
  store.add(sessions.onDidChange(updateStatus));
  updateStatus();

  return store;
}

function escape(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}
