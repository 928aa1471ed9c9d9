// Test helper for recorded traces (docs/recording.md): every f and r names a live id, and the
// trace parses and replays without errors under every kind of list and policy.

import assert from 'node:assert/strict';
import { comparePolicies, parseTrace, type Trace } from '../../../src/trace/index';

/** Every f and r names an id allocated before and not freed since; no id is allocated again while live. */
export function everyFreeMatched(lines: readonly string[]): void {
  const live = new Set<number>();
  for (const [i, line] of lines.entries()) {
    const [kind, id] = [line[0], Number(line.split(' ')[1])];
    if (kind === 'a') {
      assert.ok(!live.has(id), `op ${i}: id ${id} is allocated again while live`);
      live.add(id);
    } else {
      assert.ok(live.has(id), `op ${i}: "${line}" names an id that is not live`);
      if (kind === 'f') live.delete(id);
    }
  }
}

/** A recorded trace's text: its frees matched, no parse errors, and no errors replayed under every policy (`replay: false` skips that for a long one). */
export function assertSoundTrace(text: string, name: string, options: { readonly replay?: boolean } = {}): Trace {
  const lines = text.split('\n').slice(4, -1);
  everyFreeMatched(lines);
  const trace = parseTrace(text, 'rep');
  assert.deepEqual(trace.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.range.line}: ${d.message}`), [], `${name} parses without errors`);
  assert.equal(trace.ops.length, lines.length);
  if (options.replay !== false) {
    const comparison = comparePolicies(trace, {}, { families: true });
    assert.equal(comparison.errors, 0, `${name} replays without errors: ${JSON.stringify(comparison.policies.filter((p) => p.errors > 0).map((p) => p.list + ' ' + p.policy))}`);
  }
  return trace;
}
