// What the block diagram says about each block of a frame (docs/editor.md, "Block diagrams"):
// its header word, payload, padding and footer word with their addresses and bytes, the words as
// stored (the frame's header and footer columns, read from the simulated heap's bytes by the host)
// and decoded, the pointer's name, and the op's part in it (the block it took, split or merged,
// and where the fit search passed, in order). Pure: the webview draws it, the tests read it.
//
// Everything comes from the frame: the header is the bytes from a block's address to its payload
// (payloadAddrs, from the host), and a footer, where the host says there is one, is a word of the
// same size at the block's end (docs/engine.md: header and boundary tag are one word each). A
// block the frame gives no word for shows none: nothing here decodes or invents a word.

import { firstIndex, lowerBound } from './bisect';
import { holdsBytes, ownerName, type FrameDto } from './protocol';

/** Blocks the diagram draws at most: past this the proportional overview is the picture. */
export const MAX_DIAGRAM_BLOCKS = 300;

/** A header or footer word of one block. */
export interface DiagramWord {
  readonly addr: number;
  readonly bytes: number;
  /** The word as stored, or null: the block has these bytes but the source read no word there (a model without header words, a word it could not read). */
  readonly stored: number | null;
  /** The size and allocated bit the host decoded from it (null: none). */
  readonly size: number | null;
  readonly allocated: 0 | 1 | null;
}

/** The op's part in a block: the one it took, resized or freed, what a split left, what a merge made. */
export type DiagramRole = 'block' | 'split' | 'merged';

export interface DiagramBlock {
  /** Index into the frame's columns. */
  readonly index: number;
  readonly addr: number;
  readonly size: number;
  readonly state: 'a' | 'f' | 'x';
  /** The pointer that owns it (a name, or `id 3` in a .rep trace), or null. */
  readonly name: string | null;
  readonly requested: number;
  readonly payloadAddr: number;
  readonly payloadSize: number;
  /** Payload bytes past the request (allocated blocks; 0 otherwise). */
  readonly padding: number;
  readonly header: DiagramWord | null;
  readonly footer: DiagramWord | null;
  readonly role: DiagramRole | null;
  /** Its places (1-based) in the op's fit search path: a block is examined once, or twice under deferred coalescing. */
  readonly searched: readonly number[];
}

/** One block the op's fit search examined, in the order searched. */
export interface PathStep {
  readonly order: number;
  readonly addr: number;
  /** Its size and state in the heap the search walked (the heap before the op), or null if that heap is not at hand. */
  readonly size: number | null;
  readonly state: 'a' | 'f' | 'x' | null;
}

/**
 * The bytes [from, to) of the op's block and `radius` blocks either side of it (the study view's
 * diagram: what the op did, where it did it), or of the first blocks when the op marked none (a
 * NULL, a free of nothing); null when the frame holds no block there (a window of a big heap).
 */
export function opNeighbourhood(frame: FrameDto, radius = 1): { from: number; to: number } | null {
  const n = frame.addrs.length;
  if (n === 0) return null;
  const at = frame.highlight.block ?? frame.highlight.merged;
  const k = at === null ? 0 : firstIndex(n, (i) => frame.addrs[i]! + frame.sizes[i]! > at);
  if (k >= n || (at !== null && frame.addrs[k]! > at)) return null;
  const lo = Math.max(0, k - radius);
  const hi = Math.min(n - 1, at === null ? 2 * radius : k + radius);
  return { from: frame.addrs[lo]!, to: frame.addrs[hi]! + frame.sizes[hi]! };
}

/**
 * The indices of `frame`'s blocks that overlap the bytes [from, to), at most `max` of them, and
 * whether there were more (also when the frame is a window of a big heap that does not hold them all).
 */
export function blocksIn(frame: FrameDto, from: number, to: number, max = MAX_DIAGRAM_BLOCKS): { indices: number[]; more: boolean } {
  const indices: number[] = [];
  if (!holdsBytes(frame, from, Math.min(to, frame.heapSize))) return { indices, more: true };
  const n = frame.addrs.length;
  for (let i = firstIndex(n, (k) => frame.addrs[k]! + frame.sizes[k]! > from); i < n; i++) {
    if (frame.addrs[i]! >= to) break;
    if (indices.length === max) return { indices, more: true };
    indices.push(i);
  }
  return { indices, more: false };
}

/**
 * The diagram's blocks of `shown` (the frame after op `op.step`, or the frame before it) at
 * `indices`. `op` is the frame after the op: its highlight says what the op did. In the heap before
 * the op, the block the op took or freed is the one at its address, and the blocks a merge
 * swallowed are the others under the bytes the merged block covers afterwards.
 */
export function diagramBlocks(shown: FrameDto, op: FrameDto, indices: readonly number[]): DiagramBlock[] {
  const before = shown !== op;
  const roles = before ? rolesBefore(shown, op) : rolesAfter(op);
  // Each block's places in the path, in one pass over it (the path can hold every block of a heap).
  const places = new Map<number, number[]>();
  for (const { order, addr } of pathSteps(op)) {
    const at = places.get(addr);
    if (at) at.push(order);
    else places.set(addr, [order]);
  }
  return indices.map((i) => {
    const addr = shown.addrs[i]!;
    const size = shown.sizes[i]!;
    const state = (shown.states[i] ?? 'x') as 'a' | 'f' | 'x';
    const payloadAddr = shown.payloadAddrs[i]!;
    const headerBytes = Math.max(0, payloadAddr - addr);
    const searched = places.get(addr) ?? [];
    return {
      index: i,
      addr,
      size,
      state,
      name: ownerName(shown, i),
      requested: shown.requested[i]!,
      payloadAddr,
      payloadSize: shown.payloadSizes[i]!,
      padding: state === 'a' && shown.requested[i]! > 0 ? Math.max(0, shown.payloadSizes[i]! - shown.requested[i]!) : 0,
      header: wordOf(addr, headerBytes, shown.headers[i]!, shown.headerSizes[i]!, shown.headerAllocated[i]!, headerBytes > 0),
      footer: wordOf(addr + size - headerBytes, headerBytes, shown.footers[i]!, shown.footerSizes[i]!, shown.footerAllocated[i]!, false),
      role: roles.get(addr) ?? null,
      searched,
    };
  });
}

function wordOf(addr: number, bytes: number, stored: number, size: number, allocated: number, part: boolean): DiagramWord | null {
  if (Number.isNaN(stored)) return part ? { addr, bytes, stored: null, size: null, allocated: null } : null;
  if (bytes <= 0) return null;
  return { addr, bytes, stored, size: Number.isNaN(size) ? null : size, allocated: allocated === 1 ? 1 : allocated === 0 ? 0 : null };
}

function rolesAfter(op: FrameDto): Map<number, DiagramRole> {
  const roles = new Map<number, DiagramRole>();
  const h = op.highlight;
  if (h.merged !== null) roles.set(h.merged, 'merged');
  if (h.split !== null) roles.set(h.split, 'split');
  if (h.block !== null) roles.set(h.block, 'block');
  return roles;
}

/** In the heap before the op: the blocks under the bytes of the op's block and of its merge afterwards. */
function rolesBefore(before: FrameDto, op: FrameDto): Map<number, DiagramRole> {
  const roles = new Map<number, DiagramRole>();
  const h = op.highlight;
  const mark = (at: number | null, role: DiagramRole) => {
    if (at === null) return;
    // The block freed or taken was there before the op, at its address; else (a block made by
    // growing the heap) the blocks under its bytes.
    if (role === 'block' && before.addrs.includes(at)) {
      roles.set(at, role);
      return;
    }
    const k = op.addrs.indexOf(at);
    if (k < 0) return;
    const end = at + op.sizes[k]!;
    for (let i = 0; i < before.addrs.length; i++) {
      const a = before.addrs[i]!;
      if (a >= end) break;
      if (a + before.sizes[i]! > at && !roles.has(a)) roles.set(a, role);
    }
  };
  mark(h.block, 'block');
  mark(h.merged, 'merged');
  return roles;
}

/** The steps of the op's fit search path a frame holds (a window's: those in its blocks), each with its place (1-based) in the whole path. */
function pathSteps(op: FrameDto): { order: number; addr: number }[] {
  const { examined, examinedOrder } = op.highlight;
  return Array.from(examined, (addr, k) => ({ order: examinedOrder?.[k] ?? k + 1, addr }));
}

/**
 * The op's fit search path in order (at most `max` steps), each block as the heap before the op
 * had it (`before`; null: not at hand, then sizes are unknown).
 */
export function fitPath(op: FrameDto, before: FrameDto | null, max = Infinity): PathStep[] {
  return pathSteps(op)
    .slice(0, max)
    .map(({ order, addr }) => {
      const k = before ? lowerBound(before.addrs, addr) : -1;
      const i = before && before.addrs[k] === addr ? k : -1;
      return { order, addr, size: i >= 0 ? before!.sizes[i]! : null, state: i >= 0 ? ((before!.states[i] ?? 'x') as 'a' | 'f' | 'x') : null };
    });
}

/** A word as stored, in hex padded to its bytes (to 8 digits at most: an 8-byte word's high half is zeros in any heap here): `0x00000071`. */
export function wordHex(word: DiagramWord): string {
  return word.stored === null ? 'unread' : `0x${word.stored.toString(16).padStart(Math.min(8, word.bytes * 2), '0')}`;
}

/** A word decoded, in decimal: `112 | 1` (size | allocated bit); what the host did not decode stays unsaid. */
export function wordDecimal(word: DiagramWord): string {
  if (word.stored === null) return `${word.bytes} B`;
  return word.size === null ? String(word.stored) : `${word.size} | ${word.allocated ?? '?'}`;
}

/** The sentence a block's box carries for screen readers and the export's titles. */
export function blockSentence(b: DiagramBlock, address: (offset: number) => string): string {
  const state = b.state === 'a' ? 'allocated' : b.state === 'f' ? 'free' : 'freed, never reused';
  const parts = [`${b.name ?? (b.state === 'a' ? 'allocated block' : 'free block')} at ${address(b.addr)}: ${state}, block ${b.size} B`];
  if (b.state === 'a') parts.push(`requested ${b.requested} B`, `payload ${b.payloadSize} B at ${address(b.payloadAddr)}`, `padding ${b.padding} B`);
  if (b.header) parts.push(`header ${wordHex(b.header)} (${wordDecimal(b.header)}) at ${address(b.header.addr)}`);
  if (b.footer) parts.push(`footer ${wordHex(b.footer)} (${wordDecimal(b.footer)}) at ${address(b.footer.addr)}`);
  if (b.role) parts.push(ROLE_TEXT[b.role]);
  if (b.searched.length > 0) parts.push(`fit search step ${b.searched.join(' and ')}`);
  return parts.join('; ');
}

export const ROLE_TEXT: Readonly<Record<DiagramRole, string>> = { block: "this op's block", split: 'split off', merged: 'merged' };
