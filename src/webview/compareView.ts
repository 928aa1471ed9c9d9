// The panel's side-by-side comparison: the same step under every policy, one short heap strip each.

import type { CompareDto } from '../shared/protocol';
import { el, pct } from './dom';
import { drawHeap, fitBytesPerPixel, ROW_HEIGHT, rowCount, type Theme } from './heapCanvas';

/** Fills `box` with a labelled strip per policy, or empties it when there is nothing to compare. */
export function renderCompare(box: HTMLElement, compare: CompareDto | null, on: boolean, width: number, theme: Theme): void {
  box.hidden = !on || compare === null;
  if (box.hidden || !compare) {
    box.replaceChildren();
    return;
  }
  const dpr = window.devicePixelRatio || 1;
  // One scale for every row (the biggest heap fits its three rows), so heap sizes compare by length.
  const bpp = Math.max(...compare.frames.map(({ frame }) => fitBytesPerPixel(frame, width, 3)));
  const step = Math.max(...compare.frames.map(({ frame }) => frame.step));
  const rows = compare.frames.map(({ label: policy, frame: f }) => {
    const c = el('canvas', { className: 'compare-heap' });
    c.setAttribute('role', 'img');
    c.setAttribute('aria-label', `${policy}: heap ${f.heapSize} bytes, ${f.addrs.length} blocks, utilisation ${pct(f.metrics.utilisation)}`);
    const h = Math.min(3, rowCount(f, width, bpp)) * ROW_HEIGHT;
    c.style.width = `${width}px`;
    c.style.height = `${h}px`;
    c.width = Math.round(width * dpr);
    c.height = Math.round(h * dpr);
    const ctx = c.getContext('2d');
    if (ctx) {
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      drawHeap(ctx, f, theme, { width, bpp, firstRow: 0, visibleRows: 3, selected: null });
    }
    // A run that stopped early (the user's allocator crashed) shows its last step, and says so.
    const stopped = f.step < step ? ` (its run stopped: the heap after op ${f.step + 1})` : '';
    const label = el('div', { className: 'compare-label', textContent: `${policy}${stopped}: ${f.text} · heap ${f.metrics.heapSize} B · utilisation ${pct(f.metrics.utilisation)} · ext frag ${pct(f.metrics.externalFragmentation)}` });
    return el('div', { className: 'compare-row' }, label, c);
  });
  box.replaceChildren(el('h2', { textContent: 'Every policy at this step' }), ...rows);
}
