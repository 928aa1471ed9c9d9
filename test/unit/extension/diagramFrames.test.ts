// The block diagram's words from the host's frames (docs/editor.md, "Block diagrams"): a script in,
// the labels out: each block's name, sizes, address, header and footer words as stored, the op's
// blocks before and after it, and the fit search's path in the order searched.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { beforeFrame, exportName } from '../../../src/extension/diagramFrames';
import { buildFrame } from '../../../src/extension/frames';
import { blockSentence, blocksIn, diagramBlocks, fitPath, wordDecimal, wordHex } from '../../../src/shared/diagramModel';
import { parseViewMessage, type FrameDto } from '../../../src/shared/protocol';
import { formatAddress, HEX_OFFSETS, parseHeapScript, runTrace } from '../../../src/trace/index';

const SAMPLE = readFileSync('samples/first-best-worst.heap', 'utf8');
const run = (policy: string, text = SAMPLE) => runTrace(parseHeapScript(text.replace('set policy = best', `set policy = ${policy}`)));
const hex = (n: number) => formatAddress(HEX_OFFSETS, n);
const all = (f: FrameDto) => blocksIn(f, 0, f.heapSize).indices;
const labels = (shown: FrameDto, op: FrameDto) => diagramBlocks(shown, op, all(shown)).map((b) => blockSentence(b, hex));

describe('block diagram labels', () => {
  it('first-best-worst.heap under best fit, at its last op: every block named, sized and placed, its words as stored', () => {
    const r = run('best');
    const f = buildFrame(r, 9);
    assert.deepEqual(labels(f, f), [
      'free block at 0x000c: free, block 112 B; header 0x00000070 (112 | 0) at 0x000c; footer 0x00000070 (112 | 0) at 0x0078; fit search step 1',
      'a at 0x007c: allocated, block 16 B; requested 8 B; payload 8 B at 0x0080; padding 0 B; header 0x00000011 (16 | 1) at 0x007c; footer 0x00000011 (16 | 1) at 0x0088; fit search step 2',
      "p at 0x008c: allocated, block 48 B; requested 32 B; payload 40 B at 0x0090; padding 8 B; header 0x00000031 (48 | 1) at 0x008c; footer 0x00000031 (48 | 1) at 0x00b8; this op's block; fit search step 3",
      'b at 0x00bc: allocated, block 16 B; requested 8 B; payload 8 B at 0x00c0; padding 0 B; header 0x00000011 (16 | 1) at 0x00bc; footer 0x00000011 (16 | 1) at 0x00c8; fit search step 4',
      'free block at 0x00cc: free, block 208 B; header 0x000000d0 (208 | 0) at 0x00cc; footer 0x000000d0 (208 | 0) at 0x0198; fit search step 5',
      'c at 0x019c: allocated, block 16 B; requested 8 B; payload 8 B at 0x01a0; padding 0 B; header 0x00000011 (16 | 1) at 0x019c; footer 0x00000011 (16 | 1) at 0x01a8; fit search step 6',
      'free block at 0x01ac: free, block 3680 B; header 0x00000e60 (3680 | 0) at 0x01ac; footer 0x00000e60 (3680 | 0) at 0x1008; fit search step 7',
    ]);
  });

  it('the words are the frame\'s, as stored: a header the program overwrote shows what it holds, not what the size says', () => {
    const r = run('best');
    const f = buildFrame(r, 9);
    const headers = Float64Array.from(f.headers);
    headers[1] = 0xdead;
    const [a] = diagramBlocks({ ...f, headers }, { ...f, headers }, [1]);
    assert.equal(wordHex(a!.header!), '0x0000dead');
    assert.equal(wordDecimal(a!.header!), '16 | 1', 'decoded by the host: the frame\'s decoded columns');
  });

  it('the heap before the op: the hole best fit took marked, and the path in order with each block as the search saw it', () => {
    const r = run('best');
    const after = buildFrame(r, 9);
    const before = beforeFrame(r, 9)!;
    assert.equal(before.step, 8);
    const marked = diagramBlocks(before, after, all(before)).filter((b) => b.role !== null);
    assert.deepEqual(marked.map((b) => [hex(b.addr), b.size, b.state, b.role]), [['0x008c', 48, 'f', 'block']]);
    assert.deepEqual(fitPath(after, before).map((p) => `${p.order} ${hex(p.addr)} ${p.state} ${p.size}`), ['1 0x000c f 112', '2 0x007c a 16', '3 0x008c f 48', '4 0x00bc a 16', '5 0x00cc f 208', '6 0x019c a 16', '7 0x01ac f 3680']);
    assert.equal(beforeFrame(r, -1), null, 'nothing before the first op');
  });

  it('first fit stops at the first hole that fits and splits it; worst fit walks every block and carves the biggest', () => {
    const first = run('first');
    const f = buildFrame(first, 9);
    assert.deepEqual(fitPath(f, beforeFrame(first, 9)).map((p) => hex(p.addr)), ['0x000c']);
    const roles = diagramBlocks(f, f, all(f)).filter((b) => b.role).map((b) => `${b.role} ${hex(b.addr)} ${b.size}`);
    assert.deepEqual(roles, ['block 0x000c 40', 'split 0x0034 72']);
    const worst = run('worst');
    const w = buildFrame(worst, 9);
    assert.deepEqual(fitPath(w, beforeFrame(worst, 9)).map((p) => `${hex(p.addr)} ${p.size}`), ['0x000c 112', '0x007c 16', '0x008c 48', '0x00bc 16', '0x00cc 208', '0x019c 16', '0x01ac 3680']);
  });

  it('a free that coalesces: before it, the freed block marked, and its free neighbour as what the merge swallowed', () => {
    const r = run('first', 'set preset = csapp\nset policy = best\nx = malloc(8)\ny = malloc(8)\nfree(y)\nfree(x)\n');
    const after = buildFrame(r, 3);
    assert.ok(after.highlight.merged !== null);
    const before = beforeFrame(r, 3)!;
    const marked = diagramBlocks(before, after, all(before)).filter((b) => b.role !== null).map((b) => `${b.role} ${b.name ?? 'free'} ${hex(b.addr)}`);
    assert.deepEqual(marked, ['block x 0x000c', 'merged free 0x001c']);
  });

  it('blocks in view: only those overlapping the bytes, at most the cap, saying there are more', () => {
    const f = buildFrame(run('best'), 9);
    assert.deepEqual(blocksIn(f, 0x80, 0xc0), { indices: [1, 2, 3], more: false });
    assert.deepEqual(blocksIn(f, 0, f.heapSize, 2), { indices: [0, 1], more: true });
  });

  it('an exported picture: only an SVG document or a PNG in base64, within the size limit, at a step', () => {
    assert.deepEqual(parseViewMessage({ type: 'export', format: 'svg', step: 9, data: '<svg xmlns="http://www.w3.org/2000/svg"></svg>' }), { type: 'export', format: 'svg', step: 9, data: '<svg xmlns="http://www.w3.org/2000/svg"></svg>' });
    assert.ok(parseViewMessage({ type: 'export', format: 'png', step: 0, data: 'iVBORw0KGgoAAAA=' }));
    for (const bad of [
      { type: 'export', format: 'svg', step: 9, data: '<html></html>' },
      { type: 'export', format: 'png', step: 9, data: '<svg></svg>' },
      { type: 'export', format: 'png', step: 9, data: 'iVBORw0KGgo<script>' },
      { type: 'export', format: 'gif', step: 9, data: 'GIF89a' },
      { type: 'export', format: 'svg', step: 'x', data: '<svg></svg>' },
      { type: 'export', format: 'svg', step: 9, data: `<svg>${'x'.repeat(33 * 1024 * 1024)}</svg>` },
      { type: 'before', step: 1.5 },
    ]) assert.equal(parseViewMessage(bad), null, JSON.stringify(bad).slice(0, 80));
    assert.equal(exportName('first-best-worst.heap', 9, 'svg'), 'first-best-worst-op10.svg');
    assert.equal(exportName('my trace (1).rep', 0, 'png'), 'my-trace-1-op1.png');
  });
});
