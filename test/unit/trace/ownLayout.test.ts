// A layout the user states for their own allocator's heap (docs/own-allocator.md, "The heap's
// layout"): a CMU-style 64-bit heap written word by word (8-byte headers, the low four bits flags,
// footers in free blocks only, an explicit list's links as pointers at the payload's start) in,
// the blocks and the free list as its links say out, and each kind of damage a student makes
// marked where it is.

import assert from 'node:assert/strict';
import { HeapMemory } from '../../../src/engine/index';
import { decodeWords, findFirstBlock, footerProblems, freeListsOf, layoutEntries, parseOwnLayout, walkLayout, type OwnLayout } from '../../../src/trace/own/ownLayout';

/** Where the heap is in the allocator's process: links are addresses. */
const BASE = 0x7f3a_1000_0000;

function layoutOf(text: string): OwnLayout {
  const read = layoutEntries(text);
  const { layout, problems } = parseOwnLayout(read.entries);
  assert.deepEqual([...read.problems, ...problems], []);
  return layout!;
}

const CMU = layoutOf('wordSize=8, flagBits=4, allocatedBit=0, prevAllocatedBit=1, footers=free, next=0, prev=8');

/**
 * pad 8 | A allocated 32 @8 | B free 48 @40 | C allocated 32 @88 | D free 64 @120 | epilogue @184.
 * The list: D (the head, freed last) -> B.
 */
function heap(): HeapMemory {
  const m = new HeapMemory(1 << 16);
  m.sbrk(192);
  const header = (at: number, size: number, allocated: boolean, prevAllocated: boolean) => m.setUint64(at, size | (allocated ? 1 : 0) | (prevAllocated ? 2 : 0));
  header(8, 32, true, true);
  header(40, 48, false, true);
  m.setUint64(40 + 48 - 8, 48 | 2);
  header(88, 32, true, false);
  header(120, 64, false, true);
  m.setUint64(120 + 64 - 8, 64 | 2);
  header(184, 0, true, false);
  link(m, 120, 40, 0);
  link(m, 40, 0, 120);
  return m;
}

/** The free block at header `at` links to the blocks at headers `next` and `prev` (0: none) by their payloads' addresses. */
function link(m: HeapMemory, at: number, next: number, prev: number): void {
  m.setUint64(at + 8, next === 0 ? 0 : BASE + next + 8);
  m.setUint64(at + 16, prev === 0 ? 0 : BASE + prev + 8);
}

function picture(m: HeapMemory, layout = CMU) {
  const first = findFirstBlock(m, layout)!;
  const c = walkLayout(m, layout, first);
  const { lists, problems } = freeListsOf(m, c, layout.links!, BASE);
  return {
    first,
    blocks: Array.from({ length: c.count }, (_, k) => `${c.addrs[k]} ${c.sizes[k]} ${c.status[k] === 0 ? 'a' : 'f'}`),
    epilogue: c.epilogue?.addr ?? null,
    stopped: c.stopped?.code ?? null,
    lists: lists.map((l) => Array.from(l.nodes)),
    problems: [...footerProblems(c), ...problems].map((p) => `${p.addr}: ${p.message}`),
  };
}

describe("your allocator's heap under a layout you state", () => {
  it('walks the blocks by its headers and follows the free list from its head by the next links', () => {
    const p = picture(heap());
    assert.equal(p.first, 8, 'found: the first offset whose walk reaches the epilogue');
    assert.deepEqual(p.blocks, ['8 32 a', '40 48 f', '88 32 a', '120 64 f']);
    assert.equal(p.epilogue, 184);
    assert.equal(p.stopped, null);
    assert.deepEqual(p.lists, [[120, 40]], 'D, freed last, is the head: no next link names it');
    assert.deepEqual(p.problems, []);
  });

  it('decodes headers with the stated flag bits: bit 1 (the block before is allocated) is not size', () => {
    const m = heap();
    const c = walkLayout(m, CMU, 8);
    const h = decodeWords(CMU, c.headers, c.count);
    assert.deepEqual(Array.from(h.sizes), [32, 48, 32, 64]);
    assert.deepEqual(Array.from(h.allocated), [1, 0, 1, 0]);
    assert.deepEqual(Array.from(decodeWords(CMU, c.footers, c.count).allocated), [-1, 0, -1, 0], 'footers in free blocks only');
  });

  it("marks the damage: a prev link that does not name its list's previous block, a next link into an allocated block, a cycle, a stale footer", () => {
    let m = heap();
    link(m, 40, 0, 88);
    assert.deepEqual(picture(m).problems, ['40: the prev link of the free block at 0x0028 does not name 0x0078, whose next link names it']);

    m = heap();
    link(m, 120, 88, 0); // D's next: C, which is allocated
    let p = picture(m);
    assert.deepEqual(p.lists, [[40], [120]], 'two lists: B is named by nothing now');
    assert.match(p.problems[0]!, /^120: the next link of the free block at 0x0078 is 0x7f3a10000060, which is not a free block$/);

    m = heap();
    link(m, 40, 120, 120); // B's next leads back to D
    p = picture(m);
    assert.deepEqual(p.lists, [[40, 120]], 'no head: the walk starts at the first block of the cycle');
    assert.ok(p.problems.some((x) => /goes round in a cycle/.test(x)), p.problems.join('; '));

    m = heap();
    m.setUint64(120 + 64 - 8, 48 | 2); // D's footer: a stale size
    assert.deepEqual(picture(m).problems, ['120: the footer of the block at 0x0078 is 0x0032, its header 0x0042: a boundary tag not kept up to date']);
  });

  it('a size that runs past the break stops the walk there and says so', () => {
    const m = heap();
    m.setUint64(88, 4096 | 1);
    const c = walkLayout(m, CMU, 8);
    assert.equal(c.stopped?.code, 'block-outside-heap');
    assert.equal(c.stopped?.addr, 88);
    assert.equal(c.count, 2, 'the blocks before it');
  });

  it('links as 4-byte offsets from the heap\'s start naming headers (the layout of the textbook-style explicit list)', () => {
    const m = new HeapMemory(1 << 16);
    m.sbrk(80);
    const put = (at: number, word: number) => m.setUint32(at, word);
    // csapp: pad, prologue 8|1 at 4, blocks from 12: free 24 @12, allocated 16 @36, free 24 @52, epilogue @76.
    put(4, 9);
    put(8, 9);
    put(12, 24);
    put(12 + 20, 24);
    put(36, 17);
    put(36 + 12, 17);
    put(52, 24);
    put(52 + 20, 24);
    put(76, 1);
    put(16, 52); // next of @12: the header @52
    put(56, 0);
    put(60, 12); // prev of @52: @12
    const layout = layoutOf('wordSize=4 next=0 prev=4 links=offset');
    const c = walkLayout(m, layout, findFirstBlock(m, layout)!);
    assert.equal(c.prologue?.addr, 4, 'the prologue: the allocated footer before the first block');
    const { lists, problems } = freeListsOf(m, c, layout.links!, 0);
    assert.deepEqual(lists.map((l) => Array.from(l.nodes)), [[12, 52]]);
    assert.deepEqual(Array.from(lists[0]!.next), [52, 0], 'the links as stored');
    assert.deepEqual(problems, []);
  });

  it('a stated layout that cannot be right is refused key by key', () => {
    const bad = (text: string) => parseOwnLayout(layoutEntries(text).entries).problems;
    assert.deepEqual(bad('wordSize=6'), ['layout wordSize must be 4 or 8, not 6']);
    assert.deepEqual(bad('flagBits=3 allocatedBit=3'), ['layout allocatedBit 3 must be one of the 3 flag bits (0 to 2)']);
    assert.deepEqual(bad('prev=8'), ['layout prev and links describe an explicit list: say where its next link is (next)']);
    assert.deepEqual(bad('footers=some'), ['layout footers must be one of all, free, none, not "some"']);
    assert.deepEqual(bad('nxt=0'), ['unknown layout key "nxt" (known: wordSize, firstBlock, flagBits, allocatedBit, prevAllocatedBit, footers, next, prev, links)']);
    assert.deepEqual(layoutEntries('wordSize').problems, ['"wordSize" is not key=value']);
    assert.equal(layoutOf('firstBlock=0x18').firstBlock, 24, 'numbers in hex too');
    assert.deepEqual(parseOwnLayout({ wordSize: 8, next: 0, prev: 8 }).layout?.links, { next: 0, prev: 8, format: 'pointer' }, "the setting's object");
  });
});
