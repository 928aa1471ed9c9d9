// Block lives (heapSource.ts's BlockLives) from a trace's pointer lifetimes, with each op's result
// read from whichever source ran it: the one shape every source's `lives()` shares.

import type { BlockLife, BlockLives, LifeEvent } from './heapSource';
import type { LifetimeAnalysis } from './lifetimes';
import type { Trace } from './model';

/** What op `i` returned, or null when it has not run (yet). */
export type LifeResult = (i: number) => LifeEvent['result'];

export class LifetimeLives implements BlockLives {
  constructor(
    private readonly trace: Trace,
    private readonly analysis: LifetimeAnalysis,
    private readonly resultOf: LifeResult,
  ) {}

  get count(): number {
    return this.analysis.lifetimes.count;
  }

  of(step: number): number {
    return this.analysis.lifetimeOfOp[step] ?? -1;
  }

  at(k: number): BlockLife {
    const { lifetimes } = this.analysis;
    const t = lifetimes.at(k);
    return { slot: t.slot, allocated: this.event(t.start), reallocs: t.reallocs.map((r) => this.event(r)), freed: t.end < 0 ? null : this.event(t.end), lastStep: lifetimes.lastOp(k) };
  }

  private event(i: number): LifeEvent {
    const op = this.trace.ops.at(i);
    const requested = op.kind === 'calloc' ? op.count * op.size : 'size' in op ? op.size : 0n;
    return { step: i, line: op.range.line, requested, result: this.resultOf(i) };
  }
}
