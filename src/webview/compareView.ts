// The panel's side-by-side comparison as small multiples (docs/editor.md, "Compare Policies"): the
// same step under every policy, one heap strip above another at one scale, the block each op chose
// outlined, and each policy's figures in a table beside its strip.

import type { CompareDto, FrameDto } from '../shared/protocol';
import { el, num, pct } from './dom';
import { drawHeap, fitBytesPerPixel, ROW_HEIGHT, rowCount, type Theme } from './heapCanvas';

/** The figures beside each strip: a column's heading and its cell. */
const FIGURES: readonly { readonly heading: string; readonly cell: (f: FrameDto) => string }[] = [
  { heading: 'heap', cell: (f) => num(f.metrics.heapSize, ' B') },
  { heading: 'utilisation', cell: (f) => pct(f.metrics.utilisation) },
  { heading: 'ext frag', cell: (f) => pct(f.metrics.externalFragmentation) },
  { heading: 'free blocks', cell: (f) => num(f.metrics.freeBlocks) },
  { heading: 'largest free', cell: (f) => num(f.metrics.largestFree, ' B') },
];

/** The width the figures' columns take (px): the strips get the rest. */
const FIGURES_WIDTH = 430;

/** Fills `box` with a row per policy (its name and op, its strip, its figures), or empties it when there is nothing to compare. */
export function renderCompare(box: HTMLElement, compare: CompareDto | null, on: boolean, width: number, theme: Theme): void {
  box.hidden = !on || compare === null;
  if (box.hidden || !compare) {
    box.replaceChildren();
    return;
  }
  const dpr = window.devicePixelRatio || 1;
  const stripWidth = Math.max(160, width - FIGURES_WIDTH);
  // One scale for every row (the biggest heap fits its three rows), so heap sizes compare by length.
  const bpp = Math.max(...compare.frames.map(({ frame }) => fitBytesPerPixel(frame, stripWidth, 3)));
  const step = Math.max(...compare.frames.map(({ frame }) => frame.step));
  const head = el('tr', {}, el('th', { textContent: 'policy, and what the op did' }), ...FIGURES.map((f) => el('th', { textContent: f.heading })));
  const rows = compare.frames.map(({ label: policy, frame: f }) => {
    const c = el('canvas', { className: 'compare-heap' });
    c.setAttribute('role', 'img');
    c.setAttribute('aria-label', `${policy}: heap ${f.heapSize} bytes, ${f.addrs.length} blocks, utilisation ${pct(f.metrics.utilisation)}`);
    const h = Math.min(3, rowCount(f, stripWidth, bpp)) * ROW_HEIGHT;
    c.style.width = `${stripWidth}px`;
    c.style.height = `${h}px`;
    c.width = Math.round(stripWidth * dpr);
    c.height = Math.round(h * dpr);
    const ctx = c.getContext('2d');
    if (ctx) {
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      drawHeap(ctx, f, theme, { width: stripWidth, bpp, firstRow: 0, visibleRows: 3, selected: null });
    }
    // A run that stopped early (the user's allocator crashed) shows its last step, and says so.
    const stopped = f.step < step ? ` (its run stopped: the heap after op ${f.step + 1})` : '';
    const label = el('div', { className: 'compare-label', textContent: `${policy}${stopped}: ${f.text}` });
    const row = el('tr', { className: 'compare-row' }, el('td', { className: 'compare-strip' }, label, c), ...FIGURES.map((fig) => el('td', { className: 'compare-figure', textContent: fig.cell(f) })));
    row.dataset.policy = policy;
    return row;
  });
  const table = el('table', { className: 'compare-table' }, el('thead', {}, head), el('tbody', {}, ...rows));
  box.replaceChildren(el('h2', { textContent: 'Every policy at this step' }), table);
}
