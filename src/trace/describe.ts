// Words for what one op did, from its replay record: the same compact line on a CodeLens, an inlay
// hint and a hover (e.g. `-> 0x0010 · block 32 B · split 4064 free`), and the story the side view
// tells (which block the policy picked and over which). Every view's words come from here.

import type { HeapConfig, ListOrder } from '../engine/config';
import { hex } from '../engine/memory';
import { BLOCK_STATUSES, type HeapColumns } from '../engine/results';
import { OUTCOME, type StepRecord } from './replay';
import { percent } from './figures';
import { formatAddress, HEX_OFFSETS, type AddressStyle, type BlockLife, type HeapSource } from './heapSource';

const NULL_REASONS: Readonly<Record<string, string>> = {
  'heap-limit': 'heap limit',
  'zero-size': 'malloc(0)',
  'calloc-overflow': 'size overflow',
  'invalid-size': 'bad size',
  'invalid-pointer': 'bad pointer',
  'use-after-free': 'pointer already freed',
  'heap-fault': 'heap corrupted',
  'engine-error': 'engine error',
  'double-free': 'double free',
};

/** One short line: what the op returned and did to the heap. */
export function describeStep(step: StepRecord, terms?: SearchTerms): string {
  const op = step.op;
  const o = step.outcome;
  const parts: string[] = [];
  switch (op.kind) {
    case 'malloc':
    case 'calloc':
    case 'realloc': {
      if (step.ptr === null) {
        if (op.kind === 'realloc' && o & OUTCOME.FREED) return `realloc(p, 0) -> NULL · freed ${step.block?.size ?? 0} B${merged(step)}`;
        return `NULL: ${NULL_REASONS[step.problem ?? ''] ?? 'no block'}${o & OUTCOME.COALESCED_ALL ? ' (after merging every free run)' : ''}`;
      }
      parts.push(`-> ${hex(step.ptr)}`);
      if (step.block) parts.push(`block ${step.block.size} B`);
      if (o & OUTCOME.IN_PLACE) parts.push(o & OUTCOME.MOVED ? 'grown into the previous block' : 'in place');
      else if (o & OUTCOME.MOVED) parts.push('moved');
      if (o & OUTCOME.SPLIT) parts.push(`split ${step.remainder} free`);
      else if (o & OUTCOME.EXACT) parts.push('exact fit');
      else if (o & OUTCOME.WHOLE) parts.push(terms?.carves ? 'whole block (never split)' : 'whole block (too little left to split)');
      if (o & OUTCOME.COALESCED_ALL) parts.push('merged free runs first');
      if (o & OUTCOME.EXTENDED) parts.push(`heap +${step.grownBy} B`);
      if (step.examined > 0) parts.push(`examined ${step.examined}`);
      break;
    }
    case 'free':
      if (op.ptr === null || step.ptr === null) return 'free(NULL): nothing to do';
      if (!(o & OUTCOME.FREED)) return `free: ${NULL_REASONS[step.problem ?? ''] ?? 'not freed'}`;
      return `free -> ${o & (OUTCOME.COALESCED_PREV | OUTCOME.COALESCED_NEXT) ? `coalesced with ${mergedWith(o)}: ${step.mergedSize} free` : `${step.block?.size ?? 0} B free`}`;
    case 'write':
    case 'fill': {
      const n = op.kind === 'write' ? op.bytes.length : op.length;
      if (step.ptr === null) return `${op.kind}: NULL pointer, nothing written`;
      parts.push(`${op.kind === 'write' ? 'wrote' : 'filled'} ${n} B at ${hex(step.ptr + op.offset)}`);
      break;
    }
  }
  if (step.problem) parts.push(`⚠ ${step.problem}`);
  if (o & OUTCOME.VIOLATION) parts.push('⚠ mdriver check failed');
  return parts.join(' · ');
}

function merged(step: StepRecord): string {
  return step.outcome & (OUTCOME.COALESCED_PREV | OUTCOME.COALESCED_NEXT) ? ` · coalesced: ${step.mergedSize} free` : '';
}

function mergedWith(o: number): string {
  const prev = (o & OUTCOME.COALESCED_PREV) !== 0;
  const next = (o & OUTCOME.COALESCED_NEXT) !== 0;
  return prev && next ? 'previous and next' : prev ? 'previous' : 'next';
}

const FREE = BLOCK_STATUSES.indexOf('free');

/** The story of the heap before any op. */
export const INITIAL_STORY = 'The heap as mm_init leaves it, before the first op.';

/** How a story names the search: the placement policy, the lists' order (null: the implicit list walks every block), which list a freed block joins, and whether a new chunk is carved into equal blocks. */
export interface SearchTerms {
  readonly policy: string;
  readonly order: ListOrder | null;
  /** "the free list", or "its class's list" (segregated lists). */
  readonly list: string;
  /** Simple segregated storage: a chunk carved into blocks of one size, never split. */
  readonly carves: boolean;
  /** The binary buddy system: orders, halves and buddies instead of a fit search. */
  readonly buddy: boolean;
}

/** The terms of a configuration's stories (docs/engine.md defines each kind of list). */
export function searchTerms(c: Pick<HeapConfig, 'policy' | 'freeList' | 'order'>): SearchTerms {
  // The sbrk baseline keeps no list, whatever the configuration's list says.
  if (c.policy === 'sbrk') return { policy: 'sbrk', order: null, list: 'no list', carves: false, buddy: false };
  const segregated = c.freeList === 'segregated' || c.freeList === 'simple-segregated';
  const buddy = c.freeList === 'buddy';
  const list = segregated ? "its class's list" : buddy ? "its order's list" : 'the free list';
  return { policy: c.policy, order: c.freeList === 'implicit' ? null : c.order, list, carves: c.freeList === 'simple-segregated', buddy };
}

const ORDER_NAMES: Readonly<Record<ListOrder, string>> = { lifo: 'LIFO', fifo: 'FIFO', address: 'address-ordered' };
/** Where a freed block joins a list of each order (docs/engine.md, "The explicit free list"). */
const ORDER_PLACES: Readonly<Record<ListOrder, (list: string) => string>> = {
  lifo: (list) => `went to the head of ${list}`,
  fifo: (list) => `went to the tail of ${list}`,
  address: (list) => `was linked into ${list} at its place by address`,
};

/**
 * What op `step` did, in words a student reads: which block the search picked and over which, how
 * it split or merged; on a linked list, in list terms (list nodes examined, where a freed block
 * went); on the buddy system, in its orders, halves and buddies. `before`: the heap's blocks
 * before the op; `freedLine`: the line that freed the block the op took, when known.
 */
export function describeStory(step: StepRecord, terms: SearchTerms, before: Pick<HeapColumns, 'count' | 'addrs' | 'sizes' | 'status'>, freedLine: number | null = null): string {
  const { policy, order, list, carves } = terms;
  const op = step.op;
  if (terms.buddy) return buddyStory(step, terms) ?? `${describeStep(step, terms)}.`;
  if ((op.kind === 'malloc' || op.kind === 'calloc' || op.kind === 'realloc') && step.ptr !== null && step.block) {
    if (policy === 'sbrk') return `The sbrk baseline moved the break by ${step.block.size} bytes and returned the old break, ${hex(step.ptr)}.`;
    if (step.outcome & OUTCOME.IN_PLACE) return `realloc kept the data ${step.outcome & OUTCOME.MOVED ? 'by growing into the free block before it' : 'where it was'}: the block at ${hex(step.block.addr)} is now ${step.block.size} bytes.`;
    const chosen = step.block.addr;
    // The chosen hole, and the largest (lowest address among equals), among the free blocks before.
    let picked: { addr: number; size: number } | undefined;
    let largest = { addr: -1, size: 0 };
    for (let k = 0; k < before.count; k++) {
      if (before.status[k] !== FREE) continue;
      const b = { addr: before.addrs[k]!, size: before.sizes[k]! };
      if (b.addr === chosen) picked = b;
      if (largest.addr < 0 || b.size > largest.size) largest = b;
    }
    const parts: string[] = [];
    const examined = `${step.examined} ${order ? 'list node' : 'block'}${step.examined === 1 ? '' : 's'}`;
    if (step.outcome & OUTCOME.EXTENDED && carves) {
      const blocks = Math.floor(step.grownBy / step.block.size);
      const carved = blocks > 1 ? `, carved into ${blocks} blocks of ${step.block.size} bytes, and the first was taken` : ` for a block of its own`;
      parts.push(`No free ${step.block.size}-byte block was on ${list}, so the heap grew by ${step.grownBy} bytes${carved}`);
    } else if (step.outcome & OUTCOME.EXTENDED) {
      // A free last block is not picked: nothing fitted, and the new space merged with it.
      const tail = picked ? ` and the new space merged with the ${picked.size}-byte free block at the end, at ${hex(chosen)}` : '';
      parts.push(`No free block was big enough after examining ${examined}, so the heap grew by ${step.grownBy} bytes${tail}`);
    } else {
      const size = picked?.size ?? step.block.size + step.remainder;
      const other = largest.addr !== chosen && largest.size > size ? ` over the ${largest.size}-byte one at ${hex(largest.addr)}` : '';
      const named = order ? `${ORDER_NAMES[order]} ${policy} fit` : `${policy} fit`;
      const search = `${named[0]!.toUpperCase()}${named.slice(1)}`;
      const freed = freedLine === null ? '' : ` (freed on line ${freedLine})`;
      // Simple storage hands out a class's head whole: one node, no choice to tell (next fit starts at its rover instead).
      if (carves && step.examined === 1 && policy !== 'next') parts.push(`Simple segregated storage took the head of ${list}, the ${size}-byte block at ${hex(chosen)}${freed}`);
      else parts.push(`${search} examined ${examined} and picked the ${size}-byte hole at ${hex(chosen)}${freed}${other}`);
    }
    if (step.outcome & OUTCOME.SPLIT) parts.push(`split left ${step.remainder} bytes free`);
    else if (step.outcome & OUTCOME.EXACT && !carves) parts.push('an exact fit');
    else if (step.outcome & OUTCOME.WHOLE && carves) parts.push(`simple segregated storage never splits, so the whole ${step.block.size}-byte block is used`);
    else if (step.outcome & OUTCOME.WHOLE) parts.push(`too few bytes were left over to split, so the whole ${step.block.size}-byte block is used`);
    return `${parts.join('; ')}. The program gets ${hex(step.ptr)}.`;
  }
  if (op.kind === 'free' && step.outcome & OUTCOME.FREED && step.block && policy === 'sbrk') {
    return `The sbrk baseline never reuses memory: the ${step.block.size}-byte block at ${hex(step.block.addr)} is freed but stays where it is, never to be handed out again.`;
  }
  if (op.kind === 'free' && step.outcome & OUTCOME.FREED && step.block) {
    const o = step.outcome;
    const merged = o & (OUTCOME.COALESCED_PREV | OUTCOME.COALESCED_NEXT);
    const sides = o & OUTCOME.COALESCED_PREV && o & OUTCOME.COALESCED_NEXT ? 'neighbours on both sides' : o & OUTCOME.COALESCED_PREV ? 'previous neighbour' : 'next neighbour';
    const listed = order ? `; the ${merged ? 'merged ' : ''}block ${ORDER_PLACES[order](list)}` : '';
    return `The ${step.block.size}-byte block at ${hex(step.block.addr)} became free${merged ? ` and merged with its free ${sides} into one ${step.mergedSize}-byte block` : ''}${listed}.`;
  }
  return `${describeStep(step, terms)}.`;
}

/** The buddy system's story of an op (docs/engine.md, "The buddy system"); null when it has none to tell. */
function buddyStory(step: StepRecord, terms: SearchTerms): string | null {
  const { block, ptr } = step;
  if (block === null) return null;
  if (step.op.kind !== 'free' && ptr !== null) {
    if (step.outcome & OUTCOME.IN_PLACE) return `realloc kept the data where it was: the block at ${hex(block.addr)} is now ${block.size} bytes.`;
    const taken = block.size + step.remainder;
    const lists = `${step.examined} order list${step.examined === 1 ? '' : 's'}`;
    const found =
      step.outcome & OUTCOME.EXTENDED
        ? `No order list held a block of ${block.size} bytes or more${step.examined > 0 ? ` (it looked at ${lists})` : ''}, so the arena grew by doubling, ${step.grownBy} bytes, and its new ${taken}-byte block at ${hex(block.addr)} was taken`
        : `The buddy system looked at ${lists} and took the ${taken}-byte block at ${hex(block.addr)}`;
    const split = step.remainder > 0 ? `; halving it down to ${block.size} bytes put ${step.remainder} bytes of upper halves on their lists` : '';
    return `${found}${split}. The program gets ${hex(ptr)}.`;
  }
  if (step.op.kind === 'free' && step.outcome & OUTCOME.FREED) {
    const merged = step.mergedSize === 0 ? '' : step.mergedSize === 2 * block.size ? ` and merged with its free buddy into one ${step.mergedSize}-byte block` : ` and merged with its free buddy, and each merged block with its own, into one ${step.mergedSize}-byte block`;
    const listed = terms.order ? `; the ${merged ? 'merged ' : ''}block ${ORDER_PLACES[terms.order](terms.list)}` : '';
    return `The ${block.size}-byte block at ${hex(block.addr)} became free${merged}${listed}.`;
  }
  return null;
}

/**
 * What an op did, for a source that knows only what the allocator returned (a payload address and
 * a size per op, no engine events): the short line and the story. `ptr` null: NULL.
 */
export function describeBareOp(kind: 'malloc' | 'calloc' | 'realloc' | 'free', size: number, ptr: number | null): { text: string; story: string } {
  if (kind === 'free') {
    if (ptr === null) return { text: 'free(NULL): nothing to do', story: 'free(NULL) does nothing.' };
    return { text: `free(${hex(ptr)})`, story: `The program freed ${hex(ptr)}; the allocator does not say what it did with the block.` };
  }
  if (ptr === null) return { text: `${kind}(${size}) -> NULL`, story: `${kind}(${size}) returned NULL.` };
  return { text: `${kind}(${size}) -> ${hex(ptr)}`, story: `${kind}(${size}) returned ${hex(ptr)}; the allocator does not say which blocks it looked at.` };
}

/** The one-line summary of a whole run, for the top of a trace file. */
export function describeRun(source: HeapSource, errors: number, warnings: number): string {
  const m = source.metricsAt(source.steps - 1);
  const problems = errors + warnings === 0 ? 'no problems' : [errors ? `${errors} error${errors === 1 ? '' : 's'}` : '', warnings ? `${warnings} warning${warnings === 1 ? '' : 's'}` : ''].filter(Boolean).join(', ');
  return `${source.label} · ${source.preset} · ${source.steps} ops · heap ${m.heapSize} B · utilisation ${percent(m.utilisation, 1)} · ${problems}`;
}

/** A block's whole life, one line per op, as the hover lists it; ops not yet run say so. */
export function describeLife(life: BlockLife, style: AddressStyle = HEX_OFFSETS): string[] {
  const at = (pointer: number) => formatAddress(style, pointer);
  const lines: string[] = [];
  const { allocated: start } = life;
  const r = start.result;
  lines.push(
    r === null
      ? `allocated on line ${start.line} as ${start.requested} bytes (not replayed yet)`
      : r.pointer === null
        ? `allocated on line ${start.line}: ${start.requested} bytes asked, NULL returned`
        : `allocated on line ${start.line} as ${start.requested} bytes in a block of ${r.blockSize} at ${at(r.pointer)}`,
  );
  for (const { line, requested, result } of life.reallocs) {
    lines.push(
      result === null
        ? `realloc to ${requested} bytes on line ${line} (not replayed yet)`
        : result.pointer === null
          ? `realloc to ${requested} bytes on line ${line} returned NULL`
          : `${result.moved ? 'moved' : 'resized'} by realloc on line ${line} to ${requested} bytes in a block of ${result.blockSize} at ${at(result.pointer)}`,
    );
  }
  lines.push(life.freed ? `freed on line ${life.freed.line}` : 'still allocated at the end of the trace');
  return lines;
}
