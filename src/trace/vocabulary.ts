// The trace layer's vocabulary, its bottom layer (it imports nothing): source ranges, diagnostics
// and their codes, pointer slots, the ops both formats parse to, settings, and the limits on a
// trace. Every problem is a diagnostic with a line, column, severity and a sentence a student
// understands.

/** A span of source text. Lines and columns are 1-based; `endColumn` is one past the last character. */
export interface SourceRange {
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
}

export type DiagnosticSeverity = 'error' | 'warning' | 'info';

/** Stable codes for what can be wrong with a trace, found while parsing or replaying it. */
export const DIAGNOSTIC_CODES = [
  // syntax and header
  'unknown-op',
  'missing-argument',
  'extra-argument',
  'bad-number',
  'negative-size',
  'size-too-large',
  'bad-name',
  'bad-string',
  'bad-setting',
  'setting-after-ops',
  'header-missing',
  'header-op-count',
  'header-id-count',
  'id-out-of-range',
  'empty-trace',
  'binary-file',
  'trace-too-long',
  // pointer lifetimes (static)
  'unknown-pointer',
  'freed-pointer',
  'double-free',
  'leak',
  'zero-size',
  // replay
  'heap-limit',
  'null-pointer',
  'calloc-overflow',
  'write-overflow',
  'write-past-request',
  'write-outside-heap',
  'heap-corrupted',
  'misaligned-payload',
  'payload-outside-heap',
  'overlapping-payloads',
  'realloc-lost-data',
  // OSTEP's model (docs/ostep.md)
  'not-in-model',
  'model-stopped',
  // your own allocator (docs/own-allocator.md)
  'payload-overwritten',
  'calloc-not-zero',
  'allocator-failed',
  'allocator-null',
  'allocator-compile',
  'checkheap-failed',
  // allocation logs imported as traces (docs/importing.md)
  'not-understood',
  'unknown-address',
  'address-live',
  'unfinished-call',
  'nested-call',
  'hidden-block',
  'failed-allocation',
  'free-null',
] as const;
export type DiagnosticCode = (typeof DIAGNOSTIC_CODES)[number];

export interface RelatedInformation {
  readonly range: SourceRange;
  readonly message: string;
}

export interface Diagnostic {
  readonly range: SourceRange;
  readonly severity: DiagnosticSeverity;
  readonly code: DiagnosticCode;
  readonly message: string;
  /** Other lines that explain this one, e.g. where the block involved was allocated. */
  readonly related?: readonly RelatedInformation[];
  /**
   * For a summary of problems not listed one by one (see BoundedDiagnostics): how many problems
   * it stands for. Absent: the diagnostic is one problem.
   */
  readonly count?: number;
  /** The obvious fix, when there is one: replace `range` with `newText`. */
  readonly fix?: { readonly title: string; readonly range: SourceRange; readonly newText: string };
}

/** A pointer variable: a `.rep` id (slot = id) or a `.heap` name. */
export type Slot = number;

/** One operation of a trace. `ptr` is the slot the result is stored in (or operated on). */
export type TraceOp =
  | { readonly kind: 'malloc'; readonly ptr: Slot; readonly size: bigint; readonly range: SourceRange }
  | { readonly kind: 'calloc'; readonly ptr: Slot; readonly count: bigint; readonly size: bigint; readonly range: SourceRange }
  /** `ptr = realloc(from, size)`; `from` null is realloc(NULL, size). In `.rep` files from === ptr. */
  | { readonly kind: 'realloc'; readonly ptr: Slot; readonly from: Slot | null; readonly size: bigint; readonly range: SourceRange }
  /** `free(ptr)`; ptr null is free(NULL). */
  | { readonly kind: 'free'; readonly ptr: Slot | null; readonly range: SourceRange }
  /** Stores `bytes` at ptr + offset. */
  | { readonly kind: 'write'; readonly ptr: Slot; readonly offset: number; readonly bytes: Uint8Array; readonly range: SourceRange }
  /** memset(ptr + offset, byte, length). */
  | { readonly kind: 'fill'; readonly ptr: Slot; readonly offset: number; readonly length: number; readonly byte: number; readonly range: SourceRange };

export type TraceOpKind = TraceOp['kind'];

/** The four integers at the top of a `.rep` file, as found. */
export interface RepHeader {
  /** Suggested heap size (or, in the 2016 edition, the weight): unused by a replay. */
  readonly first: bigint;
  readonly ids: number;
  readonly ops: number;
  /** Weight (or the 2016 edition's maximum live bytes): unused by a replay. */
  readonly fourth: bigint;
  /** The header's lines, in order (1-based). */
  readonly lines: readonly number[];
}

/** Heap settings a trace may carry (`.heap` files), each with the line that set it. */
export interface TraceSetting {
  readonly key: SettingKey;
  /** The value as written, validated. */
  readonly value: string | number | boolean | readonly number[];
  readonly range: SourceRange;
}

/**
 * The keys a script may set: the engine's configuration (engine/config.ts), `heapSize`, `baseAddr`
 * and `headerSize` of OSTEP's model (preset `ostep`, docs/ostep.md), and `answers` (`hidden`: the
 * editor keeps each op's result to itself until asked, for exercises; docs/editor.md).
 */
export const SETTING_KEYS = ['preset', 'policy', 'coalesce', 'realloc', 'wordSize', 'alignment', 'footers', 'minSplit', 'chunkSize', 'maxHeap', 'sentinels', 'freeList', 'order', 'classes', 'heapSize', 'baseAddr', 'headerSize', 'answers'] as const;
export type SettingKey = (typeof SETTING_KEYS)[number];

/** A comment kept for printing (`.heap`), with the line it sat on. */
export interface TraceComment {
  readonly line: number;
  readonly text: string;
  /** True when the comment followed code on its line. */
  readonly trailing: boolean;
}

/**
 * What a trace is read from: a malloc lab `.rep` trace, a `.heap` script, or an allocation log
 * (glibc's mtrace, ltrace's) whose addresses become `.rep` ids as it is read (docs/importing.md).
 */
export const TRACE_FORMATS = ['rep', 'heap', 'mtrace', 'ltrace'] as const;
export type TraceFormat = (typeof TRACE_FORMATS)[number];

/** Each format as messages name it. */
export const FORMAT_TITLES: Readonly<Record<TraceFormat, string>> = {
  rep: 'malloc lab trace',
  heap: '.heap script',
  mtrace: 'glibc mtrace log',
  ltrace: 'ltrace log',
};

/**
 * Whether a format's pointers are numbered ids, as in `.rep` (slot names are the ids in decimal;
 * mdriver fills each payload with its id's low byte), rather than a script's names. An imported
 * log's are: its addresses become ids.
 */
export function hasIds(format: TraceFormat): boolean {
  return format !== 'heap';
}

/** How messages name the pointer in `slot`: `id 3` in a `.rep` trace or an imported log, the name in a `.heap` script. */
export function slotName(format: TraceFormat, names: readonly string[], slot: Slot): string {
  return hasIds(format) ? `id ${names[slot] ?? slot}` : (names[slot] ?? `#${slot}`);
}

/** What the import of an allocation log found, counted exactly (the diagnostics are capped; these are not): docs/importing.md. */
export interface ImportCounts {
  /** Lines read. */
  readonly lines: number;
  /** Ops made: the `.rep` trace's op lines. */
  readonly ops: number;
  /** Ids the trace needs (the most blocks live at once). */
  readonly ids: number;
  /** Lines that could not be read, and the first of them. */
  readonly notUnderstood: number;
  readonly firstNotUnderstood: { readonly line: number; readonly message: string } | null;
  /** Frees and reallocs of addresses the log never allocated (or already freed). */
  readonly unknownAddresses: number;
  readonly freeNulls: number;
  /** Allocations and reallocs that returned NULL. */
  readonly failed: number;
  /** Calls the log starts but never finishes, or finishes without starting. */
  readonly unfinished: number;
  /** Blocks that succeeded where the log does not show them (ltrace's posix_memalign writes its block to *memptr). */
  readonly hiddenBlocks: number;
  /** Allocations that returned an address still holding a live block (a lost free, or another process's line). */
  readonly liveAddresses: number;
  /** Lines read and left out on purpose: calls of other functions, signals, exits, `= Start`, other processes. */
  readonly skipped: number;
  /** Blocks still allocated at the end of the log. */
  readonly live: number;
}

export function lineRange(line: number, column: number, endColumn: number): SourceRange {
  return { line, column, endLine: line, endColumn };
}

/**
 * The most ops a trace may have: a parser stops reading there, with an error (docs/limits.md).
 * A replayed op with its history costs about 85 bytes (its columns, its record, its lifetimes,
 * its share of the checkpoints, whose whole run's budget is 64 MiB), so this bounds a trace at
 * about 900 MB of memory (docs/memory.md, "The history of a long trace", has the measurement).
 */
export const MAX_TRACE_OPS = 10_000_000;

/** The largest legal request: sizes are 64-bit unsigned, parsed exactly. */
export const MAX_SIZE = 2n ** 64n - 1n;
