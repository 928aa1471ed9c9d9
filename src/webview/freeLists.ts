// The free lists of a frame, as the host sent them (docs/engine.md, "The explicit free list"):
// arrows from each node to the next in list order over the drawn blocks, the head (and next fit's
// rover) marked, one line of text per list for the panel and screen readers, and a node's link
// words for the details pane. Nothing here reads a link from the heap's words: the host did.

import type { FrameDto } from '../shared/protocol';
import { addr } from './dom';
import { BLOCK_HEIGHT, rowTop, type LaidBlock, type Theme } from './heapCanvas';

/** More arrows than this in view would hide the blocks under them. */
const MAX_ARROWS = 400;
/** Nodes a list's line names before it says how many more there are. */
const LINE_NODES = 12;

/** Where a block is drawn: its first segment (a block across rows starts in the first). */
function placed(laid: readonly LaidBlock[], frame: FrameDto): Map<number, LaidBlock> {
  const at = new Map<number, LaidBlock>();
  for (const b of laid) {
    if (b.index < 0) continue;
    const addr = frame.addrs[b.index]!;
    if (!at.has(addr)) at.set(addr, b);
  }
  return at;
}

/** A list's colour: the focus colour for a single list, the palette's in turn for several (a segregated list's classes). */
function listColour(theme: Theme, lists: number, k: number): string {
  return lists === 1 ? theme.focus : theme.palette[k % theme.palette.length]!;
}

/**
 * Draws each list's links as arrows between the blocks in view, in list order: an arc from a node
 * to its successor, bending down into the row for neighbours in one row; the head marked with a
 * small flag and the list's name, next fit's rover with a dot.
 */
export function drawFreeLists(ctx: CanvasRenderingContext2D, frame: FrameDto, laid: readonly LaidBlock[], theme: Theme, firstRow: number): void {
  if (frame.freeLists.length === 0) return;
  const y = (row: number) => rowTop(row, firstRow);
  const h = BLOCK_HEIGHT;
  const at = placed(laid, frame);
  const centre = (b: LaidBlock) => ({ x: b.x + b.w / 2, y: y(b.row) + h * 0.3 });
  let arrows = 0;
  ctx.save();
  ctx.font = '10px sans-serif';
  frame.freeLists.forEach((list, k) => {
    const colour = listColour(theme, frame.freeLists.length, k);
    for (let n = 0; n + 1 < list.nodes.length && arrows < MAX_ARROWS; n++) {
      const from = at.get(list.nodes[n]!);
      const to = at.get(list.nodes[n + 1]!);
      if (!from || !to) continue;
      arrow(ctx, centre(from), centre(to), from.row === to.row ? h * 0.6 : 0, colour, theme.bg);
      arrows++;
    }
    const head = list.nodes.length > 0 ? at.get(list.nodes[0]!) : undefined;
    if (head) {
      const top = y(head.row);
      ctx.fillStyle = colour;
      ctx.beginPath();
      ctx.moveTo(head.x + 1, top);
      ctx.lineTo(head.x + 7, top);
      ctx.lineTo(head.x + 1, top + 6);
      ctx.fill();
      const name = frame.freeLists.length === 1 ? 'head' : `${list.label} head`;
      if (head.w > ctx.measureText(name).width + 10) ctx.fillText(name, head.x + 9, top + 8);
    }
    const rover = list.rover === null ? undefined : at.get(list.rover);
    if (rover) {
      ctx.fillStyle = colour;
      ctx.beginPath();
      ctx.arc(rover.x + rover.w - 5, y(rover.row) + 5, 3, 0, 2 * Math.PI);
      ctx.fill();
    }
  });
  ctx.restore();
}

/** One link: a curve with a halo in the background colour (readable over hatching), and a head at its end. */
function arrow(ctx: CanvasRenderingContext2D, a: { x: number; y: number }, b: { x: number; y: number }, sag: number, colour: string, halo: string): void {
  const c1 = { x: a.x + (b.x - a.x) / 3, y: a.y + sag };
  const c2 = { x: b.x - (b.x - a.x) / 3, y: b.y + sag };
  for (const [style, width] of [
    [halo, 3.5],
    [colour, 1.5],
  ] as const) {
    ctx.strokeStyle = style;
    ctx.lineWidth = width;
    ctx.beginPath();
    ctx.moveTo(a.x, a.y);
    ctx.bezierCurveTo(c1.x, c1.y, c2.x, c2.y, b.x, b.y);
    ctx.stroke();
  }
  // The head points along the curve's last tangent (from the second control point to the end).
  const angle = Math.atan2(b.y - c2.y, b.x - c2.x);
  ctx.fillStyle = colour;
  ctx.beginPath();
  ctx.moveTo(b.x, b.y);
  ctx.lineTo(b.x - 7 * Math.cos(angle - 0.45), b.y - 7 * Math.sin(angle - 0.45));
  ctx.lineTo(b.x - 7 * Math.cos(angle + 0.45), b.y - 7 * Math.sin(angle + 0.45));
  ctx.fill();
}

/**
 * One line per list: its name, its nodes in list order from the head (the first few), and the
 * rover; of several lists (a segregated list's classes), the empty ones in one line at the end.
 */
export function describeFreeLists(frame: FrameDto): string[] {
  const lists = frame.freeLists;
  const empty = lists.filter((l) => l.nodes.length === 0);
  const shownLists = lists.length > 1 ? lists.filter((l) => l.nodes.length > 0) : lists;
  const lines = shownLists.map((list) => {
    const n = list.nodes.length;
    if (n === 0) return `${list.label}: empty`;
    const shown = Array.from(list.nodes.subarray(0, LINE_NODES), (n) => addr(n)).join(' → ');
    const more = n > LINE_NODES ? ` → … (${n - LINE_NODES} more)` : '';
    const rover = list.rover === null ? '' : `; next fit resumes at ${addr(list.rover)}`;
    return `${list.label} (${n} node${n === 1 ? '' : 's'}): head → ${shown}${more}${rover}`;
  });
  if (lists.length > 1 && empty.length > 0) lines.push(`empty: ${empty.map((l) => l.label).join(', ')}`);
  return lines;
}
