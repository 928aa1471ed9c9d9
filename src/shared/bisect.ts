// The one binary search, for the engine, the trace layer, the extension and the webview alike:
// the first index at which a condition starts to hold. Pure; no DOM, no Node.

/**
 * The first index `i` in `[from, n)` for which `holds(i)` is true, or `n` when it is true for
 * none. `holds` must be monotone over the range: false, ..., false, true, ..., true (as
 * `a[i] >= x` is over an ascending array: then this is C++'s `lower_bound`). O(log(n - from))
 * calls of `holds`, never with an index outside the range.
 *
 * @example firstIndex(ops.length, (i) => ops.line(i) >= line) // the first op on or after `line`
 */
export function firstIndex(n: number, holds: (i: number) => boolean, from = 0): number {
  let lo = from;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1; // indices stay below 2^32
    if (holds(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

// lowerBound and upperBound repeat firstIndex's loop with the comparison written in: they run
// inside the fit index for every op, where a closure per call is measurable.

/**
 * The first index `i` in `[from, n)` with `sorted[i] >= value`, or `n` (C++'s `lower_bound`).
 * `sorted` ascends over the range; `n` defaults to its length (a typed array used as a growable
 * buffer passes how many entries are in use).
 */
export function lowerBound(sorted: ArrayLike<number>, value: number, n = sorted.length, from = 0): number {
  let lo = from;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1; // indices stay below 2^32
    if (sorted[mid]! >= value) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * The first index `i` in `[from, n)` with `sorted[i] > value`, or `n` (C++'s `upper_bound`): the
 * place after the last entry equal to `value`, so `upperBound(...) - 1` is the last entry
 * `<= value` (-1 when there is none).
 */
export function upperBound(sorted: ArrayLike<number>, value: number, n = sorted.length, from = 0): number {
  let lo = from;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1; // indices stay below 2^32
    if (sorted[mid]! > value) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
