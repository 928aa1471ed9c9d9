// A recorded program's calls as a .rep trace (src/trace/recorded/): hand-made call lists in, the
// trace's lines, its sidecar and its counts out. Ids are reused only after their block is freed;
// what .rep cannot say (free(NULL), unknown pointers, NULL results, exec marks) is counted, never
// an op; the stream decoder reads what recorder.c writes, a byte at a time as well as whole.

import assert from 'node:assert/strict';
import { RecordingConverter, repLine, sidecarLine, splitCommandLine, StreamDecoder, EVENT_BYTES, RECORDED_CALLS, type RecordedEvent } from '../../../src/trace/index';
import { assertSoundTrace, everyFreeMatched } from '../support/recordedChecks';

const at = { thread: 7, ns: 0, result: 0n, from: 0n, size: 0n, count: null, elementSize: null, alignment: null } as const;
const malloc = (size: number, result: bigint): RecordedEvent => ({ ...at, call: 'malloc', size: BigInt(size), result });
const calloc = (count: number, size: number, result: bigint): RecordedEvent => ({ ...at, call: 'calloc', size: BigInt(count * size), count: BigInt(count), elementSize: BigInt(size), result });
const realloc = (from: bigint, size: number, result: bigint): RecordedEvent => ({ ...at, call: 'realloc', from, size: BigInt(size), result });
const free = (from: bigint): RecordedEvent => ({ ...at, call: 'free', from });
const memalign = (alignment: number, size: number, result: bigint): RecordedEvent => ({ ...at, call: 'memalign', size: BigInt(size), alignment: BigInt(alignment), result });
const exec = (thread = 7): RecordedEvent => ({ ...at, call: 'exec', thread });
const execFailed = (thread = 7): RecordedEvent => ({ ...at, call: 'exec-failed', thread });

/** The trace's text, each event's note, and the converter, for a list of calls (`image` marks where an exec took effect). */
function convert(events: readonly (RecordedEvent | 'image')[]) {
  const converter = new RecordingConverter();
  const lines: string[] = [];
  const notes: (string | null)[] = [];
  for (const e of events) {
    if (e === 'image') {
      converter.newImage();
      continue;
    }
    const c = converter.event(e);
    if (c.op !== null) lines.push(repLine(c.op));
    notes.push(c.note);
  }
  return { text: converter.repHeader() + lines.map((l) => `${l}\n`).join(''), lines, notes, counts: converter.counts(), converter };
}

describe('a recorded program as a .rep trace', () => {
  it('addresses become ids, the lowest free one first, reused only after their block is freed', () => {
    const { lines, counts } = convert([malloc(24, 0x1000n), malloc(40, 0x2000n), malloc(8, 0x3000n), free(0x2000n), free(0x1000n), malloc(16, 0x2000n), malloc(32, 0x4000n), malloc(1, 0x5000n)]);
    assert.deepEqual(lines, ['a 0 24', 'a 1 40', 'a 2 8', 'f 1', 'f 0', 'a 0 16', 'a 1 32', 'a 3 1']);
    assert.equal(counts.ids, 4);
    assert.equal(counts.peakLiveBytes, 24 + 40 + 8);
    everyFreeMatched(lines);
  });

  it('a realloc keeps its id where the block moves; realloc(NULL, n) allocates and realloc(p, 0) returning NULL frees', () => {
    const { lines, counts } = convert([malloc(24, 0x1000n), realloc(0x1000n, 100, 0x8000n), malloc(24, 0x1000n), realloc(0x8000n, 200, 0x8000n), realloc(0n, 50, 0x9000n), realloc(0x9000n, 0, 0n), free(0x8000n)]);
    assert.deepEqual(lines, ['a 0 24', 'r 0 100', 'a 1 24', 'r 0 200', 'a 2 50', 'f 2', 'f 0']);
    assert.equal(counts.reallocs, 2);
    assert.equal(counts.liveAtEnd, 1, 'the second malloc(24) was never freed');
    everyFreeMatched(lines);
  });

  it('free(NULL), frees and reallocs of pointers never seen, and NULL results are counted, not ops', () => {
    const { lines, notes, counts } = convert([free(0n), free(0xdead0n), malloc(24, 0x1000n), realloc(0xbeef0n, 64, 0x2000n), malloc(1 << 30, 0n), realloc(0x1000n, 1 << 30, 0n), calloc(2 ** 62, 16, 0n), free(0x1000n), free(0x1000n), free(0x2000n)]);
    assert.deepEqual(lines, ['a 0 24', 'a 1 64', 'f 0', 'f 1']);
    assert.deepEqual(notes, ['free-null', 'unknown-pointer', null, 'unknown-pointer', 'failed', 'failed', 'failed', null, 'unknown-pointer', null]);
    assert.deepEqual([counts.freeNull, counts.unknownFrees, counts.unknownReallocs, counts.failed, counts.ops], [1, 2, 1, 3, 4]);
    everyFreeMatched(lines);
  });

  it('an address handed out while the log still has it live leaves the old id allocated and takes a new one', () => {
    const { lines, notes, counts } = convert([malloc(24, 0x1000n), malloc(32, 0x1000n), free(0x1000n)]);
    assert.deepEqual(lines, ['a 0 24', 'a 1 32', 'f 1']);
    assert.deepEqual(notes, [null, 'live-address', null]);
    assert.equal(counts.liveAddresses, 1);
    everyFreeMatched(lines);
  });

  it('an exec leaves the old image\'s blocks allocated and its addresses meaningless; a failed exec changes nothing', () => {
    const failed = convert([malloc(24, 0x1000n), exec(), execFailed(), free(0x1000n)]);
    assert.deepEqual(failed.lines, ['a 0 24', 'f 0']);
    assert.equal(failed.converter.execPending, false);
    const other = convert([exec(3), execFailed(4)]);
    assert.equal(other.converter.execPending, true, 'only the exec\'ing thread\'s failure undoes it');
    const { lines, counts } = convert([malloc(24, 0x1000n), exec(), 'image', free(0x1000n), malloc(8, 0x1000n), free(0x1000n)]);
    assert.deepEqual(lines, ['a 0 24', 'a 1 8', 'f 1']);
    assert.deepEqual([counts.images, counts.liveAtExec, counts.unknownFrees, counts.ids], [2, 1, 1, 2]);
    everyFreeMatched(lines);
  });

  it('calloc becomes a of count x size; aligned allocations their size, the alignment kept for the sidecar', () => {
    const events = [calloc(4, 8, 0x1000n), memalign(64, 100, 0x2040n)];
    const { lines } = convert(events);
    assert.deepEqual(lines, ['a 0 32', 'a 1 100']);
    const converter = new RecordingConverter();
    const side = events.map((e) => JSON.parse(sidecarLine(e, converter.event(e), 5)) as Record<string, unknown>);
    assert.deepEqual(side[0], { op: 0, call: 'calloc', thread: 7, ns: 5, address: '0x1000', size: 32, count: 4, elementSize: 8 });
    assert.deepEqual(side[1], { op: 1, call: 'memalign', thread: 7, ns: 5, address: '0x2040', size: 100, alignment: 64 });
  });

  it('a long random recording parses without errors and replays without errors under every policy', () => {
    let seed = 12345;
    const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
    const live: bigint[] = [];
    const events: RecordedEvent[] = [];
    let next = 0x10000n;
    for (let i = 0; i < 3000; i++) {
      const r = random(10);
      const addr = () => (next += 0x40n);
      if (r < 4 || live.length === 0) live.push(events[events.push(malloc(1 + random(300), addr())) - 1]!.result);
      else if (r < 7) events.push(free(live.splice(random(live.length), 1)[0]!));
      else if (r < 9) {
        const k = random(live.length);
        const to = random(2) === 0 ? live[k]! : addr();
        events.push(realloc(live[k]!, 1 + random(600), to));
        live[k] = to;
      } else events.push(random(2) === 0 ? free(0n) : free(0x1234n));
    }
    const { text } = convert(events);
    assert.equal(assertSoundTrace(text, 'seed 12345').ops.length, events.length - events.filter((e) => e.call === 'free' && (e.from === 0n || e.from === 0x1234n)).length);
  });
});

describe("the recorder's stream", () => {
  /** A stream as recorder.c writes it: the 96-byte header with exe and cmdline, then 48-byte events. */
  function stream(events: readonly [number, bigint, bigint, bigint, bigint][]): Uint8Array {
    const exe = [...'/bin/x'].map((c) => c.charCodeAt(0));
    const cmdline = [...'x\0-y\0'].map((c) => c.charCodeAt(0));
    const headerBytes = (96 + exe.length + cmdline.length + 7) & ~7;
    const bytes = new Uint8Array(headerBytes + events.length * EVENT_BYTES);
    const view = new DataView(bytes.buffer);
    bytes.set([0x48, 0x49, 0x52, 0x45, 0x43]);
    [2, headerBytes, EVENT_BYTES, 0x01020304, 4242, 4241, 0, exe.length, cmdline.length].forEach((v, i) => view.setUint32(8 + 4 * i, v, true));
    view.setBigUint64(48, 1000n, true);
    bytes.set([...'2.36'].map((c) => c.charCodeAt(0)), 64);
    bytes.set([...exe, ...cmdline], 96);
    events.forEach(([kind, result, old, a, b], i) => {
      const o = headerBytes + i * EVENT_BYTES;
      view.setUint8(o, kind);
      view.setUint32(o + 4, 99, true);
      view.setBigUint64(o + 8, BigInt(i), true);
      [result, old, a, b].forEach((v, k) => view.setBigUint64(o + 16 + 8 * k, v, true));
    });
    return bytes;
  }

  const kind = (call: (typeof RECORDED_CALLS)[number]) => RECORDED_CALLS.indexOf(call) + 1;

  it('reads the header and every event, whole or pushed a byte at a time', () => {
    const bytes = stream([[kind('malloc'), 0x1000n, 0n, 24n, 0n], [kind('calloc'), 0x2000n, 0n, 3n, 8n], [kind('free'), 0n, 0x1000n, 0n, 0n], [kind('posix_memalign'), 0x3000n, 0n, 64n, 32n]]);
    for (const step of [bytes.length, 1, 7, 50]) {
      const events: RecordedEvent[] = [];
      const decoder = new StreamDecoder((e) => events.push(e));
      for (let i = 0; i < bytes.length; i += step) decoder.push(bytes.subarray(i, i + step));
      decoder.end();
      assert.equal(decoder.problem, null);
      assert.deepEqual([decoder.header!.pid, decoder.header!.ppid, decoder.header!.libc, decoder.header!.startNs], [4242, 4241, '2.36', 1000]);
      assert.deepEqual(events.map((e) => [e.call, e.thread, e.ns, e.result, e.from, e.size, e.count, e.alignment]), [
        ['malloc', 99, 0, 0x1000n, 0n, 24n, null, null],
        ['calloc', 99, 1, 0x2000n, 0n, 24n, 3n, null],
        ['free', 99, 2, 0n, 0x1000n, 0n, null, null],
        ['posix_memalign', 99, 3, 0x3000n, 0n, 64n, null, 32n],
      ]);
    }
  });

  it('a stream cut inside an event, or not a recorder stream, is a problem', () => {
    const bytes = stream([[kind('malloc'), 0x1000n, 0n, 24n, 0n]]);
    const cut = new StreamDecoder(() => {});
    cut.push(bytes.subarray(0, bytes.length - 5));
    cut.end();
    assert.match(cut.problem ?? '', /ends inside an event \(43 bytes left over\)/);
    const other = new StreamDecoder(() => {});
    other.push(new Uint8Array(200).fill(65));
    assert.equal(other.problem, 'not a recorder stream');
  });
});

describe('a command line typed into the editor', () => {
  it('is split as a shell splits a simple command; what needs a shell is refused with a reason', () => {
    assert.deepEqual(splitCommandLine(`python3 -c 'print("a b")' "x y" z\\ w`), { words: ['python3', '-c', 'print("a b")', 'x y', 'z w'] });
    assert.deepEqual(splitCommandLine('sort  data.txt '), { words: ['sort', 'data.txt'] });
    assert.match((splitCommandLine('ls | wc') as { problem: string }).problem, /needs a shell/);
    assert.match((splitCommandLine('echo $HOME') as { problem: string }).problem, /needs a shell/);
    assert.match((splitCommandLine("echo 'open") as { problem: string }).problem, /not closed/);
    assert.match((splitCommandLine('   ') as { problem: string }).problem, /empty/);
  });
});
