// Draws a heap frame on a canvas: blocks in address order, wrapped into rows of equal byte span,
// widths proportional to size (tiny blocks still get a visible sliver), headers and boundary tags
// as edges, allocated blocks coloured by owner with padding lighter, free blocks hatched, and the
// op's effects outlined. Only the rows in view are drawn. Colours come from --vscode-* variables.
// Where payloads start and which blocks have a header or footer come from the host's frame: the
// drawing never infers a layout (a word size, a header) from sizes.

import { holdsBytes, ownerName, type FrameDto } from '../shared/protocol';
import { firstIndex, lowerBound } from '../shared/bisect';

export interface Theme {
  readonly fg: string;
  readonly bg: string;
  readonly muted: string;
  readonly focus: string;
  readonly error: string;
  readonly examined: string;
  readonly merged: string;
  readonly palette: readonly string[];
}

export function readTheme(el: HTMLElement): Theme {
  const css = getComputedStyle(el);
  const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  return {
    fg: v('--vscode-editor-foreground', '#333'),
    bg: v('--vscode-editor-background', '#fff'),
    muted: v('--vscode-descriptionForeground', '#888'),
    focus: v('--vscode-focusBorder', '#07f'),
    error: v('--vscode-errorForeground', '#e00'),
    examined: v('--vscode-charts-yellow', '#cc0'),
    merged: v('--vscode-charts-green', '#0a0'),
    palette: ['--vscode-charts-blue', '--vscode-charts-purple', '--vscode-charts-orange', '--vscode-charts-green', '--vscode-charts-red', '--vscode-charts-yellow'].map((n, k) =>
      v(n, ['#38f', '#a5d', '#f80', '#3a3', '#e44', '#cb0'][k]!),
    ),
  };
}

export interface LaidBlock {
  /** Index into the frame's columns; -1 prologue, -2 epilogue. */
  readonly index: number;
  readonly row: number;
  readonly x: number;
  readonly w: number;
}

export const ROW_HEIGHT = 30;
const GAP = 6;
const MIN_WIDTH = 2;
/** A block's height in its row. */
export const BLOCK_HEIGHT = ROW_HEIGHT - GAP;

/** The top of row `row` on a canvas whose first row is `firstRow`. */
export function rowTop(row: number, firstRow: number): number {
  return (row - firstRow) * ROW_HEIGHT + 2;
}

/**
 * Bytes per pixel that fit the whole heap in at most `maxRows` rows, using as many rows as it takes
 * (up to that) for the smallest block to be about 10 pixels wide.
 */
export function fitBytesPerPixel(frame: FrameDto, width: number, maxRows = 8): number {
  const w = Math.max(1, width);
  // The whole heap's smallest block, which a window of a big heap may not hold.
  const smallest = frame.window.smallest > 0 ? frame.window.smallest : Infinity;
  const wanted = Number.isFinite(smallest) ? Math.ceil(frame.heapSize / (w * (smallest / 10))) : 1;
  const rows = Math.min(maxRows, Math.max(1, wanted));
  return Math.max(frame.heapSize, 1) / (rows * w);
}

export function rowCount(frame: FrameDto, width: number, bpp: number): number {
  return Math.max(1, Math.ceil(frame.heapSize / (width * bpp)));
}

/** The first block that ends after `byte` (binary search over addresses). */
function firstBlockFrom(frame: FrameDto, byte: number): number {
  return firstIndex(frame.addrs.length, (k) => frame.addrs[k]! + frame.sizes[k]! > byte);
}

/** The block holding byte `byte` of the heap, or null (before the first block, past the last). */
export function blockAtByte(frame: FrameDto, byte: number): number | null {
  const i = firstBlockFrom(frame, byte);
  return i < frame.addrs.length && frame.addrs[i]! <= byte ? i : null;
}

/** The blocks [from, to) that start in rows [firstRow, lastRow] or reach into them. */
function blocksInRows(frame: FrameDto, span: number, firstRow: number, lastRow: number): [number, number] {
  const from = firstBlockFrom(frame, firstRow * span);
  return [from, lowerBound(frame.addrs, (lastRow + 1) * span, frame.addrs.length, from)];
}

/**
 * Where each block segment in rows [firstRow, lastRow] lands: the sentinels and the blocks in
 * those rows (the first `limit` of them), or, with `only`, the sentinels and those blocks.
 */
export function layout(frame: FrameDto, width: number, bpp: number, firstRow: number, lastRow: number, limit = Infinity, only?: Iterable<number>): LaidBlock[] {
  const out: LaidBlock[] = [];
  const span = width * bpp;
  const place = (index: number, addr: number, size: number) => {
    const end = addr + Math.max(size, 1);
    for (let row = Math.max(firstRow, Math.floor(addr / span)); row <= lastRow && row * span < end; row++) {
      const rowStart = row * span;
      const x0 = (Math.max(addr, rowStart) - rowStart) / bpp;
      const x1 = (Math.min(end, rowStart + span) - rowStart) / bpp;
      out.push({ index, row, x: x0, w: Math.max(MIN_WIDTH, x1 - x0) });
    }
  };
  if (frame.prologue) place(-1, frame.prologue.addr, frame.prologue.size);
  if (only) {
    for (const i of only) place(i, frame.addrs[i]!, frame.sizes[i]!);
  } else {
    const [from, to] = blocksInRows(frame, span, firstRow, lastRow);
    for (let i = from; i < Math.min(to, from + limit); i++) place(i, frame.addrs[i]!, frame.sizes[i]!);
  }
  if (frame.epilogue !== null) place(-2, frame.epilogue, 4);
  return out;
}

export function ownerColour(theme: Theme, owner: string | null): string {
  if (owner === null) return theme.palette[0]!;
  let h = 0;
  for (let i = 0; i < owner.length; i++) h = (h * 31 + owner.charCodeAt(i)) >>> 0;
  return theme.palette[h % theme.palette.length]!;
}

/**
 * Draws rows [firstRow, firstRow + visibleRows) of the frame; returns the blocks drawn one by one
 * (for hit tests) and whether the rows were drawn as density instead (far more blocks than
 * pixels: then only the blocks the op touched, problems and the selection are drawn singly, and
 * hit tests go by address).
 */
export function drawHeap(
  ctx: CanvasRenderingContext2D,
  frame: FrameDto,
  theme: Theme,
  opts: { width: number; bpp: number; firstRow: number; visibleRows: number; selected: number | null },
): { laid: LaidBlock[]; dense: boolean } {
  const { width, bpp, firstRow, visibleRows } = opts;
  const lastRow = Math.min(rowCount(frame, width, bpp) - 1, firstRow + visibleRows - 1);
  ctx.save();
  ctx.clearRect(0, 0, ctx.canvas.width, ctx.canvas.height);
  const hatch = makeHatch(ctx, theme.fg, false);
  const cross = makeHatch(ctx, theme.muted, true);
  const span = width * bpp;
  const y = (row: number) => rowTop(row, firstRow);
  const h = BLOCK_HEIGHT;
  const problems = new Set(frame.problems.map((p) => p.addr));
  // Far more blocks than pixels: draw each pixel column's share of allocated bytes instead of
  // every block, then only the few blocks the op touched or the user selected. Rows a window of a
  // big heap does not hold are drawn from its density summary.
  const [from, to] = blocksInRows(frame, span, firstRow, lastRow);
  const held = holdsBytes(frame, firstRow * span, Math.min(frame.heapSize, (lastRow + 1) * span));
  const dense = !held || to - from > (lastRow - firstRow + 1) * width * 0.5;
  let laid: LaidBlock[];
  if (dense) {
    const g = { width, bpp, firstRow, lastRow, h, y };
    if (held) drawDensity(ctx, frame, from, to, theme, hatch, g);
    else drawSummary(ctx, frame.window.density, theme, hatch, g);
    const special = new Set<number>();
    for (const addr of [frame.highlight.block, frame.highlight.split, frame.highlight.merged, ...problems]) {
      const i = addr === null ? null : blockAtByte(frame, addr);
      if (i !== null && frame.addrs[i] === addr) special.add(i);
    }
    if (opts.selected !== null) special.add(opts.selected);
    laid = layout(frame, width, bpp, firstRow, lastRow, Infinity, special);
  } else {
    laid = layout(frame, width, bpp, firstRow, lastRow);
  }
  const examined = examinedLookup(frame.highlight.examined);
  for (const b of laid) {
    const top = y(b.row);
    if (b.index < 0) {
      ctx.fillStyle = theme.muted;
      ctx.globalAlpha = 0.5;
      ctx.fillRect(b.x, top, b.w, h);
      ctx.globalAlpha = 1;
      if (b.w > 10) {
        ctx.fillStyle = theme.fg;
        ctx.font = '11px sans-serif';
        ctx.fillText(b.index === -1 ? 'P' : 'E', b.x + 2, top + h - 8);
      }
      continue;
    }
    const i = b.index;
    const addr = frame.addrs[i]!;
    const size = frame.sizes[i]!;
    const state = frame.states[i];
    // The header's bytes: from the block's start to its payload (none for the sbrk baseline).
    const payloadAddr = frame.payloadAddrs[i]!;
    const rowStart = b.row * width * bpp;
    if (state === 'a') {
      ctx.fillStyle = ownerColour(theme, ownerName(frame, i));
      ctx.fillRect(b.x, top, b.w, h);
      // Padding past the requested bytes, lighter.
      const used = payloadAddr - addr + (frame.requested[i] ?? 0);
      const padStart = (addr + used - rowStart) / bpp;
      if (padStart < b.x + b.w && used < size) {
        ctx.fillStyle = theme.bg;
        ctx.globalAlpha = 0.45;
        const px = Math.max(b.x, padStart);
        ctx.fillRect(px, top, b.x + b.w - px, h);
        ctx.globalAlpha = 1;
      }
    } else {
      ctx.fillStyle = state === 'f' ? hatch : cross;
      ctx.fillRect(b.x, top, b.w, h);
    }
    // Header and boundary tag as edges, where the block has them and is wide enough to show them.
    ctx.fillStyle = theme.fg;
    const edge = Math.max(1, Math.min(3, (payloadAddr - addr) / bpp));
    if (addr >= rowStart && !Number.isNaN(frame.headers[i]!)) ctx.fillRect(b.x, top, edge, h);
    if (addr + size <= rowStart + width * bpp && !Number.isNaN(frame.footers[i]!) && b.w > 6) ctx.fillRect(b.x + b.w - edge, top, edge, h);
    if (examined(addr)) {
      ctx.fillStyle = theme.examined;
      ctx.fillRect(b.x, top + h + 1, b.w, 3);
    }
    const outline = (colour: string, lw: number, dash: number[] = []) => {
      ctx.strokeStyle = colour;
      ctx.lineWidth = lw;
      ctx.setLineDash(dash);
      ctx.strokeRect(b.x + lw / 2, top + lw / 2, Math.max(1, b.w - lw), h - lw);
      ctx.setLineDash([]);
    };
    if (problems.has(addr)) outline(theme.error, 3, [4, 2]);
    if (addr === frame.highlight.merged) outline(theme.merged, 2);
    if (addr === frame.highlight.split) outline(theme.fg, 1, [3, 3]);
    if (addr === frame.highlight.block) outline(theme.focus, 3);
    if (i === opts.selected) outline(theme.fg, 2, [1, 1]);
  }
  // Heap growth: the space the op's sbrk added, bracketed under its rows.
  if (frame.highlight.grownFrom !== null) {
    ctx.fillStyle = theme.focus;
    for (let row = Math.max(firstRow, Math.floor(frame.highlight.grownFrom / span)); row <= lastRow && row * span < frame.heapSize; row++) {
      const from = Math.max(frame.highlight.grownFrom, row * span);
      const to = Math.min(frame.heapSize, (row + 1) * span);
      ctx.fillRect((from - row * span) / bpp, y(row) + h + 1, (to - from) / bpp, 2);
    }
  }
  // The break: the heap's end.
  const endRow = Math.floor(frame.heapSize / span);
  if (endRow >= firstRow && endRow <= lastRow) {
    const x = (frame.heapSize - endRow * span) / bpp;
    ctx.fillStyle = theme.focus;
    ctx.fillRect(Math.min(x, width - 2), y(endRow) - 2, 2, h + 4);
  }
  ctx.restore();
  return { laid, dense };
}

/** Each pixel column of each row: allocated share as a bar over the free hatching. */
function drawDensity(
  ctx: CanvasRenderingContext2D,
  frame: FrameDto,
  from: number,
  to: number,
  theme: Theme,
  hatch: CanvasPattern | string,
  g: { width: number; bpp: number; firstRow: number; lastRow: number; h: number; y: (row: number) => number },
): void {
  const cols = Math.ceil(g.width);
  const rows = g.lastRow - g.firstRow + 1;
  const used = new Float32Array(rows * cols);
  const any = new Float32Array(rows * cols);
  // Each block's bytes spread over the pixel columns it covers, row by row.
  const span = g.width * g.bpp;
  const firstByte = g.firstRow * span;
  const endByte = (g.lastRow + 1) * span;
  for (let i = from; i < to; i++) {
    const allocated = frame.states.charCodeAt(i) === 97; // 'a'
    const start = Math.max(frame.addrs[i]!, firstByte);
    const end = Math.min(frame.addrs[i]! + frame.sizes[i]!, endByte);
    for (let byte = start; byte < end; ) {
      const row = Math.floor(byte / span);
      const rowEnd = Math.min(end, (row + 1) * span);
      const base = (row - g.firstRow) * cols;
      const x0 = Math.min(cols - 1, Math.floor((byte - row * span) / g.bpp));
      const x1 = Math.min(cols - 1, Math.max(x0, Math.ceil((rowEnd - row * span) / g.bpp) - 1));
      const per = (rowEnd - byte) / g.bpp / (x1 - x0 + 1);
      for (let x = x0; x <= x1; x++) {
        any[base + x]! += per;
        if (allocated) used[base + x]! += per;
      }
      byte = rowEnd;
    }
  }
  ctx.fillStyle = hatch;
  for (let r = 0; r < rows; r++) ctx.fillRect(0, g.y(g.firstRow + r), cols, g.h);
  ctx.fillStyle = theme.palette[0]!;
  for (let r = 0; r < rows; r++) {
    const top = g.y(g.firstRow + r);
    for (let x = 0; x < cols; x++) {
      const total = any[r * cols + x]!;
      if (total <= 0) continue;
      const share = Math.min(1, used[r * cols + x]! / total);
      if (share > 0) ctx.fillRect(x, top + g.h * (1 - share), 1, g.h * share);
    }
  }
}

/** Each pixel column of each row from a density summary: the allocated share of the buckets under it, over the free hatching. */
function drawSummary(
  ctx: CanvasRenderingContext2D,
  d: FrameDto['window']['density'],
  theme: Theme,
  hatch: CanvasPattern | string,
  g: { width: number; bpp: number; firstRow: number; lastRow: number; h: number; y: (row: number) => number },
): void {
  const cols = Math.ceil(g.width);
  const n = d.allocated.length;
  const per = (d.to - d.from) / n;
  const span = g.width * g.bpp;
  ctx.fillStyle = hatch;
  for (let row = g.firstRow; row <= g.lastRow; row++) ctx.fillRect(0, g.y(row), Math.min(cols, (d.to - row * span) / g.bpp), g.h);
  ctx.fillStyle = theme.palette[0]!;
  for (let row = g.firstRow; row <= g.lastRow; row++) {
    const top = g.y(row);
    for (let x = 0; x < cols; x++) {
      const start = row * span + x * g.bpp;
      const end = Math.min(start + g.bpp, d.to);
      if (end <= start) break;
      // The buckets under the pixel, each weighed by the part of it the pixel covers.
      let used = 0;
      let any = 0;
      for (let b = Math.max(0, Math.floor((start - d.from) / per)); b < n && d.from + b * per < end; b++) {
        const lo = Math.max(start, d.from + b * per);
        const share = (Math.min(end, d.from + (b + 1) * per) - lo) / per;
        used += d.allocated[b]! * share;
        any += (d.allocated[b]! + d.free[b]!) * share;
      }
      const fill = any > 0 ? Math.min(1, used / any) : 0;
      if (fill > 0) ctx.fillRect(x, top + g.h * (1 - fill), 1, g.h * fill);
    }
  }
}

/** Diagonal hatching in `colour` (crossed: both diagonals), as free and never-reused blocks are drawn. */
export function makeHatch(ctx: CanvasRenderingContext2D, colour: string, crossed: boolean): CanvasPattern | string {
  const tile = document.createElement('canvas');
  tile.width = 8;
  tile.height = 8;
  const t = tile.getContext('2d');
  if (!t) return colour;
  t.strokeStyle = colour;
  t.globalAlpha = 0.55;
  t.lineWidth = 1;
  t.beginPath();
  t.moveTo(0, 8);
  t.lineTo(8, 0);
  if (crossed) {
    t.moveTo(0, 0);
    t.lineTo(8, 8);
  }
  t.stroke();
  return ctx.createPattern(tile, 'repeat') ?? colour;
}

/**
 * Whether a block address is among those the op's search examined, by binary search over a sorted
 * copy: they come in the order searched (next fit wraps; deferred coalescing searches twice) and can
 * be every block of a large heap, too many to put in a set for every frame. One copy per list.
 */
const sortedExamined = new WeakMap<Float64Array, Float64Array>();

function examinedLookup(examined: Float64Array): (addr: number) => boolean {
  let sorted = sortedExamined.get(examined);
  if (sorted === undefined) {
    sorted = Float64Array.from(examined).sort();
    sortedExamined.set(examined, sorted);
  }
  const within = sorted;
  return (addr) => {
    const k = lowerBound(within, addr);
    return k < within.length && within[k] === addr;
  };
}
