// A trace file over 50 MB, which VS Code does not open as a document for extensions: Open Large
// Trace in the Heap Panel reads it from its Uri, decodes, parses and replays it in slices under a
// progress notification, and shows it in the panel; its problems go to the Problems view; Run
// Trace on its Uri gives what the command line gives; the extension host's memory stays bounded
// (docs/limits.md, "Big traces in the editor"; docs/memory.md).

import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { OUTPUT_MARK } from '../index';
import { eventually, EXTENSION_ID, repoRoot, resetSettings } from './support';

/**
 * Ops in the file: short lines, about 11.5 bytes an op, so a little over 50 MB. A one-off
 * measurement may ask for more (HEAP_INSPECTOR_LARGE_OPS=10000000: docs/memory.md's ten million).
 */
const OPS = Number(process.env.HEAP_INSPECTOR_LARGE_OPS) || 5_000_000;
/** Blocks live at once. */
const LIVE = 100;
const MB = 2 ** 20;

interface Session {
  readonly state: string;
  readonly document: vscode.TextDocument | undefined;
  readonly isBig: boolean;
  readonly showsProgress: boolean;
  readonly latest: { readonly replay: { readonly recorded: number; readonly done: boolean; readonly memory: { readonly columns: number; readonly checkpoints: number } } } | undefined;
  describeProgress(): string;
  complete(): Promise<{ readonly replay: { readonly recorded: number; readonly done: boolean } } | undefined>;
}
interface Api {
  sessions: { sessionOfFile(uri: vscode.Uri): Session | undefined; closeFile(uri: vscode.Uri): void };
  panels: { state(): { uri: string | null; step: number | null; blocks: number | null } };
}

/**
 * Writes the trace a megabyte at a time: LIVE blocks allocated, then each op frees the oldest or
 * allocates the next id. The header says one op more than there are (an error the reading finds,
 * on line 3, for the Problems view).
 */
function writeTrace(path: string): void {
  const ids = LIVE + (OPS - LIVE) / 2;
  const fd = openSync(path, 'w');
  let chunk = `0\n${ids}\n${OPS + 1}\n1\n`;
  let next = 0;
  let oldest = 0;
  for (let op = 0; op < OPS; op++) {
    if (op < LIVE || op % 2 === 0) {
      chunk += `a ${next} ${8 + ((next * 37) % 120)}\n`;
      next++;
    } else chunk += `f ${oldest++}\n`;
    if (chunk.length > MB) {
      writeSync(fd, chunk);
      chunk = '';
    }
  }
  writeSync(fd, chunk);
  closeSync(fd);
}

/** Waits up to 200 seconds (more for a longer file) until `check()` holds. */
const until = (check: () => boolean, what: string) => eventually(check, `timed out waiting: ${what}`, 200 * Math.max(1, OPS / 5_000_000));

describe('A trace file over 50 MB opens in the heap panel without a document', function () {
  this.timeout(280_000 * Math.max(1, OPS / 5_000_000));
  let dir: string;
  let uri: vscode.Uri;
  let api: Api;

  before(async () => {
    await resetSettings();
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    assert.ok(folder, 'the suite runs in a workspace');
    dir = mkdtempSync(join(folder, 'large-'));
    const path = join(dir, 'large.rep');
    writeTrace(path);
    assert.ok(statSync(path).size > 50 * MB, `the file is over 50 MB (${statSync(path).size} bytes)`);
    uri = vscode.Uri.file(path);
    api = (await vscode.extensions.getExtension(EXTENSION_ID)!.activate()) as Api;
  });
  after(async () => {
    api?.sessions.closeFile(uri);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    rmSync(dir, { recursive: true, force: true });
  });

  it('Open Large Trace reads it from its Uri in slices with progress; the panel shows its steps, the Problems view its problem, Run Trace what the command line says', async () => {
    await assert.rejects(Promise.resolve(vscode.workspace.openTextDocument(uri)), 'VS Code does not open it as a document');
    // The host's resident memory, sampled all along (its peak so far belongs to earlier suites).
    const startRss = process.memoryUsage().rss;
    let peakRss = startRss;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
    try {
      const opened = await vscode.commands.executeCommand<{ uri: string | null }>('heapInspector.openLargeTrace', uri);
      assert.equal(opened?.uri, uri.toString(), 'the panel shows the file');
      const session = api.sessions.sessionOfFile(uri);
      assert.ok(session, 'the file has a session');
      assert.equal(session.document, undefined, 'without a document');
      assert.ok(session.isBig);
      await until(() => session.state === 'replaying', 'the file is read and the replay runs');
      assert.ok(session.showsProgress, 'a progress notification is up');
      assert.match(session.describeProgress(), new RegExp(`^Replaying large\\.rep: [\\d,]+ of ${OPS.toLocaleString('en-US')} ops \\(\\d+%\\)$`));
      const run = await session.complete();
      assert.ok(run?.replay.done);
      assert.equal(run.replay.recorded, OPS);
      assert.equal(session.showsProgress, false, 'the notification is gone');
      await until(() => api.panels.state().step === OPS - 1 && api.panels.state().blocks !== null, 'the panel shows the last step');
      assert.ok(api.panels.state().blocks! >= LIVE, `the panel draws the live blocks (${api.panels.state().blocks})`);

      // Open Heap Panel on its Uri (a lens's, a link's) falls back to the file's session and moves the step.
      const at = await vscode.commands.executeCommand<{ uri: string | null; step: number | null }>('heapInspector.openHeapPanel', uri, 1234);
      assert.deepEqual([at?.uri, at?.step], [uri.toString(), 1234]);
      await until(() => api.panels.state().blocks !== null && api.panels.state().step === 1234, 'the panel moved');

      const problems = () => vscode.languages.getDiagnostics(uri).map((d) => `${d.range.start.line + 1} ${vscode.DiagnosticSeverity[d.severity]} ${String(d.code)}`);
      await until(() => problems().join() === '3 Error header-op-count', `the header's problem is in the Problems view (${problems().join()})`);

      const result = await vscode.commands.executeCommand<Record<string, unknown>>('heapInspector.runTrace', uri);
      const cli = spawnSync(process.execPath, [join(repoRoot, 'dist', 'cli.js'), 'run', uri.fsPath, '--json'], { encoding: 'utf8', maxBuffer: 64 * MB });
      assert.ok(cli.stdout, `the command line ran: ${cli.stderr}`);
      assert.deepEqual(result, JSON.parse(cli.stdout), 'Run Trace says what heap-inspector run --json says');
    } finally {
      clearInterval(sampler);
    }
    const rss = process.memoryUsage().rss;
    peakRss = Math.max(peakRss, rss);
    const mb = (bytes: number) => `${Math.round(bytes / MB)} MB`;
    const history = api.sessions.sessionOfFile(uri)?.latest?.replay.memory;
    const perOp = (bytes: number) => `${(bytes / OPS).toFixed(1)} B/op`;
    console.log(`${OUTPUT_MARK}      the extension host with the ${mb(statSync(uri.fsPath).size)} file of ${OPS.toLocaleString('en-US')} ops: resident ${mb(startRss)} before (earlier suites' peak kept), peak ${mb(peakRss)}, ${mb(rss)} after (added ${mb(peakRss - startRss)} at the peak, ${perOp(peakRss - startRss)}); JS heap ${mb(process.memoryUsage().heapUsed)}; the run's history: columns ${mb(history?.columns ?? 0)} (${perOp(history?.columns ?? 0)}), checkpoints ${mb(history?.checkpoints ?? 0)}`);
    // The host's resident memory does not shrink back after earlier suites (hostile.test.ts's
    // gigabyte heap), so what this file adds is what is bounded here.
    assert.ok(peakRss - startRss < 1024 * MB, `reading and replaying the file added less than 1 GB (${mb(peakRss - startRss)})`);
    api.sessions.closeFile(uri);
    assert.equal(api.sessions.sessionOfFile(uri), undefined, 'closed, the session is gone');
    await until(() => vscode.languages.getDiagnostics(uri).length === 0, 'and its problems with it');
  });
});
