// The block layout of the user's own allocator (docs/own-allocator.md, "The heap's layout"): how
// its header words give a block's size and allocated bit, where the first block's header is,
// which blocks end in a footer, and where an explicit list keeps its links. Stated by the user
// (heapInspector.allocatorLayout, `--layout`) or one of the CS:APP-style layouts found by walking
// the heap. Here: reading a stated layout, walking a heap's bytes into blocks with a layout, and
// following the free blocks' links into lists.

import { BLOCK_STATUSES, firstBlockOffset, hex, type HeapColumns, type HeapConfig, type HeapMemory, type SentinelInfo } from '../../engine/index';
import { ColumnsBuilder } from '../../engine/walker';
import type { FreeListState } from '../heapSource';

export type FooterRule = 'all' | 'free' | 'none';

/** Where a free block keeps its list links: byte offsets from its payload, and how a link is stored. */
export interface OwnLinks {
  readonly next: number;
  readonly prev: number | null;
  /** `pointer`: an address (8 bytes, 0 for none); `offset`: 4 bytes from the heap's start (0 for none). */
  readonly format: 'pointer' | 'offset';
}

export interface OwnLayout {
  /** Bytes of a header or footer word. */
  readonly wordSize: 4 | 8;
  /** Offset of the first block's header from the heap's start; null: the first offset (in words, up to FIRST_BLOCK_SEARCH bytes) whose walk reaches the heap's end. */
  readonly firstBlock: number | null;
  /** Low bits of a header that are flags, not size (3: size = word & ~0x7). */
  readonly flagBits: number;
  readonly allocatedBit: number;
  /** The bit saying the block before is allocated, or null. */
  readonly prevAllocatedBit: number | null;
  /** Which blocks end in a footer (a copy of the header). */
  readonly footers: FooterRule;
  readonly links: OwnLinks | null;
}

/** What the CS:APP-style layouts (the engine's presets, allocated bit 0, size above the low three bits) look like as a stated layout. */
export function layoutOfConfig(config: HeapConfig): OwnLayout & { readonly firstBlock: number } {
  const free = config.footers !== 'all';
  return { wordSize: config.wordSize, firstBlock: firstBlockOffset(config.wordSize, config.alignment, config.sentinels), flagBits: 3, allocatedBit: 0, prevAllocatedBit: free ? 1 : null, footers: free ? 'free' : 'all', links: null };
}

export const LAYOUT_KEYS = ['wordSize', 'firstBlock', 'flagBits', 'allocatedBit', 'prevAllocatedBit', 'footers', 'next', 'prev', 'links'] as const;

/**
 * A stated layout from its entries (the setting's object, or `--layout`'s `key=value,...` read by
 * layoutEntries): every key optional, the CS:APP textbook's 64-bit style by default. Problems say
 * which key is wrong and why; with any, no layout.
 */
export function parseOwnLayout(entries: Readonly<Record<string, unknown>>): { layout: OwnLayout | null; problems: string[] } {
  const problems: string[] = [];
  for (const key of Object.keys(entries)) if (!(LAYOUT_KEYS as readonly string[]).includes(key)) problems.push(`unknown layout key "${key}" (known: ${LAYOUT_KEYS.join(', ')})`);
  const int = (key: string, min: number, max: number, fallback: number | null): number | null => {
    const v = entries[key];
    if (v === undefined || v === null || v === 'none') return fallback;
    const n = typeof v === 'number' ? v : typeof v === 'string' && /^(0x[0-9a-f]+|\d+)$/i.test(v.trim()) ? Number(v.trim()) : NaN;
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`layout ${key} must be a whole number from ${min} to ${max}, not ${JSON.stringify(v)}`);
      return fallback;
    }
    return n;
  };
  const oneOf = <T extends string>(key: string, allowed: readonly T[], fallback: T): T => {
    const v = entries[key];
    if (v === undefined) return fallback;
    if (typeof v === 'string' && (allowed as readonly string[]).includes(v)) return v as T;
    problems.push(`layout ${key} must be one of ${allowed.join(', ')}, not ${JSON.stringify(v)}`);
    return fallback;
  };
  const wordSize = int('wordSize', 4, 8, 8);
  if (wordSize !== 4 && wordSize !== 8) problems.push(`layout wordSize must be 4 or 8, not ${wordSize}`);
  const flagBits = int('flagBits', 1, 12, 3)!;
  const allocatedBit = int('allocatedBit', 0, 11, 0)!;
  const prevAllocatedBit = int('prevAllocatedBit', 0, 11, null);
  if (allocatedBit >= flagBits) problems.push(`layout allocatedBit ${allocatedBit} must be one of the ${flagBits} flag bits (0 to ${flagBits - 1})`);
  if (prevAllocatedBit !== null && (prevAllocatedBit >= flagBits || prevAllocatedBit === allocatedBit)) problems.push(`layout prevAllocatedBit ${prevAllocatedBit} must be another of the ${flagBits} flag bits than allocatedBit`);
  const firstBlock = int('firstBlock', 0, 1 << 20, null);
  const footers = oneOf('footers', ['all', 'free', 'none'] as const, 'all');
  const next = int('next', 0, 1 << 16, null);
  const prev = int('prev', 0, 1 << 16, null);
  const format = oneOf('links', ['pointer', 'offset'] as const, 'pointer');
  if (next === null && (prev !== null || entries.links !== undefined)) problems.push('layout prev and links describe an explicit list: say where its next link is (next)');
  if (next !== null && prev === next) problems.push('layout next and prev must be different offsets');
  if (problems.length > 0) return { layout: null, problems };
  return { layout: { wordSize: wordSize as 4 | 8, firstBlock, flagBits, allocatedBit, prevAllocatedBit, footers, links: next === null ? null : { next, prev, format } }, problems };
}

/** `--layout`'s text, `key=value` pairs separated by commas or spaces, as entries (values kept as text); a pair without `=` is a problem. */
export function layoutEntries(text: string): { entries: Record<string, string>; problems: string[] } {
  const entries: Record<string, string> = {};
  const problems: string[] = [];
  for (const pair of text.split(/[,\s]+/).filter((p) => p !== '')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) problems.push(`"${pair}" is not key=value`);
    else entries[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return { entries, problems };
}

const ALLOCATED = BLOCK_STATUSES.indexOf('allocated');
const FREE = BLOCK_STATUSES.indexOf('free');

/** A header or footer word's size and flags under a layout (words up to 2^53 exactly: larger sizes are no heap here). */
export function wordReader(layout: OwnLayout) {
  const span = 2 ** layout.flagBits;
  const bit = (word: number, b: number) => Math.floor(word / 2 ** b) % 2 === 1;
  return {
    size: (word: number) => word - (word % span),
    allocated: (word: number) => bit(word, layout.allocatedBit),
    read: (memory: HeapMemory, addr: number) => (layout.wordSize === 4 ? memory.getUint32(addr) : memory.getUint64(addr)),
  };
}

/**
 * The blocks of a heap under a layout whose first block is known: from it, block after block by
 * the size in each header, to a header of size 0 in the heap's last word (an epilogue) or to the
 * break. Where a size cannot be right, the walk stops and says where and why.
 */
export function walkLayout(memory: HeapMemory, layout: OwnLayout, firstBlock: number): HeapColumns {
  const W = layout.wordSize;
  const brk = memory.brk;
  const word = wordReader(layout);
  const out = new ColumnsBuilder();
  let prologue: SentinelInfo | null = null;
  let epilogue: SentinelInfo | null = null;
  let stopped: HeapColumns['stopped'] = null;
  // A prologue: the word before the first block is an allocated footer whose block lies before it.
  if (firstBlock >= 2 * W && memory.contains(firstBlock - W, W)) {
    const footer = word.read(memory, firstBlock - W);
    const size = word.size(footer);
    if (word.allocated(footer) && size >= 2 * W && size <= firstBlock) prologue = { addr: firstBlock - size, size, header: word.read(memory, firstBlock - size), footer };
  }
  let addr = firstBlock;
  while (addr + W <= brk) {
    const header = word.read(memory, addr);
    const size = word.size(header);
    const allocated = word.allocated(header);
    if (size === 0) {
      if (addr + W === brk && allocated) epilogue = { addr, size: 0, header, footer: null };
      else stopped = { addr, code: 'bad-block-size', message: `the block at ${hex(addr)} has size 0 in its header (${hex(header)}); the chain cannot be followed past it` };
      break;
    }
    if (addr + size > brk || size < W) {
      stopped = { addr, code: 'block-outside-heap', message: `the block at ${hex(addr)} claims ${size} bytes, which runs past the heap's end at ${hex(brk)}` };
      break;
    }
    const footed = layout.footers === 'all' || (layout.footers === 'free' && !allocated);
    const footer = footed && size >= 2 * W ? word.read(memory, addr + size - W) : NaN;
    const payload = size - W - (footed && (allocated || layout.footers === 'all') ? W : 0);
    out.add(addr, size, allocated ? ALLOCATED : FREE, addr + W, payload, header, footer);
    addr += size;
  }
  if (stopped === null && epilogue === null && addr < brk && brk - addr >= W) stopped = { addr, code: 'heap-size-mismatch', message: `the blocks end at ${hex(addr)}, short of the heap's end at ${hex(brk)}` };
  return out.finish(brk, prologue, epilogue, stopped);
}

/** How far into the heap its first block is looked for: past a segregated list's heads array kept at the heap's start (docs/own-allocator.md), some 10 to 60 pointers. */
export const FIRST_BLOCK_SEARCH = 512;

/**
 * The first block of a layout that does not say where it is: the first word offset up to FIRST_BLOCK_SEARCH bytes
 * whose walk reaches the heap's end; an allocated block there of a header and a footer only is a
 * prologue, and the block after it the first.
 */
export function findFirstBlock(memory: HeapMemory, layout: OwnLayout): number | null {
  if (layout.firstBlock !== null) return layout.firstBlock;
  const W = layout.wordSize;
  const reaches = (at: number) => memory.brk > 0 && walkLayout(memory, layout, at).stopped === null;
  const word = wordReader(layout);
  // A block's header must lie inside the heap (a walk from the break itself has nothing to stop it).
  for (let at = 0; at <= FIRST_BLOCK_SEARCH && at + W <= memory.brk; at += W) {
    if (!reaches(at)) continue;
    const header = word.read(memory, at);
    return word.allocated(header) && word.size(header) === 2 * W && reaches(at + 2 * W) ? at + 2 * W : at;
  }
  return null;
}

/** How many allocated and free blocks of a heap walked under a layout end in a word that repeats their header. */
export interface FooterTally {
  readonly allocated: number;
  readonly allocatedKept: number;
  readonly free: number;
  readonly freeKept: number;
}

export function footerTally(memory: HeapMemory, layout: OwnLayout, first: number): FooterTally {
  const c = walkLayout(memory, { ...layout, footers: 'all' }, first);
  const t = { allocated: 0, allocatedKept: 0, free: 0, freeKept: 0 };
  for (let k = 0; k < c.count; k++) {
    if (Number.isNaN(c.footers[k]!)) continue;
    const same = c.footers[k] === c.headers[k] ? 1 : 0;
    if (c.status[k] === ALLOCATED) {
      t.allocated++;
      t.allocatedKept += same;
    } else {
      t.free++;
      t.freeKept += same;
    }
  }
  return t;
}

/**
 * Which blocks of a heap found to walk under a layout end in a footer (docs/own-allocator.md): the
 * CMU lab's footer elimination keeps them on free blocks only, a buddy system on none. Told from
 * the allocated blocks at the step of the peak payload (hardly any last word repeating its header
 * means no footer: it is payload), and the free ones there and at the last step (mostly free);
 * `all` unless the words say otherwise.
 */
export function footerRuleOf(atPeak: FooterTally, atEnd: FooterTally): FooterRule {
  const rare = (kept: number, of: number) => of >= 2 && kept * 10 <= of;
  if (!rare(atPeak.allocatedKept, atPeak.allocated)) return 'all';
  return rare(atPeak.freeKept + atEnd.freeKept, atPeak.free + atEnd.free) ? 'none' : 'free';
}

/**
 * Of the layouts whose walk reaches the last step's heap's end (`candidates`, in order of
 * preference), the one whose allocated blocks' payloads are the most of the payloads the driver
 * handed out at the step of the peak payload (the first on a tie): a 4-byte reading of 8-byte
 * headers walks the same chain, its payloads a word off. Its footer rule told from the words
 * (footerRuleOf). Null when none walks the heap.
 */
export function chooseLayout(last: HeapMemory, candidates: readonly OwnLayout[], atPeak: () => { readonly memory: HeapMemory; readonly live: ReadonlyMap<number, number> }): { readonly layout: OwnLayout; readonly first: number } | null {
  const found: { layout: OwnLayout; first: number; atEnd: FooterTally }[] = [];
  for (const layout of candidates) {
    const first = findFirstBlock(last, layout);
    if (first === null || last.brk === 0 || walkLayout(last, layout, first).stopped !== null) continue;
    if (!found.some((f) => f.first === first && f.layout.wordSize === layout.wordSize)) found.push({ layout, first, atEnd: footerTally(last, layout, first) });
  }
  if (found.length === 0) return null;
  const { memory, live } = atPeak();
  let best = found[0]!;
  let mostOwned = -1;
  for (const f of found) {
    const c = walkLayout(memory, f.layout, f.first);
    let owned = 0;
    for (let k = 0; k < c.count; k++) if (c.status[k] === ALLOCATED && live.has(c.payloadAddrs[k]!)) owned++;
    if (owned > mostOwned) [best, mostOwned] = [f, owned];
  }
  return { layout: { ...best.layout, footers: footerRuleOf(footerTally(memory, best.layout, best.first), best.atEnd) }, first: best.first };
}

/** Headers and footers decoded under a layout: size and allocated bit per block (NaN and -1 where there is no word). */
export function decodeWords(layout: OwnLayout, words: Float64Array, n: number): { sizes: Float64Array; allocated: Int8Array } {
  const word = wordReader(layout);
  const sizes = new Float64Array(n);
  const allocated = new Int8Array(n);
  for (let k = 0; k < n; k++) {
    const w = words[k]!;
    sizes[k] = Number.isNaN(w) ? NaN : word.size(w);
    allocated[k] = Number.isNaN(w) ? -1 : word.allocated(w) ? 1 : 0;
  }
  return { sizes, allocated };
}

/** A footer that disagrees with its header: a problem at the block (a boundary tag not kept up to date). */
export function footerProblems(c: HeapColumns): { addr: number; message: string }[] {
  const out: { addr: number; message: string }[] = [];
  for (let k = 0; k < c.count; k++) {
    const f = c.footers[k]!;
    if (!Number.isNaN(f) && f !== c.headers[k]!) out.push({ addr: c.addrs[k]!, message: `the footer of the block at ${hex(c.addrs[k]!)} is ${hex(f)}, its header ${hex(c.headers[k]!)}: a boundary tag not kept up to date` });
  }
  return out;
}

/** More lists than the panel draws (its protocol's bound). */
const MAX_LISTS = 64;

/**
 * The free blocks' links read into lists: each free block's next link followed from every free
 * block no other one's next link names (a list's head: the allocator's head pointer lives outside
 * the heap) to a link of 0, to the heap's start or to a sentinel (the prologue or epilogue), with
 * what is wrong marked: a link to something that is not a free block, a prev link
 * that does not name the block whose next link names it, a cycle.
 */
export function freeListsOf(memory: HeapMemory, c: HeapColumns, links: OwnLinks, heapBase: number): { lists: FreeListState[]; problems: { addr: number; message: string }[] } {
  const problems: { addr: number; message: string }[] = [];
  const node = new Map<number, number>(); // header or payload offset -> block index, free blocks only
  const free: number[] = [];
  for (let k = 0; k < c.count; k++) {
    if (c.status[k] !== FREE) continue;
    free.push(k);
    node.set(c.addrs[k]!, k);
    node.set(c.payloadAddrs[k]!, k);
  }
  const size = links.format === 'pointer' ? 8 : 4;
  const read = (k: number, offset: number): number => {
    const at = c.payloadAddrs[k]! + offset;
    if (at + size > c.addrs[k]! + c.sizes[k]! || !memory.contains(at, size)) return NaN;
    return size === 8 ? memory.getUint64(at) : memory.getUint32(at);
  };
  // Ends of a list besides 0: the heap's start (mem_heap_lo() as a list's NULL) and the prologue or
  // epilogue (a sentinel at either end), by header or payload (4- or 8-byte words), unless a free block is there.
  const ends = new Set<number>([0]);
  for (const s of [c.prologue, c.epilogue]) if (s !== null) for (const at of [s.addr, s.addr + 4, s.addr + 8]) ends.add(at);
  /** A link's target block, -1 for none (0, or an end above), -2 for something that is not a free block. */
  const target = (raw: number): number => {
    if (Number.isNaN(raw)) return -2;
    if (raw === 0) return -1;
    const offset = links.format === 'pointer' ? raw - heapBase : raw;
    return node.get(offset) ?? (ends.has(offset) ? -1 : -2);
  };
  const nextRaw = new Map<number, number>();
  const prevRaw = new Map<number, number>();
  const nextOf = new Map<number, number>();
  const named = new Set<number>();
  for (const k of free) {
    const raw = read(k, links.next);
    nextRaw.set(k, raw);
    prevRaw.set(k, links.prev === null ? NaN : read(k, links.prev));
    const t = target(raw);
    nextOf.set(k, t);
    if (t >= 0) named.add(t);
    else if (t === -2) problems.push({ addr: c.addrs[k]!, message: `the next link of the free block at ${hex(c.addrs[k]!)} is ${Number.isNaN(raw) ? 'outside the block' : hex(raw)}, which is not a free block` });
  }
  const lists: FreeListState[] = [];
  const seen = new Set<number>();
  const chain = (head: number): void => {
    const nodes: number[] = [];
    const here = new Set<number>();
    for (let k = head; k >= 0 && !seen.has(k); k = nextOf.get(k)!) {
      seen.add(k);
      here.add(k);
      nodes.push(k);
      const t = nextOf.get(k)!;
      if (t >= 0 && here.has(t)) problems.push({ addr: c.addrs[t]!, message: `the free list goes round in a cycle: the next link of ${hex(c.addrs[k]!)} leads back to ${hex(c.addrs[t]!)}` });
      else if (t >= 0 && seen.has(t)) problems.push({ addr: c.addrs[t]!, message: `two free blocks' next links name the free block at ${hex(c.addrs[t]!)} (${hex(c.addrs[k]!)}'s is one)` });
      if (links.prev !== null && t >= 0) {
        const back = target(prevRaw.get(t)!);
        if (back !== k) problems.push({ addr: c.addrs[t]!, message: `the prev link of the free block at ${hex(c.addrs[t]!)} does not name ${hex(c.addrs[k]!)}, whose next link names it` });
      }
    }
    if (lists.length < MAX_LISTS) {
      lists.push({
        label: '',
        linkWords: true,
        nodes: Float64Array.from(nodes, (k) => c.addrs[k]!),
        next: Float64Array.from(nodes, (k) => nextRaw.get(k)!),
        prev: Float64Array.from(nodes, (k) => prevRaw.get(k)!),
        rover: null,
      });
    }
  };
  for (const k of free) if (!named.has(k)) chain(k);
  for (const k of free) if (!seen.has(k)) chain(k); // what is left is on cycles
  if (lists.length === MAX_LISTS && free.some((k) => !seen.has(k))) problems.push({ addr: 0, message: `more than ${MAX_LISTS} free lists: the rest are not drawn` });
  const labelled = lists.map((l, k) => ({ ...l, label: lists.length === 1 ? 'free list (as the links say)' : `list ${k + 1} from ${hex(l.nodes[0]!)}` }));
  return { lists: labelled, problems };
}
