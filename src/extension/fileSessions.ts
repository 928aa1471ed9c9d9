// The sessions of trace files read without a document (docs/limits.md, "Big traces in the
// editor"), one per Uri, several at once. Their runs together hold at most about one longest
// trace's worth of ops: opening another drops the least recently opened beyond that. The Uris
// read this way are remembered in the workspace's state, so that a panel restored after a reload
// reads its file the same way again.

import * as vscode from 'vscode';
import { MAX_TRACE_OPS } from '../trace/index';
import { languageOfPath } from './commandIds';
import type { TraceRun } from '../trace/index';

/** The ops the runs of all file sessions may hold together (one longest trace's: docs/memory.md). */
export const FILE_SESSION_OPS = MAX_TRACE_OPS;
/** The workspace state key of the Uris read without a document, most recent last. */
const REMEMBERED_KEY = 'heapInspector.fileSessions';
const REMEMBERED_MAX = 16;

/** A trace file a session reads without a document (its language from its name). */
export interface TraceFile {
  readonly uri: vscode.Uri;
  readonly languageId: string;
}

/** What file sessions need of a session (src/extension/traceSessions.ts's TraceSession, which imports this module). */
interface Session {
  readonly uri: vscode.Uri;
  readonly latest: TraceRun | undefined;
  /** Reads the file again. */
  reload(): void;
  /** Starts the first reading. */
  refresh(): void;
  dispose(): void;
}

/** What file sessions need of the session manager (src/extension/traceSessions.ts). */
interface SessionMaker<TraceSession extends Session> {
  /** A new session of a file. */
  make(file: TraceFile): TraceSession;
  /** The session of an open trace document. */
  document(document: vscode.TextDocument): TraceSession | undefined;
  /** A session was dropped. */
  dropped(session: TraceSession): void;
}

export class FileSessions<TraceSession extends Session> implements vscode.Disposable {
  /** By Uri, least recently opened first. */
  private readonly files = new Map<string, TraceSession>();

  constructor(
    private readonly maker: SessionMaker<TraceSession>,
    private readonly memento: vscode.Memento | undefined,
  ) {}

  /** The file session of `uri`, if there is one. */
  of(uri: vscode.Uri): TraceSession | undefined {
    return this.files.get(uri.toString());
  }

  /** Whether `session` is one of these (not dropped). */
  has(session: TraceSession): boolean {
    return this.files.get(session.uri.toString()) === session;
  }

  get all(): IterableIterator<TraceSession> {
    return this.files.values();
  }

  /** Whether `uri` was read without a document before (in this workspace). */
  remembered(uri: vscode.Uri): boolean {
    return (this.memento?.get<string[]>(REMEMBERED_KEY) ?? []).includes(uri.toString());
  }

  /**
   * The session of the trace file `uri`, read again if it had one, the most recently opened; an
   * open document's if open; undefined if its name is not a trace's.
   */
  open(uri: vscode.Uri): TraceSession | undefined {
    const key = uri.toString();
    const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === key);
    if (document) return this.maker.document(document);
    const languageId = languageOfPath(uri.path);
    if (languageId === undefined) return undefined;
    let session = this.files.get(key);
    this.files.delete(key);
    if (session) {
      this.files.set(key, session);
      session.reload();
    } else {
      session = this.maker.make({ uri, languageId });
      this.files.set(key, session);
      session.refresh();
    }
    this.trim();
    void this.remember(key);
    return session;
  }

  /**
   * Drops the least recently opened sessions while the runs of all of them hold more than
   * FILE_SESSION_OPS ops; never the most recent. Called when one opens and when one's trace is read.
   */
  trim(): void {
    const ops = (s: TraceSession) => s.latest?.trace.ops.length ?? 0;
    let total = 0;
    for (const s of this.files.values()) total += ops(s);
    for (const [key, s] of [...this.files]) {
      if (total <= FILE_SESSION_OPS || this.files.size === 1) break;
      total -= ops(s);
      this.close(key);
    }
  }

  /** Drops the session of `uri` and its run. */
  close(key: string): void {
    const session = this.files.get(key);
    if (!session) return;
    session.dispose();
    this.files.delete(key);
    this.maker.dropped(session);
  }

  /**
   * The session of the trace at `uri` for a panel restored after a reload: read without a document
   * again if it was before (or VS Code will not open it), else its document's; undefined if the
   * file is gone.
   */
  async restore(uri: vscode.Uri): Promise<TraceSession | undefined> {
    if (this.remembered(uri) && !vscode.workspace.textDocuments.some((d) => d.uri.toString() === uri.toString())) return (await isFile(uri)) ? this.open(uri) : undefined;
    try {
      return this.maker.document(await vscode.workspace.openTextDocument(uri));
    } catch {
      return (await isFile(uri)) ? this.open(uri) : undefined;
    }
  }

  dispose(): void {
    for (const session of this.files.values()) session.dispose();
    this.files.clear();
  }

  private async remember(key: string): Promise<void> {
    if (!this.memento) return;
    const known = (this.memento.get<string[]>(REMEMBERED_KEY) ?? []).filter((k) => k !== key);
    await this.memento.update(REMEMBERED_KEY, [...known, key].slice(-REMEMBERED_MAX));
  }
}

/** Whether `uri` names a file that exists. */
export async function isFile(uri: vscode.Uri): Promise<boolean> {
  try {
    return ((await vscode.workspace.fs.stat(uri)).type & vscode.FileType.File) !== 0;
  } catch {
    return false;
  }
}
