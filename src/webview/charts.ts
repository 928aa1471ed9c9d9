// Small line charts of the metrics over the whole trace, with the current step marked.

import type { SeriesDto } from '../shared/protocol';
import type { Theme } from './heapCanvas';

const ROWS: readonly { key: keyof Omit<SeriesDto, 'steps'>; label: string; ratio?: boolean }[] = [
  { key: 'heapSize', label: 'heap size' },
  { key: 'livePayload', label: 'live payload' },
  { key: 'utilisation', label: 'utilisation', ratio: true },
  { key: 'externalFragmentation', label: 'external fragmentation', ratio: true },
  { key: 'freeBlocks', label: 'free blocks' },
];

export function drawCharts(ctx: CanvasRenderingContext2D, series: SeriesDto, step: number, theme: Theme, width: number, height: number): void {
  ctx.clearRect(0, 0, width, height);
  const n = series.steps.length;
  const rowH = height / ROWS.length;
  ctx.font = '11px sans-serif';
  ROWS.forEach((row, r) => {
    const values = series[row.key];
    const top = r * rowH;
    const max = row.ratio ? 1 : largest(values);
    ctx.fillStyle = theme.muted;
    ctx.fillText(`${row.label} (max ${row.ratio ? '100%' : max})`, 4, top + 12);
    ctx.strokeStyle = theme.palette[r % theme.palette.length]!;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    // An unknown value (null: the heap was corrupted) leaves a gap in the line.
    let drawing = false;
    for (let k = 0; k < n; k++) {
      const v = values[k];
      if (v === null || v === undefined) {
        drawing = false;
        continue;
      }
      const x = n === 1 ? width / 2 : (k / (n - 1)) * (width - 2) + 1;
      const y = top + rowH - 4 - (v / max) * (rowH - 20);
      if (drawing) ctx.lineTo(x, y);
      else ctx.moveTo(x, y);
      drawing = true;
    }
    ctx.stroke();
  });
  // The current step.
  if (n > 0 && step >= 0) {
    let k = 0;
    while (k + 1 < n && series.steps[k + 1]! <= step) k++;
    const x = n === 1 ? width / 2 : (k / (n - 1)) * (width - 2) + 1;
    ctx.fillStyle = theme.focus;
    ctx.fillRect(x - 1, 0, 2, height);
  }
}

/** The largest value (at least 1), unknowns skipped; a loop, as a spread of every sample into Math.max has a size limit. */
function largest(values: readonly (number | null)[]): number {
  let max = 1;
  for (const v of values) if (v !== null && v > max) max = v;
  return max;
}
