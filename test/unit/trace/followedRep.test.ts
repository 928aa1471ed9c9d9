// A `.rep` trace replayed while it is parsed (docs/performance.md, "The parse beside the replay"):
// the op table written on buffers handed in and read as it grows (PublishedOpTable), and the
// replay over the ops published so far (replayFollowed), here with the parse on the same thread
// one slice per wait, so that the replay keeps catching up with the parse. Whatever the trace, a
// followed run prints what the sequential one does; what cannot be followed gives null.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HeapOptions } from '../../../src/engine/index';
import { FOLLOW_STEP } from '../../../src/trace/followedRep';
import { formatRunSummary, parseRepBytes, replayFollowed, runJson, runTrace, type TraceRun } from '../../../src/trace/index';
import { OpTableBuilder, PublishedOpTable } from '../../../src/trace/opTable';
import { RepPublisher, type RepFeed, type RepFeedEnd, type RepFeedStart, type RepFeedState } from '../../../src/trace/repPublisher';
import { generatedRep } from '../support/generatedTrace';
import { MALLOCLAB_DIR, REFERENCE, requireMalloclab } from '../support/malloclab';

const ascii = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));

/** A parse on this thread that reads one slice of `lines` lines each time the replay waits. */
class SliceFeed implements RepFeed {
  private readonly publisher: RepPublisher;
  private last: { ops: number; slots: number; state: RepFeedState } = { ops: 0, slots: 0, state: 'reading' };
  stopped = false;
  slices = 0;

  constructor(
    bytes: Uint8Array,
    private readonly lines: number,
  ) {
    this.publisher = new RepPublisher(bytes, (byteLength) => new ArrayBuffer(byteLength));
  }

  private step(): void {
    this.slices++;
    this.last = this.publisher.advance(this.lines);
  }

  start(): RepFeedStart | null {
    while (this.publisher.start === null && this.last.state === 'reading') this.step();
    return this.last.state === 'failed' ? null : this.publisher.start;
  }

  wait(have: number): { ops: number; slots: number; state: RepFeedState } {
    if (this.last.state === 'reading') this.step();
    while (this.last.ops <= have && this.last.state === 'reading') this.step();
    return this.last;
  }

  end(): RepFeedEnd | null {
    while (this.last.state === 'reading') this.step();
    return this.last.state === 'done' ? this.publisher.end() : null;
  }

  stop(): void {
    this.stopped = true;
  }
}

/** The sequential run of `text` (as the command line runs it without --ops) and the followed one, which must print the same; whether it was followed. */
function assertSameRun(bytes: Uint8Array, what: string, overrides: HeapOptions = {}, lines = 7): boolean {
  const trace = parseRepBytes(bytes);
  assert.ok(trace !== null, what);
  const sequential = runTrace(trace, { overrides }, { history: false });
  const feed = new SliceFeed(bytes, lines);
  const followed = replayFollowed(feed, { overrides });
  assert.ok(feed.stopped, `${what}: the parse is let go`);
  if (followed === null) return false;
  assertSamePrinted(followed, sequential, what);
  return true;
}

function assertSamePrinted(followed: TraceRun, sequential: TraceRun, what: string): void {
  assert.equal(formatRunSummary('t.rep', followed), formatRunSummary('t.rep', sequential), what);
  assert.equal(JSON.stringify(runJson(followed), null, 2), JSON.stringify(runJson(sequential), null, 2), what);
  assert.deepEqual(followed.diagnostics, sequential.diagnostics, what);
  assert.deepEqual(followed.trace.names.length, sequential.trace.names.length, what);
  assert.deepEqual([...followed.trace.ops], [...sequential.trace.ops], what);
}

describe('an op table read while it is written', () => {
  it('reads the ops published so far as the writer wrote them, on the buffers handed in', () => {
    const made: ArrayBufferLike[] = [];
    const builder = new OpTableBuilder(16, (byteLength) => {
      const buffer = new ArrayBuffer(byteLength);
      made.push(buffer);
      return buffer;
    });
    builder.reserve(300);
    assert.equal(builder.capacity, 300);
    const columns = builder.columnArrays;
    assert.ok(made.includes(columns.kinds.buffer) && made.includes(columns.lineBases.buffer), 'the columns are on the buffers made');
    const reader = new PublishedOpTable(columns);
    assert.equal(reader.length, 0);
    for (let i = 0; i < 300; i++) {
      const kind = i % 3 === 0 ? 'malloc' : i % 3 === 1 ? 'realloc' : 'free';
      assert.ok(builder.addRep(kind, i % 17, 8 + i, 10 + 2 * i, 1, 9));
      if (i % 50 === 49) {
        reader.publish(i + 1);
        for (let k = 0; k <= i; k++) {
          assert.equal(reader.kind(k), builder.kind(k));
          assert.equal(reader.ptr(k), builder.ptr(k));
          assert.equal(reader.from(k), builder.from(k));
          assert.equal(reader.requestSize(k), builder.requestSize(k));
          assert.deepEqual(reader.range(k), builder.range(k));
        }
        assert.throws(() => reader.kind(i + 1), RangeError, 'no op beyond those published');
      }
    }
    assert.ok(builder.columnar);
    const counts = builder.kindCountArray;
    builder.finish();
    reader.finishAt(300, counts);
    assert.deepEqual([...reader], [...builder]);
    assert.equal(reader.count('malloc'), 100);
    assert.equal(reader.byteLength, builder.byteLength);
    assert.throws(() => reader.publish(299), RangeError, 'published ops stay published');
  });

  it('makes ordinary columns again when it grows past the room reserved', () => {
    const builder = new OpTableBuilder(16, (byteLength) => new ArrayBuffer(byteLength));
    builder.reserve(4);
    const shared = builder.columnArrays.kinds.buffer;
    for (let i = 0; i < 20; i++) builder.addRep('malloc', i, 8, i + 1, 1, 5);
    assert.notEqual(builder.columnArrays.kinds.buffer, shared);
    assert.equal(builder.length, 20);
  });
});

describe('a .rep trace replayed as it is parsed', () => {
  const long = generatedRep(6_000, 300, 5);

  it('prints what the sequential run prints, the replay catching up with the parse slice by slice', () => {
    for (const overrides of [{}, { preset: 'csapp' }, { policy: 'best' }, { freeList: 'segregated' }, { coalesce: 'deferred' }] as HeapOptions[]) {
      for (const lines of [1, 7, 1000, 100_000]) assert.ok(assertSameRun(ascii(long), `${JSON.stringify(overrides)}, ${lines} lines a slice`, overrides, lines), 'followed');
    }
  });

  it('tells the parse how far it is at least every FOLLOW_STEP ops, however far ahead the parse is', () => {
    const text = generatedRep(3 * FOLLOW_STEP, 500, 6);
    const told: number[] = [];
    const feed = new SliceFeed(ascii(text), 1_000_000);
    const wait = feed.wait.bind(feed);
    feed.wait = (have) => {
      told.push(have);
      return wait(have);
    };
    assert.ok(replayFollowed(feed, { overrides: { preset: 'csapp' } }) !== null);
    assert.equal(feed.slices, 1, 'the whole trace in one slice');
    assert.equal(told[0], 0);
    for (let k = 1; k < told.length; k++) assert.ok(told[k]! - told[k - 1]! <= FOLLOW_STEP && told[k]! >= told[k - 1]!, `${told[k - 1]} then ${told[k]}`);
    assert.ok(told.at(-1)! >= 3 * FOLLOW_STEP - FOLLOW_STEP, 'up to the last step');
  });

  it('the malloc lab traces, followed, print the same', function () {
    requireMalloclab(this);
    for (const ref of REFERENCE) {
      for (const overrides of [{ preset: 'csapp' }, { policy: 'first' }] as HeapOptions[]) assert.ok(assertSameRun(readFileSync(join(MALLOCLAB_DIR, `${ref.trace}.rep`)), ref.trace, overrides, 500));
    }
  });

  it("ids whose low bytes stop being their slots' part way (mdriver's fill byte then read from the table, not worked out): followed, and printed as the sequential run", () => {
    // Slots are numbered as ids first appear: ids 0 to 599 are slots 0 to 599 (each byte its slot's),
    // then ids 2,000 to 2,099 are slots 600 to 699, whose bytes are not; then every block is reallocated.
    const ids = [...Array.from({ length: 600 }, (_, k) => k), ...Array.from({ length: 100 }, (_, k) => 2000 + k)];
    const body = [...ids.map((id) => `a ${id} ${16 + (id % 40)}`), ...ids.map((id) => `r ${id} ${64 + (id % 90)}`), ...ids.map((id) => `f ${id}`)];
    const rep = (names: number, lines: string[]) => ascii(['0', `${names}`, `${lines.length}`, '1', ...lines, ''].join('\n'));
    for (const lines of [1, 64, 1000]) {
      assert.ok(assertSameRun(rep(2100, body), `ids out of slot order, ${lines} a slice`, {}, lines), 'followed');
      // The first id seen is not slot 0's byte: from the start.
      const late = body.map((l) => l.replace(/^(\w) (\d+)/, (_, op: string, id: string) => `${op} ${Number(id) + 7}`));
      assert.ok(assertSameRun(rep(2107, late), `first id 7, ${lines} a slice`, {}, lines), 'followed');
    }
  });

  it('problems met before the parse is done (malloc(0), the heap limit, ids beyond the header) wait for the rest of the trace and print the same', () => {
    const lines = long.split('\n');
    const zero = [...lines.slice(0, 40), 'a 100000 0', ...lines.slice(40)].join('\n').replace(/^(\d+)\n(\d+)\n(\d+)\n/, (_, h, _ids, ops) => `${h}\n100001\n${Number(ops) + 1}\n`);
    assert.ok(assertSameRun(ascii(zero), 'malloc(0)'));
    assert.ok(assertSameRun(ascii(long), 'heap limit', { maxHeap: 8192 }));
    assert.ok(assertSameRun(ascii(long), 'heap limit, csapp', { maxHeap: 20000, preset: 'csapp' }));
    const manyIds = long.replace(/^(\d+)\n(\d+)\n/, (_, h) => `${h}\n99999\n`);
    assert.ok(assertSameRun(ascii(manyIds), 'a header with too many ids'));
    const bad = [...lines.slice(0, 100), 'x 1 5', 'a', 'a 1 2 3', ...lines.slice(100)].join('\n');
    assertSameRun(ascii(bad), 'bad lines');
  });

  it('what cannot be followed gives null: a header whose op count is not the file\'s, lifetime errors, ops kept whole, no header, bytes beyond ASCII', () => {
    const lines = long.split('\n');
    const cases: Record<string, string> = {
      'more ops than the header says': long.replace(/^(\d+)\n(\d+)\n(\d+)\n/, (_, h, ids, ops) => `${h}\n${ids}\n${Number(ops) - 10}\n`),
      'fewer ops than the header says': long.replace(/^(\d+)\n(\d+)\n(\d+)\n/, (_, h, ids, ops) => `${h}\n${ids}\n${Number(ops) + 10}\n`),
      'a huge op count': long.replace(/^(\d+)\n(\d+)\n(\d+)\n/, (_, h, ids) => `${h}\n${ids}\n99999999999999999999\n`),
      'a double free': [...lines.slice(0, 4), 'a 0 8', 'f 0', 'f 0', ...lines.slice(7)].join('\n'),
      'a size past 2^32': [...lines.slice(0, 50), 'a 0 99999999999', ...lines.slice(51)].join('\n'),
      'no header': lines.slice(4).join('\n'),
      'too few ids in the header': long.replace(/^(\d+)\n(\d+)\n/, (_, h) => `${h}\n3\n`),
    };
    for (const [what, text] of Object.entries(cases)) assert.equal(assertSameRun(ascii(text), what), false, what);
    const utf8 = new TextEncoder().encode(long.replace('\nf ', '\n# é\nf '));
    assert.equal(replayFollowed(new SliceFeed(utf8, 7)), null, 'bytes beyond ASCII');
  });

  it('garbage spliced into a long trace: whatever is followed prints the same', () => {
    const lines = long.split('\n');
    const pieces = ['a 5 0', 'f 3', 'r 7 12', 'x', '', '  ', 'a 1 99999999999', 'f', 'r 2 0', 'a 2999 16', '\r', 'f 99999999'];
    let followed = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const copy = [...lines];
      for (let k = 0; k < 3; k++) copy.splice(5 + ((seed * 7919 * (k + 1)) % (copy.length - 5)), 0, pieces[(seed + k) % pieces.length]!);
      if (assertSameRun(ascii(copy.join('\n')), `seed ${seed}`, seed % 2 === 0 ? { preset: 'csapp' } : {}, 1 + (seed % 50))) followed++;
    }
    assert.ok(followed > 0);
  });
});
