// How reports write figures: a ratio as a percentage, a count with its thousands separated, and a
// figure that cannot be known.

/** How a report shows a figure that cannot be computed soundly (see HeapMetrics). */
export const UNKNOWN = 'unknown';

/** A ratio as a percentage, or `unknown`. */
export function percent(ratio: number | null, digits = 2): string {
  return ratio === null ? UNKNOWN : `${(ratio * 100).toFixed(digits)}%`;
}

/**
 * `n.toLocaleString('en-US')` (1,234,567), without it for whole numbers: the first call of
 * toLocaleString loads the locale's data, about 45 ms of a command's start (docs/performance.md,
 * "At scale"). Other numbers still go through it.
 */
export function grouped(n: number): string {
  if (!Number.isSafeInteger(n)) return n.toLocaleString('en-US');
  const digits = String(Math.abs(n));
  let out = digits.slice(0, ((digits.length - 1) % 3) + 1);
  for (let i = out.length; i < digits.length; i += 3) out += ',' + digits.slice(i, i + 3);
  return n < 0 || Object.is(n, -0) ? '-' + out : out;
}
