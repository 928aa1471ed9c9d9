// The extension in a real VS Code: activation, languages, every command on real traces, settings,
// and malformed input that no command may throw on.

import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { eventually, extension, MALLOCLAB_DIR, open, openText, repoRoot, requireMalloclab, resetSettings, type RunJson } from './support';

const REFERENCE_HEAPS: Record<string, number> = {
  'amptjp-bal': 2028880,
  'cccp-bal': 1687960,
  'cp-decl-bal': 3188640,
  'expr-bal': 3436368,
  'coalescing-bal': 12320,
  'random-bal': 16909856,
  'random2-bal': 15766824,
  'binary-bal': 2097168,
  'binary2-bal': 1122320,
  'realloc-bal': 2315296,
  'realloc2-bal': 83056,
  'short1-bal': 12304,
  'short2-bal': 20496,
};

const sample = (name: string) => join(repoRoot, 'samples', name);

/** Polls `find` until it returns something or five seconds pass. */
async function waitFor<T>(find: () => T | undefined): Promise<T | undefined> {
  for (const start = Date.now(); Date.now() - start < 5000; await new Promise((r) => setTimeout(r, 50))) {
    const found = find();
    if (found !== undefined) return found;
  }
  return find();
}

async function runTrace(uri?: vscode.Uri): Promise<RunJson> {
  const result = await vscode.commands.executeCommand<RunJson>('heapInspector.runTrace', uri);
  assert.ok(result, 'Run Trace returned its result');
  return result;
}

describe('Heap Inspector in VS Code', function () {
  this.timeout(120_000);

  before(resetSettings);
  afterEach(resetSettings);

  it('activates when a .rep trace is opened, and gives it the malloc lab language', async () => {
    const document = await open(sample('tiny.rep'));
    assert.equal(document.languageId, 'malloclab-trace');
    const ext = await extension();
    for (let i = 0; i < 50 && !ext.isActive; i++) await new Promise((r) => setTimeout(r, 100));
    assert.ok(ext.isActive, 'the extension activated on the language');
  });

  it('gives .heap scripts their language', async () => {
    const document = await open(sample('coalescing.heap'));
    assert.equal(document.languageId, 'heap-script');
    const languages = await vscode.languages.getLanguages();
    assert.ok(languages.includes('malloclab-trace') && languages.includes('heap-script'));
  });

  it('contributes grammars that exist and parse for every language, the logs read as traces included', async () => {
    const ext = await extension();
    const grammars = ext.packageJSON.contributes.grammars as { language: string; scopeName: string; path: string }[];
    assert.deepEqual(grammars.map((g) => g.language).sort(), ['glibc-mtrace', 'heap-script', 'ltrace-log', 'malloclab-trace']);
    for (const g of grammars) {
      const json = JSON.parse(readFileSync(join(ext.extensionPath, g.path), 'utf8'));
      assert.equal(json.scopeName, g.scopeName);
    }
  });

  it('registers every contributed command under the Heap Inspector category', async () => {
    const ext = await extension();
    const contributed = ext.packageJSON.contributes.commands as { command: string; category: string }[];
    const registered = new Set(await vscode.commands.getCommands(true));
    for (const c of contributed) {
      assert.equal(c.category, 'Heap Inspector');
      assert.ok(registered.has(c.command), `${c.command} is registered`);
    }
  });

  it('Run Trace replays the active trace and reports its result', async () => {
    await open(sample('first-best-worst.heap'));
    const result = await runTrace();
    assert.equal(result.ops, 10);
    assert.equal(result.preset, 'csapp', 'the script sets its preset');
    assert.equal(result.config.policy, 'best');
    assert.equal(result.heapSize, 4112);
  });

  it('Run Trace with the csapp preset reports the reference heap sizes of the malloc lab traces', async function () {
    requireMalloclab(this);
    await vscode.commands.executeCommand('heapInspector.selectPreset', 'csapp');
    for (const [name, heap] of Object.entries(REFERENCE_HEAPS)) {
      const result = await runTrace(vscode.Uri.file(join(MALLOCLAB_DIR, `${name}.rep`)));
      assert.equal(result.heapSize, heap, name);
      assert.equal(result.errors, 0, name);
    }
  });

  it('Select Policy and Select Preset change the settings, and the next run follows them', async () => {
    const uri = vscode.Uri.file(sample('tiny.rep'));
    assert.equal(await vscode.commands.executeCommand('heapInspector.selectPolicy', 'sbrk'), 'sbrk');
    assert.equal(vscode.workspace.getConfiguration('heapInspector').get('policy'), 'sbrk');
    const sbrk = await runTrace(uri);
    assert.equal(sbrk.config.policy, 'sbrk');
    assert.equal(sbrk.heapSize, 432);
    assert.equal(await vscode.commands.executeCommand('heapInspector.selectPreset', 'csapp'), 'csapp');
    const csapp = await runTrace(uri);
    assert.equal(csapp.preset, 'csapp');
    assert.equal(csapp.config.policy, 'sbrk', 'the policy setting still applies');
    assert.equal(csapp.heapSize, 24 + 104 + 24 + 40 + 200, 'sbrk on the csapp layout rounds each request to 8 bytes, not 16');
  });

  it('the maxHeap setting takes effect: a smaller heap returns NULL', async () => {
    await vscode.workspace.getConfiguration('heapInspector').update('maxHeap', '4K', vscode.ConfigurationTarget.Workspace);
    const script = await openText('big = malloc(8000)\nfree(big)\n', 'heap-script');
    const result = await runTrace(script.uri);
    assert.equal(result.config.maxHeap, 4096);
    assert.equal(result.nulls, 1);
  });

  it('the freeList and order settings take effect, and a script\'s own set line wins', async () => {
    const config = vscode.workspace.getConfiguration('heapInspector');
    await config.update('freeList', 'explicit', vscode.ConfigurationTarget.Workspace);
    await config.update('order', 'address', vscode.ConfigurationTarget.Workspace);
    const script = await openText('a = malloc(24)\nb = malloc(40)\nfree(a)\n', 'heap-script');
    const result = await runTrace(script.uri);
    assert.equal(result.config.freeList, 'explicit');
    assert.equal(result.config.order, 'address');
    const own = await openText('set freeList = implicit\na = malloc(24)\n', 'heap-script');
    // An implicit run's JSON leaves the list kind out, as it always did.
    assert.equal((await runTrace(own.uri)).config.freeList, undefined);
  });

  it('the classes setting shapes a segregated list, a bad one is named and ignored, and a script\'s set classes wins', async () => {
    const config = vscode.workspace.getConfiguration('heapInspector');
    await config.update('freeList', 'segregated', vscode.ConfigurationTarget.Workspace);
    await config.update('classes', '32, 64, 256', vscode.ConfigurationTarget.Workspace);
    const script = await openText('a = malloc(24)\nb = malloc(200)\nfree(a)\n', 'heap-script');
    const result = await runTrace(script.uri);
    assert.equal(result.config.freeList, 'segregated');
    assert.deepEqual(result.config.classes, [32, 64, 256]);
    const own = await openText('set classes = 64, 128\na = malloc(24)\n', 'heap-script');
    assert.deepEqual((await runTrace(own.uri)).config.classes, [64, 128]);
    await config.update('classes', 'small, large', vscode.ConfigurationTarget.Workspace);
    const bad = await openText('a = malloc(24)\n', 'heap-script');
    await eventually(() => vscode.languages.getDiagnostics(bad.uri).some((d) => /heapInspector\.classes must list class bounds/.test(d.message)), 'the bad setting is a diagnostic');
    assert.notDeepEqual((await runTrace(bad.uri)).config.classes, undefined, 'the default classes apply');
  });

  it('Convert Trace opens the other format in a new untitled editor, never overwriting', async () => {
    const original = await open(sample('tiny.rep'));
    const before = original.getText();
    const converted = await vscode.commands.executeCommand<{ language: string; uri: string }>('heapInspector.convertTrace');
    assert.equal(converted?.language, 'heap-script');
    const document = vscode.window.activeTextEditor!.document;
    assert.ok(document.isUntitled);
    assert.match(document.getText(), /^p0 = malloc\(24\)$/m);
    assert.equal(original.getText(), before);
    const back = await vscode.commands.executeCommand<{ language: string }>('heapInspector.convertTrace');
    assert.equal(back?.language, 'malloclab-trace');
    assert.equal(vscode.window.activeTextEditor!.document.getText(), before, 'the round trip gives the same .rep');
  });

  it('New Script from Sample opens a copy of a bundled sample', async () => {
    const result = await vscode.commands.executeCommand<{ sample: string }>('heapInspector.newScriptFromSample', 'overflow.heap');
    assert.equal(result?.sample, 'overflow.heap');
    const document = vscode.window.activeTextEditor!.document;
    assert.ok(document.isUntitled);
    assert.equal(document.languageId, 'heap-script');
    assert.match(document.getText(), /OVERFLOW/);
  });

  it('Show Output shows the Heap Inspector output, with what Run Trace wrote to it', async () => {
    const trace = await open(sample('tiny.rep'));
    await runTrace(trace.uri);
    await vscode.commands.executeCommand('heapInspector.showOutput');
    // A shown output channel is a text document of the `output` scheme in the extension host.
    const shown = await waitFor(() =>
      vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'output' && d.getText().includes(`Run Trace: ${trace.uri.toString()}`)),
    );
    assert.ok(shown, `an output document holds the Run Trace line; output documents: ${vscode.workspace.textDocuments.filter((d) => d.uri.scheme === 'output').map((d) => d.uri.toString()).join(', ') || 'none'}`);
    assert.match(shown.getText(), /Heap size/i, 'the run summary is in the output');
  });

  it('no command throws on malformed traces', async () => {
    const garbage = [
      ['malloclab-trace', '20000\n2\n99\n1\na 0 -5\nr 7 x\nf\n\u0000\u0001binary\na 1 99999999999999999999999\n'],
      ['heap-script', 'p = malloc(\nfree(q)\nwrite(p, 0, "unterminated\nset policy = nope\n'],
      ['malloclab-trace', ''],
    ] as const;
    for (const [language, content] of garbage) {
      await openText(content, language);
      const result = await runTrace();
      assert.ok(result.errors > 0 || content === '', `errors are reported for ${JSON.stringify(content.slice(0, 20))}`);
      // Conversion keeps the valid ops: converting the result back and forth again gives the same
      // text, but for the comment naming the header of the .rep it came from.
      const there = await vscode.commands.executeCommand<{ language: string; uri: string }>('heapInspector.convertTrace');
      assert.ok(there, `Convert Trace converted ${JSON.stringify(content.slice(0, 20))}`);
      assert.notEqual(there.language, language);
      const converted = vscode.window.activeTextEditor!.document;
      assert.equal(converted.uri.toString(), there.uri);
      assert.ok(converted.isUntitled, 'the conversion is a new untitled editor');
      const back = await vscode.commands.executeCommand<{ language: string }>('heapInspector.convertTrace');
      assert.equal(back?.language, language);
      const again = await vscode.commands.executeCommand<{ language: string }>('heapInspector.convertTrace');
      assert.equal(again?.language, there.language);
      const ops = (text: string) => text.split('\n').filter((line) => !line.startsWith('# converted from'));
      assert.deepEqual(ops(vscode.window.activeTextEditor!.document.getText()), ops(converted.getText()), `the conversion of ${JSON.stringify(content.slice(0, 20))} round-trips`);
      await openText(content, language);
    }
  });
});
