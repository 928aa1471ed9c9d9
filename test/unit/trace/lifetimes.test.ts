// Pointer lifetimes live in typed arrays (one object per lifetime made the GC of a long trace
// slow). Checked here against a plain model, one object per lifetime, through generated traces
// with every way a lifetime starts, moves and ends, and every misuse the pass reports.

import assert from 'node:assert/strict';
import { BoundedDiagnostics } from '../../../src/trace/diagnostics';
import { LifetimeTracker, type Lifetimes } from '../../../src/trace/lifetimes';
import { analyzeLifetimes, OpTableBuilder, parseHeapScript, parseRep, parseRepBytes, RepParser, runEngine, type Diagnostic, type Trace, type TraceOp } from '../../../src/trace/index';
import { seededRandom } from '../support/generatedTrace';

interface ModelLife {
  slot: number;
  start: number;
  reallocs: number[];
  end: number;
}

/** A request that returns NULL whatever the heap: 0 bytes, or a calloc that overflows size_t. */
function nullRequest(op: TraceOp): boolean {
  if (op.kind === 'malloc' || op.kind === 'realloc') return op.size === 0n;
  if (op.kind === 'calloc') return op.count === 0n || op.size === 0n || op.count * op.size > 2n ** 64n - 1n;
  return false;
}

/**
 * The lifetime pass as plain objects: what a slot holds (absent: nothing; NULL; a live or dead
 * pointer), and one object per lifetime. `failed(i)`: allocation op i returned NULL though it
 * asked for bytes (what a replay saw); by default none did.
 */
class Model {
  readonly lives: ModelLife[] = [];
  readonly lifetimeOfOp: number[] = [];
  /** The problems the pass must report, as `op code`. */
  readonly problems: string[] = [];
  private readonly held = new Map<number, { state: 'live' | 'dead' | 'null'; life: number }>();

  constructor(
    ops: readonly TraceOp[],
    private readonly failed: (i: number) => boolean = () => false,
  ) {
    ops.forEach((op, i) => this.op(op, i));
  }

  /** Overwriting a slot that holds a live block leaks it. */
  private overwrite(slot: number, i: number): void {
    if (this.held.get(slot)?.state === 'live') this.problems.push(`${i} leak`);
  }

  /** A use of a pointer that holds no live block (and is not NULL). */
  private misuse(i: number, h: { state: string } | undefined, kind: TraceOp['kind']): void {
    this.problems.push(`${i} ${!h ? 'unknown-pointer' : kind === 'free' ? 'double-free' : 'freed-pointer'}`);
  }

  private allocate(slot: number, i: number, op: TraceOp): void {
    const zero = op.kind === 'calloc' ? op.count === 0n || op.size === 0n : 'size' in op && op.size === 0n;
    if (zero) this.problems.push(`${i} zero-size`);
    this.overwrite(slot, i);
    if (nullRequest(op) || this.failed(i)) {
      this.held.set(slot, { state: 'null', life: -1 });
      return;
    }
    this.lives.push({ slot, start: i, reallocs: [], end: -1 });
    this.lifetimeOfOp[i] = this.lives.length - 1;
    this.held.set(slot, { state: 'live', life: this.lives.length - 1 });
  }

  private op(op: TraceOp, i: number): void {
    this.lifetimeOfOp[i] = -1;
    switch (op.kind) {
      case 'malloc':
      case 'calloc':
        return this.allocate(op.ptr, i, op);
      case 'realloc': {
        const h = op.from === null ? undefined : this.held.get(op.from);
        if (op.from === null || h?.state === 'null') return this.allocate(op.ptr, i, op);
        if (h?.state !== 'live') {
          // A realloc of a dead pointer is reported; it returns NULL.
          this.misuse(i, h, op.kind);
          if (h) this.lifetimeOfOp[i] = h.life;
          this.held.set(op.ptr, { state: 'null', life: -1 });
          return;
        }
        const t = this.lives[h.life]!;
        this.lifetimeOfOp[i] = h.life;
        if (op.size === 0n) {
          t.end = i;
          this.held.set(op.from, { state: 'dead', life: h.life });
          if (op.ptr !== op.from) this.overwrite(op.ptr, i);
          this.held.set(op.ptr, { state: 'null', life: -1 });
          return;
        }
        t.reallocs.push(i);
        if (this.failed(i)) {
          this.overwrite(op.ptr, i); // p = realloc(p, n) returning NULL loses p's block too
          this.held.set(op.ptr, { state: 'null', life: -1 }); // the block stays with `from` (unless that was op.ptr)
          return;
        }
        this.held.set(op.from, { state: 'dead', life: h.life });
        if (op.ptr !== op.from) this.overwrite(op.ptr, i);
        t.slot = op.ptr;
        this.held.set(op.ptr, { state: 'live', life: h.life });
        return;
      }
      case 'free': {
        if (op.ptr === null) return;
        const h = this.held.get(op.ptr);
        if (h?.state === 'null') return;
        if (h?.state !== 'live') this.misuse(i, h, op.kind);
        if (!h) return;
        this.lifetimeOfOp[i] = h.life;
        if (h.state === 'dead') return; // double free
        this.lives[h.life]!.end = i;
        this.held.set(op.ptr, { state: 'dead', life: h.life });
        return;
      }
      case 'write':
      case 'fill': {
        const h = this.held.get(op.ptr);
        if (h?.state === 'null') return;
        if (h?.state !== 'live') this.misuse(i, h, op.kind);
        if (h) this.lifetimeOfOp[i] = h.life;
        return;
      }
    }
  }
}

function checkAgainstModel(lifetimes: Lifetimes, lifetimeOfOp: Int32Array, model: Model): void {
  assert.equal(lifetimes.count, model.lives.length, 'lifetime count');
  assert.deepEqual(Array.from(lifetimeOfOp), model.lifetimeOfOp, 'lifetime of each op');
  model.lives.forEach((m, k) => {
    assert.equal(lifetimes.slot(k), m.slot, `lifetime ${k}: slot`);
    assert.equal(lifetimes.start(k), m.start, `lifetime ${k}: start`);
    assert.equal(lifetimes.end(k), m.end, `lifetime ${k}: end`);
    assert.deepEqual(lifetimes.reallocs(k), m.reallocs, `lifetime ${k}: reallocs`);
    assert.equal(lifetimes.lastOp(k), m.end >= 0 ? m.end : (m.reallocs[m.reallocs.length - 1] ?? m.start), `lifetime ${k}: last op`);
    assert.deepEqual(lifetimes.at(k), m, `lifetime ${k}: as an object`);
  });
}

/**
 * A `.rep` trace of `count` ops over a few ids, so that ids are reused, misused and leaked:
 * mallocs (some over a live id: a leak), reallocs that grow (the replay moves the block) and
 * shrink (resized in place), realloc(p, 0), frees, double frees, frees and reallocs of ids never
 * allocated, and blocks never freed.
 */
function misusedRep(count: number, seed: number): string {
  const next = seededRandom(seed);
  const ids = 40;
  const lines: string[] = [];
  for (let n = 0; n < count; n++) {
    const id = Math.floor(next() * ids);
    const roll = next();
    if (roll < 0.4) lines.push(`a ${id} ${1 + Math.floor(next() * 300)}`);
    else if (roll < 0.55) lines.push(`r ${id} ${1 + Math.floor(next() * 600)}`);
    else if (roll < 0.6) lines.push(`r ${id} 0`);
    else if (roll < 0.97) lines.push(`f ${id}`);
    else {
      const unknown = ids + Math.floor(next() * 10); // never allocated
      lines.push(roll < 0.985 ? `f ${unknown}` : `r ${unknown} 8`);
    }
  }
  return ['0', String(ids + 10), String(count), '1', ...lines].join('\n') + '\n';
}

/** A `.heap` script over a few names: what `.rep` cannot say, realloc(NULL, n), a realloc into another name, free(NULL), writes. */
function misusedScript(count: number, seed: number): string {
  const next = seededRandom(seed);
  const name = () => `p${Math.floor(next() * 12)}`;
  const lines: string[] = [];
  for (let n = 0; n < count; n++) {
    const roll = next();
    const size = Math.floor(next() * 200);
    if (roll < 0.25) lines.push(`${name()} = malloc(${size + 1})`);
    else if (roll < 0.3) lines.push(`${name()} = calloc(2, ${size + 1})`);
    else if (roll < 0.35) lines.push(`${name()} = realloc(NULL, ${size + 1})`);
    else if (roll < 0.5) lines.push(`${name()} = realloc(${name()}, ${size + 1})`);
    else if (roll < 0.55) lines.push(`${name()} = realloc(${name()}, 0)`);
    else if (roll < 0.6) lines.push(`write(${name()}, 0, "x")`);
    else if (roll < 0.62) lines.push('free(NULL)');
    else lines.push(`free(${name()})`);
  }
  return lines.join('\n') + '\n';
}

const LIFETIME_CODES = new Set(['unknown-pointer', 'freed-pointer', 'double-free', 'leak', 'zero-size']);

/**
 * The model's problems as the pass reports them: the first FULL_PER_CODE of each code in full and
 * one counted summary of the rest (bounding is tested on its own), as `op code`, sorted.
 */
function bounded(trace: Trace, problems: readonly string[]): string[] {
  const d = new BoundedDiagnostics();
  for (const p of problems) {
    const [op, code] = p.split(' ') as [string, Diagnostic['code']];
    d.push({ range: trace.ops.range(Number(op)), severity: 'error', code, message: '' });
  }
  return lifetimeProblems(trace, d.all());
}

/** The lifetime problems among `diagnostics`, as `op code` (one op a line), sorted. */
function lifetimeProblems(trace: Trace, diagnostics: readonly Diagnostic[]): string[] {
  const opOfLine = new Map<number, number>();
  for (let i = 0; i < trace.ops.length; i++) opOfLine.set(trace.ops.line(i), i);
  return diagnostics.filter((d) => LIFETIME_CODES.has(d.code)).map((d) => `${opOfLine.get(d.range.line)} ${d.code}`).sort();
}

const codes = (trace: Trace) => new Set<string>(trace.diagnostics.map((d) => d.code));

describe('pointer lifetimes', () => {
  it('match a plain model through a .rep trace of mallocs, reallocs, frees, double frees, unknown ids and leaks', () => {
    const trace = parseRep(misusedRep(20_000, 3));
    const model = new Model([...trace.ops]);
    checkAgainstModel(trace.lifetimes.lifetimes, trace.lifetimes.lifetimeOfOp, model);
    assert.deepEqual(lifetimeProblems(trace, trace.diagnostics), bounded(trace, model.problems));
    // The trace did exercise what it is meant to.
    for (const code of ['leak', 'double-free', 'unknown-pointer', 'freed-pointer']) assert.ok(codes(trace).has(code), code);
    const lives = model.lives;
    assert.ok(lives.some((t) => t.reallocs.length >= 3), 'a lifetime with several reallocs');
    assert.ok(lives.some((t) => t.end >= 0 && trace.ops.at(t.end).kind === 'realloc'), 'a lifetime ended by realloc(p, 0)');
    assert.ok(lives.some((t) => t.end < 0), 'a lifetime never freed');
  });

  it('match a plain model through a .heap script with realloc(NULL, n), reallocs into another name and free(NULL)', () => {
    const trace = parseHeapScript(misusedScript(20_000, 5));
    assert.equal(trace.ops.length, 20_000);
    const model = new Model([...trace.ops]);
    checkAgainstModel(trace.lifetimes.lifetimes, trace.lifetimes.lifetimeOfOp, model);
    assert.deepEqual(lifetimeProblems(trace, trace.diagnostics), bounded(trace, model.problems));
    const lives = model.lives;
    assert.ok(lives.some((t) => trace.ops.at(t.start).kind === 'realloc'), 'a lifetime started by realloc(NULL, n)');
    assert.ok(lives.some((t) => t.slot !== trace.ops.at(t.start).ptr), 'a lifetime handed to another name');
    for (const code of ['leak', 'double-free', 'unknown-pointer', 'freed-pointer']) assert.ok(codes(trace).has(code), code);
  });

  it('follow what the replay did when allocations return NULL at the heap limit (random scripts on a small heap, every policy)', () => {
    for (const [seed, policy] of [[21, 'first'], [22, 'next'], [23, 'best'], [24, 'worst'], [25, 'sbrk']] as const) {
      // Big requests on an 8 KiB heap: many fail, and what the trace alone expects is often wrong.
      const script = `set maxHeap = 8K\nset policy = ${policy}\n` + misusedScript(3_000, seed).replace(/(malloc|realloc\([^,]+,|calloc\(2,) (\d+)\)/g, (_, call: string, n: string) => `${call} ${Number(n) * 20})`);
      const trace = parseHeapScript(script);
      const run = runEngine(trace);
      const replay = run.replay;
      const failed = (i: number) => {
        const op = trace.ops.at(i);
        return (op.kind === 'malloc' || op.kind === 'calloc' || op.kind === 'realloc') && replay.pointer(i) === null && !nullRequest(op) && replay.step(i).problem === 'heap-limit';
      };
      const failures = Array.from({ length: trace.ops.length }, (_, i) => i).filter(failed);
      assert.ok(failures.length > 50, `${policy}: allocations failed (${failures.length})`);
      assert.ok(replay.lifetimesDiverged, `${policy}: the run's lifetimes are its own`);
      const model = new Model([...trace.ops], failed);
      checkAgainstModel(replay.lifetimes.lifetimes, replay.lifetimes.lifetimeOfOp, model);
      assert.deepEqual(lifetimeProblems(trace, run.diagnostics), bounded(trace, model.problems), `${policy}: the lifetime problems are the run's`);
      // The trace alone foresaw other ones: they are gone.
      assert.notDeepEqual(lifetimeProblems(trace, trace.diagnostics), model.problems);
    }
  });

  it('come out the same when the parser reads the trace a slice at a time', () => {
    const text = misusedRep(5_000, 11);
    const parser = new RepParser(text);
    while (!parser.advance(97));
    const whole = parseRep(text).lifetimes.lifetimes;
    const sliced = parser.trace.lifetimes.lifetimes;
    assert.equal(sliced.count, whole.count);
    for (let k = 0; k < whole.count; k++) assert.deepEqual(sliced.at(k), whole.at(k));
  });

  it('handed out by finish() stay as they were while the tracker goes on', () => {
    const all = [...parseHeapScript(misusedScript(4_000, 7)).ops];
    const ops = new OpTableBuilder();
    const tracker = new LifetimeTracker(ops, String);
    for (const op of all.slice(0, 2_000)) ops.push(op);
    tracker.catchUp();
    const early = tracker.finish();
    const before = Array.from({ length: early.lifetimes.count }, (_, k) => early.lifetimes.at(k));
    for (const op of all.slice(2_000)) ops.push(op);
    tracker.catchUp();
    const late = tracker.finish();
    assert.ok(late.lifetimes.count > early.lifetimes.count);
    // Later ops freed and moved blocks of the early lifetimes; the early analysis does not see it.
    assert.ok(before.some((t, k) => late.lifetimes.end(k) !== t.end || late.lifetimes.reallocs(k).length !== t.reallocs.length));
    assert.deepEqual(Array.from({ length: early.lifetimes.count }, (_, k) => early.lifetimes.at(k)), before);
    checkAgainstModel(early.lifetimes, early.lifetimeOfOp, new Model(all.slice(0, 2_000)));
    checkAgainstModel(late.lifetimes, late.lifetimeOfOp, new Model(all));
  });

  it('keep no object per lifetime: at(k) gives equal fresh objects, and 100,000 lifetimes take a few MB', () => {
    const lines: string[] = [];
    for (let id = 0; id < 100_000; id++) lines.push(`a ${id} ${8 + (id % 100)}`);
    for (let id = 0; id < 100_000; id += 2) lines.push(`r ${id} ${200 + (id % 50)}`, `r ${id} 16`);
    for (let id = 0; id < 100_000; id += 3) lines.push(`f ${id}`);
    const trace = parseRep(['0', '100000', String(lines.length), '1', ...lines].join('\n') + '\n');
    const lifetimes = trace.lifetimes.lifetimes;
    assert.equal(lifetimes.count, 100_000);

    const a = lifetimes.at(42);
    const b = lifetimes.at(42);
    assert.notEqual(a, b);
    assert.notEqual(a.reallocs, b.reallocs);
    assert.deepEqual(a, b);
    assert.deepEqual(a, { slot: 42, start: 42, reallocs: [100_042, 100_043], end: 200_014 });
    (a.reallocs as number[]).push(7); // a caller's copy, not the store
    assert.deepEqual(lifetimes.reallocs(42), [100_042, 100_043]);
    assert.throws(() => lifetimes.at(100_000), RangeError);

    // Everything the store holds is a number or a typed array.
    for (const [key, value] of Object.entries(lifetimes)) {
      assert.ok(typeof value === 'number' || ArrayBuffer.isView(value), `${key} is a number or a typed array`);
    }
    // 16 bytes a lifetime and 8 a realloc, trimmed to size: 1.6 MB + 0.8 MB here.
    assert.equal(lifetimes.byteLength, 100_000 * 16 + 100_000 * 8);
    assert.ok(lifetimes.byteLength < 3 * 1024 * 1024);
  });

  it('taken by the .rep parser as it reads each op come out as the pass over the whole table gives them', () => {
    // The parser analyses the usual ops as it reads them (docs/performance.md, "At scale"); ops it
    // reads the general way, and every misuse, go through the pass as it reads the table.
    for (const seed of [17, 18, 19]) {
      // Seed 18: some mallocs the quick path leaves to the general one (a size of 17 digits); 19: some of 0 bytes.
      const text = misusedRep(20_000, seed).replace(/^(a \d+) (\d+)$/gm, (line, head: string, size: string) =>
        seed === 18 && Number(size) % 7 === 0 ? `${head} 00000000000000009` : seed === 19 && Number(size) % 5 === 0 ? `${head} 0` : line,
      );
      for (const trace of [parseRep(text), parseRepBytes(Uint8Array.from(text, (c) => c.charCodeAt(0)))!]) {
        const again = analyzeLifetimes(trace.ops, (slot) => `id ${trace.names[slot]}`);
        assert.deepEqual(trace.lifetimes, again, `seed ${seed}`);
        assert.ok(again.diagnostics.length > 0);
      }
    }
  });

  it('analyzeLifetimes gives the same store as the parser', () => {
    const trace = parseRep(misusedRep(2_000, 13));
    const again = analyzeLifetimes(trace.ops, String);
    assert.equal(again.lifetimes.count, trace.lifetimes.lifetimes.count);
    for (let k = 0; k < again.lifetimes.count; k++) assert.deepEqual(again.lifetimes.at(k), trace.lifetimes.lifetimes.at(k));
  });
});
