// A million-line trace in the real editor: it opens at once and replays a slice at a time while
// the extension host goes on answering timers and providers; a cancellable progress notification
// is up meanwhile; cancelling leaves a partial run that says so and can be resumed; an edit starts
// over on the new text; and once done, lenses, hints, hovers and diagnostics work as on any trace.

import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { OUTPUT_MARK } from '../index';
import { generatedRep } from '../../unit/support/generatedTrace';
import { EXTENSION_ID, open, openText, repoRoot, resetSettings } from './support';

/** The session of a trace, as the extension's API hands it out (what these tests use of it). */
interface Session {
  readonly state: 'reading' | 'replaying' | 'stopped' | 'done';
  readonly showsProgress: boolean;
  readonly latest: Run | undefined;
  describeProgress(): string;
  cancel(): void;
  complete(): Promise<Run | undefined>;
}
interface Run {
  readonly replay: { readonly recorded: number; readonly length: number; readonly done: boolean };
  readonly trace: { readonly ops: { requestSize(i: number): number | bigint } };
}

async function sessionOf(document: vscode.TextDocument): Promise<Session> {
  const api = (await vscode.extensions.getExtension(EXTENSION_ID)!.activate()) as { sessions: { get(d: vscode.TextDocument): Session | undefined } };
  const session = api.sessions.get(document);
  assert.ok(session, 'the trace has a session');
  return session;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `check` holds; the polling itself needs a responsive extension host. */
async function until(check: () => boolean, what: string, seconds = 120): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`${what} (waited ${seconds} s)`);
    await sleep(50);
  }
}

/** How late `setTimeout(0)` fires, probed every 50 ms for as long as `during()` holds. */
/** How late a timer fires, probed every 50 ms while `during()` holds; and how long that was. */
async function timerDelays(during: () => boolean): Promise<{ delays: number[]; elapsed: number }> {
  const delays: number[] = [];
  const start = performance.now();
  while (during()) {
    const asked = performance.now();
    await sleep(0);
    delays.push(performance.now() - asked);
    await sleep(50);
  }
  return { delays, elapsed: performance.now() - start };
}

const labelOf = (hint: vscode.InlayHint) => (typeof hint.label === 'string' ? hint.label : hint.label.map((p) => p.value).join(''));
/** The hints on lines `first` to `last` (1-based), as [line, label]. */
const hints = async (uri: vscode.Uri, first: number, last: number) =>
  ((await vscode.commands.executeCommand<vscode.InlayHint[]>('vscode.executeInlayHintProvider', uri, new vscode.Range(first - 1, 0, last, 0))) ?? []).map((h) => [h.position.line + 1, labelOf(h)]);
const lenses = async (uri: vscode.Uri) => ((await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 100)) ?? []).map((l) => [l.range.start.line + 1, l.command?.title ?? '', l.command?.command ?? ''] as const);
const hoverText = async (uri: vscode.Uri, line: number) =>
  ((await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, new vscode.Position(line - 1, 1))) ?? []).flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
const diagnosticsOf = (uri: vscode.Uri) => vscode.languages.getDiagnostics(uri).map((d) => `${d.range.start.line + 1} ${vscode.DiagnosticSeverity[d.severity]} ${String(d.code)}`);

/** 1,000,000 lines: the header, 999,994 generated ops, then a malloc too big for the heap and its free. */
const LINES = 1_000_000;
const OPS = LINES - 4;
/** The line of the malloc that returns NULL at the heap limit (a problem only the replay finds). */
const NULL_LINE = LINES - 1;

describe('A million-line trace never freezes the editor', function () {
  this.timeout(240_000);
  let dir: string;
  let path: string;
  /** The long trace's session, stopped at the end so that it does not replay on behind later suites. */
  let long: Session | undefined;

  before(async () => {
    await resetSettings();
    dir = mkdtempSync(join(tmpdir(), 'heap-inspector-long-'));
    const lines = generatedRep(OPS - 2, 2_000, 42).trimEnd().split('\n');
    const ids = Number(lines[1]);
    lines[1] = String(ids + 1);
    lines[2] = String(OPS + 1); // one more than there are: an error the reading finds, on line 3
    lines.push(`a ${ids} 1000000000`, `f ${ids}`);
    assert.equal(lines.length, LINES);
    path = join(dir, 'long.rep');
    writeFileSync(path, lines.join('\n') + '\n');
  });
  afterEach(resetSettings);
  after(async () => {
    long?.cancel();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    rmSync(dir, { recursive: true, force: true });
  });

  it('a small trace is done as soon as it opens, with no progress shown', async () => {
    const document = await open(join(repoRoot, 'samples', 'tiny.rep'));
    const session = await sessionOf(document);
    assert.equal(session.state, 'done');
    assert.equal(session.showsProgress, false);
  });

  it('a trace with thousands of problems publishes the first thousand, errors first, and says how many more', async () => {
    // 3,000 frees of a block never allocated (errors) between 3,000 mallocs of 0 bytes into one id
    // (a warning each; malloc(0) returns NULL, so none leaks the one before): 6,000 problems, of
    // which the trace keeps the first 1,000 of each kind and a count of the rest.
    const lines = ['0', '2', '6000', '1'];
    for (let k = 0; k < 3000; k++) lines.push('a 0 0', 'f 1');
    const document = await openText(lines.join('\n'), 'malloclab-trace');
    const uri = document.uri;
    await until(() => vscode.languages.getDiagnostics(uri).length > 0, 'the problems are published');
    const published = vscode.languages.getDiagnostics(uri);
    assert.equal(published.length, 1000, 'as many as VS Code shows');
    const note = published.at(-1)!;
    // Shown: the errors' summary (2,000 more like the first 1,000) and the first 998 errors;
    // left out: two errors, 1,000 warnings and the warnings' summary of 2,000.
    assert.equal(note.message, '3,002 more problems are not listed here (Heap Inspector: Run Trace counts them all).');
    assert.ok(published.some((d) => /and 2,000 more "unknown-pointer" problems/.test(d.message)), 'the counted summary is kept');
    assert.equal(note.severity, vscode.DiagnosticSeverity.Information);
    assert.ok(published.slice(0, -1).every((d) => d.severity === vscode.DiagnosticSeverity.Error && d.code === 'unknown-pointer'), 'errors first');
  });

  it('opens at once and replays in slices under a progress notification; timers fire on time and providers answer meanwhile; then lenses, hints, hovers and diagnostics work', async () => {
    const document = await open(path);
    assert.equal(document.lineCount, LINES + 1, 'VS Code counts the empty line after the final newline too');
    const session = (long = await sessionOf(document));
    const uri = document.uri;
    // The extension host keeps its turn all along, reading and replaying: a timer fires within a fraction of a second.
    const probing = timerDelays(() => session.state !== 'done');
    await until(() => session.state === 'replaying', 'the trace is read and the replay runs');
    assert.ok(session.showsProgress, 'a progress notification is up');
    assert.match(session.describeProgress(), /^Replaying long\.rep: [\d,]+ of 999,996 ops \(\d+%\)$/);

    // The trace's own problems are published once it is read; the replay's wait for its end.
    await until(() => diagnosticsOf(uri).join() === '3 Error header-op-count', `the header's wrong op count is reported at once (${diagnosticsOf(uri).join()})`);
    // Providers answer while the replay runs: an op far down is not replayed yet.
    assert.match(await hoverText(uri, NULL_LINE), /\*\*Not replayed yet\*\*: the replay has reached op [\d,]+ of 999,996/);
    assert.deepEqual((await hints(uri, 1, 12)).map(([line]) => line), [5, 6, 7, 8, 9, 10, 11, 12], 'a hint on each op line on screen');

    const { delays, elapsed } = await probing;
    const sorted = [...delays].sort((a, b) => a - b);
    console.log(`${OUTPUT_MARK}      a timer while the trace was read and replayed: ${delays.length} probes, median ${sorted[delays.length >> 1]?.toFixed(0)} ms late, worst ${sorted.at(-1)?.toFixed(0)} ms`);
    assert.ok(delays.length >= 20, `the job ran long enough to probe (${delays.length} probes)`);
    // A host that replayed in one go would make one timer wait for nearly the whole job. The bound is
    // relative to the job's length in this run (a loaded machine slows both), never below 500 ms.
    const bound = Math.max(500, elapsed / 4);
    assert.ok(sorted.at(-1)! < bound, `every timer fired within ${bound.toFixed(0)} ms (a quarter of the ${elapsed.toFixed(0)} ms job): ${delays.map((d) => d.toFixed(0)).join(', ')}`);

    const run = await session.complete();
    assert.ok(run?.replay.done);
    assert.equal(run.replay.recorded, OPS);
    assert.equal(session.showsProgress, false, 'the notification is gone');
    await until(() => diagnosticsOf(uri).sort().join() === ['3 Error header-op-count', `${NULL_LINE} Warning heap-limit`].sort().join(), `the replay's problem is published at its end (${diagnosticsOf(uri).join()})`);

    // Past the lens limit: the summary and the problem op keep lenses, every op on screen a hint.
    const byLine = await lenses(uri);
    assert.match(byLine[0]![1], /^first fit · default · 999996 ops · heap \d+ B · utilisation [\d.]+% · 1 error, 1 warning$/);
    assert.deepEqual([...new Set(byLine.map(([line]) => line))], [1, NULL_LINE]);
    assert.equal(byLine.find(([line]) => line === NULL_LINE)?.[1], 'NULL: heap limit');
    assert.deepEqual((await hints(uri, 5, 7)).map(([line, label]) => [line, String(label).split(' · ')[0]]), [[5, '-> 0x0020'], [6, '-> 0x00b0'], [7, 'free -> coalesced with next: 3952 free']]);
    assert.match(await hoverText(uri, 5), /allocated on line 5 as 124 bytes in a block of 144 at 0x0020/);
    const actions = (await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, new vscode.Range(2, 0, 2, 1))) ?? [];
    assert.deepEqual(actions.map((a) => a.title), ['Set the op count to 999996']);
    const symbols = (await vscode.commands.executeCommand<vscode.DocumentSymbol[]>('vscode.executeDocumentSymbolProvider', uri)) ?? [];
    assert.equal(symbols.length, 10_000, 'the outline lists the first 10,000 blocks');
  });

  it('cancelling stops the replay where it is and says so on the lenses, hints and hover; Resume Replay and Run Trace finish it', async () => {
    const document = await open(path);
    const session = await sessionOf(document);
    const uri = document.uri;
    await vscode.workspace.getConfiguration('heapInspector').update('policy', 'best', vscode.ConfigurationTarget.Workspace);
    await until(() => session.state === 'replaying' && (session.latest?.replay.recorded ?? 0) > 1000, 'the replay under best fit runs');
    session.cancel(); // what the notification's Cancel button does
    assert.equal(session.state, 'stopped');
    assert.equal(session.showsProgress, false, 'the notification closed');
    const stoppedAt = session.latest!.replay.recorded;
    assert.ok(stoppedAt < OPS);
    await sleep(300);
    assert.equal(session.latest!.replay.recorded, stoppedAt, 'nothing more is replayed');

    const [summary] = await lenses(uri);
    assert.ok(summary);
    assert.match(summary[1], /^Replay stopped after [\d,]+ of 999,996 ops · Resume$/);
    assert.equal(summary[2], 'heapInspector.resumeReplay');
    assert.deepEqual(await hints(uri, NULL_LINE, NULL_LINE), [[NULL_LINE, 'not replayed: the replay was stopped · Resume']]);
    assert.match(await hoverText(uri, NULL_LINE), /\*\*Not replayed\*\*: the replay was stopped after op [\d,]+ of 999,996\. \[Resume the replay\]/);

    assert.equal(await vscode.commands.executeCommand('heapInspector.resumeReplay', uri), 'replaying');
    assert.ok(session.latest!.replay.recorded >= stoppedAt, 'it goes on from where it stopped');
    await until(() => session.latest!.replay.recorded > stoppedAt, 'the replay goes on');
    session.cancel();
    assert.equal(session.state, 'stopped');
    // Run Trace needs the whole run: it resumes the replay and waits for it.
    const result = await vscode.commands.executeCommand<{ ops: number; config: { policy: string }; nulls: number }>('heapInspector.runTrace', uri);
    assert.equal(result?.ops, OPS);
    assert.equal(result?.config.policy, 'best');
    assert.equal(result?.nulls, 1);
    assert.equal(session.state, 'done');
  });

  it('an edit during the replay stops it and replays the new text', async () => {
    const document = await open(path);
    const session = await sessionOf(document);
    await vscode.workspace.getConfiguration('heapInspector').update('policy', 'worst', vscode.ConfigurationTarget.Workspace);
    await until(() => session.state === 'replaying', 'the replay under worst fit runs');
    const before = session.latest!;
    const edit = new vscode.WorkspaceEdit();
    edit.replace(document.uri, document.lineAt(4).range, 'a 0 4000');
    assert.ok(await vscode.workspace.applyEdit(edit));
    await sleep(50);
    const stoppedAt = before.replay.recorded;
    await sleep(500);
    assert.equal(before.replay.recorded, stoppedAt, 'the replay of the old text stopped');
    assert.ok(stoppedAt < OPS);
    try {
      const run = await session.complete();
      assert.notEqual(run, before);
      assert.equal(run?.trace.ops.requestSize(0), 4000);
      assert.equal(run?.replay.recorded, OPS);
      assert.deepEqual(await hints(document.uri, 5, 5), [[5, '-> 0x0020 · block 4016 B · split 80 free · examined 1']]);
    } finally {
      await vscode.window.showTextDocument(document);
      await vscode.commands.executeCommand('workbench.action.files.revert');
    }
  });
});
