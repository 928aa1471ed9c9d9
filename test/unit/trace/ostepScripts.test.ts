// Scripts on OSTEP's model (`set preset = ostep`): a script in, malloc.py's answers and the chunk
// chain out, checked against the real malloc.py's fixtures, with the model's invariants checked
// after every op; and an exercise drawn from a seed answers exactly what `malloc.py -c` prints.

import assert from 'node:assert/strict';
import { parseOstepArgs } from '../../../src/trace/ostep/ostepFlags';
import { LENS_CHUNKS, ostepListDump } from '../../../src/trace/ostep/ostepReplay';
import { frameOf, infoOf, seriesOf } from '../../../src/extension/frames';
import { parseHostMessage } from '../../../src/shared/protocol';
import {
  BLOCK_STATUSES,
} from '../../../src/engine/index';
import {
  compareOstep,
  exerciseProblem,
  formatOstepComparison,
  MAX_OSTEP_OPS,
  OSTEP_EXERCISE_DEFAULTS,
  OSTEP_ORDERS,
  OSTEP_POLICIES,
  ostepExercise,
  parseHeapScript,
  runJson,
  runTrace,
  sourceOf,
  formatRunSummary,
  type HeapSource,
  type OstepRun,
  type TraceRun,
} from '../../../src/trace/index';
import { ostepFixtureFiles, readFixture } from '../support/ostepFixtures';

const FREE = BLOCK_STATUSES.indexOf('free');
const ALLOCATED = BLOCK_STATUSES.indexOf('allocated');

function ostepRun(script: string): OstepRun {
  const run = runTrace(parseHeapScript(script));
  assert.equal(run.model, 'ostep', 'the script runs on OSTEP\'s model');
  return run as OstepRun;
}

/** The chunks after a step as `A8 F92` (allocated or free, and bytes), in address order. */
function chain(source: HeapSource, step: number): string {
  const h = source.heapAt(step);
  return Array.from({ length: h.count }, (_, k) => `${h.states[k] === FREE ? 'F' : 'A'}${h.sizes[k]}`).join(' ');
}

/** The free list after a step, in list order, as malloc.py prints its chunks: `1000:3 1008:92`. */
function list(source: HeapSource, step: number): string {
  const h = source.heapAt(step);
  const [l] = h.freeLists;
  assert.ok(l && h.freeLists.length === 1, 'one free list');
  return Array.from(l.nodes, (n) => `${source.addresses.base + n}:${h.sizes[Array.from(h.addrs).indexOf(n)]}`).join(' ');
}

/**
 * The model's invariants after every op: the chunks tile the heap without overlap (a zero-size
 * chunk takes no bytes), the free list's nodes are exactly the free chunks, the metrics add up,
 * and the panel's frame passes the webview's own guard.
 */
function assertInvariants(run: TraceRun): void {
  const source = sourceOf(run);
  for (let i = -1; i < source.steps; i++) {
    const h = source.heapAt(i);
    let at = 0;
    let free = 0;
    let live = 0;
    const freeAddrs: number[] = [];
    for (let k = 0; k < h.count; k++) {
      assert.equal(h.addrs[k], at, `step ${i}: chunk ${k} starts where the one before it ends`);
      assert.ok(h.sizes[k]! > 0, `step ${i}: no empty chunk in the chain`);
      at += h.sizes[k]!;
      if (h.states[k] === FREE) {
        free += h.sizes[k]!;
        freeAddrs.push(h.addrs[k]!);
      } else {
        assert.equal(h.states[k], ALLOCATED);
        live += h.requested[k]!;
      }
    }
    assert.equal(at, h.heapSize, `step ${i}: the chunks cover the heap`);
    const nodes = Array.from(h.freeLists[0]!.nodes);
    assert.deepEqual([...nodes].sort((a, b) => a - b), freeAddrs, `step ${i}: the list holds every free chunk once`);
    assert.equal(h.freeLists[0]!.linkWords, false, 'no link words in the heap');
    const m = source.metricsAt(i);
    assert.equal(m.freeBytes, free, `step ${i}: free bytes`);
    assert.equal(m.freeBlocks, nodes.length, `step ${i}: free chunks`);
    assert.equal(m.livePayload, live, `step ${i}: live payload`);
    const message = { type: 'snapshot', trace: infoOf(source, 'file:///x.heap', 'x.heap'), frame: frameOf(source, i), series: seriesOf(source), events: source.events(), compare: null };
    assert.ok(parseHostMessage(message), `step ${i}: the frame passes the webview's guard`);
  }
}

/** malloc.py's -c output cut into one block per op: the lines of an op, without the blank line after it. */
function opBlocks(stdout: string): string[][] {
  const body = stdout.slice(stdout.indexOf('\n\n') + 2);
  return body
    .split('\n\n')
    .filter((b) => b.length > 0)
    .map((b) => b.split('\n'));
}

describe("scripts on OSTEP's model", () => {
  it('a script in, the chunks and malloc.py\'s answers out', () => {
    const run = ostepRun(['set preset = ostep', 'set policy = best', 'a = malloc(3)', 'b = malloc(5)', 'free(a)', 'c = malloc(2)', 'free(b)', 'd = malloc(200)', 'free(d)'].join('\n'));
    const s = sourceOf(run);
    assert.equal(s.label, 'BEST fit, ADDRSORT');
    assert.deepEqual(s.addresses, { base: 1000, radix: 10 });
    assert.deepEqual(
      Array.from({ length: s.steps }, (_, i) => s.summaryAt(i)),
      [
        'returned 1000 (searched 1 elements) · Free List [ Size 1 ]: [ addr:1003 sz:97 ]',
        'returned 1003 (searched 1 elements) · Free List [ Size 1 ]: [ addr:1008 sz:92 ]',
        'returned 0 · Free List [ Size 2 ]: [ addr:1000 sz:3 ][ addr:1008 sz:92 ]',
        'returned 1000 (searched 2 elements) · Free List [ Size 2 ]: [ addr:1002 sz:1 ][ addr:1008 sz:92 ]',
        'returned 0 · Free List [ Size 3 ]: [ addr:1002 sz:1 ][ addr:1003 sz:5 ][ addr:1008 sz:92 ]',
        'returned -1 (searched 3 elements) · Free List [ Size 3 ]: [ addr:1002 sz:1 ][ addr:1003 sz:5 ][ addr:1008 sz:92 ]',
        'free(NULL): nothing to do',
      ],
    );
    assert.equal(chain(s, 3), 'A2 F1 A5 F92');
    assert.equal(list(s, 4), '1002:1 1003:5 1008:92');
    const best = s.opAt(3);
    assert.deepEqual(Array.from(best.examined), [0, 8], 'BEST walks the whole list');
    assert.equal(best.block, 0);
    assert.equal(best.split, 2, 'the byte left over stays free after it');
    assert.match(best.story, /^BEST fit searched all 2 elements of the free list for 2 bytes and took the smallest chunk that holds it, 3 bytes at 1000; the 1 byte left stays at 1002/);
    assert.match(s.opAt(5).story, /for 200 bytes, more than the whole heap: Alloc returned -1/);
    assert.deepEqual([...s.events().nulls], [5]);
    assert.deepEqual(s.totals(), { examined: 7, nulls: 1 });
    assertInvariants(run);
  });

  it('headers and alignment: the pointer is the address after the header, the chunk the request rounded up plus the header', () => {
    const run = ostepRun(['set preset = ostep', 'set headerSize = 4', 'set alignment = 4', 'set heapSize = 64', 'set baseAddr = 0x100', 'p = malloc(5)', 'q = malloc(100)'].join('\n'));
    const s = sourceOf(run);
    assert.equal(s.summaryAt(0), 'returned 260 (searched 1 elements) · Free List [ Size 1 ]: [ addr:268 sz:52 ]');
    assert.equal(chain(s, 0), 'A12 F52');
    assert.equal(s.pointerAt(0), 4, 'the payload is 4 bytes past the chunk');
    assert.match(s.opAt(0).story, /for 12 bytes \(5 asked, rounded up to 8, plus a 4-byte header\)/);
    assert.match(s.opAt(1).story, /malloc\.py's random mode prints 3 here/);
    assertInvariants(run);
  });

  it('coalescing merges only neighbours in both list order and address order, as malloc.py does', () => {
    const script = (order: string) => ['set preset = ostep', 'set coalesce = immediate', `set order = ${order}`, 'set policy = first', 'a = malloc(10)', 'b = malloc(10)', 'c = malloc(10)', 'free(a)', 'free(c)', 'free(b)'].join('\n');
    const sorted = sourceOf(ostepRun(script('ADDRSORT')));
    assert.equal(list(sorted, 5), '1000:100', 'sorted by address, every neighbour merges');
    assert.deepEqual([...sorted.events().coalesces], [4, 5]);
    assert.match(sorted.opAt(5).story, /Coalescing merged it with its neighbours in list order into a 100-byte chunk/);
    const front = sourceOf(ostepRun(script('INSERT-FRONT')));
    assert.equal(list(front, 5), '1010:20 1000:10 1030:70', 'at the head: b merges with c after it in the list; a, next to b in address order but not in the list, stays apart');
    assertInvariants(ostepRun(script('INSERT-FRONT')));
  });

  it('realloc, calloc, write and fill do not run on the model: an error on their line, the heap unchanged', () => {
    const run = ostepRun(['set preset = ostep', 'p = malloc(8)', 'p = realloc(p, 16)', 'q = calloc(2, 4)', 'write(p, 0, "hi")', 'fill(p, 0, 2, 0)', 'free(p)'].join('\n'));
    const errors = run.diagnostics.filter((d) => d.code === 'not-in-model');
    assert.deepEqual(errors.map((d) => d.range.line), [3, 4, 5, 6]);
    assert.match(errors[0]!.message, /OSTEP's model has only Alloc \(malloc\) and Free \(free\); this realloc does not run\./);
    const s = sourceOf(run);
    assert.equal(s.summaryAt(1), "not run: OSTEP's model has no realloc");
    assert.equal(chain(s, 4), chain(s, 0));
    assert.equal(s.summaryAt(5), 'returned 0 · Free List [ Size 2 ]: [ addr:1000 sz:8 ][ addr:1008 sz:92 ]', 'no coalescing: two chunks');
    assertInvariants(run);
  });

  it('engine settings the model cannot use are warnings; values it refuses are errors, and it runs on its default', () => {
    const run = ostepRun(['set preset = ostep', 'set freeList = explicit', 'set maxHeap = 1M', 'set policy = next', 'set coalesce = deferred', 'set order = lifo', 'p = malloc(8)'].join('\n'));
    const byLine = run.diagnostics.map((d) => `${d.range.line}: ${d.severity} ${d.message}`);
    assert.deepEqual(byLine, [
      "2: warning freeList does not apply to OSTEP's model (it keeps one list of free chunks, outside the heap); it is ignored.",
      "3: warning maxHeap does not apply to OSTEP's model (its heap is heapSize bytes, fixed); it is ignored.",
      "4: error OSTEP's model places by first, best or worst fit, not next; it runs with BEST instead.",
      "5: error OSTEP's model coalesces after every free (immediate) or never (off), not deferred; it runs with off instead.",
    ]);
    assert.equal(run.config.order, 'INSERT-FRONT', 'lifo names INSERT-FRONT');
    // And the other way round: the engine's presets ignore the model's settings, with a warning.
    const engine = runTrace(parseHeapScript('set baseAddr = 4096\nset answers = hidden\np = malloc(8)\n'));
    assert.equal(engine.model, 'engine');
    assert.deepEqual(engine.diagnostics.map((d) => `${d.range.line}: ${d.severity} ${d.message}`), ["1: warning baseAddr is a setting of OSTEP's model (set preset = ostep); the default preset ignores it."]);
  });

  it('where malloc.py itself stops (a second zero-size chunk at one address), the script stops, said on that line', () => {
    const run = ostepRun(['set preset = ostep', 'a = malloc(0)', 'b = malloc(0)', 'c = malloc(4)', 'free(a)'].join('\n'));
    const stop = run.diagnostics.find((d) => d.code === 'model-stopped');
    assert.ok(stop);
    assert.equal(stop.range.line, 3);
    assert.match(stop.message, /malloc\.py stops here with an AssertionError: this Alloc would take a second chunk at address 1000, where a zero-size Alloc \(line 2\) left one in use/);
    const s = sourceOf(run);
    assert.equal(s.steps, 4, 'every op has a step');
    assert.equal(s.summaryAt(3), 'not run');
    assert.equal(chain(s, 3), 'F100', 'the zero-size chunk takes no bytes');
    assertInvariants(run);
  });

  it(`a script longer than ${MAX_OSTEP_OPS.toLocaleString('en-US')} ops runs its first ${MAX_OSTEP_OPS.toLocaleString('en-US')}, with one error where it stops`, () => {
    const ops: string[] = [];
    for (let k = 0; k < MAX_OSTEP_OPS / 2 + 5; k++) ops.push(`p = malloc(1)`, 'free(p)');
    const run = ostepRun(['set preset = ostep', ...ops].join('\n'));
    const tooLong = run.diagnostics.filter((d) => d.code === 'trace-too-long');
    assert.equal(tooLong.length, 1);
    assert.equal(tooLong[0]!.range.line, MAX_OSTEP_OPS + 2);
    assert.equal(sourceOf(run).summaryAt(MAX_OSTEP_OPS), 'not run');
  });

  it('a long script of many chunks: every step rebuilt from the copies kept is the step as it ran', () => {
    const o = { ...OSTEP_EXERCISE_DEFAULTS, seed: 2024n, numOps: 3000, range: 40, percentAlloc: 70, size: 1 << 20, policy: 'FIRST' as const, order: 'INSERT-BACK' as const };
    const run = ostepRun(ostepExercise(o));
    const s = sourceOf(run);
    assert.ok(s.metricsAt(s.steps - 1).freeBlocks! + s.metricsAt(s.steps - 1).allocatedBlocks! > 600, 'enough chunks that the copies are kept far apart');
    for (let i = -1; i < s.steps; i += 7) {
      const state = run.replay.stateAt(i);
      const m = s.metricsAt(i);
      assert.equal(state.heap.freeList.reduce((n, c) => n + c.size, 0), m.freeBytes, `step ${i}: the free bytes`);
      if (i >= 0) assert.equal(ostepListDump(state.heap.freeList, LENS_CHUNKS), run.replay.listDumps[i], `step ${i}: the list`);
      assert.equal(state.live.size, m.allocatedBlocks, `step ${i}: the live chunks`);
    }
  });

  it('the command line: run gives the summary, --ops the CSV, and --json the model\'s options', () => {
    const run = ostepRun(['set preset = ostep', 'set policy = worst', 'a = malloc(3)', 'free(a)'].join('\n'));
    const summary = formatRunSummary('w.heap', run);
    assert.match(summary, /^w\.heap: 2 ops, OSTEP's model \(-S 100 -b 1000 -H 0 -a -1 -p WORST -l ADDRSORT\)/);
    assert.match(summary, /break at 1100\)/);
    const json = runJson(run);
    assert.deepEqual(json.config, { size: 100, baseAddr: 1000, headerSize: 0, alignment: -1, policy: 'WORST', order: 'ADDRSORT', coalesce: false });
    assert.equal(json.blocksExamined, 1);
  });

  it('compare: every policy and list order of malloc.py on the script, its own first', () => {
    const ops = ['a = malloc(30)', 'b = malloc(5)', 'c = malloc(30)', 'free(a)', 'free(c)', 'd = malloc(5)', 'e = malloc(40)'];
    const run = ostepRun(['set preset = ostep', 'set order = SIZESORT-', ...ops].join('\n'));
    const rows = compareOstep(run.trace, run.config);
    assert.equal(rows.length, OSTEP_POLICIES.length * OSTEP_ORDERS.length);
    assert.deepEqual([rows[0]!.policy, rows[0]!.order, rows[0]!.own], ['BEST', 'SIZESORT-', true]);
    for (const r of rows) {
      // Each row is the script run with that policy and order.
      const alone = sourceOf(ostepRun(['set preset = ostep', `set order = ${r.order}`, `set policy = ${r.policy.toLowerCase()}`, ...ops].join('\n')));
      assert.deepEqual(alone.totals(), { examined: r.searched, nulls: r.failedAllocs }, `${r.policy} ${r.order}`);
      assert.equal(alone.metricsAt(alone.steps - 1).largestFree, r.largestFree);
    }
    const text = formatOstepComparison('x.heap', run.config, rows);
    assert.match(text, /^policy {2}list order {4}failed allocs/m);
    assert.match(text, /^BEST \* {2}SIZESORT- /m);
  });
});

describe("OSTEP exercises answer exactly what malloc.py -c prints", () => {
  const fixtures = ostepFixtureFiles()
    .map(readFixture)
    .filter((f) => f.exit === 0);

  it('every random-mode fixture with -c: the exercise drawn from its flags answers each op as malloc.py did', () => {
    let checked = 0;
    for (const fixture of fixtures) {
      const parsed = parseOstepArgs(fixture.args);
      if (!('options' in parsed) || !parsed.options.compute || parsed.options.allocList !== '') continue;
      const o = parsed.options;
      // What a script cannot say: a negative base address or header (malloc.py takes them; no heap has them).
      if (exerciseProblem(o) !== null || o.headerSize < 0 || o.baseAddr < 0) continue;
      const run = ostepRun(ostepExercise(o));
      const s = sourceOf(run);
      const blocks = opBlocks(fixture.stdout);
      assert.equal(s.steps, blocks.length, `${fixture.file}: one op per malloc.py op`);
      blocks.forEach((lines, i) => {
        const what = `${fixture.file}, op ${i + 1}`;
        const summary = s.summaryAt(i);
        const story = s.opAt(i).story;
        const listLine = lines[lines.length - 1]!;
        assert.ok(story.endsWith(listLine), `${what}: the list is malloc.py's\n  ${listLine}\n  ${story}`);
        if (lines[0]!.startsWith('Free(')) {
          assert.equal(summary.slice(0, summary.indexOf(' · ')), lines[1], what);
        } else {
          // Random mode prints a failure as the header size minus one (it adds the header to -1); the lens says -1.
          const expected = lines[0]!.slice(lines[0]!.indexOf(' returned ') + 1).replace(/^returned (-?\d+)/, (all, n: string) => (Number(n) === o.headerSize - 1 && summary.startsWith('returned -1') ? 'returned -1' : all));
          assert.equal(summary.slice(0, summary.indexOf(' · ')), expected, what);
        }
      });
      assertInvariants(run);
      checked++;
    }
    assert.ok(checked >= 30, `${checked} fixtures checked`);
  });

  it('-A fixtures: the same ops written as a script give malloc.py\'s results', () => {
    let checked = 0;
    for (const fixture of fixtures) {
      const parsed = parseOstepArgs(fixture.args);
      if (!('options' in parsed) || !parsed.options.compute || parsed.options.allocList === '' || fixture.stdout.includes('Invalid Free')) continue;
      const o = parsed.options;
      if (o.headerSize < 0 || o.baseAddr < 0 || o.size > 2 ** 30 || parsed.ops.some((op) => op.kind === 'alloc' && op.size < 0n)) continue;
      const settings = ['set preset = ostep', `set heapSize = ${o.size}`, `set baseAddr = ${o.baseAddr}`, `set headerSize = ${o.headerSize}`, `set alignment = ${o.alignment}`, `set policy = ${o.policy.toLowerCase()}`, `set order = ${o.order}`, `set coalesce = ${o.coalesce ? 'immediate' : 'off'}`];
      let c = 0;
      const ops = parsed.ops.map((op) => (op.kind === 'alloc' ? `ptr${c++} = malloc(${op.size})` : `free(ptr${op.index})`));
      const run = ostepRun([...settings, ...ops].join('\n'));
      const s = sourceOf(run);
      const blocks = opBlocks(fixture.stdout);
      assert.equal(s.steps, blocks.length, fixture.file);
      blocks.forEach((lines, i) => {
        const what = `${fixture.file}, op ${i + 1}`;
        const summary = s.summaryAt(i);
        assert.ok(s.opAt(i).story.endsWith(lines[lines.length - 1]!), `${what}: the list`);
        const result = summary.slice(0, summary.indexOf(' · '));
        if (lines[0]!.startsWith('Free(')) {
          assert.equal(result, lines[1], what);
        } else {
          // -A mode prints the chunk's address; the script's pointer is past the header.
          const m = /returned (-?\d+) \(searched (\d+) elements\)$/.exec(lines[0]!)!;
          const addr = Number(m[1]);
          assert.equal(result, `returned ${addr === -1 ? -1 : addr + o.headerSize} (searched ${m[2]} elements)`, what);
        }
      });
      assertInvariants(run);
      checked++;
    }
    assert.ok(checked >= 10, `${checked} fixtures checked`);
  });

  it('many seeds, every policy and order, with and without coalescing: the exercise answers what heap-inspector ostep -c prints', () => {
    for (let seed = 0; seed < 60; seed++) {
      const o = { ...OSTEP_EXERCISE_DEFAULTS, seed: BigInt(seed * 7919), numOps: 40, range: 30, percentAlloc: 40 + (seed % 5) * 10, policy: OSTEP_POLICIES[seed % 3]!, order: OSTEP_ORDERS[seed % 5]!, coalesce: seed % 2 === 0, headerSize: seed % 4 === 0 ? 0 : 4 };
      const run = ostepRun(ostepExercise(o));
      assert.deepEqual(run.diagnostics.filter((d) => d.severity === 'error'), [], `seed ${o.seed}`);
      assertInvariants(run);
    }
  });

  it('the exercise script says how it was drawn, keeps its answers hidden and refuses what malloc.py cannot draw', () => {
    const text = ostepExercise({ ...OSTEP_EXERCISE_DEFAULTS, seed: 3n, policy: 'FIRST', order: 'SIZESORT+', coalesce: true });
    assert.match(text, /^# OSTEP free-space exercise: malloc\.py -s 3 -p FIRST -l SIZESORT\+ -C$/m);
    assert.match(text, /^# The same answers on the command line: heap-inspector ostep -s 3 -p FIRST -l SIZESORT\+ -C -c$/m);
    assert.match(text, /^set answers = hidden$/m);
    const trace = parseHeapScript(text);
    assert.deepEqual(trace.diagnostics.filter((d) => d.severity !== 'info'), []);
    assert.equal(exerciseProblem({ ...OSTEP_EXERCISE_DEFAULTS, numOps: 0 }), 'the number of ops must be a whole number from 1 to 10,000');
    assert.equal(exerciseProblem({ ...OSTEP_EXERCISE_DEFAULTS, percentAlloc: 101 }), 'the percent of allocations must be a whole number from 1 to 100');
  });
});
