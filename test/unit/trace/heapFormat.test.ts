// The readable .heap script format: statements, settings, data, comments, the printer, and
// diagnostics a student can act on.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { parseHeapScript, parseRep, printHeapScript, printRep, Replay, traceConfig, type Diagnostic } from '../../../src/trace/index';

const brief = (d: readonly Diagnostic[]) => d.map((x) => `${x.range.line}:${x.range.column} ${x.severity} ${x.code}`);
const script = (...lines: string[]) => lines.join('\n') + '\n';

describe('.heap scripts', () => {
  it('reads named pointers, every call, settings and comments', () => {
    const trace = parseHeapScript(
      script(
        '# a comment',
        'set preset = csapp',
        'set policy = best      // trailing comment',
        'p = malloc(24)',
        'q = calloc(4, 0x8);',
        'p = realloc(p, 100)',
        'r = realloc(NULL, 16)',
        'write(p, 0, "hi\\n\\x41")',
        'write(q, 4, [1, 0xff])',
        'fill(p, 8, 16, 0xab)',
        'free(q)',
        'free(NULL)',
      ),
    );
    assert.deepEqual(trace.diagnostics, []);
    assert.deepEqual(trace.names, ['p', 'q', 'r']);
    assert.deepEqual(trace.settings.map((s) => [s.key, s.value, s.range.line]), [['preset', 'csapp', 2], ['policy', 'best', 3]]);
    assert.deepEqual(
      [...trace.ops].map((op) => op.kind),
      ['malloc', 'calloc', 'realloc', 'realloc', 'write', 'write', 'fill', 'free', 'free'],
    );
    assert.deepEqual(trace.ops.at(2), { kind: 'realloc', ptr: 0, from: 0, size: 100n, range: { line: 6, column: 1, endLine: 6, endColumn: 20 } });
    assert.deepEqual(trace.ops.at(3), { kind: 'realloc', ptr: 2, from: null, size: 16n, range: trace.ops.range(3) });
    const [write, writeBytes] = [trace.ops.at(4), trace.ops.at(5)];
    assert.deepEqual(write.kind === 'write' && Array.from(write.bytes), [104, 105, 10, 0x41]);
    assert.deepEqual(writeBytes.kind === 'write' && Array.from(writeBytes.bytes), [1, 255]);
    assert.deepEqual(trace.comments.map((c) => [c.line, c.text, c.trailing]), [[1, 'a comment', false], [3, 'trailing comment', true]]);
  });

  it('settings configure the heap: defaults < the file < explicit overrides', () => {
    const trace = parseHeapScript(script('set policy = best', 'set max-heap = 64K', 'p = malloc(8)'));
    assert.equal(traceConfig(trace).config.policy, 'best');
    assert.equal(traceConfig(trace).config.maxHeap, 64 * 1024);
    assert.equal(traceConfig(trace, { defaults: { policy: 'worst', coalesce: 'off' } }).config.policy, 'best');
    assert.equal(traceConfig(trace, { defaults: { policy: 'worst', coalesce: 'off' } }).config.coalesce, 'off');
    assert.equal(traceConfig(trace, { overrides: { policy: 'next' } }).config.policy, 'next');
  });

  it('a combination of settings the engine refuses is an error on the setting line; the preset runs instead', () => {
    const trace = parseHeapScript(script('set preset = csapp', 'set footers = free-only', 'set sentinels = off', 'p = malloc(8)'));
    const { config, diagnostics } = traceConfig(trace);
    assert.deepEqual(brief(diagnostics), ['2:1 error bad-setting']);
    assert.match(diagnostics[0]!.message, /needs sentinels/);
    assert.equal(config.footers, 'all');
  });

  it('a config problem lands on the set line of the key that caused it, else of a key its rule involves', () => {
    // chunkSize is wrong for maxHeap: the chunkSize line, wherever the file puts it.
    const both = parseHeapScript(script('set maxHeap = 4K', 'p = malloc(8)', 'set chunkSize = 8K'));
    assert.deepEqual(brief(traceConfig(both).diagnostics), ['3:1 error bad-setting']);
    // The file set only maxHeap (the chunk size is the preset's): the maxHeap line.
    const onlyMax = parseHeapScript(script('# a small heap', 'set maxHeap = 1K', 'p = malloc(8)'));
    assert.deepEqual(brief(traceConfig(onlyMax).diagnostics), ['2:1 error bad-setting']);
    // footers "free-only" without sentinels, with sentinels off set by the file and footers by the workspace: the sentinels line.
    const sentinels = parseHeapScript(script('set preset = csapp', 'set sentinels = off', 'p = malloc(8)'));
    assert.deepEqual(brief(traceConfig(sentinels, { defaults: { footers: 'free-only' } }).diagnostics), ['2:1 error bad-setting']);
    // Nothing in the file caused it: line 1.
    const clean = parseHeapScript(script('p = malloc(8)'));
    assert.deepEqual(brief(traceConfig(clean, { overrides: { chunkSize: 100 } }).diagnostics), ['1:1 error bad-setting']);
  });

  it('diagnoses bad lines at the token concerned and keeps the good ones', () => {
    const trace = parseHeapScript(
      script(
        'p = malloc(-5)',
        'q = malloc(8',
        'r = mallok(8)',
        'free = malloc(8)',
        'write(q, 0, "unterminated)',
        'set policy = fastest',
        'malloc(8)',
        's = malloc(16)',
      ),
    );
    assert.deepEqual(brief(trace.diagnostics), [
      '1:12 error negative-size',
      '2:11 error missing-argument',
      '3:5 error unknown-op',
      '4:1 error bad-name',
      '5:13 error bad-string',
      '6:14 error bad-setting',
      '7:1 error missing-argument',
    ]);
    assert.match(trace.diagnostics[5]!.message, /policy must be one of sbrk, first, next, best, worst, not "fastest"/);
    assert.match(trace.diagnostics[6]!.message, /Keep what malloc returns in a pointer: "p = malloc\(...\)"/);
    assert.deepEqual([...trace.ops].map((op) => op.range.line), [8]);
  });

  it('pointer lifetimes name the pointer and the lines involved', () => {
    const trace = parseHeapScript(script('p = malloc(8)', 'free(p)', 'write(p, 0, "x")', 'free(p)', 'free(q)', 'q = malloc(1)', 'q = malloc(2)'));
    assert.deepEqual(brief(trace.diagnostics), ['3:1 error freed-pointer', '4:1 error double-free', '5:1 error unknown-pointer', '7:1 warning leak']);
    assert.match(trace.diagnostics[0]!.message, /write of p, which was freed on line 2 \(use after free\)/);
    assert.match(trace.diagnostics[3]!.message, /q still holds a live block \(allocated on line 6\); overwriting it leaks that block/);
  });

  it('settings after the first op are a warning: they still apply to the whole file', () => {
    const trace = parseHeapScript(script('p = malloc(8)', 'set policy = best'));
    assert.deepEqual(brief(trace.diagnostics), ['2:1 warning setting-after-ops']);
    assert.equal(traceConfig(trace).config.policy, 'best');
  });

  it('prints back to an equivalent script that keeps its layout and comments', () => {
    const text = script('# experiment', 'set policy = worst', '', 'p = malloc(24)  # the first', 'write(p, 2, "a\\"b")', 'free(p)');
    const printed = printHeapScript(parseHeapScript(text));
    assert.equal(printed, text);
  });

  it('every sample script parses cleanly and prints back to the same ops', () => {
    for (const file of readdirSync('samples').filter((f) => f.endsWith('.heap'))) {
      const trace = parseHeapScript(readFileSync(`samples/${file}`, 'utf8'));
      assert.deepEqual(trace.diagnostics, [], file);
      const again = parseHeapScript(printHeapScript(trace));
      assert.deepEqual(again.ops, trace.ops, file);
      assert.deepEqual(again.settings, trace.settings, file);
    }
  });

  it('converts to .rep: ids from pointer names, calloc as malloc, writes dropped and listed', () => {
    const trace = parseHeapScript(script('a = malloc(8)', 'b = calloc(2, 8)', 'write(a, 0, "x")', 'c = realloc(a, 64)', 'free(b)', 'free(c)'));
    const { text, dropped } = printRep(trace);
    assert.equal(text, ['0', '2', '5', '1', 'a 0 8', 'a 1 16', 'r 0 64', 'f 1', 'f 0', ''].join('\n'));
    assert.deepEqual(dropped, ['line 2: calloc became "a 1 16" (.rep cannot say the block is zeroed)', 'line 3: write has no .rep form']);
    const back = parseRep(text);
    assert.deepEqual(back.diagnostics, []);
  });

  it('a .rep trace becomes a script with p<id> names that replays the same', () => {
    const repTrace = parseRep(['0', '2', '4', '1', 'a 0 24', 'a 1 8', 'r 0 100', 'f 1', ''].join('\n'));
    const text = printHeapScript(repTrace);
    assert.equal(text, ['# converted from a malloc lab trace (header: 0 2 4 1)', 'p0 = malloc(24)', 'p1 = malloc(8)', 'p0 = realloc(p0, 100)', 'free(p1)', ''].join('\n'));
    const config = traceConfig(repTrace).config;
    const a = Replay.run(repTrace, config);
    const b = Replay.run(parseHeapScript(text), config);
    assert.deepEqual(
      Array.from({ length: 4 }, (_, i) => b.step(i).ptr),
      Array.from({ length: 4 }, (_, i) => a.step(i).ptr),
    );
  });

  for (const [file, ops] of [['README.md', 5], ['docs/trace-formats.md', 8]] as const) {
    it(`${file}'s example script parses and runs without a problem`, () => {
      const example = /```heap\n([\s\S]*?)```/.exec(readFileSync(file, 'utf8'))?.[1];
      assert.ok(example, `${file} has a heap example`);
      const trace = parseHeapScript(example);
      assert.deepEqual(trace.diagnostics, []);
      assert.equal(trace.ops.length, ops);
      const replay = Replay.run(trace, traceConfig(trace).config);
      assert.deepEqual(replay.diagnostics, []);
    });
  }
});
