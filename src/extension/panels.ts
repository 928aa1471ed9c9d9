// The heap panel (a webview panel beside the trace) and the study side view (a webview view in
// its own activity bar container). Both speak src/shared/protocol.ts, draw the session's replay at
// the trace's current step, and move that step; the editor follows it with a highlighted line.

import * as vscode from 'vscode';
import { assertNever, parseViewMessage, type CompareDto, type ExportFormat, type HostMessage } from '../shared/protocol';
import { Comparison, type HeapView, type TraceRun } from '../trace/index';
import type { Answers } from './answers';
import { buildCompare, buildOstepCompare } from './compareFrames';
import { beforeFrame, exportName } from './diagramFrames';
import { savePicture } from './diagramExport';
import { DisposableStore } from './dispose';
import { buildEvents, buildFrame, buildSeries, FIRST_VIEW, traceInfo } from './frames';
import { opAtLine } from './languageFeatures';
import { cursorStep } from './cursorStep';
import { compareSlice, runComparison } from './runComparison';
import { heapSettings } from './settings';
import type { Steps } from './steps';
import type { TraceSession, TraceSessions } from './traceSessions';
import { webviewHtml } from './webviewHtml';

export const PANEL_VIEW_TYPE = 'heapInspector.heapPanel';
export const STUDY_VIEW_ID = 'heapInspector.studyView';
/** How long the cursor rests on a line before the views follow it (held arrow keys move it many times a second). */
const CURSOR_SETTLE_MS = 80;

/** What the panel last showed, for tests and other extensions. */
export interface PanelState {
  readonly visible: boolean;
  readonly uri: string | null;
  readonly step: number | null;
  readonly blocks: number | null;
  readonly compare: boolean;
  /** Policies in the comparison last posted (0: none). */
  readonly compared: number;
}

/** Posts snapshots and frames to one webview for one trace at a time. */
class ViewConnection {
  session: TraceSession | undefined;
  compareOn = false;
  /** Every policy on the run shown, with history (kept while the run is the same); `driving` while replayed in the background. */
  private comparing: { readonly run: TraceRun; readonly comparison: Comparison; driving: boolean } | undefined;
  lastPosted: { step: number; blocks: number; compared: number } | null = null;
  view: HeapView = FIRST_VIEW; // what the view shows: frames carry those blocks (docs/performance.md, "Windowed frames")
  /** The run the last snapshot showed. */
  postedRun: TraceRun | undefined;

  constructor(
    readonly webview: vscode.Webview,
    private readonly steps: Steps,
    private readonly answers: Answers,
  ) {}

  /** Whether the run is an exercise whose answers are hidden: the heap is an answer too (docs/editor.md, "Exercises"). */
  private hidesAnswers(session: TraceSession, run: TraceRun): boolean {
    return this.answers.hides(session.uri, run, -1);
  }

  snapshot(): void {
    const session = this.session;
    if (!session) {
      this.post({ type: 'empty', message: 'Open a malloc lab trace (.rep) or a heap script (.heap) to see its heap here.' });
      return;
    }
    const run = session.latest;
    this.postedRun = run;
    if (!run) {
      this.lastPosted = null;
      this.post({ type: 'empty', message: session.state === 'stopped' ? `Reading ${session.name} was stopped: Heap Inspector: Resume Replay goes on.` : `Reading ${session.name}…` });
      return;
    }
    if (this.hidesAnswers(session, run)) {
      this.lastPosted = null;
      this.post({ type: 'empty', message: `${session.name} is an exercise whose answers are hidden. Show all answers (at the top of the file, or Heap Inspector: Show Answers) to see its heap here.` });
      return;
    }
    const frame = buildFrame(run, this.steps.get(session), this.view);
    const compare = this.compare(run, frame.step);
    this.lastPosted = { step: frame.step, blocks: frame.window.total, compared: compare?.frames.length ?? 0 };
    this.post({ type: 'snapshot', trace: traceInfo(run, session.uri.toString(), session.name), frame, series: buildSeries(run), events: buildEvents(run), compare });
  }

  frame(): void {
    const session = this.session;
    const run = session?.latest;
    if (!session || !run || this.hidesAnswers(session, run)) return;
    const frame = buildFrame(run, this.steps.get(session), this.view);
    const compare = this.compare(run, frame.step);
    this.lastPosted = { step: frame.step, blocks: frame.window.total, compared: compare?.frames.length ?? 0 };
    this.post({ type: 'frame', frame, compare });
  }

  /**
   * Every policy at this step. The other policies are replayed a slice at a time: a small trace's
   * within this call, a big one's in the background (with progress), and the comparison follows
   * in a later frame.
   */
  private compare(run: TraceRun, step: number): CompareDto | null {
    const session = this.session;
    if (!this.compareOn || !session || !run.replay.done) return null;
    if (run.model === 'ostep') return buildOstepCompare(run, step);
    let c = this.comparing;
    if (c?.run !== run) {
      const layers = { defaults: heapSettings(session.uri).options };
      c = { run, comparison: Comparison.of(run.trace, layers, { history: true, ...(run.model === 'engine' ? { known: run } : {}) }), driving: false };
      this.comparing = c;
    }
    const { comparison } = c;
    if (!comparison.done) {
      if (c.driving) return null;
      if (!comparison.work(compareSlice())) {
        this.compareInBackground(c, session);
        return null;
      }
    }
    return buildCompare(comparison, step, run.model === 'own' ? run : undefined);
  }

  private compareInBackground(comparing: NonNullable<ViewConnection['comparing']>, session: TraceSession): void {
    comparing.driving = true;
    const title = `Heap Inspector: every policy on ${session.name}`;
    void runComparison(comparing.comparison, title, session.isBig, () => this.comparing === comparing).then((done) => {
      if (this.comparing !== comparing) return;
      comparing.driving = false;
      if (!done) {
        this.comparing = undefined;
        this.compareOn = false; // cancelled: the comparison stays off until asked again
      }
      this.frame();
    });
  }

  /** The heap before op `step`, for the diagram's before/after toggle (asked for, never pushed). */
  before(step: number): void {
    const session = this.session;
    const run = session?.latest;
    if (!session || !run || this.hidesAnswers(session, run)) return;
    this.post({ type: 'before', step, frame: beforeFrame(run, step, this.view) });
  }

  post(message: HostMessage): void {
    void this.webview.postMessage(message);
  }
}

export class HeapPanels implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private panelConnection: ViewConnection | undefined;
  private study: ViewConnection | undefined;
  private readonly store = new DisposableStore();
  private readonly highlight = this.store.add(
    vscode.window.createTextEditorDecorationType({
      isWholeLine: true,
      backgroundColor: new vscode.ThemeColor('editor.rangeHighlightBackground'),
      border: '1px solid',
      borderColor: new vscode.ThemeColor('focusBorder'),
      overviewRulerColor: new vscode.ThemeColor('focusBorder'),
      overviewRulerLane: vscode.OverviewRulerLane.Center,
    }),
  );
  private highlighted = new Map<string, number>();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly sessions: TraceSessions,
    readonly steps: Steps,
    private readonly answers: Answers,
  ) {
    this.store.add(answers.onDidChange((uri) => this.connections().forEach((c) => c.session?.uri.toString() === uri.toString() && c.snapshot())));
    this.store.add(
      steps.onDidChange(({ uri }) => {
        for (const c of this.connections()) if (c.session?.uri.toString() === uri) c.frame();
        this.updateHighlight(uri);
      }),
    );
    this.store.add(
      sessions.onDidChange((session) => {
        // A snapshot of a big run costs; the same run (a job stopped or resumed) needs none.
        const shown = this.connections().filter((c) => c.session === session && (c.postedRun !== session.latest || c.postedRun === undefined));
        if (shown.length > 0) steps.startAt(session, cursorStep(session));
        for (const c of shown) c.snapshot();
        this.updateHighlight(session.uri.toString());
      }),
    );
    this.store.add(
      vscode.window.onDidChangeActiveTextEditor((editor) => {
        const session = editor ? sessions.get(editor.document) : undefined;
        if (!session) return;
        steps.startAt(session, cursorStep(session));
        for (const c of this.connections()) {
          if (c.session !== session) {
            c.session = session;
            c.snapshot();
          }
        }
        this.updateHighlight(session.uri.toString());
      }),
    );
    // Clicking a line of a trace, or moving the cursor onto it, moves the panel and the side view there once the cursor rests.
    let settling: ReturnType<typeof setTimeout> | undefined;
    this.store.add({ dispose: () => clearTimeout(settling) });
    this.store.add(
      vscode.window.onDidChangeTextEditorSelection((e) => {
        if (e.kind !== vscode.TextEditorSelectionChangeKind.Mouse && e.kind !== vscode.TextEditorSelectionChangeKind.Keyboard) return;
        const session = sessions.get(e.textEditor.document);
        if (!session) return;
        const line = e.selections[0]!.active.line;
        clearTimeout(settling);
        settling = setTimeout(() => {
          const ops = session.latest?.trace.ops;
          const i = ops ? opAtLine(ops, line) : -1;
          if (i >= 0 && this.connections().some((c) => c.session === session)) steps.set(session, i);
        }, CURSOR_SETTLE_MS);
      }),
    );
    this.store.add(
      vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, {
        deserializeWebviewPanel: async (panel, state: unknown) => {
          const s = (typeof state === 'object' && state !== null ? state : {}) as { uri?: unknown; step?: unknown };
          let session: TraceSession | undefined;
          const uri = restorableTrace(s.uri);
          // A file read without a document is read that way again; a file that is gone leaves the panel saying so.
          if (uri) session = await sessions.restore(uri);
          if (session && typeof s.step === 'number' && Number.isInteger(s.step)) steps.startAt(session, s.step); // kept until the run has the step
          this.adoptPanel(panel, session);
        },
      }),
    );
    this.store.add(
      vscode.window.registerWebviewViewProvider(STUDY_VIEW_ID, {
        resolveWebviewView: (view) => {
          view.webview.options = { enableScripts: true, localResourceRoots: this.roots() };
          view.webview.html = webviewHtml(view.webview, this.extensionUri, 'study');
          const connection = new ViewConnection(view.webview, steps, answers);
          connection.session = this.activeSession();
          if (connection.session) steps.startAt(connection.session, cursorStep(connection.session));
          this.study = connection;
          // A hidden view loses its page; it asks again with `ready` when shown.
          const listener = this.listen(view.webview, connection);
          view.onDidDispose(() => {
            listener.dispose();
            if (this.study === connection) this.study = undefined;
          });
        },
      }),
    );
  }

  /** Opens (or reveals) the panel on a trace, at `step` when given. */
  open(session: TraceSession, step?: number): PanelState {
    if (step !== undefined) this.steps.set(session, step);
    if (this.panel) {
      this.panel.reveal(vscode.ViewColumn.Beside, true);
      if (this.panelConnection!.session !== session) {
        this.panelConnection!.session = session;
        this.panelConnection!.snapshot();
      }
    } else {
      const panel = vscode.window.createWebviewPanel(PANEL_VIEW_TYPE, 'Heap Inspector', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, { enableScripts: true, localResourceRoots: this.roots() });
      this.adoptPanel(panel, session);
    }
    if (this.study && this.study.session !== session) {
      this.study.session = session;
      this.study.snapshot();
    }
    this.updateHighlight(session.uri.toString());
    return this.state();
  }

  /** Moves the current step of the active trace by `delta` (or to `step`). */
  move(session: TraceSession, delta: number): number {
    return this.steps.set(session, this.steps.get(session) + delta);
  }

  state(): PanelState {
    const c = this.panelConnection;
    return {
      visible: this.panel?.visible ?? false, uri: c?.session?.uri.toString() ?? null, step: c?.session ? this.steps.get(c.session) : null,
      blocks: c?.lastPosted?.blocks ?? null, compare: c?.compareOn ?? false, compared: c?.lastPosted?.compared ?? 0,
    };
  }

  /** Shows or hides the panel's side-by-side comparison of every policy, as its compare button does. */
  setCompare(on: boolean): void {
    const c = this.panelConnection;
    if (!c) return;
    c.compareOn = on;
    c.frame();
  }

  /** Asks the panel for a picture of its diagram (it answers with `export`, saved where the user picks); false when no panel shows a heap. */
  requestExport(format: ExportFormat): boolean {
    const c = this.panelConnection;
    if (!c?.lastPosted) return false;
    c.post({ type: 'exportRequest', format });
    return true;
  }

  /** The file the last export was saved to, for tests. */
  lastExport: vscode.Uri | undefined;

  /** The line highlighted as the current op in a trace's editors (1-based), if any. */
  highlightedLine(uri: string): number | undefined {
    return this.highlighted.get(uri);
  }

  /** The side view's trace and step, for tests. */
  studyState(): { uri: string | null; step: number | null; blocks: number | null } {
    const c = this.study;
    return { uri: c?.session?.uri.toString() ?? null, step: c?.session ? this.steps.get(c.session) : null, blocks: c?.lastPosted?.blocks ?? null };
  }

  dispose(): void {
    this.panel?.dispose();
    this.store.dispose();
  }

  private adoptPanel(panel: vscode.WebviewPanel, session: TraceSession | undefined): void {
    this.panel = panel;
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'icon.png');
    panel.webview.options = { enableScripts: true, localResourceRoots: this.roots() };
    panel.webview.html = webviewHtml(panel.webview, this.extensionUri, 'panel');
    const connection = new ViewConnection(panel.webview, this.steps, this.answers);
    connection.session = session;
    this.panelConnection = connection;
    const listener = this.listen(panel.webview, connection);
    panel.onDidDispose(() => {
      listener.dispose();
      if (this.panel === panel) {
        this.panel = undefined;
        this.panelConnection = undefined;
        if (session) this.updateHighlight(session.uri.toString());
        // A file read without a document (docs/editor.md, "Big traces"): its run goes with the panel, unless the side view shows it.
        if (connection.session && !connection.session.document && this.study?.session !== connection.session) this.sessions.closeFile(connection.session.uri);
      }
    });
    if (session) this.updateHighlight(session.uri.toString());
  }

  private listen(webview: vscode.Webview, connection: ViewConnection): vscode.Disposable {
    return webview.onDidReceiveMessage(async (raw: unknown) => {
      const message = parseViewMessage(raw);
      if (message === null) return; // untrusted input that does not fit the protocol: ignored
      const session = connection.session;
      switch (message.type) {
        case 'ready':
          connection.snapshot();
          break;
        case 'step':
          if (session) this.steps.set(session, message.step);
          break;
        case 'revealLine':
          if (session?.document) await revealLine(session.document, message.line);
          break;
        case 'compare':
          connection.compareOn = message.on;
          connection.frame();
          break;
        case 'before':
          connection.before(message.step);
          break;
        case 'view':
          connection.view = message;
          connection.frame();
          break;
        case 'export':
          if (session) this.lastExport = await savePicture(message.format, message.data, exportName(session.name, message.step, message.format), session.uri);
          break;
        default:
          assertNever(message);
      }
    });
  }

  private connections(): ViewConnection[] {
    return [this.panelConnection, this.study].filter((c): c is ViewConnection => c !== undefined);
  }

  private activeSession(): TraceSession | undefined {
    const document = vscode.window.activeTextEditor?.document;
    return (document && this.sessions.get(document)) || this.panelConnection?.session;
  }

  private roots(): vscode.Uri[] {
    return [vscode.Uri.joinPath(this.extensionUri, 'dist'), vscode.Uri.joinPath(this.extensionUri, 'media')];
  }

  /** Highlights and reveals the current op's line in the trace's visible editors. */
  private updateHighlight(uri: string): void {
    const session = this.connections().map((c) => c.session).find((s) => s?.uri.toString() === uri);
    const editors = vscode.window.visibleTextEditors.filter((e) => e.document.uri.toString() === uri);
    if (!session) {
      for (const e of editors) e.setDecorations(this.highlight, []);
      this.highlighted.delete(uri);
      return;
    }
    const step = this.steps.get(session);
    const ops = session.latest?.trace.ops;
    const op = ops && step >= 0 && step < ops.length ? ops.at(step) : undefined;
    if (!op) {
      for (const e of editors) e.setDecorations(this.highlight, []);
      this.highlighted.delete(uri);
      return;
    }
    const range = new vscode.Range(op.range.line - 1, 0, op.range.line - 1, 0);
    for (const e of editors) {
      e.setDecorations(this.highlight, [range]);
      e.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    }
    this.highlighted.set(uri, op.range.line);
  }
}

async function revealLine(document: vscode.TextDocument, line: number): Promise<void> {
  const editor = await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.One, preserveFocus: false });
  const l = Math.max(0, Math.min(line - 1, document.lineCount - 1));
  editor.selection = new vscode.Selection(l, 0, l, 0);
  editor.revealRange(new vscode.Range(l, 0, l, 0), vscode.TextEditorRevealType.InCenter);
}

/** Schemes a restored panel may reopen a trace from, besides those of the workspace's folders. */
const RESTORABLE_SCHEMES = ['file', 'vscode-remote', 'vscode-vfs'];

/**
 * The trace a panel restored after a reload may reopen, from the URI its webview saved in its
 * state, or undefined. The state is the webview's, so it is checked like any message from it: a
 * URI that parses strictly, on a scheme files live on (the workspace's, `file`, a remote's; not
 * `command:`, `http:` or an untitled buffer that is gone), naming a trace file (`.rep`, `.heap`,
 * or a log read as one: `.mtrace`, `.ltrace`).
 */
export function restorableTrace(value: unknown): vscode.Uri | undefined {
  if (typeof value !== 'string' || value.length === 0 || value.length > 8192) return undefined;
  let uri: vscode.Uri;
  try {
    uri = vscode.Uri.parse(value, true);
  } catch {
    return undefined;
  }
  const schemes = new Set([...RESTORABLE_SCHEMES, ...(vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.scheme)]);
  if (!schemes.has(uri.scheme)) return undefined;
  return /\.(rep|heap|mtrace|ltrace)$/i.test(uri.path) ? uri : undefined;
}
