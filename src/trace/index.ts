// The trace layer's public surface: both formats parse to one op model, print back, convert, and
// replay through the engine with per-op records, and the read model every view reads a step from
// (HeapSource). Pure: no vscode, no Node built-ins, no DOM.

export * from './model';
export { parseRep, RepParser } from './repFormat';
export { printRep } from './repPrinter';
export type { TraceParser } from './lineParser';
export { cappedDiagnostics, mergeDiagnostics, runDiagnostics } from './diagnostics';
export { parseHeapScript, HeapScriptParser } from './heapFormat';
export { printHeapScript } from './heapPrinter';
export { analyzeLifetimes, LifetimeTracker, type Lifetime, type LifetimeAnalysis } from './lifetimes';
export { OpTable, OpTableBuilder } from './opTable';
export { parseSize, parseByteSize, parseByteSizes, formatByteSize, engineSize } from './numbers';
export { traceConfig, traceModel, OSTEP_ONLY_KEYS, type TraceConfig, type TraceConfigLayers, type TraceModel } from './traceConfig';
export { Replay, OUTCOME, applyOp, type StepRecord, type ReplayOptions } from './replay';
export { parseTrace, formatOf, traceParser } from './parseTrace';
export { runTrace, runEngine, errorCount, problemCount, type TraceRun, type EngineRun, type OstepRun, type OwnRun, type OwnConfig, type OwnProgress } from './traceRun';
export { runJson, sourceJson, formatRunSummary, formatSummary, formatHeapPicture, describeConfig, describeOwnConfig } from './report';
export { percent } from './figures';
export { Comparison, ComparisonCache, comparePolicies, comparisonOf, withOwnRow, policyRow, formatComparison, type ComparisonOptions, type ComparisonProgress, type PolicyComparison, type PolicyRow } from './comparison';
export { renderHeapBar } from './heapBar';
export { describeStep, describeStory, describeBareOp, describeRun, describeLife, INITIAL_STORY } from './describe';
export { clampStep, formatAddress, HEX_OFFSETS, mergedBlock, type AddressStyle, type BlockLife, type BlockLives, type HeapChain, type HeapSource, type HeapState, type LifeEvent, type OpEffect, type HeapEvents } from './heapSource';
export { ReplaySource, replaySource, sourceOf } from './replaySource';
export { TraceJob, PARSE_SHARE, type TraceJobPhase, type TraceJobProgress, type RunWork } from './traceJob';
export { codeBlock, codeSpan, escapeMarkdown } from './markdown';
export { JobRunner, type Job, type JobListener, type JobRunnerOptions, type JobState, type Scheduler, type SlicedWork } from './jobRunner';
export { PythonRandom } from './ostep/pythonRandom';
export { pythonInt, optparseInt } from './ostep/pythonInt';
export { OstepHeap, OSTEP_POLICIES, OSTEP_ORDERS, type OstepPolicy, type OstepOrder, type OstepChunk, type OstepHeapOptions, type OstepAlloc } from './ostep/ostepHeap';
export { OstepReplay, MAX_OSTEP_OPS } from './ostep/ostepReplay';
export { OstepSource } from './ostep/ostepSource';
export { ostepExercise, ostepFlags, exerciseProblem, OSTEP_EXERCISE_DEFAULTS, MAX_EXERCISE_OPS, type OstepExerciseOptions } from './ostep/ostepExercise';
export { OSTEP_DEFAULTS } from './ostep/ostepConfig';
export { parseOstepArgs, MAX_OSTEP_FLAG_OPS } from './ostep/ostepFlags';
export { OSTEP_PRESET, ANSWER_MODES } from './heapSettings';
export { compareOstep, formatOstepComparison, ostepVariant, type OstepRow } from './ostep/ostepCompare';
export { runOstep, drawOstepOps, parseOstepOps, type OstepDraw, type OstepDrawOptions, type OstepRunOptions, type OstepOp, type OstepOpProblem, type OstepCrash } from './ostep/ostepRun';
export { encodeOps, fillBytes, RecordingReader, OwnRecording, DRIVER_FLAGS, type DriverOptions, type Crash, type DataViolation } from './own/ownRecording';
export { OwnSource } from './own/ownSource';
export { layoutEntries, parseOwnLayout, LAYOUT_KEYS, type OwnLayout } from './own/ownLayout';
export { ownDiagnostics, type OwnRunOptions } from './own/ownChecks';
export { labScore, perfIndexOf, scoreRows, UTIL_WEIGHT, LIBC_KOPS, type LabScore, type PerfIndex } from './own/labScore';
export { labTotal, formatLabTotal, labTotalSentence, traceScore, notValid, notCompiled, type LabTotal, type LabTotalOptions, type ScoredRun, type ScoredTrace, type TraceScore } from './own/labTotal';
export { StreamDecoder, RECORDED_CALLS, EVENT_BYTES, type RecordedCall, type RecordedEvent, type StreamHeader } from './recorded/recordedStream';
export { RecordingConverter, repLine, type ConvertedEvent, type EventNote, type RecordingCounts, type RepOp } from './recorded/recordedConverter';
export { sidecarHeader, sidecarLine, formatRecordingSummary, SIDECAR_FORMAT, SIDECAR_VERSION, type RecordedImage, type RecordedProcess, type RecordingInfo } from './recorded/recordedSidecar';
export { splitCommandLine, recordingStem, type SplitCommand } from './recorded/commandLine';
