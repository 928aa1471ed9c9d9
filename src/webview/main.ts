// The webview of the heap panel and of the study side view (body data-mode="panel" | "study").
// It owns view state only (zoom, scroll, selection, compare on/off, in getState/setState); the host
// owns the trace and the current step, and answers `ready` with a snapshot.

import { assertNever, holdsBytes, parseHostMessage, type CompareDto, type EventsDto, type FrameDto, type HostMessage, type SeriesDto, type TraceInfoDto, type ViewMessage } from '../shared/protocol';
import { renderBuddyTree } from './buddyTree';
import { describeFreeLists, drawFreeLists } from './freeLists';
import { blockAtByte, drawHeap, fitBytesPerPixel, layout, readTheme, ROW_HEIGHT, rowCount, type LaidBlock, type Theme } from './heapCanvas';
import { ChartView } from './chartView';
import { renderCompare } from './compareView';
import { blockDetails, describeBlock } from './details';
import { el, num, pct, setAddressStyle } from './dom';
import { createDiagram } from './diagram';
import { MAX_DIAGRAM_BLOCKS, opNeighbourhood } from '../shared/diagramModel';
import type { DiagramLayout } from './diagramSvg';
import { createToolbar } from './toolbar';

interface VsCodeApi {
  postMessage(message: ViewMessage): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

interface ViewState {
  /** Echo of the host's trace and step, so the host can restore the panel after a reload. */
  uri?: string;
  step?: number;
  zoom?: number;
  compare?: boolean;
  selectedAddr?: number | null;
  /** The block diagram's layout and before/after toggle. */
  diagram?: { layout?: DiagramLayout; before?: boolean };
}

const vscode = acquireVsCodeApi();
const mode = document.body.dataset.mode === 'study' ? 'study' : 'panel';
const saved = (vscode.getState() ?? {}) as ViewState;
let view: ViewState = { zoom: 1, compare: false, selectedAddr: null, ...saved };
let trace: TraceInfoDto | null = null;
let frame: FrameDto | null = null;
let series: SeriesDto | null = null;
let events: EventsDto | null = null;
let compare: CompareDto | null = null;
let theme: Theme = readTheme(document.body);
let laid: LaidBlock[] = [];
/** Whether the heap view was drawn as density (then hit tests go by address), and its geometry. */
let dense = false;
let geometry = { width: 0, bpp: 1, firstRow: 0, lastRow: 0 };
let hovered: number | null = null;
/** Where the pointer last was over the heap, to find the block under it again when a frame arrives. */
let pointer: MouseEvent | null = null;
/** A byte under the pointer that the frame's window does not hold: the host is asked for the blocks around it. */
let focus: number | null = null;

const post = (m: ViewMessage) => vscode.postMessage(m);
const save = () => vscode.setState(view);

// --- DOM ---------------------------------------------------------------------------------------

const title = el('h1', { className: 'title' });
const opLine = el('div', { className: 'op', role: 'status' });
opLine.setAttribute('aria-live', 'polite');
const story = el('p', { className: 'story' });
/** What the user's own allocator printed during the op (its debug output, its mm_checkheap's). */
const printed = el('pre', { className: 'printed' });
printed.setAttribute('aria-label', 'What your allocator printed during this op');
printed.hidden = true;
const toolbar = createToolbar(mode, { goTo, zoomBy, zoomTo, toggleCompare });
const { controls, zoomBar } = toolbar;
const canvasBox = el('div', { className: 'canvas-box' });
const canvas = el('canvas', { className: 'heap', tabIndex: 0 });
canvas.setAttribute('role', 'img');
const blockList = el('ul', { className: 'sr-only blocks' });
const freeListLines = el('ul', { className: 'free-lists' });
const buddyTree = el('canvas', { className: 'buddy-tree', hidden: true });
buddyTree.setAttribute('role', 'img');
freeListLines.setAttribute('aria-label', 'Free lists in list order');
blockList.setAttribute('aria-label', 'Blocks in view');
canvasBox.append(canvas);
const details = el('div', { className: 'details', role: 'region' });
details.setAttribute('aria-label', 'Block details');
const metrics = el('div', { className: 'metrics' });
const chartView = new ChartView((step) => goTo(step));
const charts = chartView.element;
const compareBox = el('div', { className: 'compare' });
const help = el('p', { className: 'help', textContent: toolbar.help });
const empty = el('p', { className: 'empty' });

const app = document.getElementById('app') ?? document.body;
if (mode === 'panel') {
  app.append(title, opLine, printed, controls, zoomBar, buddyTree, canvasBox, freeListLines, blockList, details, metrics, charts, compareBox, help, empty);
} else {
  app.append(title, opLine, story, printed, controls, buddyTree, canvasBox, freeListLines, blockList, metrics, details, empty);
}

/** The block diagram under the overview: the panel's of the blocks in view, the study view's of the op's block and its neighbours. */
const diagram = createDiagram(post, view.diagram ?? {}, (d) => {
  view.diagram = d;
  save();
});
canvasBox.after(diagram.element);
help.append(' · B before/after the op · L diagram layout');

// --- messages ---------------------------------------------------------------------------------

window.addEventListener('message', (event: MessageEvent) => {
  const message = parseHostMessage(event.data);
  if (message === null) return; // not ours, or malformed: ignored
  handle(message);
});

function handle(message: HostMessage): void {
  switch (message.type) {
    case 'snapshot':
      trace = message.trace;
      setAddressStyle(trace.addresses);
      series = message.series;
      events = message.events;
      if (view.uri !== trace.uri) {
        view = { ...view, uri: trace.uri, selectedAddr: null, zoom: 1 };
      }
      showFrame(message.frame, message.compare);
      break;
    case 'frame':
      showFrame(message.frame, message.compare);
      break;
    case 'empty':
      trace = frame = null;
      empty.textContent = message.message;
      render();
      break;
    case 'before':
      diagram.setBefore(message.step, message.frame);
      break;
    case 'exportRequest':
      void diagram.exportPicture(message.format);
      break;
    default:
      assertNever(message);
  }
}

function showFrame(f: FrameDto, c: CompareDto | null): void {
  frame = f;
  compare = c;
  view.step = f.step;
  save();
  render();
  // The block under a still pointer, in the new frame's drawing (a window may bring it only now).
  if (pointer) {
    hovered = hit(pointer);
    renderDetails();
  }
  toolbar.framed(f.step);
}

// --- actions ----------------------------------------------------------------------------------

function goTo(step: number): void {
  if (!trace) return;
  post({ type: 'step', step: Math.max(-1, Math.min(trace.ops - 1, step)) });
}

function zoomBy(factor: number): void {
  zoomTo((view.zoom ?? 1) * factor);
}

function zoomTo(zoom: number): void {
  view.zoom = Math.min(1, Math.max(1 / 4096, zoom));
  save();
  render();
}

function toggleCompare(): void {
  view.compare = !view.compare;
  save();
  post({ type: 'compare', on: view.compare });
  if (!view.compare) compare = null;
  render();
}

canvas.addEventListener('mousemove', (e) => {
  pointer = e;
  hovered = hit(e);
  renderDetails();
  tellView();
});
canvas.addEventListener('mouseleave', () => {
  pointer = null;
  hovered = null;
  focus = null;
  renderDetails();
});
canvas.addEventListener('click', (e) => {
  const i = hit(e);
  view.selectedAddr = i === null || !frame ? null : frame.addrs[i]!;
  save();
  render();
});
canvasBox.addEventListener('scroll', () => drawHeapView());

function hit(e: MouseEvent): number | null {
  const r = canvas.getBoundingClientRect();
  const x = e.clientX - r.left;
  const y = e.clientY - r.top;
  const firstRow = Math.floor(canvasBox.scrollTop / ROW_HEIGHT);
  const row = firstRow + Math.floor(y / ROW_HEIGHT);
  if (dense && frame) {
    // Blocks narrower than a pixel: the block under the pointer's byte (asked of the host when the window does not hold it).
    if (row > geometry.lastRow) return null;
    const byte = Math.floor((row * geometry.width + Math.max(0, x)) * geometry.bpp);
    // Kept while the window holds it, so that the frame it brings asks for nothing more.
    if (byte < frame.heapSize && !holdsBytes(frame, byte, byte + 1)) focus = byte;
    return blockAtByte(frame, byte);
  }
  let best: LaidBlock | null = null;
  for (const b of laid) {
    if (b.row !== row || b.index < 0) continue;
    const d = x < b.x ? b.x - x : x > b.x + b.w ? x - b.x - b.w : 0;
    if (d <= 3 && (best === null || d === 0)) best = b;
  }
  return best?.index ?? null;
}

// --- rendering --------------------------------------------------------------------------------

new MutationObserver(() => {
  theme = readTheme(document.body);
  render();
}).observe(document.body, { attributes: true, attributeFilter: ['class'] });
new ResizeObserver(() => render()).observe(canvasBox);

function render(): void {
  toolbar.render(trace, frame, events, view.compare === true);
  empty.hidden = trace !== null;
  charts.hidden = trace === null;
  for (const part of [controls, zoomBar, canvasBox, metrics]) part.hidden = trace === null;
  diagram.element.hidden = trace === null;
  if (!trace || !frame) {
    title.textContent = 'Heap Inspector';
    opLine.textContent = '';
    story.textContent = '';
    printed.hidden = true;
    details.textContent = '';
    blockList.replaceChildren();
    return;
  }
  // The one layout read of a render: every write below would make a later read lay out again.
  const width = Math.max(100, canvasBox.clientWidth - 4);
  title.textContent = `${trace.name} · ${trace.policyLabel} · ${trace.preset}`;
  opLine.textContent = frame.line === null ? `Before the first op: ${frame.text}` : `Line ${frame.line}: ${frame.text}`;
  story.textContent = frame.story;
  printed.hidden = frame.printed === '';
  printed.textContent = frame.printed === '' ? '' : `It printed:\n${frame.printed}`;
  const m = frame.metrics;
  metrics.textContent = `heap ${m.heapSize} B · live ${m.livePayload} B · peak ${m.peakPayload} B · utilisation ${pct(m.utilisation)} · internal frag ${num(m.internalFragmentation, ' B')} · external frag ${pct(m.externalFragmentation)} · ${num(m.freeBlocks)} free (largest ${num(m.largestFree, ' B')})${m.unknown === null ? '' : ` · unknown: ${m.unknown}`}`;
  renderBuddyTree(buddyTree, frame, theme, width);
  drawHeapView(width);
  renderDetails();
  if (mode === 'panel') {
    // The charts: rebuilt for a new series or theme only; a step moves their markers.
    if (series) chartView.show(series, frame.step, frame.metrics, theme, width);
    renderCompare(compareBox, compare, view.compare === true, width, theme);
  }
}

function drawHeapView(width = Math.max(100, canvasBox.clientWidth - 4)): void {
  if (!frame) return;
  const dpr = window.devicePixelRatio || 1;
  // Where the block diagram below will show every block, the overview is a one-row map of the
  // whole heap (the diagram is the readable view); otherwise the overview takes the rows its
  // smallest blocks need (docs/editor.md, "Block diagrams").
  const diagramHoldsAll = mode === 'panel' && frame.window.total <= MAX_DIAGRAM_BLOCKS;
  const fit = fitBytesPerPixel(frame, width, diagramHoldsAll ? 1 : undefined);
  const bpp = mode === 'study' ? fit : fit * (view.zoom ?? 1);
  const rows = rowCount(frame, width, bpp);
  const maxVisible = mode === 'study' ? Math.min(rows, 4) : Math.min(rows, 12);
  canvasBox.style.height = `${maxVisible * ROW_HEIGHT + 4}px`;
  // The box scrolls over the full height of the rows; the canvas stays in view and draws only those.
  canvasBox.style.setProperty('--rows-height', `${rows * ROW_HEIGHT}px`);
  const firstRow = Math.min(Math.floor(canvasBox.scrollTop / ROW_HEIGHT), Math.max(0, rows - maxVisible));
  canvas.style.width = `${width}px`;
  canvas.style.height = `${maxVisible * ROW_HEIGHT}px`;
  canvas.style.top = `${canvasBox.scrollTop}px`;
  canvas.width = Math.round(width * dpr);
  canvas.height = Math.round(maxVisible * ROW_HEIGHT * dpr);
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  const selected = view.selectedAddr == null ? null : frame.addrs.indexOf(view.selectedAddr);
  ({ laid, dense } = drawHeap(ctx, frame, theme, { width, bpp, firstRow, visibleRows: maxVisible, selected: selected !== null && selected >= 0 ? selected : null }));
  // Arrows over a density drawing would link blocks that are not drawn.
  if (!dense) drawFreeLists(ctx, frame, laid, theme, firstRow);
  freeListLines.replaceChildren(...describeFreeLists(frame).map((line) => el('li', { textContent: line })));
  geometry = { width, bpp, firstRow, lastRow: Math.min(rows - 1, firstRow + maxVisible - 1) };
  const span = width * bpp;
  if (mode === 'panel' && trace) diagram.update({ trace, frame, from: firstRow * span, to: (geometry.lastRow + 1) * span, theme, width, compare, scope: 'view' });
  if (mode === 'study' && trace) {
    const around = opNeighbourhood(frame);
    diagram.element.hidden = around === null;
    if (around) diagram.update({ trace, frame, ...around, theme, width, compare: null, scope: 'op' });
  }
  const w = frame.window;
  canvas.setAttribute('aria-label', `Heap of ${frame.heapSize} bytes with ${w.total} blocks (${w.allocated} allocated, ${w.free} free), rows ${firstRow + 1} to ${firstRow + maxVisible} of ${rows}`);
  renderBlockList();
  tellView();
}

/** The view last told to the host, and the timer that tells it (a scroll or a zoom tells once it settles). */
let toldView = '';
let viewTimer: ReturnType<typeof setTimeout> | undefined;

/**
 * Tells the host which bytes are in view, over how many pixel columns, and what the pointer is on,
 * when a frame holds a window of a big heap (docs/performance.md, "Windowed frames"): its next
 * frames carry the blocks there. A whole heap asks nothing.
 */
function tellView(): void {
  if (!frame || (frame.window.total === frame.addrs.length && focus === null)) return;
  const span = geometry.width * geometry.bpp;
  const m = { type: 'view' as const, from: Math.floor(geometry.firstRow * span), to: Math.ceil((geometry.lastRow + 1) * span), columns: Math.ceil(geometry.width) * (geometry.lastRow - geometry.firstRow + 1), focus };
  const key = `${m.from}:${m.to}:${m.columns}:${m.focus}`;
  if (key === toldView) return;
  clearTimeout(viewTimer);
  viewTimer = setTimeout(() => {
    toldView = key;
    post(m);
  }, 40);
}

function renderBlockList(): void {
  const items: HTMLLIElement[] = [];
  const seen = new Set<number>();
  // The first 500 blocks in view, for screen readers and tests.
  const listed = dense && frame ? layout(frame, geometry.width, geometry.bpp, geometry.firstRow, geometry.lastRow, 500) : laid;
  for (const b of listed) {
    if (b.index < 0 || seen.has(b.index) || items.length >= 500) continue;
    seen.add(b.index);
    const li = el('li', { textContent: describeBlock(frame!, b.index), tabIndex: -1 });
    li.dataset.addr = String(frame!.addrs[b.index]);
    li.dataset.size = String(frame!.sizes[b.index]);
    li.dataset.state = frame!.states[b.index]!;
    li.dataset.x = b.x.toFixed(2);
    li.dataset.w = b.w.toFixed(2);
    li.dataset.row = String(b.row);
    items.push(li);
  }
  blockList.replaceChildren(...items);
}

let detailsKey = '';

function renderDetails(): void {
  if (!frame) return;
  const selected = view.selectedAddr == null ? -1 : frame.addrs.indexOf(view.selectedAddr);
  const i = hovered ?? (selected >= 0 ? selected : null);
  // Re-render only when the block shown changes (keeps the reveal button under the pointer).
  const key = `${frame.step}:${i}:${theme.fg}`;
  if (key === detailsKey) return;
  detailsKey = key;
  if (i === null) {
    details.replaceChildren(el('span', { className: 'hint', textContent: 'Hover or click a block for its header, footer and lines.' }));
    return;
  }
  details.replaceChildren(...blockDetails(frame, i, theme, post));
}

render();
post({ type: 'ready' });
if (view.compare) post({ type: 'compare', on: true });
