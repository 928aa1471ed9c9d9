// The trace layer's public surface: both formats parse to one op model, print back, convert, and
// replay through the engine with per-op records. Pure: no vscode, no Node built-ins, no DOM.

export * from './model';
export { parseRep, printRep, RepParser, type TraceParser } from './repFormat';
export { cappedDiagnostics, mergeDiagnostics, sortDiagnostics, runDiagnostics } from './diagnostics';
export { parseHeapScript, printHeapScript, HeapScriptParser } from './heapFormat';
export { analyzeLifetimes, LifetimeTracker, type Lifetime, type LifetimeAnalysis } from './lifetimes';
export { OpTable, OpTableBuilder } from './opTable';
export { parseSize, parseByteSize, formatByteSize, engineSize } from './numbers';
export { traceConfig, type TraceConfig, type TraceConfigLayers } from './traceConfig';
export { Replay, OUTCOME, applyOp, type StepRecord, type ReplayOptions } from './replay';
export { parseTrace, formatOf, traceParser } from './parseTrace';
export { runTrace, runJson, formatRunSummary, formatHeapPicture, comparePolicies, comparisonOf, policyRow, formatComparison, describeConfig, errorCount, problemCount, percent, type TraceRun, type PolicyComparison, type PolicyRow } from './report';
export { renderHeapBar } from './heapBar';
export { describeStep, describeRun, describeLifetime } from './describe';
export { TraceJob, PARSE_SHARE, type TraceJobPhase, type TraceJobProgress } from './traceJob';
export { codeSpan, escapeMarkdown } from './markdown';
export { JobRunner, type Job, type JobListener, type JobRunnerOptions, type JobState, type Scheduler, type SlicedWork } from './jobRunner';
