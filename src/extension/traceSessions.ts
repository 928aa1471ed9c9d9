// One session per open trace document: it owns the document's parse and replay, re-runs them on
// edit (debounced) and on settings changes, and is the single source of truth for every feature
// that shows a trace (commands now; lenses, diagnostics, hovers and panels later).

import * as vscode from 'vscode';
import { parseTrace, runTrace, type TraceRun } from '../trace/index';
import { LANGUAGES, TRACE_LANGUAGES } from './commandIds';
import { DisposableStore } from './dispose';
import { heapSettings } from './settings';

const EDIT_DEBOUNCE_MS = 250;

export function isTraceDocument(document: vscode.TextDocument): boolean {
  return TRACE_LANGUAGES.includes(document.languageId);
}

export class TraceSession {
  private cached: { version: number; generation: number; run: TraceRun; settingsProblems: string[] } | undefined;

  constructor(
    readonly document: vscode.TextDocument,
    private readonly generation: () => number,
  ) {}

  /** The run for the document as it is now (computed on demand, then cached until it changes). */
  get run(): TraceRun {
    return this.current().run;
  }

  /** Settings that could not be applied to this trace. */
  get settingsProblems(): readonly string[] {
    return this.current().settingsProblems;
  }

  /** A short name for messages. */
  get name(): string {
    const path = this.document.uri.path;
    return this.document.isUntitled ? this.document.uri.path : path.slice(path.lastIndexOf('/') + 1);
  }

  get isStale(): boolean {
    return this.cached === undefined || this.cached.version !== this.document.version || this.cached.generation !== this.generation();
  }

  private current(): NonNullable<TraceSession['cached']> {
    if (this.isStale) {
      const format = this.document.languageId === LANGUAGES.rep ? 'rep' : 'heap';
      const trace = parseTrace(this.document.getText(), format);
      const { options, problems } = heapSettings(this.document.uri);
      this.cached = { version: this.document.version, generation: this.generation(), run: runTrace(trace, { defaults: options }), settingsProblems: problems };
    }
    return this.cached!;
  }
}

export class TraceSessions implements vscode.Disposable {
  private readonly sessions = new Map<string, TraceSession>();
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly store = new DisposableStore();
  private settingsGeneration = 0;
  private readonly changed = this.store.add(new vscode.EventEmitter<TraceSession>());
  /** Fires when a session's run changed (after an edit settles, or after a settings change). */
  readonly onDidChange = this.changed.event;

  constructor() {
    this.store.add(
      vscode.workspace.onDidOpenTextDocument((d) => {
        const session = this.get(d);
        if (session) this.changed.fire(session);
      }),
    );
    this.store.add(vscode.workspace.onDidCloseTextDocument((d) => this.forget(d)));
    this.store.add(
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length > 0 && this.sessions.has(e.document.uri.toString())) this.schedule(e.document);
      }),
    );
    this.store.add(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration('heapInspector')) return;
        this.settingsGeneration++;
        for (const session of this.sessions.values()) this.changed.fire(session);
      }),
    );
    for (const d of vscode.workspace.textDocuments) this.get(d);
  }

  /** The session of a trace document (created on first use), or undefined for other documents. */
  get(document: vscode.TextDocument): TraceSession | undefined {
    if (!isTraceDocument(document)) return undefined;
    const key = document.uri.toString();
    let session = this.sessions.get(key);
    if (session === undefined || session.document !== document) {
      session = new TraceSession(document, () => this.settingsGeneration);
      this.sessions.set(key, session);
    }
    return session;
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.sessions.clear();
    this.store.dispose();
  }

  private forget(document: vscode.TextDocument): void {
    const key = document.uri.toString();
    this.sessions.delete(key);
    const t = this.timers.get(key);
    if (t) clearTimeout(t);
    this.timers.delete(key);
  }

  private schedule(document: vscode.TextDocument): void {
    const key = document.uri.toString();
    const pending = this.timers.get(key);
    if (pending) clearTimeout(pending);
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        const session = this.sessions.get(key);
        if (session) this.changed.fire(session);
      }, EDIT_DEBOUNCE_MS),
    );
  }
}
