// Drives a comparison of every policy on the extension host: a slice of a few milliseconds at a
// time with the event loop free in between, under a cancellable progress notification when big.

import * as vscode from 'vscode';
import { later } from './later';
import type { Comparison, ComparisonProgress } from '../trace/index';
import { SLICE_MS } from './traceSessions';

/** The notification's message and bar move at most this often. */
const PROGRESS_REPORT_MS = 100;

/** A stop condition for one slice of work from now. */
export function compareSlice(ms = SLICE_MS): () => boolean {
  const end = performance.now() + ms;
  return () => performance.now() >= end;
}

/**
 * Replays the comparison to the end, a slice at a time; true when done, false if the user
 * cancelled or `wanted()` turned false (its caller moved on to another run).
 */
export async function runComparison(comparison: Comparison, title: string, big: boolean, wanted: () => boolean = () => true): Promise<boolean> {
  const run = async (token: vscode.CancellationToken | undefined, report: (p: ComparisonProgress) => void): Promise<boolean> => {
    while (!comparison.work(compareSlice())) {
      report(comparison.progress());
      await new Promise<void>((resolve) => later(resolve));
      if (token?.isCancellationRequested || !wanted()) return false;
    }
    return true;
  };
  if (!big) return run(undefined, () => {});
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
    let shown = 0;
    let last = 0;
    return run(token, (p) => {
      const now = performance.now();
      if (now - last < PROGRESS_REPORT_MS || p.label === null) return;
      last = now;
      const percent = Math.floor(p.fraction * 100);
      progress.report({ increment: percent - shown, message: `${p.label}: ${count(p.replayed)} of ${count(p.ops)} ops (${percent}%)` });
      shown = percent;
    });
  });
}

const count = (n: number) => n.toLocaleString('en-US');
