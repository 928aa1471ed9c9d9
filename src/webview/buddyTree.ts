// The buddy tree of a buddy system's frame (docs/engine.md, "The buddy system"): the arena as the
// root, each level below it half the size, drawn to scale across the panel's width. The frame's
// blocks inside the arena are the leaves (filled: allocated in their owner's colour, free
// hatched); every node above a leaf is a split block, outlined. The host sent the arena; the
// levels follow from each block's offset and size, which are powers of two within it.

import { ownerName, type FrameDto } from '../shared/protocol';
import { makeHatch, ownerColour, type Theme } from './heapCanvas';

/** Height of one level of the tree, in pixels. */
export const LEVEL_HEIGHT = 14;

/** A leaf of the tree: block `index` of the frame, at `level` (0: the whole arena) and its offset in the arena. */
export interface BuddyLeaf {
  readonly index: number;
  readonly level: number;
  readonly offset: number;
}

/** The frame's blocks as the tree's leaves, and the number of levels down to the smallest. */
export function buddyLeaves(frame: FrameDto): { leaves: BuddyLeaf[]; levels: number } {
  const arena = frame.buddyArena;
  if (arena === null) return { leaves: [], levels: 0 };
  const leaves: BuddyLeaf[] = [];
  let levels = 1;
  // Levels a 2^31-byte arena could have down to 1-byte blocks: no real tree is deeper.
  const deepest = Math.log2(arena.size);
  for (let i = 0; i < frame.addrs.length; i++) {
    const offset = frame.addrs[i]! - arena.start;
    const size = frame.sizes[i]!;
    const level = Math.log2(arena.size / size);
    // Only a block a buddy tree can hold is a leaf: a whole level, aligned to its size, inside the arena.
    if (!Number.isInteger(level) || level < 0 || level > deepest || offset < 0 || offset % size !== 0 || offset + size > arena.size) continue;
    leaves.push({ index: i, level, offset });
    levels = Math.max(levels, level + 1);
  }
  return { leaves, levels };
}

/** One sentence for screen readers and tests: the arena, its levels and its leaves. */
export function describeBuddyTree(frame: FrameDto): string {
  const arena = frame.buddyArena;
  if (arena === null) return '';
  const { leaves, levels } = buddyLeaves(frame);
  const allocated = leaves.filter((l) => frame.states[l.index] === 'a').length;
  return `Buddy tree of a ${arena.size}-byte arena: ${levels} level${levels === 1 ? '' : 's'}, ${leaves.length} block${leaves.length === 1 ? '' : 's'} (${allocated} allocated, ${leaves.length - allocated} free)`;
}

/** Shows the tree on `canvas` for a buddy system's frame (sized for its levels and the screen's pixels), hides it for any other. */
export function renderBuddyTree(canvas: HTMLCanvasElement, frame: FrameDto, theme: Theme, width: number): void {
  canvas.hidden = frame.buddyArena === null;
  if (canvas.hidden) return;
  const dpr = window.devicePixelRatio || 1;
  const height = buddyLeaves(frame).levels * LEVEL_HEIGHT;
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  canvas.width = Math.round(width * dpr);
  canvas.height = Math.round(height * dpr);
  canvas.setAttribute('aria-label', describeBuddyTree(frame));
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  drawBuddyTree(ctx, frame, theme, width, makeHatch(ctx, theme.fg, false));
}

/** Draws the tree on `ctx` across `width` pixels: split nodes outlined, leaves filled, the op's block outlined in the focus colour. */
export function drawBuddyTree(ctx: CanvasRenderingContext2D, frame: FrameDto, theme: Theme, width: number, hatch: CanvasPattern | string): void {
  const arena = frame.buddyArena;
  ctx.clearRect(0, 0, ctx.canvas.width, ctx.canvas.height);
  if (arena === null) return;
  const { leaves } = buddyLeaves(frame);
  const x = (offset: number) => (offset / arena.size) * width;
  const h = LEVEL_HEIGHT - 3;
  // Every ancestor of a leaf is a block that was split: one outline per node, drawn once.
  const split = new Set<string>();
  ctx.strokeStyle = theme.muted;
  ctx.lineWidth = 1;
  for (const leaf of leaves) {
    for (let level = 0; level < leaf.level; level++) {
      const size = arena.size / 2 ** level;
      const offset = Math.floor(leaf.offset / size) * size;
      const key = `${level}:${offset}`;
      if (split.has(key)) continue;
      split.add(key);
      ctx.strokeRect(x(offset) + 0.5, level * LEVEL_HEIGHT + 0.5, Math.max(1, x(offset + size) - x(offset) - 1), h);
    }
  }
  for (const leaf of leaves) {
    const i = leaf.index;
    const left = x(leaf.offset);
    const w = Math.max(1, x(leaf.offset + frame.sizes[i]!) - left - 1);
    const top = leaf.level * LEVEL_HEIGHT;
    ctx.fillStyle = frame.states[i] === 'a' ? ownerColour(theme, ownerName(frame, i)) : hatch;
    ctx.fillRect(left, top, w, h);
    if (frame.addrs[i] === frame.highlight.block) {
      ctx.strokeStyle = theme.focus;
      ctx.lineWidth = 2;
      ctx.strokeRect(left + 1, top + 1, Math.max(1, w - 2), h - 2);
    }
  }
}
