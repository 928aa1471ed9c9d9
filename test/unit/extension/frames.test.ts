// The host side of the panel without VS Code: the frames, series and events it sends, and the
// protocol guards that keep hostile messages out.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { buildEvents, buildFrame, buildSeries, traceInfo } from '../../../src/extension/frames';
import { ownerName, parseHostMessage, parseViewMessage } from '../../../src/shared/protocol';
import { parseHeapScript, parseRep, runEngine } from '../../../src/trace/index';
import { generatedRep, seededRandom } from '../support/generatedTrace';

const sample = (name: string, policy?: 'first' | 'next' | 'best' | 'worst') =>
  runEngine(parseHeapScript(readFileSync(`samples/${name}`, 'utf8')), policy ? { overrides: { policy } } : {});

describe('panel frames', () => {
  it('the heap after a step, in columns, with what the op touched', () => {
    const run = sample('first-best-worst.heap');
    const f = buildFrame(run, 9);
    assert.deepEqual(Array.from(f.sizes), [112, 16, 48, 16, 208, 16, 3680]);
    assert.equal(f.states, 'faaafaf');
    assert.deepEqual(Array.from(f.owners, (_, k) => ownerName(f, k)), [null, 'a', 'p', 'b', null, 'c', null]);
    assert.deepEqual(Array.from(f.allocLines), [0, 7, 22, 9, 0, 11, 0], 'line 0: no owner');
    assert.deepEqual(Array.from(f.requested), [0, 8, 32, 8, 0, 8, 0]);
    assert.equal(f.headers[2], 48 + 1);
    assert.equal(f.highlight.block, 0x8c);
    assert.equal(f.highlight.examined.length, 7, 'best fit without an exact fit visits every block');
    assert.match(f.story, /^Best fit examined 7 blocks and picked the 48-byte hole at 0x008c \(freed on line 14\) over the 3680-byte one at 0x01ac; too few bytes were left over to split/);
    assert.equal(f.line, 22);
    assert.equal(f.metrics.heapSize, 4112);
  });

  it('every block of the frame is the block a walk of that heap reads, footer-less blocks and the sbrk baseline too', () => {
    for (const [policy, footers] of [['first', 'all'], ['next', 'free-only'], ['sbrk', 'all']] as const) {
      const run = runEngine(parseHeapScript(readFileSync('samples/coalescing.heap', 'utf8')), { overrides: { policy, footers } });
      for (let i = -1; i < run.replay.recorded; i++) {
        const f = buildFrame(run, i);
        const walk = run.replay.heapAt(i).walk();
        const blocks = walk.blocks.map((b) => [b.addr, b.size, b.status[0] === 'u' ? 'x' : b.status[0], b.payloadSize, b.header, b.footer]);
        const word = (w: number | undefined) => (w === undefined || Number.isNaN(w) ? null : w);
        assert.deepEqual(Array.from(f.addrs, (addr, k) => [addr, f.sizes[k], f.states[k], f.payloadSizes[k], word(f.headers[k]), word(f.footers[k])]), blocks, `${policy}, step ${i}`);
        assert.equal(f.heapSize, walk.heapSize);
        assert.equal(f.epilogue, walk.epilogue?.addr ?? null);
      }
    }
  });

  it('each block is owned by the pointer that last got it: after a realloc into another name, a reassigned name, a leak', () => {
    const run = runEngine(
      parseHeapScript(['set preset = csapp', 'a = malloc(24)', 'b = realloc(a, 100)', 'a = malloc(8)', 'c = malloc(8)', 'c = malloc(16)', 'free(a)', 'a = malloc(8)'].join('\n')),
    );
    const owned = (step: number) => {
      const f = buildFrame(run, step);
      return f.states.split('').flatMap((s, k) => (s === 'a' ? [`${ownerName(f, k)}@${f.allocLines[k]}`] : []));
    };
    assert.deepEqual(owned(1), ['b@2'], 'the block b took over from a keeps the line a allocated it on');
    assert.deepEqual(owned(4).sort(), ['a@4', 'b@2', 'c@5', 'c@6'], 'the first c leaked: still c, allocated on line 5');
    assert.deepEqual(owned(6).sort(), ['a@8', 'b@2', 'c@5', 'c@6'], 'a reallocated at the address a freed');
  });

  it('owners, requested sizes and lines of every block match a plain pass over the ops, at steps in any order', () => {
    const run = runEngine(parseRep(generatedRep(6_000, 400, 17)), { overrides: { preset: 'csapp' } });
    const { trace, replay } = run;
    const { lifetimes, lifetimeOfOp } = trace.lifetimes;
    const random = seededRandom(4);
    for (const i of [5_999, 3_000, ...Array.from({ length: 6 }, () => Math.floor(random() * 6_000)), 10]) {
      // The model: which op last handed out each pointer up to op i, read op by op.
      const handedBy = new Map<number, number>();
      for (let at = 0; at <= i; at++) {
        const ptr = replay.pointer(at);
        if (trace.ops.kind(at) !== 'free' && ptr !== null) handedBy.set(ptr, at);
      }
      const f = buildFrame(run, i);
      const heap = replay.heapAt(i);
      for (let k = 0; k < f.addrs.length; k++) {
        const payload = f.addrs[k]! + 4;
        const at = f.states[k] === 'a' ? handedBy.get(payload) : undefined;
        const life = at === undefined ? -1 : lifetimeOfOp[at]!;
        const where = `step ${i}, block ${k} at ${f.addrs[k]}`;
        assert.equal(ownerName(f, k), life < 0 ? null : `id ${trace.names[trace.ops.ptr(at!)!]}`, where);
        assert.equal(f.allocLines[k], life < 0 ? 0 : trace.ops.line(lifetimes.start(life)), where);
        assert.equal(f.freeLines[k], life < 0 || lifetimes.end(life) < 0 ? 0 : trace.ops.line(lifetimes.end(life)), where);
        assert.equal(f.requested[k], f.states[k] === 'a' ? heap.liveAllocations.get(payload) : 0, where);
      }
    }
  });

  it('next fit examines from the rover, wrapping', () => {
    const run = sample('first-best-worst.heap', 'next');
    const f = buildFrame(run, 9);
    assert.deepEqual(Array.from(f.highlight.examined), [0x1a0 - 4, 0x1ac], 'the rover block, then the free tail');
  });

  it('heap growth marks the new space; the initial heap has no op', () => {
    const run = runEngine(parseHeapScript('set preset = csapp\na = malloc(4000)\nb = malloc(200)\n'));
    assert.equal(buildFrame(run, 1).highlight.grownFrom, 4112);
    const before = buildFrame(run, -1);
    assert.equal(before.line, null);
    assert.equal(before.text, 'initial heap');
    assert.equal(before.states, 'f');
  });

  it('a long trace\'s series is sampled, and still runs from the first op to the last', () => {
    const lines = ['set preset = csapp'];
    for (let i = 0; i < 2500; i++) lines.push(`p${i} = malloc(${16 + (i % 7) * 8})`, `free(p${i})`);
    lines.push('q = malloc(100)');
    const run = runEngine(parseHeapScript(lines.join('\n')));
    const s = buildSeries(run);
    assert.equal(run.replay.recorded, 5001);
    assert.ok(s.steps.length <= 2001, `${s.steps.length} samples`);
    assert.equal(s.steps[0], 0);
    assert.equal(s.steps[s.steps.length - 1], 5000);
    assert.equal(s.livePayload[s.steps.length - 1], 100);
  });

  it('series and events cover the whole trace', () => {
    const run = sample('coalescing.heap');
    const s = buildSeries(run);
    assert.equal(s.steps.length, run.replay.recorded);
    const e = buildEvents(run);
    assert.deepEqual([...e.coalesces], [6, 7, 8, 9]);
    assert.deepEqual([...e.nulls], []);
  });
});

describe('protocol guards', () => {
  it('accept well-formed webview messages and nothing else', () => {
    assert.deepEqual(parseViewMessage({ type: 'step', step: 4 }), { type: 'step', step: 4 });
    assert.deepEqual(parseViewMessage({ type: 'ready', extra: 'ignored' }), { type: 'ready' });
    for (const junk of [null, 'ready', { type: 'step', step: 1.5 }, { type: 'step', step: -2 }, { type: 'revealLine', line: 0 }, { type: 'compare', on: 'yes' }, { type: 'eval' }, { type: 'step', step: 2 ** 40 }]) {
      assert.equal(parseViewMessage(junk), null, JSON.stringify(junk));
    }
  });

  it('the webview checks the series too: columns of one length over rising ops, figures finite or unknown', () => {
    const run = sample('coalescing.heap');
    const good = { type: 'snapshot', trace: traceInfo(run, 'file:///c.heap', 'c.heap'), frame: buildFrame(run, 2), series: buildSeries(run), events: buildEvents(run), compare: null };
    assert.ok(parseHostMessage(good));
    const s = good.series;
    for (const series of [null, { ...s, heapSize: s.heapSize.slice(1) }, { ...s, steps: [...s.steps].reverse() }, { ...s, steps: s.steps.map((v) => v + 0.5) }, { ...s, utilisation: s.utilisation.map(() => Number.NaN) }, { ...s, heapSize: s.heapSize.map(() => null) }]) {
      assert.equal(parseHostMessage({ ...good, series }), null, JSON.stringify(series).slice(0, 80));
    }
    assert.ok(parseHostMessage({ ...good, series: { ...s, freeBlocks: s.freeBlocks.map(() => null) } }), 'unknown figures (a corrupted heap) are fine');
    // The events: every kind a typed list of op indices.
    const e = good.events;
    for (const events of [null, { ...e, coalesces: [...e.coalesces] }, { nulls: e.nulls, coalesces: e.coalesces, growths: e.growths }, { ...e, problems: 'none' }]) {
      assert.equal(parseHostMessage({ ...good, events }), null, JSON.stringify(events));
    }
  });

  it('the webview checks the host too: a frame whose columns disagree is refused', () => {
    const frame = buildFrame(sample('tiny.rep'), 2);
    assert.ok(parseHostMessage({ type: 'frame', frame, compare: null }));
    assert.equal(parseHostMessage({ type: 'frame', frame: { ...frame, sizes: Float64Array.from([...frame.sizes, 16]) }, compare: null }), null);
    assert.equal(parseHostMessage({ type: 'frame', frame: { ...frame, sizes: Array.from(frame.sizes) }, compare: null }), null, 'a plain array where a typed one belongs');
    assert.ok(parseHostMessage({ type: 'frame', frame: { ...frame, printed: 'ok\n' }, compare: null }), 'what the allocator printed');
    assert.equal(parseHostMessage({ type: 'frame', frame: { ...frame, printed: 'x'.repeat(100_000) }, compare: null }), null, 'more printed text than a frame carries');
    assert.equal(parseHostMessage({ type: 'frame', frame: { ...frame, printed: 7 }, compare: null }), null, 'printed output that is not text');
    assert.equal(parseHostMessage({ type: 'snapshot', frame }), null);
    assert.equal(parseHostMessage({ type: 'frame', frame: { ...frame, owners: Array.from(frame.owners) }, compare: null }), null, 'owners as a plain array');
    assert.equal(parseHostMessage({ type: 'frame', frame: { ...frame, ownerNames: [1, 2] }, compare: null }), null, 'owner names that are not strings');
    // A frame whose owner numbers point nowhere still names nothing rather than failing.
    const stray = { ...frame, owners: frame.owners.map(() => 99), ownerNames: ['p'] };
    assert.ok(parseHostMessage({ type: 'frame', frame: stray, compare: null }));
    assert.equal(ownerName(stray, 0), null);
    for (const examined of [undefined, 5, [16, 32], 'all']) {
      assert.equal(parseHostMessage({ type: 'frame', frame: { ...frame, highlight: { ...frame.highlight, examined } }, compare: null }), null, `examined ${JSON.stringify(examined)}`);
    }
  });

  it('an explicit list\'s frame carries the list in list order with the link words its nodes store; an implicit list has none', () => {
    // a..d take 32-byte blocks at 0x0c, 0x2c, 0x4c, 0x6c; LIFO: c's block, then a's, then the tail.
    const script = ['set preset = csapp', 'set freeList = explicit', 'set order = lifo', 'a = malloc(24)', 'b = malloc(24)', 'c = malloc(24)', 'd = malloc(24)', 'free(a)', 'free(c)', 'e = malloc(20)'].join('\n');
    const run = runEngine(parseHeapScript(script));
    const f = buildFrame(run, 5);
    // The stories say it in list terms: where the freed block went, how many list nodes a search visited.
    assert.equal(f.story, 'The 32-byte block at 0x004c became free; the block went to the head of the free list.');
    assert.equal(buildFrame(run, 6).story, 'LIFO first fit examined 1 list node and picked the 32-byte hole at 0x004c (freed on line 9) over the 3968-byte one at 0x008c; an exact fit. The program gets 0x0050.');
    assert.equal(f.freeLists.length, 1);
    const [list] = f.freeLists;
    assert.deepEqual(Array.from(list!.nodes), [0x4c, 0x0c, 0x8c]);
    assert.deepEqual(Array.from(list!.next), [0x0c, 0x8c, 0], 'each next link, 0 at the tail');
    assert.deepEqual(Array.from(list!.prev), [0, 0x4c, 0x0c], 'each prev link, 0 at the head');
    // The list's nodes are exactly the frame's free blocks.
    assert.deepEqual(Array.from(list!.nodes).sort((x, y) => x - y), Array.from(f.addrs).filter((_, k) => f.states[k] === 'f'));
    assert.deepEqual(buildFrame(runEngine(parseHeapScript(script.replace('explicit', 'implicit'))), 5).freeLists, []);
    assert.ok(parseHostMessage({ type: 'frame', frame: f, compare: null }));
    const bad = (freeLists: unknown) => parseHostMessage({ type: 'frame', frame: { ...f, freeLists }, compare: null });
    assert.equal(bad(undefined), null, 'no lists at all');
    assert.equal(bad([{ ...list, next: Float64Array.from([1]) }]), null, 'links that disagree with the nodes');
    assert.equal(bad([{ ...list, nodes: [0x4c] }]), null, 'nodes as a plain array');
    assert.equal(bad([{ ...list, rover: Infinity }]), null, 'a rover that is not an address');
    assert.equal(bad([{ ...list, linkWords: undefined }]), null, 'not saying whether the nodes hold link words');
    assert.equal(bad([{ ...list, linkWords: 'yes' }]), null, 'link words neither true nor false');
    assert.ok(list?.linkWords, 'an explicit list keeps its links in the heap');
    assert.equal(bad(Array.from({ length: 65 }, () => list)), null, 'more lists than any family keeps');
  });

  it('segregated lists: one list per class, named by its block sizes, and stories in class terms', () => {
    const script = (freeList: string) => ['set preset = csapp', `set freeList = ${freeList}`, 'a = malloc(20)', 'b = malloc(20)', 'free(a)', 'c = malloc(20)', 'big = malloc(6000)'].join('\n');
    const fits = runEngine(parseHeapScript(script('segregated')));
    const f = buildFrame(fits, 2);
    assert.equal(f.freeLists.length, fits.config.classes.length + 1, 'a list per class, the unbounded one last');
    assert.deepEqual(f.freeLists.filter((l) => l.nodes.length > 0).map((l) => [l.label, Array.from(l.nodes)]), [['24-32 B', [0x0c]], ['2056-4096 B', [0x4c]]]);
    assert.equal(f.freeLists.at(-1)!.label, '4104+ B');
    assert.equal(f.story, 'The 32-byte block at 0x000c became free; the block went to the head of its class\'s list.');
    const simple = runEngine(parseHeapScript(script('simple-segregated')));
    assert.equal(buildFrame(simple, 0).story, 'No free 32-byte block was on its class\'s list, so the heap grew by 4096 bytes, carved into 128 blocks of 32 bytes, and the first was taken. The program gets 0x0010.');
    assert.equal(buildFrame(simple, 4).story, 'No free 6008-byte block was on its class\'s list, so the heap grew by 6008 bytes for a block of its own. The program gets 0x1010.');
    assert.equal(buildFrame(simple, 3).story, 'Simple segregated storage took the head of its class\'s list, the 32-byte block at 0x000c (freed on line 5). The program gets 0x0010.');
    assert.equal(buildFrame(simple, 0).freeLists.find((l) => l.label === '24-32 B')!.nodes.length, 127, 'the rest of the chunk waits on the class list');
  });

  it('a buddy system\'s frame carries its arena and a list per order; the guard refuses an arena that is not a power of two', () => {
    const run = runEngine(parseHeapScript(['set preset = csapp', 'set freeList = buddy', 'a = malloc(100)'].join('\n')));
    const f = buildFrame(run, 0);
    assert.deepEqual(f.buddyArena, { start: 0x0c, size: 4096 });
    assert.deepEqual(f.freeLists.filter((l) => l.nodes.length > 0).map((l) => [l.label, Array.from(l.nodes)]), [['128 B', [0x8c]], ['256 B', [0x10c]], ['512 B', [0x20c]], ['1024 B', [0x40c]], ['2048 B', [0x80c]]]);
    assert.equal(buildFrame(sample('tiny.rep'), 2).buddyArena, null);
    assert.ok(parseHostMessage({ type: 'frame', frame: f, compare: null }));
    for (const buddyArena of [undefined, { start: 12, size: 4095 }, { start: -1, size: 4096 }, { start: 12 }, 'arena']) {
      assert.equal(parseHostMessage({ type: 'frame', frame: { ...f, buddyArena }, compare: null }), null, JSON.stringify(buddyArena));
    }
    // Block sizes and addresses, and list nodes, are whole non-negative numbers: no NaN, fraction or denormal reaches the drawing.
    for (const bad of [NaN, 1e-310, -16, 0.5, Infinity]) {
      assert.equal(parseHostMessage({ type: 'frame', frame: { ...f, sizes: f.sizes.map((s, k) => (k === 0 ? bad : s)) }, compare: null }), null, `size ${bad}`);
      assert.equal(parseHostMessage({ type: 'frame', frame: { ...f, addrs: f.addrs.map((a, k) => (k === 0 ? bad : a)) }, compare: null }), null, `address ${bad}`);
      const lists = f.freeLists.map((l) => ({ ...l, nodes: l.nodes.length > 0 ? l.nodes.map(() => bad) : l.nodes }));
      assert.equal(parseHostMessage({ type: 'frame', frame: { ...f, freeLists: lists }, compare: null }), null, `node ${bad}`);
    }
  });
});
