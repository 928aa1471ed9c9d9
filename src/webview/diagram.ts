// The heap panel's block diagram (docs/editor.md, "Block diagrams"): below the proportional
// overview, the blocks in view drawn as the textbooks draw them (diagramSvg.ts) when there are few
// enough of them (MAX_DIAGRAM_BLOCKS: zoom in on a big heap and it appears). `l` switches between
// one box per block and to scale; `b` shows the heap before the op (asked of the host once per
// step) with the op's blocks marked; the fit search's path is listed in order. It exports the
// diagram (and the comparison, when shown) as SVG or PNG in colours that do not follow the theme.

import { blocksIn, diagramBlocks, fitPath, MAX_DIAGRAM_BLOCKS } from '../shared/diagramModel';
import type { CompareDto, ExportFormat, FrameDto, TraceInfoDto, ViewMessage } from '../shared/protocol';
import { diagramSvg, PRINT_THEME, type DiagramLayout } from './diagramSvg';
import { addr, el } from './dom';
import { iconButtonOf } from './icons';
import type { Theme } from './heapCanvas';

/** What the panel shows, as the diagram needs it. */
export interface DiagramContext {
  readonly trace: TraceInfoDto;
  readonly frame: FrameDto;
  /** The bytes in view in the overview: [from, to). */
  readonly from: number;
  readonly to: number;
  readonly theme: Theme;
  readonly width: number;
  readonly compare: CompareDto | null;
  /** What [from, to) is: the rows in view (the panel), or the op's block and its neighbours (the study view). */
  readonly scope: 'view' | 'op';
}

export interface Diagram {
  readonly element: HTMLElement;
  /** Draws the diagram for what the panel shows now. */
  update(context: DiagramContext): void;
  /** The host's answer to `before`. */
  setBefore(step: number, frame: FrameDto | null): void;
  /** Builds the picture and posts it to the host to save. */
  exportPicture(format: ExportFormat): Promise<void>;
}

export function createDiagram(post: (m: ViewMessage) => void, persisted: { layout?: DiagramLayout; before?: boolean }, save: (s: { layout: DiagramLayout; before: boolean }) => void): Diagram {
  let layout: DiagramLayout = persisted.layout === 'scale' ? 'scale' : 'boxes';
  let showBefore = persisted.before === true;
  let before: { step: number; frame: FrameDto | null } | null = null;
  let asked: number | null = null;
  let context: DiagramContext | null = null;
  let drawnKey = '';

  const caption = el('div', { className: 'diagram-caption', role: 'status' });
  const layoutButton = iconButtonOf({ label: 'Draw to scale', icon: 'symbol-ruler', key: { shown: 'L', aria: 'L' }, run: () => toggleLayout() });
  const beforeButton = iconButtonOf({ label: 'Show the heap before the op', icon: 'history', key: { shown: 'B', aria: 'B' }, run: () => toggleBefore() });
  const svgButton = iconButtonOf({ label: 'Export the diagram as SVG', icon: 'file-media', run: () => void exportPicture('svg') });
  const pngButton = iconButtonOf({ label: 'Export the diagram as PNG', icon: 'device-camera', run: () => void exportPicture('png') });
  const bar = el('div', { className: 'diagram-bar', role: 'toolbar' }, layoutButton, beforeButton, svgButton, pngButton, caption);
  bar.setAttribute('aria-label', 'Block diagram');
  const figure = el('div', { className: 'diagram-figure' });
  const path = el('ul', { className: 'fit-path' });
  path.setAttribute('aria-label', 'Fit search path, in the order searched');
  const element = el('section', { className: 'diagram' }, bar, figure, path);
  element.setAttribute('aria-label', 'Block diagram of the blocks in view');

  document.addEventListener('keydown', (e) => {
    if (e.target instanceof HTMLInputElement || e.target instanceof HTMLSelectElement || e.altKey || e.ctrlKey || e.metaKey || !context) return;
    const action = e.key === 'b' || e.key === 'B' ? toggleBefore : e.key === 'l' || e.key === 'L' ? toggleLayout : null;
    if (!action) return;
    e.preventDefault();
    action();
  });

  function persist(): void {
    save({ layout, before: showBefore });
  }

  function toggleLayout(): void {
    layout = layout === 'boxes' ? 'scale' : 'boxes';
    persist();
    redraw();
  }

  function toggleBefore(): void {
    showBefore = !showBefore;
    persist();
    redraw();
  }

  /** The frame to draw: the one after the op, or (when asked for and at hand) the one before it. */
  function shown(c: DiagramContext): { frame: FrameDto; isBefore: boolean; waiting: boolean } {
    if (!showBefore || c.frame.step < 0) return { frame: c.frame, isBefore: false, waiting: false };
    if (before?.step === c.frame.step) return before.frame ? { frame: before.frame, isBefore: true, waiting: false } : { frame: c.frame, isBefore: false, waiting: false };
    if (asked !== c.frame.step) {
      asked = c.frame.step;
      post({ type: 'before', step: c.frame.step });
    }
    return { frame: c.frame, isBefore: false, waiting: true };
  }

  function redraw(): void {
    if (context) draw(context, true);
  }

  function draw(c: DiagramContext, force: boolean): void {
    const s = shown(c);
    const f = s.frame;
    const { indices, more } = blocksIn(f, c.from, c.to);
    const key = `${c.frame.step}:${s.isBefore}:${layout}:${indices[0]}:${indices.length}:${more}:${c.width}:${c.theme.fg}:${c.theme.focus}`;
    if (!force && key === drawnKey) return;
    drawnKey = key;
    layoutButton.setAttribute('aria-pressed', String(layout === 'scale'));
    beforeButton.setAttribute('aria-pressed', String(s.isBefore));
    element.dataset.layout = layout;
    element.dataset.showing = s.isBefore ? 'before' : 'after';
    const op = c.frame.line === null ? 'before the first op' : `${s.isBefore ? 'before' : 'after'} line ${c.frame.line}: ${c.frame.text}`;
    if (more) {
      caption.textContent = `More than ${MAX_DIAGRAM_BLOCKS} blocks in view: zoom in (+) for the block diagram.`;
      figure.replaceChildren();
    } else {
      // The study view says the op above the diagram already: its caption says only which heap.
      const what = c.scope === 'op' ? `The op's block and its neighbours, ${s.isBefore ? 'before' : 'after'} the op` : `The heap ${op}`;
      caption.textContent = `${s.waiting ? 'asking for the heap before the op… ' : ''}${what}, ${layout === 'boxes' ? 'one box per block' : 'to scale'}.`;
      figure.replaceChildren(picture(c, f, indices, c.theme, ''));
    }
    // The steps the frame holds (a window of a big heap holds those in its blocks), at most MAX_DIAGRAM_BLOCKS listed.
    const steps = fitPath(c.frame, s.isBefore ? f : before?.step === c.frame.step ? before.frame : null, MAX_DIAGRAM_BLOCKS);
    const { examined, examinedCount } = c.frame.highlight;
    path.replaceChildren(
      ...steps.map((p) => {
        const li = el('li', { textContent: `#${p.order} ${addr(p.addr)}${p.size === null ? '' : ` (${p.state === 'a' ? 'allocated' : 'free'}, ${p.size} B)`}` });
        li.dataset.addr = String(p.addr);
        return li;
      }),
    );
    const partial = examinedCount > steps.length ? ` (${steps.length} of the ${examinedCount} blocks it examined${examined.length < examinedCount ? ', those around the view' : ''})` : '';
    path.prepend(el('li', { className: 'fit-path-title', textContent: `${c.trace.policyLabel}'s search, in order${partial}:` }));
    path.hidden = steps.length === 0;
    if (steps.length > 0) path.setAttribute('aria-label', `${c.trace.policyLabel}: fit search path, ${examinedCount} blocks in the order searched`);
  }

  /** The SVG of `f`'s blocks at `indices` (with the sentinels and the break when in range). */
  function picture(c: DiagramContext, f: FrameDto, indices: readonly number[], theme: Theme, heading: string): SVGSVGElement {
    const blocks = diagramBlocks(f, c.frame, indices);
    const last = indices.length > 0 ? f.addrs[indices[indices.length - 1]!]! + f.sizes[indices[indices.length - 1]!]! : c.from;
    const wordBytes = blocks.find((b) => b.header)?.header?.bytes ?? null;
    return diagramSvg(
      {
        blocks,
        prologue: f.prologue && f.prologue.addr + f.prologue.size > c.from && f.prologue.addr < c.to ? f.prologue : null,
        epilogue: f.epilogue !== null && f.epilogue >= last && f.epilogue < c.to ? f.epilogue : null,
        epilogueBytes: wordBytes,
        brk: f.heapSize <= Math.max(c.to, last) && f.heapSize >= last ? f.heapSize : null,
        address: addr,
        heading,
      },
      layout,
      c.width,
      theme,
    );
  }

  async function exportPicture(format: ExportFormat): Promise<void> {
    const c = context;
    if (!c) return;
    const text = exportSvg(c);
    const data = format === 'svg' ? text : await pngOf(text);
    post({ type: 'export', format, step: c.frame.step, data });
  }

  /** The picture to save: the diagram, and under it each policy's heap when the comparison shows, in print colours. */
  function exportSvg(c: DiagramContext): string {
    const s = shown(c);
    const { indices } = blocksIn(s.frame, c.from, c.to);
    const title = `${c.trace.name} · ${c.trace.policyLabel} · the heap ${c.frame.line === null ? 'before the first op' : `${s.isBefore ? 'before' : 'after'} line ${c.frame.line}: ${c.frame.text}`}`;
    const parts = [picture(c, s.frame, indices, PRINT_THEME, title)];
    for (const { label, frame } of c.compare?.frames ?? []) {
      const all = { ...c, frame, from: 0, to: frame.heapSize };
      parts.push(picture(all, frame, blocksIn(frame, 0, frame.heapSize).indices, PRINT_THEME, `${label}: ${frame.text}`));
    }
    return stack(parts, c.width);
  }

  return {
    element,
    update(c) {
      context = c;
      draw(c, false);
    },
    setBefore(step, frame) {
      before = { step, frame };
      if (context?.frame.step === step) redraw();
    },
    exportPicture,
  };
}

/** One SVG document of pictures one under another, on a white ground. */
function stack(parts: readonly SVGSVGElement[], width: number): string {
  const NS = 'http://www.w3.org/2000/svg';
  const root = document.createElementNS(NS, 'svg');
  let y = 0;
  for (const p of parts) {
    p.setAttribute('y', String(y));
    y += Number(p.getAttribute('height')) + 8;
  }
  root.setAttribute('width', String(width));
  root.setAttribute('height', String(y));
  root.setAttribute('viewBox', `0 0 ${width} ${y}`);
  const ground = document.createElementNS(NS, 'rect');
  for (const [k, v] of Object.entries({ width: '100%', height: '100%', fill: PRINT_THEME.bg })) ground.setAttribute(k, v);
  root.append(ground, ...parts);
  return new XMLSerializer().serializeToString(root);
}

/** The SVG drawn at twice its size on a canvas, as a PNG in base64. */
async function pngOf(svgText: string): Promise<string> {
  const image = new Image();
  image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svgText)}`;
  await image.decode();
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.round(image.naturalWidth * 2));
  canvas.height = Math.max(1, Math.round(image.naturalHeight * 2));
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = PRINT_THEME.bg;
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(image, 0, 0, canvas.width, canvas.height);
  return canvas.toDataURL('image/png').replace(/^data:image\/png;base64,/, '');
}
