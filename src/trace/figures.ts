// How reports write figures: a ratio as a percentage, and a figure that cannot be known.

/** How a report shows a figure that cannot be computed soundly (see HeapMetrics). */
export const UNKNOWN = 'unknown';

/** A ratio as a percentage, or `unknown`. */
export function percent(ratio: number | null, digits = 2): string {
  return ratio === null ? UNKNOWN : `${(ratio * 100).toFixed(digits)}%`;
}
