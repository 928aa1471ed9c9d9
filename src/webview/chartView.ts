// The panel's charts (docs/editor.md, "The heap panel"): the metrics over the trace drawn with
// uPlot, one chart a unit (charts.ts), with axes and ticks, a readout of the figures under the
// cursor, the current op marked, click to jump there, drag to zoom into a range of ops and
// double-click (or Escape, or the reset button) to see the whole trace again.
//
// The x axis counts ops from 1, as the timeline does (op 400 is step 399). The host samples a long
// trace to a few thousand points (src/extension/frames.ts), and uPlot draws a line's points
// min/max per pixel column, so a million-op trace draws as fast as a short one. Stepping only
// moves the markers: a chart is rebuilt when the series, the theme or the font change.

import uPlot from 'uplot';
import type { MetricsDto, SeriesDto } from '../shared/protocol';
import { CHARTS, nearestSample, readout, TICK_STEPS, tickLabels, type ChartSpec, type SeriesKey, type Unit } from './charts';
import { button, el } from './dom';
import type { Theme } from './heapCanvas';

/** Charts with this key share their cursor (and zoom) in uPlot. */
const SYNC_KEY = 'heap-inspector-charts';
/** Height of a chart's plot and axes, in CSS pixels (its legend is above). */
const CHART_HEIGHT = 150;
/** Width of every chart's y axis, so the three plots line up op for op. */
const Y_AXIS_WIDTH = 76;
/** A press that moves less than this is a click; more is a drag that zooms. */
const DRAG_PX = 4;

interface Plot {
  readonly u: uPlot;
  readonly marker: HTMLDivElement;
}

export class ChartView {
  /** What main.ts places in the panel: the readout, the reset button and the charts. */
  readonly element: HTMLDivElement;
  private readonly box: HTMLDivElement;
  private readonly readoutLine: HTMLParagraphElement;
  private readonly resetButton: HTMLButtonElement;
  private plots: Plot[] = [];
  private series: SeriesDto | null = null;
  /** Each sample's op number (step + 1), the charts' x values. */
  private x: number[] = [];
  private key = '';
  private theme: Theme | null = null;
  private font = '';
  private width = 0;
  /** The current op number and its figures (the frame's, exact even between samples). */
  private op = 0;
  private metrics: MetricsDto | null = null;
  /** The sample under the cursor, or null when the cursor is off the charts. */
  private hovered: number | null = null;
  private zooming = false;

  constructor(private readonly goTo: (step: number) => void) {
    this.readoutLine = el('p', { className: 'chart-readout', role: 'status' });
    this.readoutLine.setAttribute('aria-live', 'polite');
    this.readoutLine.setAttribute('aria-atomic', 'true');
    this.resetButton = button('Show every op in the charts (Escape)', 'reset zoom', () => this.resetZoom());
    this.resetButton.classList.add('chart-reset');
    this.resetButton.hidden = true;
    this.box = el('div', { className: 'chart-box', tabIndex: 0 });
    this.box.setAttribute('role', 'group');
    this.box.setAttribute('aria-label', 'Charts of heap size, live payload, utilisation, external fragmentation and free blocks over the trace. The figures at the cursor, or at the current op, are read out above. Click to go to an op, drag to zoom into a range of ops, double-click or Escape to see them all.');
    this.box.addEventListener('keydown', (e) => {
      if (e.key !== 'Escape' || this.resetButton.hidden) return;
      e.preventDefault();
      this.resetZoom();
    });
    const bar = el('div', { className: 'chart-bar' }, this.readoutLine, this.resetButton);
    this.element = el('div', { className: 'charts' }, bar, this.box);
  }

  /** Shows `series` with op `step` current (-1: before the first op). Cheap unless the series, theme or font changed. */
  show(series: SeriesDto, step: number, metrics: MetricsDto, theme: Theme, width: number): void {
    // The theme's colours and font are read again only when main.ts read a new theme (a step does not).
    if (theme !== this.theme) {
      this.theme = theme;
      this.font = getComputedStyle(this.element).fontFamily;
    }
    const key = `${theme.fg}|${theme.muted}|${theme.palette.join()}|${this.font}`;
    if (series !== this.series || key !== this.key) {
      const range = series === this.series ? this.range() : null;
      this.build(series, theme, this.font, width);
      this.key = key;
      if (range) this.zoomTo(range.min, range.max);
    } else if (width !== this.width) {
      for (const p of this.plots) p.u.setSize({ width, height: CHART_HEIGHT });
    }
    this.width = width;
    this.op = step + 1;
    this.metrics = metrics;
    this.placeMarkers();
    this.say();
  }

  private build(series: SeriesDto, theme: Theme, font: string, width: number): void {
    for (const p of this.plots) p.u.destroy();
    this.series = series;
    this.x = series.steps.map((s) => s + 1);
    this.hovered = null;
    // Filled as they are made: a new chart's first hooks (its scale set) must not reach the old, destroyed ones.
    this.plots = [];
    CHARTS.forEach((spec, k) => this.plots.push(this.plot(spec, theme, font, width, k === CHARTS.length - 1)));
    this.box.dataset.ops = String(this.x.length);
    this.showRange();
  }

  private plot(spec: ChartSpec, theme: Theme, font: string, width: number, last: boolean): Plot {
    const s = this.series!;
    const axisFont = `11px ${font}`;
    // Each axis's tick labels, as drawn, go on the chart's element too (data-x-ticks, data-y-ticks) and into its accessible name.
    const axis = (unit: Unit | 'op', which: 'x' | 'y', label?: string): uPlot.Axis => ({
      stroke: theme.fg,
      font: axisFont,
      labelFont: axisFont,
      ...(label ? { label, labelSize: 16 } : {}),
      grid: { stroke: theme.muted, width: 1, dash: [1, 3] },
      ticks: { stroke: theme.muted, width: 1, size: 4 },
      incrs: [...TICK_STEPS[unit]],
      values: (u, splits) => {
        const labels = tickLabels(unit, splits);
        u.root.dataset[`${which}Ticks`] = labels.join(' | ');
        return labels;
      },
      ...(unit === 'op' ? { space: 60, size: 28 } : { size: Y_AXIS_WIDTH, space: 20 }),
    });
    const opts: uPlot.Options = {
      width,
      height: CHART_HEIGHT,
      pxAlign: 0,
      scales: {
        x: { time: false },
        y: spec.unit === 'ratio' ? { range: [0, 1] } : { range: (_u, _min, max) => [0, max > 0 ? max * 1.05 : 1] },
      },
      axes: [axis('op', 'x', last ? 'op' : undefined), axis(spec.unit, 'y')],
      series: [
        { label: 'op' },
        ...spec.lines.map((l) => ({ label: l.label, stroke: theme.palette[l.colour % theme.palette.length]!, width: 2, ...(l.dashed ? { dash: [6, 4] } : {}), points: { show: false } })),
      ],
      legend: { show: true, live: false, markers: { dash: (_u, i) => (spec.lines[i - 1]?.dashed ? 'dashed' : 'solid') } },
      cursor: {
        y: false,
        sync: { key: SYNC_KEY, setSeries: false },
        drag: { x: true, y: false, setScale: true, dist: DRAG_PX },
        points: { size: 7 },
      },
      hooks: {
        setCursor: [(u) => this.hover(u)],
        setScale: [(u, scaleKey) => scaleKey === 'x' && this.zoomed(u)],
        draw: [
          (u) => {
            u.root.setAttribute('aria-label', `${spec.lines.map((l) => l.label).join(' and ')}: ticks ${u.root.dataset.yTicks ?? ''}, over ops ${u.root.dataset.xTicks ?? ''}`);
            // Laid out only now (uPlot sizes its axes over a few passes): the marker goes where this layout puts the op.
            this.placeMarker(u, marker);
          },
        ],
      },
    };
    const data: uPlot.AlignedData = [this.x, ...spec.lines.map((l) => s[l.key].slice())];
    const marker = el('div', { className: 'chart-step' });
    const u = new uPlot(opts, data, this.box);
    u.root.dataset.chart = spec.id;
    u.root.setAttribute('role', 'img');
    u.over.append(marker);
    let down: number | null = null;
    u.over.addEventListener('mousedown', (e) => (down = e.button === 0 ? e.clientX : null));
    u.over.addEventListener('mouseup', (e) => {
      if (down === null || Math.abs(e.clientX - down) >= DRAG_PX) return;
      const i = this.sampleAt(u, e.clientX - u.over.getBoundingClientRect().left);
      // Op number n is step n - 1; op 0 (before the first op) is step -1.
      if (i >= 0) this.goTo(this.x[i]! - 1);
    });
    return { u, marker };
  }

  /** The sample nearest to `left` CSS pixels into a chart's plot, or -1. */
  private sampleAt(u: uPlot, left: number): number {
    return nearestSample(this.x, u.posToVal(left, 'x'));
  }

  private hover(u: uPlot): void {
    const left = u.cursor.left;
    const i = left === undefined || left < 0 ? null : this.sampleAt(u, left);
    const hovered = i === null || i < 0 ? null : i;
    if (hovered === this.hovered) return;
    this.hovered = hovered;
    this.say();
  }

  /** One chart zoomed or was reset: the others follow, the markers move, the button shows. */
  private zoomed(u: uPlot): void {
    if (this.zooming) return;
    const { min, max } = u.scales.x!;
    if (min === undefined || max === undefined) return;
    this.zooming = true;
    for (const p of this.plots) if (p.u !== u && (p.u.scales.x!.min !== min || p.u.scales.x!.max !== max)) p.u.setScale('x', { min, max });
    this.zooming = false;
    this.showRange();
    this.placeMarkers();
  }

  private range(): { min: number; max: number } | null {
    const scale = this.plots[0]?.u.scales.x;
    return scale?.min === undefined || scale.max === undefined ? null : { min: scale.min, max: scale.max };
  }

  private zoomTo(min: number, max: number): void {
    if (max > min) this.plots[0]?.u.setScale('x', { min, max });
  }

  private resetZoom(): void {
    this.zoomTo(this.x[0]!, this.x[this.x.length - 1]!);
  }

  /** The ops in view, on the box for tests and scripts, and the reset button when zoomed in. */
  private showRange(): void {
    const r = this.range();
    this.box.dataset.xMin = r ? String(r.min) : '';
    this.box.dataset.xMax = r ? String(r.max) : '';
    const first = this.x[0];
    const last = this.x[this.x.length - 1];
    this.resetButton.hidden = r === null || first === undefined || last === undefined || (r.min <= first && r.max >= last);
  }

  /** The current op's line in every chart, hidden when it is outside the ops in view. */
  private placeMarkers(): void {
    this.box.dataset.op = String(this.op);
    for (const { u, marker } of this.plots) this.placeMarker(u, marker);
  }

  private placeMarker(u: uPlot, marker: HTMLDivElement): void {
    const { min, max } = u.scales.x!;
    const inView = min !== undefined && max !== undefined && this.op >= min && this.op <= max;
    marker.hidden = !inView;
    if (inView) marker.style.transform = `translateX(${u.valToPos(this.op, 'x')}px)`;
  }

  /** The readout: the sample under the cursor, else the current op's figures. */
  private say(): void {
    const s = this.series;
    const i = this.hovered;
    let text: string;
    if (s && i !== null) {
      text = readout(this.x[i]!, (key) => s[key][i] ?? null);
      this.readoutLine.dataset.op = String(this.x[i]);
    } else if (this.metrics) {
      const m = this.metrics;
      const r = readout(this.op, (key: SeriesKey) => m[key]);
      text = this.op < 1 ? `B${r.slice(1)}` : `Current ${r}`;
      this.readoutLine.dataset.op = String(this.op);
    } else {
      text = '';
    }
    if (this.readoutLine.textContent !== text) this.readoutLine.textContent = text;
  }
}
