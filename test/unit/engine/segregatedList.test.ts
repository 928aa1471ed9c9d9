// Segregated free lists, scenario by scenario: a script in, the block chain and each class's list
// out. Segregated fits first (the class rule, the search across classes, where a split remainder
// and a merged block go), then simple segregated storage (carved chunks, no splitting, no
// merging), then the configuration (docs/engine.md, "Segregated free lists").

import assert from 'node:assert/strict';
import {
  createAllocator,
  resolveConfig,
  restoreAllocator,
  SegregatedAllocator,
  SimpleSegregatedAllocator,
  sizeClassOf,
  type HeapOptions,
} from '../../../src/engine/index';
import { parseRep, replaySource, runEngine } from '../../../src/trace/index';
import { heapFromScript, lastResult, type HeapRun } from './heapScript';

const seg = (more: HeapOptions = {}): HeapOptions => ({ preset: 'csapp', freeList: 'segregated', ...more });
const simple = (more: HeapOptions = {}): HeapOptions => ({ preset: 'csapp', freeList: 'simple-segregated', ...more });

/** Every non-empty class list in list order, e.g. `c3: 12/112 | c8: 140/3968` (class index: nodes as addr/size). */
function classLists(run: HeapRun): string {
  const a = run.allocator;
  assert.ok(a instanceof SegregatedAllocator, 'a segregated free list');
  return a.lists
    .map((list, c) => [c, list.nodes()] as const)
    .filter(([, nodes]) => nodes.length > 0)
    .map(([c, nodes]) => `c${c}: ${nodes.map((addr) => `${addr}/${a.layout.sizeAt(addr)}`).join(' -> ')}`)
    .join(' | ');
}

// csapp's default classes: c0 up to 16, c1 17-32 (in blocks: 24 to 32), c2 to 64, c3 to 128, c4 to 256,
// c5 to 512, c6 to 1024, c7 to 2048, c8 to 4096, c9 above 4096.
// `a 0 100; a 1 8; f 0` leaves a free 112-byte block at 12 (c3), an allocated 16 at 124, and 3968 free at 140 (c8).
const HOLE = 'a 0 100\na 1 8\nf 0';

describe('segregated free lists', () => {
  describe('the class rule', () => {
    it('a block belongs to the first class whose bound is at least its size; one more class takes everything larger', () => {
      const bounds = [32, 64, 128];
      assert.deepEqual([16, 32, 40, 64, 72, 128, 136, 99999].map((s) => sizeClassOf(bounds, s)), [0, 0, 1, 1, 2, 2, 3, 3]);
    });

    it('the default classes are powers of two from the smallest block to 4096 on each preset', () => {
      assert.deepEqual(resolveConfig({ preset: 'csapp', freeList: 'segregated' }).config.classes, [16, 32, 64, 128, 256, 512, 1024, 2048, 4096]);
      assert.deepEqual(resolveConfig({ preset: 'default', freeList: 'segregated' }).config.classes, [32, 64, 128, 256, 512, 1024, 2048, 4096]);
      assert.deepEqual(resolveConfig({ preset: 'csapp', wordSize: 8, alignment: 16 }).config.classes, [32, 64, 128, 256, 512, 1024, 2048, 4096]);
    });

    it('a reader sees each class\'s sizes and its list\'s ends', () => {
      const a = createAllocator(seg({ classes: [32, 64] })) as SegregatedAllocator;
      assert.deepEqual(a.classLists, [
        { min: 16, max: 32, head: 0, tail: 0, rover: 0 },
        { min: 40, max: 64, head: 0, tail: 0, rover: 0 },
        { min: 72, max: null, head: 12, tail: 12, rover: 0 },
      ]);
    });
  });

  describe('segregated fits', () => {
    it('a fresh heap is one free block on the list of its class', () => {
      const run = heapFromScript(seg(), '');
      assert.equal(run.chain, '[F4096]');
      assert.equal(classLists(run), 'c8: 12/4096');
    });

    it('a freed block joins the list of its class', () => {
      const run = heapFromScript(seg(), HOLE);
      assert.equal(run.chain, '[F112][A16][F3968]');
      assert.equal(classLists(run), 'c3: 12/112 | c8: 140/3968');
    });

    it('the remainder of a split lands in its own class', () => {
      // 60 bytes are a 72-byte block (c3): the 112-byte hole fits; its 40-byte remainder belongs in c2.
      const run = heapFromScript(seg(), `${HOLE}\na 2 60`);
      assert.equal(run.chain, '[A72][F40][A16][F3968]');
      assert.equal(lastResult(run).ptr, 16);
      assert.equal(lastResult(run).examined, 1);
      assert.equal(classLists(run), 'c2: 84/40 | c8: 140/3968');
    });

    it('a search skips empty classes at no cost and goes on to larger ones', () => {
      // 24 bytes are a 32-byte block (c1): c1 and c2 are empty, c3 holds the hole.
      const run = heapFromScript(seg(), `${HOLE}\na 2 24`);
      assert.equal(lastResult(run).ptr, 16);
      assert.equal(lastResult(run).examined, 1, 'one list node: the empty classes cost nothing');
      assert.equal(classLists(run), 'c3: 44/80 | c8: 140/3968');
    });

    it('a node of the request\'s class that is too small is examined, then the search moves up', () => {
      // c3 holds an 80-byte block; 100 bytes are a 112-byte block, also c3: 80 is visited and does not fit, c8 does.
      const run = heapFromScript(seg(), `${HOLE}\na 2 24\na 3 100`);
      assert.equal(lastResult(run).ptr, 144);
      assert.equal(lastResult(run).examined, 2);
      assert.equal(classLists(run), 'c3: 44/80 | c8: 252/3856');
    });

    it('best fit takes the smallest block of the first class with a fit, not the smallest anywhere', () => {
      // Holes of 112 (at 12) and 80 (at 140) are both c3; a 3-node c3 list; 60 bytes (72) take the 80.
      const script = 'a 0 100\na 1 8\na 2 68\na 3 8\nf 0\nf 2\na 4 60';
      const best = heapFromScript(seg({ policy: 'best' }), script);
      assert.equal(lastResult(best).ptr, 144);
      assert.equal(lastResult(best).examined, 2, 'LIFO: the 80 then the 112; no exact fit, so the whole class');
      const first = heapFromScript(seg({ policy: 'first', order: 'address' }), script);
      assert.equal(lastResult(first).ptr, 16, 'address-ordered first fit: the lower hole');
    });

    it('a freed block merges with free neighbours; they leave their classes and the merged block joins its own', () => {
      const run = heapFromScript(seg(), 'a 0 24\na 1 24\na 2 24\nf 0\nf 2');
      assert.equal(run.chain, '[F32][A32][F4032]');
      assert.equal(classLists(run), 'c1: 12/32 | c8: 76/4032');
      const merged = heapFromScript(seg(), 'a 0 24\na 1 24\na 2 24\nf 0\nf 2\nf 1');
      assert.equal(merged.chain, '[F4096]');
      assert.equal(classLists(merged), 'c8: 12/4096');
    });

    it('a request no class can serve grows the heap; the chunk merges with a free last block and is split', () => {
      const run = heapFromScript(seg(), 'a 0 5000');
      // 5008 bytes (c9): nothing on c9, so the heap grows by 5008, merging with the 4096 free block.
      assert.equal(run.chain, '[A5008][F4096]');
      assert.equal(lastResult(run).examined, 0);
      assert.equal(classLists(run), 'c8: 5020/4096');
    });

    it('next fit keeps a rover per class list, on the successor of the node taken', () => {
      // Three 32-byte holes in c1, address order: 12, 76, 140; the rover follows each take.
      const run = heapFromScript(seg({ policy: 'next', order: 'address' }), 'a 0 24\na 1 24\na 2 24\na 3 24\na 4 24\na 5 24\nf 0\nf 2\nf 4\na 6 24');
      const a = run.allocator as SegregatedAllocator;
      assert.equal(lastResult(run).ptr, 16);
      assert.equal(a.classLists[1]!.rover, 76);
      assert.equal(a.rover, 0, 'no rover for the heap as a whole');
    });

    it('in-place realloc shrinks into a remainder that joins its class, or grows into a free neighbour that leaves its list', () => {
      const shrink = heapFromScript(seg({ realloc: 'in-place' }), 'a 0 200\na 1 8\nr 0 24');
      assert.equal(shrink.chain, '[A32][F176][A16][F3872]');
      assert.equal(classLists(shrink), 'c4: 44/176 | c8: 236/3872');
      const grow = heapFromScript(seg({ realloc: 'in-place' }), 'a 0 24\na 1 24\na 2 8\nf 1\nr 0 50');
      assert.equal(grow.chain, '[A64][A16][F4016]');
      assert.equal(classLists(grow), 'c8: 92/4016');
    });

    it('a snapshot keeps every class list\'s ends; restored, the lists are as they were', () => {
      const run = heapFromScript(seg({ policy: 'next' }), 'a 0 100\na 1 8\na 2 24\na 3 8\nf 0\nf 2\na 4 24');
      const a = run.allocator as SegregatedAllocator;
      const restored = restoreAllocator(a.config, a.snapshot(false)) as SegregatedAllocator;
      assert.deepEqual(restored.classLists, a.classLists);
      assert.deepEqual(restored.walk(), a.walk());
      assert.deepEqual(restored.check(), []);
      assert.deepEqual(restored.malloc(40), a.malloc(40));
    });

    it('the read model shows the list nodes a search visited, class by class', () => {
      // c3 holds 80 at 44; 100 bytes visit it, then c8's 3968-byte block at 140.
      const trace = parseRep('0\n4\n5\n1\na 0 100\na 1 8\nf 0\na 2 24\na 3 100\n');
      const run = runEngine(trace, { overrides: seg() });
      assert.deepEqual([...replaySource(run).opAt(4).examined], [44, 140]);
    });
  });

  describe('simple segregated storage', () => {
    it('mm_init grows nothing: the heap is its sentinels until a class asks', () => {
      const run = heapFromScript(simple(), '');
      assert.equal(run.chain, '');
      assert.equal(run.allocator.heapSize, 16);
    });

    it('an empty class grows the heap by a chunk carved into equal blocks of its size, and the first is taken', () => {
      const run = heapFromScript(simple({ chunkSize: 256 }), 'a 0 24');
      // 24 bytes are a 32-byte block (c1): 256 / 32 = 8 blocks.
      assert.equal(run.chain, '[A32][F32][F32][F32][F32][F32][F32][F32]');
      assert.equal(lastResult(run).examined, 0, 'an empty class: nothing to examine');
      assert.equal(classLists(run), 'c1: 44/32 -> 76/32 -> 108/32 -> 140/32 -> 172/32 -> 204/32 -> 236/32');
      assert.equal(run.allocator.heapSize, 16 + 256);
    });

    it('a class with blocks hands out its head whole: a request rounds up to the class\'s size', () => {
      const run = heapFromScript(simple({ chunkSize: 256 }), 'a 0 24\na 1 10');
      assert.equal(lastResult(run).ptr, 48);
      assert.equal(lastResult(run).block?.size, 32, '10 bytes take a 32-byte block: class c1, not a 16-byte one from c0');
      assert.equal(lastResult(run).examined, 1);
      const big = heapFromScript(simple({ chunkSize: 256 }), 'a 0 24\na 1 100');
      assert.equal(big.chain, '[A32][F32][F32][F32][F32][F32][F32][F32][A128][F128]', 'c3: a second chunk of two 128-byte blocks');
    });

    it('never splits and never coalesces: freed neighbours stay apart on their class list', () => {
      const run = heapFromScript(simple({ chunkSize: 128 }), 'a 0 24\na 1 24\na 2 24\nf 0\nf 1');
      assert.equal(run.chain, '[F32][F32][A32][F32]');
      assert.equal(classLists(run), 'c1: 44/32 -> 12/32 -> 108/32');
    });

    it('a request beyond the last bound gets a block of its own; freed, it waits on the unbounded class for one it fits', () => {
      const run = heapFromScript(simple({ classes: [32, 64] }), 'a 0 500\nf 0\na 1 100');
      // 500 bytes are a 512-byte block (c2, unbounded): its own block; freed, then taken whole by 100 bytes (112).
      assert.equal(run.chain, '[A512]');
      assert.equal(lastResult(run).examined, 1);
      assert.deepEqual(run.results.map((r) => r.events.filter((e) => e.type === 'extended').length), [1, 0, 0]);
    });

    it('with lifo, fifo or address order a new chunk\'s list begins at its lowest block', () => {
      for (const order of ['lifo', 'fifo', 'address'] as const) {
        const run = heapFromScript(simple({ order, chunkSize: 96 }), 'a 0 24\na 1 24');
        assert.equal(run.ptr(0), 16, order);
        assert.equal(run.ptr(1), 48, order);
      }
    });

    it('in-place realloc keeps the block while the new size fits it; otherwise it moves to the new size\'s class', () => {
      const stay = heapFromScript(simple({ realloc: 'in-place', chunkSize: 128 }), 'a 0 24\nr 0 8');
      assert.equal(lastResult(stay).ptr, 16);
      const move = heapFromScript(simple({ realloc: 'in-place', chunkSize: 128 }), 'a 0 24\nr 0 40');
      assert.equal(move.chain, '[F32][F32][F32][F32][A64][F64]');
    });

    it('createAllocator builds it as its own allocator', () => {
      assert.ok(createAllocator(simple()) instanceof SimpleSegregatedAllocator);
    });
  });

  describe('configuration', () => {
    const problems = (options: HeapOptions) => resolveConfig(options).problems.map((p) => p.key);

    it('class bounds must rise, fit the alignment and the smallest block, and be at most 31 (one more class follows)', () => {
      assert.deepEqual(problems(seg({ classes: [32, 64, 128] })), []);
      assert.deepEqual(problems(seg({ classes: [] })), ['classes']);
      assert.deepEqual(problems(seg({ classes: [64, 32] })), ['classes']);
      assert.deepEqual(problems(seg({ classes: [32, 32] })), ['classes']);
      assert.deepEqual(problems(seg({ classes: [36] })), ['classes']);
      assert.deepEqual(problems(seg({ classes: [8, 64] })), ['classes']);
      assert.deepEqual(problems(seg({ classes: Array.from({ length: 32 }, (_, i) => 16 * (i + 1)) })), ['classes']);
      assert.deepEqual(problems(seg({ classes: Array.from({ length: 31 }, (_, i) => 16 * (i + 1)) })), []);
      assert.match(resolveConfig(seg({ classes: [64, 32] })).problems[0]!.message, /rise strictly \(got 64 then 32\)/);
    });

    it('the other lists ignore the classes', () => {
      assert.deepEqual(problems({ preset: 'csapp', classes: [] }), []);
      assert.deepEqual(problems({ preset: 'csapp', freeList: 'explicit', classes: [64, 32] }), []);
    });

    it('deferred coalescing is refused for segregated fits; simple storage never merges, so it ignores the setting', () => {
      const r = resolveConfig(seg({ coalesce: 'deferred' }));
      assert.deepEqual(r.problems.map((p) => [p.key, p.related]), [['coalesce', ['freeList']]]);
      assert.match(r.problems[0]!.message, /segregated free list/);
      assert.deepEqual(problems(simple({ coalesce: 'deferred' })), []);
    });

    it('the smallest block holds a header, two links and a footer, as on the explicit list', () => {
      assert.equal(resolveConfig({ preset: 'default', wordSize: 8, alignment: 8, freeList: 'segregated' }).config.minSplit, 32);
      assert.deepEqual(problems({ preset: 'default', alignment: 8, sentinels: false, freeList: 'simple-segregated' }), ['sentinels']);
    });
  });
});
