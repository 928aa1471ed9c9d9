// The block diagram as SVG (docs/editor.md, "Block diagrams"): each block a box split into its
// header word, payload, padding and footer word, labelled with the pointer's name, its address,
// its sizes and the words as stored; free blocks hatched; the prologue, the epilogue and the break
// labelled; the op's blocks outlined and the fit search's path numbered. Colours are attributes
// (never a stylesheet), so the same element serialises into a picture file that keeps them.
// Everything said comes from src/shared/diagramModel.ts: nothing here decodes a word.

import { blockSentence, ROLE_TEXT, wordDecimal, wordHex, type DiagramBlock, type DiagramWord } from '../shared/diagramModel';
import { ownerColour, type Theme } from './heapCanvas';

const NS = 'http://www.w3.org/2000/svg';
/** One box per block: every block this wide, so a 16-byte block is as legible as a 4 KiB one. */
const BOX = 240;
const SENTINEL = 96;
const WORD_CELL = 66;
const GAP = 10;
const ROW = 122;
const BOX_TOP = 18;
const BOX_H = 46;
const CHAR = 6.2;

export type DiagramLayout = 'boxes' | 'scale';

/** Colours that do not follow the editor's theme: for slides, handouts and exam papers. */
export const PRINT_THEME: Theme = { fg: '#000000', bg: '#ffffff', muted: '#555555', focus: '#0057b8', error: '#c00000', examined: '#b07800', merged: '#1f7a1f', palette: ['#4a90d9', '#9b59b6', '#e08e0b', '#3c9d3c', '#d9534f', '#c9a400'] };

export interface DiagramInput {
  readonly blocks: readonly DiagramBlock[];
  readonly prologue: { readonly addr: number; readonly size: number } | null;
  readonly epilogue: number | null;
  /** The break (the heap's size), or null when it is beyond the bytes drawn. */
  readonly brk: number | null;
  /** Bytes of the epilogue header (the heap's word), when known. */
  readonly epilogueBytes: number | null;
  readonly address: (offset: number) => string;
  /** A heading drawn above the boxes (the export's), or ''. */
  readonly heading: string;
}

interface Item {
  readonly kind: 'block' | 'prologue' | 'epilogue' | 'break';
  readonly bytes: number;
  readonly block?: DiagramBlock;
  readonly addr: number;
}

let patterns = 0;

/** An SVG element of `tag` with attributes. */
function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/** `text` if it fits `width` pixels at the diagram's small font, else '' (the box's title still says it). */
const fits = (text: string, width: number) => (text.length * CHAR <= width - 4 ? text : '');

/** The diagram of `input` laid out in `width` pixels, one box per block or to scale, in `theme`'s colours. */
export function diagramSvg(input: DiagramInput, layout: DiagramLayout, width: number, theme: Theme): SVGSVGElement {
  const items: Item[] = [];
  if (input.prologue) items.push({ kind: 'prologue', bytes: input.prologue.size, addr: input.prologue.addr });
  for (const b of input.blocks) items.push({ kind: 'block', bytes: b.size, block: b, addr: b.addr });
  if (input.epilogue !== null) items.push({ kind: 'epilogue', bytes: input.epilogueBytes ?? 0, addr: input.epilogue });
  if (input.brk !== null) items.push({ kind: 'break', bytes: 0, addr: input.brk });
  const total = items.reduce((s, it) => s + it.bytes, 0) || 1;
  // To scale: the bytes shown fill about three rows; a block never wider than a row.
  const perByte = (3 * (width - 8)) / total;
  const widthOf = (it: Item) => (layout === 'boxes' ? (it.kind === 'block' ? BOX : SENTINEL) : it.kind === 'break' ? SENTINEL : Math.min(width - 8, Math.max(3, it.bytes * perByte)));
  const id = `hi-diagram-${++patterns}`;
  const root = svg('svg', { role: 'group', 'font-family': 'Menlo, Consolas, "DejaVu Sans Mono", monospace', 'font-size': 10 });
  root.setAttribute('aria-label', 'Block diagram');
  root.append(defs(id, theme));
  const top = input.heading ? 22 : 0;
  if (input.heading) root.append(svg('text', { x: 4, y: 14, fill: theme.fg, 'font-size': 12, 'font-weight': 'bold' }, input.heading));
  let x = 4;
  let y = top + 4;
  let bottom = y;
  for (const it of items) {
    const w = widthOf(it);
    if (x + w > width - 4 && x > 4) {
      x = 4;
      y += ROW;
    }
    const g = it.kind === 'block' ? blockBox(it.block!, x, y, w, theme, id, input.address) : sentinelBox(it, x, y, w, theme, input.address);
    root.append(g);
    x += w + (layout === 'boxes' ? GAP : 0);
    bottom = y + ROW;
  }
  const height = bottom + 4;
  root.setAttribute('width', String(width));
  root.setAttribute('height', String(height));
  root.setAttribute('viewBox', `0 0 ${width} ${height}`);
  return root;
}

function defs(id: string, theme: Theme): SVGDefsElement {
  const d = svg('defs', {});
  const hatch = svg('pattern', { id: `${id}-free`, width: 6, height: 6, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' });
  hatch.append(svg('rect', { width: 6, height: 6, fill: theme.bg }), svg('line', { x1: 0, y1: 0, x2: 0, y2: 6, stroke: theme.muted, 'stroke-width': 1.5 }));
  // Padding: dots over the owner's colour, so it is told from payload without colour too.
  const dots = svg('pattern', { id: `${id}-pad`, width: 4, height: 4, patternUnits: 'userSpaceOnUse' });
  dots.append(svg('rect', { width: 4, height: 4, fill: theme.bg }), svg('circle', { cx: 2, cy: 2, r: 0.8, fill: theme.fg }));
  d.append(hatch, dots);
  return d;
}

function blockBox(b: DiagramBlock, x: number, y: number, w: number, theme: Theme, id: string, address: (n: number) => string): SVGGElement {
  const g = svg('g', { class: `block ${b.state === 'a' ? 'allocated' : 'free'}`, 'data-addr': b.addr, 'data-size': b.size, 'data-state': b.state });
  if (b.role) g.setAttribute('data-role', b.role);
  if (b.searched.length > 0) g.setAttribute('data-searched', b.searched.join(' '));
  g.append(svg('title', {}, blockSentence(b, address)));
  const colour = ownerColour(theme, b.name);
  const top = y + BOX_TOP;
  // The cells: header word, payload (and padding), footer word, each as wide as its share.
  const h = b.header;
  const f = b.footer;
  const perByte = w / b.size;
  const cell = (word: DiagramWord | null) => (word === null ? 0 : w >= 3 * WORD_CELL ? WORD_CELL : Math.max(1, word.bytes * perByte));
  const hw = cell(h);
  const fw = cell(f);
  const inner = Math.max(0, w - hw - fw);
  const name = b.name ?? (b.state === 'a' ? 'allocated' : b.state === 'f' ? 'free' : 'freed');
  g.append(svg('text', { class: 'name', x: x + 2, y: y + 12, fill: theme.fg, 'font-weight': 'bold', 'font-size': 11 }, fits(name, w)));
  if (h) g.append(wordCell(h, 'header', x, top, hw, b.state === 'a' ? colour : theme.bg, theme, address));
  if (b.state === 'a') {
    const padW = b.padding > 0 && b.payloadSize > 0 ? Math.max(6, (inner * b.padding) / b.payloadSize) : 0;
    const payW = Math.max(0, inner - padW);
    g.append(svg('rect', { class: 'payload', x: x + hw, y: top, width: payW, height: BOX_H, fill: colour, 'fill-opacity': 0.35, stroke: theme.fg, 'stroke-width': 0.5 }));
    g.append(svg('text', { class: 'payload-label', x: x + hw + 3, y: top + 19, fill: theme.fg }, fits(`payload ${b.payloadSize} B`, payW)));
    g.append(svg('text', { class: 'request-label', x: x + hw + 3, y: top + 33, fill: theme.fg }, fits(`req ${b.requested} B`, payW)));
    if (padW > 0) {
      g.append(svg('rect', { class: 'padding', x: x + hw + payW, y: top, width: padW, height: BOX_H, fill: `url(#${id}-pad)`, stroke: theme.fg, 'stroke-width': 0.5 }));
      g.append(svg('title', {}, `padding ${b.padding} B`));
    }
  } else {
    g.append(svg('rect', { class: 'payload', x: x + hw, y: top, width: inner, height: BOX_H, fill: `url(#${id}-free)`, stroke: theme.fg, 'stroke-width': 0.5 }));
    const label = fits(`free ${b.size} B`, inner);
    if (label) {
      g.append(svg('rect', { x: x + hw + 2, y: top + 13, width: label.length * CHAR + 2, height: 13, fill: theme.bg }));
      g.append(svg('text', { class: 'free-label', x: x + hw + 3, y: top + 23, fill: theme.fg }, label));
    }
  }
  if (f) g.append(wordCell(f, 'footer', x + w - fw, top, fw, b.state === 'a' ? colour : theme.bg, theme, address));
  // The whole block's outline: the op's block, what it split off or merged, thicker and coloured.
  const roleColour = b.role === 'merged' ? theme.merged : theme.focus;
  g.append(svg('rect', { class: 'outline', x, y: top, width: w, height: BOX_H, fill: 'none', stroke: b.role ? roleColour : theme.fg, 'stroke-width': b.role ? 3 : 1, ...(b.role === 'split' ? { 'stroke-dasharray': '5 3' } : {}) }));
  const below = top + BOX_H + 13;
  g.append(svg('text', { class: 'addr', x: x + 2, y: below, fill: theme.fg }, fits(address(b.addr), w)));
  g.append(svg('text', { class: 'sizes', x: x + 2, y: below + 13, fill: theme.fg }, fits(b.state === 'a' ? `block ${b.size} B · pad ${b.padding} B` : `block ${b.size} B`, w)));
  const notes = [b.role ? ROLE_TEXT[b.role] : '', b.searched.length > 0 ? `search #${b.searched.join(', #')}` : ''].filter((s) => s !== '').join(' · ');
  if (notes) g.append(svg('text', { class: 'notes', x: x + 2, y: below + 26, fill: b.role ? roleColour : theme.examined, 'font-weight': 'bold' }, fits(notes, w)));
  for (const [k, n] of b.searched.entries()) {
    const cx = x + w - 9 - k * 20;
    g.append(svg('circle', { class: 'search-step', cx, cy: top - 8, r: 8, fill: theme.examined, stroke: theme.fg, 'stroke-width': 0.5 }));
    g.append(svg('text', { x: cx, y: top - 4.5, 'text-anchor': 'middle', fill: theme.bg, 'font-weight': 'bold' }, String(n)));
  }
  return g;
}

function wordCell(word: DiagramWord, kind: 'header' | 'footer', x: number, y: number, w: number, fill: string, theme: Theme, address: (n: number) => string): SVGGElement {
  const g = svg('g', { class: kind, 'data-addr': word.addr });
  if (word.stored !== null) g.setAttribute('data-word', String(word.stored));
  g.append(svg('title', {}, `${kind} at ${address(word.addr)}, ${word.bytes} B: ${wordHex(word)} = ${wordDecimal(word)}${word.size === null ? '' : ' (size | allocated bit)'}`));
  g.append(svg('rect', { x, y, width: w, height: BOX_H, fill, 'fill-opacity': 0.75, stroke: theme.fg, 'stroke-width': 1 }));
  g.append(svg('text', { class: 'word-kind', x: x + 3, y: y + 11, fill: theme.fg, 'font-size': 9 }, fits(kind === 'header' ? 'hdr' : 'ftr', w)));
  g.append(svg('text', { class: 'word-hex', x: x + 3, y: y + 26, fill: theme.fg, 'font-size': 9 }, fits(wordHex(word), w + 4)));
  g.append(svg('text', { class: 'word-dec', x: x + 3, y: y + 39, fill: theme.fg, 'font-size': 9 }, fits(wordDecimal(word), w)));
  return g;
}

function sentinelBox(it: Item, x: number, y: number, w: number, theme: Theme, address: (n: number) => string): SVGGElement {
  const g = svg('g', { class: it.kind, 'data-addr': it.addr });
  const top = y + BOX_TOP;
  const label = it.kind === 'prologue' ? `prologue ${it.bytes} B` : it.kind === 'epilogue' ? 'epilogue' : 'break';
  g.append(svg('title', {}, `${label} at ${address(it.addr)}`));
  g.append(svg('text', { class: 'name', x: x + 2, y: y + 12, fill: theme.fg, 'font-weight': 'bold', 'font-size': 11 }, fits(label, Math.max(w, SENTINEL))));
  if (it.kind === 'break') {
    g.append(svg('line', { x1: x + 2, y1: top - 4, x2: x + 2, y2: top + BOX_H + 4, stroke: theme.error, 'stroke-width': 2 }));
  } else {
    g.append(svg('rect', { x, y: top, width: w, height: BOX_H, fill: theme.muted, 'fill-opacity': 0.45, stroke: theme.fg, 'stroke-width': 1 }));
  }
  g.append(svg('text', { class: 'addr', x: x + 2, y: top + BOX_H + 13, fill: theme.fg }, fits(address(it.addr), Math.max(w, SENTINEL))));
  return g;
}
