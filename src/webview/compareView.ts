// The panel's side-by-side comparison as small multiples (docs/editor.md, "Compare Policies"): the
// same step under every policy, one heap strip above another at one scale, the block each op chose
// outlined, and each policy's figures in a table beside its strip. Small heaps (the teaching case)
// get one row of strip each and, under it, their chain of blocks by name and size, which a strip
// at one scale draws as slivers beside the free space.

import { ownerName, type CompareDto, type FrameDto } from '../shared/protocol';
import { addr, el, num, pct } from './dom';
import { drawHeap, fitBytesPerPixel, ownerColour, ROW_HEIGHT, rowCount, type Theme } from './heapCanvas';

/** The most blocks a heap may have for the comparison to show its chain block by block. */
export const CHAIN_BLOCKS = 32;

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
  // Every heap small and whole: a one-row strip each, and the chain under it.
  const chained = compare.frames.every(({ frame }) => frame.addrs.length <= CHAIN_BLOCKS && frame.window.total === frame.addrs.length);
  const maxRows = chained ? 1 : 3;
  // One scale for every row (the biggest heap fits its rows), so heap sizes compare by length.
  const bpp = Math.max(...compare.frames.map(({ frame }) => fitBytesPerPixel(frame, stripWidth, maxRows)));
  const step = Math.max(...compare.frames.map(({ frame }) => frame.step));
  const head = el('tr', {}, el('th', { textContent: 'policy, and what the op did' }), ...FIGURES.map((f) => el('th', { textContent: f.heading })));
  const rows = compare.frames.map(({ label: policy, frame: f }) => {
    const c = el('canvas', { className: 'compare-heap' });
    c.setAttribute('role', 'img');
    c.setAttribute('aria-label', `${policy}: heap ${f.heapSize} bytes, ${f.addrs.length} blocks, utilisation ${pct(f.metrics.utilisation)}`);
    const h = Math.min(maxRows, rowCount(f, stripWidth, bpp)) * ROW_HEIGHT;
    c.style.width = `${stripWidth}px`;
    c.style.height = `${h}px`;
    c.width = Math.round(stripWidth * dpr);
    c.height = Math.round(h * dpr);
    const ctx = c.getContext('2d');
    if (ctx) {
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      drawHeap(ctx, f, theme, { width: stripWidth, bpp, firstRow: 0, visibleRows: maxRows, selected: null });
    }
    // A run that stopped early (the user's allocator crashed) shows its last step, and says so.
    const stopped = f.step < step ? ` (its run stopped: the heap after op ${f.step + 1})` : '';
    const label = el('div', { className: 'compare-label', textContent: `${policy}${stopped}: ${f.text}` });
    const strip = el('td', { className: 'compare-strip' }, label, c);
    if (chained) strip.append(chainOf(f, theme));
    const row = el('tr', { className: 'compare-row' }, strip, ...FIGURES.map((fig) => el('td', { className: 'compare-figure', textContent: fig.cell(f) })));
    row.dataset.policy = policy;
    return row;
  });
  const table = el('table', { className: 'compare-table' }, el('thead', {}, head), el('tbody', {}, ...rows));
  box.replaceChildren(el('h2', { textContent: 'Every policy at this step' }), table);
}

/**
 * A small heap's blocks in address order, each by its owner's name (or "free") and size, coloured
 * as the strip colours it; the op's block outlined as the strip outlines it, what it split off or
 * merged dashed.
 */
function chainOf(f: FrameDto, theme: Theme): HTMLElement {
  const { block, split, merged } = f.highlight;
  const chips = Array.from(f.addrs, (at, i) => {
    const state = f.states[i];
    const owner = state === 'a' ? ownerName(f, i) : null;
    const name = state === 'a' ? (owner ?? 'allocated') : state === 'f' ? 'free' : 'used up';
    const size = f.sizes[i]!;
    const chip = el('span', { className: `chain-block chain-${state === 'a' ? 'allocated' : 'free'}`, textContent: `${name} ${size}` });
    chip.setAttribute('role', 'listitem');
    const what = state === 'a' ? `allocated${owner ? ` to ${owner}` : ''}, payload at ${addr(f.payloadAddrs[i]!)}` : state === 'f' ? 'free' : 'freed for good (the sbrk baseline never reuses it)';
    chip.title = `block at ${addr(at)}, ${size} bytes, ${what}`;
    if (state === 'a') chip.style.borderLeftColor = ownerColour(theme, owner);
    if (at === block) chip.classList.add('chain-op');
    else if (at === split || at === merged) chip.classList.add('chain-touched');
    return chip;
  });
  const chain = el('div', { className: 'compare-chain' }, ...chips);
  chain.setAttribute('role', 'list');
  chain.setAttribute('aria-label', 'the blocks in address order');
  return chain;
}
