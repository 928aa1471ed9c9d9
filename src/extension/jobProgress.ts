// The cancellable progress notification of a session's running job (src/extension/traceSessions.ts):
// it follows the job's progress a few times a second and closes when the job ends, stops or is replaced.

import * as vscode from 'vscode';
import type { Job, RunWork, TraceJobProgress } from '../trace/index';

const PROGRESS_REPORT_MS = 100; // the notification's message and bar move at most this often

/** Shows `job`'s progress, in the words `describe` gives; the notification's Cancel calls `cancel`. */
export function showJobProgress(job: Job<RunWork, unknown>, describe: (p: TraceJobProgress) => string, cancel: () => void): void {
  void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Heap Inspector', cancellable: true }, async (progress, token) => {
    const listener = token.onCancellationRequested(cancel);
    let shown = 0;
    const report = () => {
      const p = job.work.progress();
      const percent = Math.floor(p.fraction * 100);
      progress.report({ increment: percent - shown, message: describe(p) });
      shown = percent;
    };
    try {
      report();
      let next = job.next();
      while (job.running) {
        const moved = await Promise.race([next.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), PROGRESS_REPORT_MS))]);
        if (moved) next = job.next();
        if (job.running) report();
      }
    } finally {
      listener.dispose();
    }
  });
}
