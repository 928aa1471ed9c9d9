// Hostile but legal inputs in the real extension host (issue 13, finding 6): a script whose one
// malloc fills a 1 GiB heap, run, compared under every policy by the command and in the panel;
// a million frees of an unknown pointer. The extension host's peak resident memory, over the whole
// suite so far, stays under 1 GiB (docs/limits.md).

import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { eventually, EXTENSION_ID, open, resetSettings } from './support';

const GiB = 2 ** 30;
const peak = () => process.resourceUsage().maxRSS * 1024;
const mb = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MB`;

interface PanelApi {
  state(): { visible: boolean; uri: string | null; step: number | null; blocks: number | null; compare: boolean; compared: number };
  setCompare(on: boolean): void;
}

describe('hostile inputs in the extension host', function () {
  this.timeout(300_000);
  let dir: string;
  before(async () => {
    await resetSettings();
    dir = mkdtempSync(join(tmpdir(), 'heap-inspector-hostile-'));
  });
  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    rmSync(dir, { recursive: true, force: true });
  });

  it('a 1 GB heap filled by one malloc: run, every policy compared, the panel open; the host stays under 1 GB', async () => {
    const path = join(dir, 'huge.heap');
    writeFileSync(path, 'set maxHeap = 1G\np = malloc(1000000000)\nfill(p, 0, 1000000000, 0xab)\np = realloc(p, 1000000008)\nfree(p)\n');
    await open(path);
    const run = await vscode.commands.executeCommand<{ heapSize: number }>('heapInspector.runTrace');
    assert.ok(run && run.heapSize > 1_000_000_000, `ran: ${JSON.stringify(run)}`);
    // Every kind of free list with every policy, one replay alive at a time.
    const comparison = await vscode.commands.executeCommand<{ policies: { policy: string; list: string; heapSize: number; nulls: number }[] }>('heapInspector.comparePolicies');
    const rows = comparison?.policies.map((p) => `${p.list} ${p.policy}`) ?? [];
    for (const row of ['none sbrk', 'implicit first', 'explicit lifo worst', 'segregated lifo best', 'simple-segregated lifo first', 'buddy lifo first']) assert.ok(rows.includes(row), `${row} among ${rows.join(', ')}`);
    // The buddy system would need a 2^30-byte arena past its prologue, more than the 1 GiB heap: NULL.
    const [buddy, others] = [comparison!.policies.filter((p) => p.list.startsWith('buddy')), comparison!.policies.filter((p) => !p.list.startsWith('buddy'))];
    assert.ok(buddy.every((p) => p.nulls > 0 && p.heapSize < 1_000_000), 'the buddy system returns NULL');
    assert.ok(others.every((p) => p.heapSize >= 1_000_000_000), 'every other one held the gigabyte');
    await vscode.commands.executeCommand('heapInspector.openHeapPanel', vscode.Uri.file(path), 1);
    const api = ((await vscode.extensions.getExtension(EXTENSION_ID)!.activate()) as { panels: PanelApi }).panels;
    assert.equal(api.state().visible, true);
    // The panel's side by side: every policy's heap at the same step.
    api.setCompare(true);
    await eventually(() => api.state().compared === 5, `the panel compares every policy (${JSON.stringify(api.state())})`);
    api.setCompare(false);
    assert.ok(peak() < GiB, `the extension host's peak resident memory is ${mb(peak())}`);
  });

  it('a million frees of an unknown pointer: bounded diagnostics, and the host stays under 1 GB', async () => {
    const path = join(dir, 'unknown.rep');
    writeFileSync(path, `0\n6\n1000001\n1\na 0 8\n${'f 5\n'.repeat(1_000_000)}`);
    const document = await open(path);
    await vscode.commands.executeCommand('heapInspector.runTrace');
    const diagnostics = vscode.languages.getDiagnostics(document.uri);
    assert.ok(diagnostics.length > 0 && diagnostics.length <= 1000, `${diagnostics.length} diagnostics`);
    assert.ok(diagnostics.some((d) => /and 999,000 more "unknown-pointer" problems/.test(d.message)), 'the counted summary is published');
    assert.ok(peak() < GiB, `the extension host's peak resident memory is ${mb(peak())}`);
  });
});
