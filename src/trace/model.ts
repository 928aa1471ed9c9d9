// The one op model both trace formats parse to: the parsed `Trace`, over the vocabulary it is
// made of (vocabulary.ts, re-exported here so `./model` is the one import for a trace's types).
// vocabulary.ts is the bottom layer; the op table and the lifetimes build on it, and `Trace` on them.

import type { LifetimeAnalysis } from './lifetimes';
import type { OpTable } from './opTable';
import type { Diagnostic, ImportCounts, RepHeader, TraceComment, TraceFormat, TraceSetting } from './vocabulary';

export * from './vocabulary';

/** A parsed trace: ops that parsed, settings, and every problem found. Never partial silently. */
export interface Trace {
  readonly format: TraceFormat;
  /** The ops, in columns: `ops.at(i)` is op i. */
  readonly ops: OpTable;
  /** Display names of the slots: `.rep` ids as decimal strings, `.heap` pointer names. */
  readonly names: readonly string[];
  readonly header: RepHeader | null;
  readonly settings: readonly TraceSetting[];
  readonly comments: readonly TraceComment[];
  readonly diagnostics: readonly Diagnostic[];
  /** Each block's life: where it was allocated, resized and freed; which block each op touches. */
  readonly lifetimes: LifetimeAnalysis;
  /** Lines in the source. */
  readonly lineCount: number;
  /** An allocation log read through its importer: what the import counted (docs/importing.md). */
  readonly imported?: ImportCounts;
}
