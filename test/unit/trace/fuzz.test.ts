// A mutation fuzzer over the samples, a small malformed corpus and the malloc lab traces (read from
// ../shared, never copied): each case is a seeded mutation of a seed file, parsed as every format
// (the allocation logs too) and replayed under a few configurations. Whatever the text, nothing throws, every diagnostic's
// line exists (lines cut as VS Code cuts them), every metric stays in its range at every step, and
// a heap only the allocator wrote passes the checker. Seeded and bounded in time: the seed of a
// failing case is printed, and HEAP_INSPECTOR_FUZZ_SECONDS=600 runs it longer.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, type CliIo } from '../../../src/cli/cli';
import { POLICIES, type HeapOptions } from '../../../src/engine/index';
import { formatRunSummary, parseTrace, runJson, runEngine, TRACE_FORMATS, type Trace, type TraceFormat } from '../../../src/trace/index';
import { seededRandom } from '../support/generatedTrace';
import { readMalloclab, REFERENCE, requireMalloclab } from '../support/malloclab';
import { assertMetricsInRange } from '../support/metricsRange';

const SECONDS = Number(process.env.HEAP_INSPECTOR_FUZZ_SECONDS ?? 20);
const MAX_CASES = SECONDS > 20 ? Infinity : 1500;
/** Cases run whatever the clock says: a busy machine makes the run longer, never thinner. */
const MIN_CASES = 50;
const FIRST_SEED = Number(process.env.HEAP_INSPECTOR_FUZZ_SEED ?? 1);

// --- seeds ----------------------------------------------------------------------------------

const SAMPLES = join(process.cwd(), 'samples');

/** Seed files: the samples, hand-made oddities, and the start of each malloc lab trace. */
function seedFiles(): { name: string; text: string }[] {
  const seeds = readdirSync(SAMPLES).map((name) => ({ name, text: readFileSync(join(SAMPLES, name), 'utf8') }));
  seeds.push(
    { name: 'short.rep', text: '0\n3\n5\n1\na 0 24\na 1 8\nr 0 100\nf 1\nf 0\n' },
    { name: 'noheader.rep', text: 'a 0 8\nf 0\nf 0\nr 4 16\n' },
    { name: 'writes.heap', text: 'set preset = csapp\np = malloc(8)\nwrite(p, 0, "abc\\x00\\n")\nfill(p, 4, 64, 0xff)\nq = calloc(3, 5)\nq = realloc(q, 0)\nfree(p)\n' },
    { name: 'settings.heap', text: 'set policy = next\nset coalesce = deferred\nset maxHeap = 8K\nset minSplit = 64\nset footers = free-only\na = malloc(4000)\nb = malloc(4000)\nfree(a)\nc = malloc(100)\n' },
    { name: 'big.rep', text: '0\n2\n3\n1\na 0 18446744073709551615\na 1 72057594037927936\nf 0\n' },
  );
  for (const { trace } of REFERENCE) {
    // The first few hundred lines: enough of a real trace's shape, quick to replay many times.
    seeds.push({ name: `${trace}.rep`, text: readMalloclab(trace).split('\n').slice(0, 400).join('\n') });
  }
  return seeds;
}

// --- mutations ------------------------------------------------------------------------------

const TOKENS = [
  '0', '1', '-1', '8', '4096', '2147483648', '4294967296', '9007199254740993', '18446744073709551615', '18446744073709551616', '1e9', '0x10', '0xffffffff', '1.5', '',
  'a', 'r', 'f', 'x', 'NULL', 'p', 'q', 'p0', 'malloc(8)', 'calloc(2, 8)', 'realloc(p, 0)', 'free(p)', 'write(p, 0, "z")', 'fill(p, 0, 100, 0)', '=', '(', ')', ',', '"', '\\x', '#', '//',
  'set maxHeap = 1M', 'set policy = worst', 'set wordSize = 4', 'set alignment = 8', 'set sentinels = off', 'set coalesce = off', 'set realloc = naive', 'set minSplit = -1', 'set chunkSize = 0',
  // the allocation logs' (docs/importing.md)
  '@', '+', '-', '<', '>', '!', '(nil)', '0x55d0c2a6b2a0', '= Start', '<unfinished ...>', '<no return ...>', '<... malloc resumed> )', '= <void>', '--- SIGCHLD (Child exited) ---', '+++ exited (status 0) +++', 'lt->malloc(8)', '12345',
];
const JUNK = ['\r', '\r\n', '\n', '\t', '\v', '\f', '\0', ' ', '\u00a0', '\ufeff', '\u2028', '\ud800', 'é', '🙂', '\x1b[31m', '\\'];

type Mutation = (lines: string[], next: () => number) => string[];

const pick = <T>(list: readonly T[], next: () => number): T => list[Math.floor(next() * list.length)]!;
const at = (lines: readonly string[], next: () => number) => Math.floor(next() * Math.max(1, lines.length));

const MUTATIONS: readonly Mutation[] = [
  // delete, duplicate, swap and move lines
  (l, n) => l.filter((_, i) => i !== at(l, n)),
  (l, n) => {
    const i = at(l, n);
    return [...l.slice(0, i), l[i] ?? '', ...l.slice(i)];
  },
  (l, n) => {
    const out = l.slice();
    const i = at(l, n);
    const j = at(l, n);
    [out[i], out[j]] = [out[j] ?? '', out[i] ?? ''];
    return out;
  },
  // replace a token of a line with another token
  (l, n) => {
    const i = at(l, n);
    const words = (l[i] ?? '').split(/(\s+)/);
    words[Math.floor(n() * words.length)] = pick(TOKENS, n);
    return [...l.slice(0, i), words.join(''), ...l.slice(i + 1)];
  },
  // a new line of tokens
  (l, n) => {
    const i = at(l, n);
    const line = Array.from({ length: 1 + Math.floor(n() * 4) }, () => pick(TOKENS, n)).join(pick([' ', '\t', '', ' , '], n));
    return [...l.slice(0, i), line, ...l.slice(i)];
  },
  // junk characters into a line (line breaks of every kind among them)
  (l, n) => {
    const i = at(l, n);
    const s = l[i] ?? '';
    const k = Math.floor(n() * (s.length + 1));
    return [...l.slice(0, i), s.slice(0, k) + pick(JUNK, n) + s.slice(k), ...l.slice(i + 1)];
  },
  // a number grows huge, negative or fractional
  (l, n) => {
    const i = at(l, n);
    return [...l.slice(0, i), (l[i] ?? '').replace(/\d+/, pick(['99999999999999999999', '-7', '3.25', '1073741824', '0', '000'], n)), ...l.slice(i + 1)];
  },
  // cut the file short, possibly mid-line
  (l, n) => {
    const text = l.join('\n');
    return text.slice(0, Math.floor(n() * text.length)).split('\n');
  },
  // a long line
  (l, n) => {
    const i = at(l, n);
    return [...l.slice(0, i), pick(TOKENS, n).repeat(1 + Math.floor(n() * 2000)), ...l.slice(i)];
  },
];

function mutate(text: string, seed: number): string {
  const next = seededRandom(seed);
  let lines = text.split('\n');
  const rounds = 1 + Math.floor(next() * 6);
  for (let r = 0; r < rounds; r++) lines = pick(MUTATIONS, next)(lines, next);
  const sep = pick(['\n', '\n', '\r\n', '\r'], next);
  return lines.join(sep);
}

// --- what every case must satisfy -----------------------------------------------------------

/** Lines as VS Code cuts them: CRLF, LF and a lone CR each end one. */
const lineCount = (text: string) => text.split(/\r\n|\r|\n/).length;

const CONFIGS: readonly HeapOptions[] = [{}, { preset: 'csapp' }, { policy: 'best', coalesce: 'deferred', maxHeap: 16 * 1024 }, { policy: 'next', coalesce: 'off', realloc: 'naive' }];

function checkCase(text: string, format: TraceFormat, config: HeapOptions, where: string): Trace {
  const trace = parseTrace(text, format);
  const lines = lineCount(text);
  const run = runEngine(trace, { overrides: config });
  for (const d of run.diagnostics) {
    assert.ok(Number.isInteger(d.range.line) && d.range.line >= 1 && d.range.line <= lines, `${where}: a diagnostic on line ${d.range.line} of ${lines}: ${d.message}`);
    assert.ok(d.range.column >= 1 && d.range.endLine >= d.range.line, `${where}: range ${JSON.stringify(d.range)}`);
    assert.ok(d.message.length > 0 && d.message.length < 2000, `${where}: message of ${d.message.length} characters`);
    for (const r of d.related ?? []) assert.ok(r.range.line >= 1 && r.range.line <= lines, `${where}: related information on line ${r.range.line} of ${lines}`);
  }
  const { replay } = run;
  assert.equal(replay.recorded, trace.ops.length, `${where}: every op replayed`);
  for (let i = -1; i < replay.length; i++) assertMetricsInRange(replay.metricsAt(i), `${where}, after op ${i}`);
  // Only a program's writes can corrupt the heap: without them the checker finds nothing, at any step.
  if (!replay.programWrites && replay.length > 0) {
    for (const i of [0, replay.length >> 1, replay.length - 1]) assert.deepEqual(replay.heapAt(i).check(), [], `${where}: the checker after op ${i}`);
  }
  formatRunSummary('fuzz', run);
  JSON.stringify(runJson(run));
  return trace;
}

function quietIo(text: string): CliIo & { output: string } {
  const io = {
    output: '',
    readFile: () => text,
    out: (s: string) => void (io.output += s),
    err: (s: string) => void (io.output += s),
  };
  return io;
}

describe('mutation fuzzing: parse, check and replay never throw, and stay in range', function () {
  this.timeout((SECONDS + 120) * 1000);

  it(`mutated samples, malformed files and malloc lab traces for ${SECONDS} s (seeds from ${FIRST_SEED})`, function () {
    requireMalloclab(this);
    const seeds = seedFiles();
    const deadline = Date.now() + SECONDS * 1000;
    let cases = 0;
    for (let seed = FIRST_SEED; cases < MAX_CASES && (cases < MIN_CASES || Date.now() < deadline); seed++, cases++) {
      const base = seeds[seed % seeds.length]!;
      const text = mutate(base.text, seed);
      const config = CONFIGS[seed % CONFIGS.length]!;
      for (const format of TRACE_FORMATS) {
        const where = `seed ${seed} (${base.name} mutated, read as .${format}, ${JSON.stringify(config)}; rerun with HEAP_INSPECTOR_FUZZ_SEED=${seed})`;
        if (process.env.HEAP_INSPECTOR_FUZZ_DUMP) require('node:fs').writeFileSync(process.env.HEAP_INSPECTOR_FUZZ_DUMP, text);
        try {
          checkCase(text, format, config, where);
          // The command line on the same text: an exit code of 0 or 1, never 2 (unreadable) or a stack trace.
          if (seed % 7 === 0) {
            const command = seed % 14 === 0 ? 'compare' : 'check';
            const io = quietIo(text);
            const code = runCli([command, `fuzz.${format}`, '--policy', POLICIES[seed % POLICIES.length]!], io);
            assert.ok(code === 0 || code === 1, `${where}: ${command} exited ${code}: ${io.output.slice(0, 500)}`);
            assert.doesNotMatch(io.output, /internal error|\n\s+at .*\(.*:\d+:\d+\)/, `${where}: ${command} printed an internal error`);
          }
        } catch (err) {
          if (err instanceof assert.AssertionError) throw err;
          assert.fail(`${where}: threw ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
        }
      }
    }
  });
});
