// The malloc lab's score of one trace (docs/own-allocator.md, "Scores"): utilisation (peak payload
// over heap size), throughput in Kops/s, and the performance index the CS:APP driver computes,
// UTIL_WEIGHT x utilisation + (1 - UTIL_WEIGHT) x min(1, throughput / the libc target), out of 100.

import { grouped } from '../figures';

/** The CS:APP 3e handout's config.h: utilisation weighs 60%, and throughput counts up to 600 Kops/s. */
export const UTIL_WEIGHT = 0.6;
export const LIBC_KOPS = 600;

export interface LabScore {
  readonly utilisation: number | null;
  /** Ops per second of the fastest timed run, in thousands; null when not timed (a run that failed is not timed). */
  readonly throughputKops: number | null;
  /** Out of 100; null when the run failed a check or was not timed (the lab's driver gives none then either). */
  readonly perfIndex: number | null;
}

/** The performance index's two parts and their sum, out of 100, as the CS:APP driver computes them (its p1 and p2). */
export interface PerfIndex {
  readonly util: number;
  readonly thru: number;
  readonly total: number;
}

/** mdriver's index: UTIL_WEIGHT x utilisation, plus 1 - UTIL_WEIGHT scaled by the throughput against the libc target (capped at 1). */
export function perfIndexOf(utilisation: number, throughputKops: number, libcKops = LIBC_KOPS): PerfIndex {
  const p1 = UTIL_WEIGHT * utilisation;
  const p2 = (1 - UTIL_WEIGHT) * Math.min(1, throughputKops / libcKops);
  return { util: p1 * 100, thru: p2 * 100, total: (p1 + p2) * 100 };
}

export function labScore(utilisation: number | null, speed: { readonly ns: number; readonly ops: number } | null, correct: boolean): LabScore {
  const throughputKops = speed === null || speed.ns <= 0 ? null : speed.ops / (speed.ns / 1e9) / 1000;
  const perfIndex = !correct || throughputKops === null || utilisation === null ? null : perfIndexOf(utilisation, throughputKops).total;
  return { utilisation, throughputKops, perfIndex };
}

/** The score as summary rows: label and value. */
export function scoreRows(s: LabScore, notTimed: string | null = null): [string, string][] {
  return [
    ['throughput', s.throughputKops === null ? `not timed (${notTimed ?? 'the run did not go through'})` : `${grouped(Math.round(s.throughputKops))} Kops/s (the fastest of several timed runs, without recording)`],
    ['perf index', s.perfIndex === null ? 'none (it needs a correct, timed run)' : `${Math.round(s.perfIndex)}/100 (${UTIL_WEIGHT * 100} x utilisation + ${Math.round((1 - UTIL_WEIGHT) * 100)} x min(1, throughput / ${LIBC_KOPS} Kops/s))`],
  ];
}
