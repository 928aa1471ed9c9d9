// The one contract between the extension host and its webviews (the heap panel and the study side
// view): string-tagged messages both ways, the data they carry, and guards that validate every
// message, since a webview is untrusted input (and the webview checks the host's too).

/** A block's state, one character each: allocated, free, or freed but never reusable (sbrk). */
export type BlockStateChar = 'a' | 'f' | 'x';

/** Metrics after a step (docs/engine.md, "Metrics"): null where a figure is unknown (a corrupted heap), with `unknown` saying why. */
export interface MetricsDto {
  readonly livePayload: number;
  readonly peakPayload: number;
  readonly heapSize: number;
  readonly utilisation: number | null;
  readonly internalFragmentation: number | null;
  readonly externalFragmentation: number | null;
  readonly freeBlocks: number | null;
  readonly largestFree: number | null;
  readonly unknown: string | null;
}

/**
 * The heap after one step, in columns (one entry per block, in address order) so 100,000 blocks
 * stay compact. Numeric columns are typed arrays: a webview message carries them as buffers,
 * without turning a million numbers into JSON and back.
 */
export interface FrameDto {
  /** Op index; -1 is the heap before the first op. */
  readonly step: number;
  /** 1-based line of the op, or null before the first op. */
  readonly line: number | null;
  /** What the op did, in one line (the CodeLens text). */
  readonly text: string;
  /** What the op did, in a sentence or two (the side view). */
  readonly story: string;
  /** What the user's own allocator printed during the op (its debug output, its mm_checkheap's), at most MAX_PRINTED characters; '' for none. */
  readonly printed: string;
  readonly heapSize: number;
  readonly prologue: { readonly addr: number; readonly size: number } | null;
  /** Address of the epilogue header, or null. */
  readonly epilogue: number | null;
  readonly addrs: Float64Array;
  readonly sizes: Float64Array;
  /** One BlockStateChar per block. */
  readonly states: string;
  /** Bytes requested for each allocated block (0 for the others). */
  readonly requested: Float64Array;
  /** Header and footer words as stored (NaN where there is none). */
  readonly headers: Float64Array;
  readonly footers: Float64Array;
  /**
   * The same words decoded by the host: the block size each holds (NaN: no word) and its
   * allocated bit (-1: no word, 0, 1). The webview never decodes a word or infers a layout.
   */
  readonly headerSizes: Float64Array;
  readonly headerAllocated: Int8Array;
  readonly footerSizes: Float64Array;
  readonly footerAllocated: Int8Array;
  /** The pointer a program holds for each block: where its payload starts (the sbrk baseline's blocks have no header). */
  readonly payloadAddrs: Float64Array;
  /**
   * The pointer that owns each allocated block, as a number (-1: none): in a .rep trace its id
   * (named `id 12`), in a .heap script an index into `ownerNames`. Numbers rather than a string
   * a block, so that a frame of 100k blocks travels as buffers; `ownerName` gives the name.
   */
  readonly owners: Int32Array;
  /** The pointer names `owners` indexes (a .heap script's), or null when `owners` are .rep ids. */
  readonly ownerNames: readonly string[] | null;
  /** The line that allocated each allocated block, or 0 (none). */
  readonly allocLines: Int32Array;
  /** The line that frees each allocated block later in the trace, or 0 (never freed). */
  readonly freeLines: Int32Array;
  /** Payload bytes each block offers. */
  readonly payloadSizes: Float64Array;
  /** What the op touched: the block it returned or freed, what it split off or merged, what its search examined. */
  readonly highlight: {
    readonly block: number | null;
    readonly split: number | null;
    readonly merged: number | null;
    /**
     * The addresses of the blocks its search examined (as they were before the op), in the order
     * searched: ascending, or for next fit from the rover on and then from the start. A typed
     * array, as it can hold every block of the heap.
     */
    readonly examined: Float64Array;
    /** In a windowed frame, each `examined` block's place (1-based) in the whole path (null: `examined` is the whole path, places 1, 2, ...). */
    readonly examinedOrder: Int32Array | null;
    /** Blocks in the whole path (more than `examined` holds when the frame is a window). */
    readonly examinedCount: number;
    /** The old break when this op grew the heap (the new space runs from it to heapSize), else null. */
    readonly grownFrom: number | null;
  };
  /**
   * The free lists through the free blocks, each in list order from its head (none for an
   * implicit list): nodes are header addresses; next and prev the link words each node stores
   * (NaN: unreadable); rover, next fit's starting node on the list (null: the head).
   */
  readonly freeLists: readonly FreeListDto[];
  /** The buddy system's arena, whose blocks are the buddy tree's leaves (null for the other families). */
  readonly buddyArena: { readonly start: number; readonly size: number } | null;
  /** Heap checker issues and mdriver violations at this step, by address. */
  readonly problems: readonly { readonly addr: number; readonly message: string }[];
  readonly metrics: MetricsDto;
  /** Which of the heap's blocks the columns hold (a window of a big heap, or all of them), and a summary of the whole heap. */
  readonly window: WindowDto;
}

/**
 * A frame's columns hold the blocks [first, first + addrs.length) of the heap's `total`: all of a
 * small heap, else the window of those in view (docs/performance.md, "Windowed frames"). The
 * density summary covers the whole heap, so the rest is still drawn and counted.
 */
export interface WindowDto {
  readonly first: number;
  readonly total: number;
  /** Allocated and free blocks in the whole heap. */
  readonly allocated: number;
  readonly free: number;
  /** The smallest block's bytes in the whole heap (0: none). */
  readonly smallest: number;
  /** Bytes [from, to) in equal buckets: allocated and free (or never reused) bytes, and the blocks starting in each. */
  readonly density: { readonly from: number; readonly to: number; readonly allocated: Float32Array; readonly free: Float32Array; readonly blocks: Uint32Array };
}

export interface FreeListDto {
  readonly label: string;
  /** Whether the nodes store their links in the heap (next and prev); false for OSTEP's model, which keeps its list outside the heap (next and prev NaN). */
  readonly linkWords: boolean;
  readonly nodes: Float64Array;
  readonly next: Float64Array;
  readonly prev: Float64Array;
  readonly rover: number | null;
}

/** Metrics over the whole trace, sampled to at most a few thousand points, for the charts. */
export interface SeriesDto {
  /** The op index of each sample. */
  readonly steps: readonly number[];
  readonly heapSize: readonly number[];
  readonly livePayload: readonly number[];
  /** null: unknown at that step (the charts leave a gap). */
  readonly utilisation: readonly (number | null)[];
  readonly externalFragmentation: readonly (number | null)[];
  readonly freeBlocks: readonly (number | null)[];
}

/** Op indices of the events the timeline can jump to. */
export interface EventsDto {
  readonly nulls: Int32Array;
  readonly coalesces: Int32Array;
  readonly growths: Int32Array;
  readonly problems: Int32Array;
}

export interface TraceInfoDto {
  readonly uri: string;
  readonly name: string;
  readonly ops: number;
  readonly policy: string;
  /** The policy as sentences name it ("sbrk baseline", "first fit"): engine/config.ts's policyLabel. */
  readonly policyLabel: string;
  readonly preset: string;
  /** How addresses are written: offsets from the heap's start plus `base`, in hex (the engine: base 0) or decimal (OSTEP's model: base 1000). */
  readonly addresses: { readonly base: number; readonly radix: 10 | 16 };
}

/** The same trace under several policies at the same step. */
export interface CompareDto {
  /** `label`: the policy as sentences name it (policyLabel). */
  readonly frames: readonly { readonly policy: string; readonly label: string; readonly frame: FrameDto }[];
}

export const EVENT_KINDS = ['nulls', 'coalesces', 'growths', 'problems'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

/** Host -> webview. */
export type HostMessage =
  /** Everything a view needs, sent on `ready` and when the trace or its run changes. */
  | { readonly type: 'snapshot'; readonly trace: TraceInfoDto; readonly frame: FrameDto; readonly series: SeriesDto; readonly events: EventsDto; readonly compare: CompareDto | null }
  /** The current step moved. */
  | { readonly type: 'frame'; readonly frame: FrameDto; readonly compare: CompareDto | null }
  /** No trace to show, and why. */
  | { readonly type: 'empty'; readonly message: string }
  /** The heap before op `step` (the frame of step - 1; null before the first op), asked for by `before`. */
  | { readonly type: 'before'; readonly step: number; readonly frame: FrameDto | null }
  /** The Export Diagram commands: the panel answers with `export`. */
  | { readonly type: 'exportRequest'; readonly format: ExportFormat };

/** Webview -> host. */
export type ViewMessage =
  /** The view has loaded and wants a snapshot. */
  | { readonly type: 'ready' }
  /** Go to this op index (-1: before the first op). */
  | { readonly type: 'step'; readonly step: number }
  /** Show this line of the trace in the editor. */
  | { readonly type: 'revealLine'; readonly line: number }
  /** Show or hide the side-by-side policy comparison. */
  | { readonly type: 'compare'; readonly on: boolean }
  /** Send the heap before op `step` (the diagram's before/after toggle). */
  | { readonly type: 'before'; readonly step: number }
  /** The heap's bytes [from, to) are in view over `columns` pixel columns, the pointer on byte `focus` (or null): frames carry the blocks there. */
  | { readonly type: 'view'; readonly from: number; readonly to: number; readonly columns: number; readonly focus: number | null }
  /** Save this picture of the heap at `step`: an SVG document, or a PNG as base64. */
  | { readonly type: 'export'; readonly format: ExportFormat; readonly step: number; readonly data: string };

export type ExportFormat = 'svg' | 'png';

/** The most characters an exported picture may carry (an SVG document, or a PNG in base64). */
export const MAX_EXPORT_CHARS = 32 * 1024 * 1024;

/** The name of the pointer that owns block `i` of a frame, or null (none, or a number out of range). */
export function ownerName(frame: FrameDto, i: number): string | null {
  const owner = frame.owners[i];
  if (owner === undefined || owner < 0) return null;
  if (frame.ownerNames === null) return `id ${owner}`;
  return frame.ownerNames[owner] ?? null;
}

/** Whether a frame's columns hold every block that overlaps the bytes [from, to): always for a whole frame, for a window only within its blocks' bytes. */
export function holdsBytes(frame: FrameDto, from: number, to: number): boolean {
  const n = frame.addrs.length;
  const { first, total } = frame.window;
  if (n === total) return true;
  if (n === 0) return false;
  return (first === 0 || frame.addrs[0]! <= from) && (first + n === total || frame.addrs[n - 1]! + frame.sizes[n - 1]! >= to);
}

/** The list block `addr` is a node of (of a frame's or a read model's lists), its place in it and the link words it stores; null when it is on no list. */
export function listNodeOf(heap: { readonly freeLists: readonly FreeListDto[] }, addr: number): { list: FreeListDto; position: number; next: number; prev: number } | null {
  for (const list of heap.freeLists) {
    const position = list.nodes.indexOf(addr);
    if (position >= 0) return { list, position, next: list.next[position]!, prev: list.prev[position]! };
  }
  return null;
}

/** A link word as stored, for people: 0 is the null link (the list's end). */
export function linkWordText(word: number, hex: (n: number) => string): string {
  return Number.isNaN(word) ? 'unreadable' : word === 0 ? '0x0 (null: end of the list)' : hex(word);
}

export function assertNever(value: never): never {
  throw new Error(`unexpected message: ${JSON.stringify(value)}`);
}

const isInt = (v: unknown, min: number, max: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;

/** The message if it is a well-formed ViewMessage, else null. Never throws. */
export function parseViewMessage(raw: unknown): ViewMessage | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const m = raw as Record<string, unknown>;
  switch (m.type) {
    case 'ready':
      return { type: 'ready' };
    case 'step':
      return isInt(m.step, -1, 2 ** 31) ? { type: 'step', step: m.step } : null;
    case 'revealLine':
      return isInt(m.line, 1, 2 ** 31) ? { type: 'revealLine', line: m.line } : null;
    case 'compare':
      return typeof m.on === 'boolean' ? { type: 'compare', on: m.on } : null;
    case 'before':
      return isInt(m.step, -1, 2 ** 31) ? { type: 'before', step: m.step } : null;
    case 'export':
      return parseExport(m);
    case 'view':
      return parseView(m);
    default:
      return null;
  }
}

/** The most pixel columns a view says it draws (a 8K screen's width times its rows). */
const MAX_VIEW_COLUMNS = 2 ** 20;

/** A view's byte range, clamped to whole bytes from 0 within 2^40, with `to` past `from`; columns within 1..MAX_VIEW_COLUMNS. */
function parseView(m: Record<string, unknown>): ViewMessage | null {
  const { from, to, columns, focus } = m;
  const byte = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? Math.min(2 ** 40, Math.max(0, Math.floor(v))) : null);
  const f = byte(from);
  const t = byte(to);
  const c = byte(columns);
  if (f === null || t === null || c === null || t <= f || (focus !== null && byte(focus) === null)) return null;
  return { type: 'view', from: f, to: t, columns: Math.max(1, Math.min(MAX_VIEW_COLUMNS, c)), focus: focus === null ? null : byte(focus) };
}

/** An exported picture only if it is one: an SVG document's text, or base64 that starts as a PNG file does, within MAX_EXPORT_CHARS. */
function parseExport(m: Record<string, unknown>): ViewMessage | null {
  const { format, data, step } = m;
  if ((format !== 'svg' && format !== 'png') || typeof data !== 'string' || data.length > MAX_EXPORT_CHARS || !isInt(step, -1, 2 ** 31)) return null;
  const ok = format === 'svg' ? /^(<\?xml[^>]*>\s*)?<svg[\s>]/.test(data) && data.trimEnd().endsWith('</svg>') : data.startsWith('iVBORw0KGgo') && /^[A-Za-z0-9+/]*={0,2}$/.test(data);
  return ok ? { type: 'export', format, step, data } : null;
}

function isFrame(f: unknown): f is FrameDto {
  if (typeof f !== 'object' || f === null) return false;
  const x = f as Record<string, unknown>;
  const n = x.addrs instanceof Float64Array ? x.addrs.length : -1;
  return (
    isInt(x.step, -1, 2 ** 31) &&
    typeof x.text === 'string' &&
    typeof x.story === 'string' &&
    typeof x.printed === 'string' &&
    x.printed.length <= MAX_PRINTED + 100 &&
    typeof x.heapSize === 'number' &&
    n >= 0 &&
    typeof x.states === 'string' &&
    x.states.length === n &&
    [x.sizes, x.requested, x.headers, x.footers, x.headerSizes, x.footerSizes, x.payloadAddrs, x.payloadSizes].every((a) => a instanceof Float64Array && a.length === n) &&
    [x.addrs, x.sizes].every((a) => allAddresses(a as Float64Array)) &&
    [x.headerAllocated, x.footerAllocated].every((a) => a instanceof Int8Array && a.length === n) &&
    [x.allocLines, x.freeLines].every((a) => a instanceof Int32Array && a.length === n) &&
    x.owners instanceof Int32Array &&
    x.owners.length === n &&
    (x.ownerNames === null || (Array.isArray(x.ownerNames) && x.ownerNames.every((name) => typeof name === 'string'))) &&
    isHighlight(x.highlight) &&
    isWindow(x.window, n) &&
    Array.isArray(x.freeLists) &&
    x.freeLists.length <= MAX_FREE_LISTS &&
    x.freeLists.every(isFreeList) &&
    isArena(x.buddyArena) &&
    Array.isArray(x.problems) &&
    x.problems.every((p) => typeof p === 'object' && p !== null && typeof (p as Record<string, unknown>).addr === 'number' && typeof (p as Record<string, unknown>).message === 'string') &&
    isMetrics(x.metrics)
  );
}

/** A search path and, for a window's, each step's place in the whole path and the path's length. */
function isHighlight(h: unknown): boolean {
  if (typeof h !== 'object' || h === null) return false;
  const { examined, examinedOrder, examinedCount } = h as Record<string, unknown>;
  if (!(examined instanceof Float64Array)) return false;
  return (examinedOrder === null || (examinedOrder instanceof Int32Array && examinedOrder.length === examined.length)) && isInt(examinedCount, examined.length, 2 ** 31);
}

/** A window within its heap's blocks, and a density summary of equal-length buckets. */
function isWindow(w: unknown, n: number): w is WindowDto {
  if (typeof w !== 'object' || w === null) return false;
  const x = w as Record<string, unknown>;
  const d = x.density as Record<string, unknown> | null;
  const buckets = typeof d === 'object' && d !== null && d.allocated instanceof Float32Array ? d.allocated.length : -1;
  return (
    isInt(x.total, n, 2 ** 31) &&
    isInt(x.first, 0, (x.total as number) - n) &&
    [x.allocated, x.free, x.smallest].every((v) => isInt(v, 0, 2 ** 31)) &&
    buckets > 0 &&
    d!.free instanceof Float32Array &&
    d!.free.length === buckets &&
    d!.blocks instanceof Uint32Array &&
    d!.blocks.length === buckets &&
    typeof d!.from === 'number' &&
    typeof d!.to === 'number' &&
    (d!.to as number) > (d!.from as number)
  );
}

/** The most of an op's printed output a frame carries. */
export const MAX_PRINTED = 2000;

/** More lists than any family keeps (a segregated list's classes, a buddy system's orders) is not a frame the host made. */
const MAX_FREE_LISTS = 64;

/** Whole, non-negative, finite numbers: what block addresses, sizes and list nodes are (a frame's columns of 100k blocks checked in well under a millisecond). */
function allAddresses(a: Float64Array): boolean {
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!;
    if (!(v >= 0 && v <= 2 ** 31 && Number.isInteger(v))) return false;
  }
  return true;
}

function isFreeList(l: unknown): l is FreeListDto {
  if (typeof l !== 'object' || l === null) return false;
  const x = l as Record<string, unknown>;
  const n = x.nodes instanceof Float64Array && allAddresses(x.nodes) ? x.nodes.length : -1;
  return typeof x.label === 'string' && x.label.length <= 80 && typeof x.linkWords === 'boolean' && n >= 0 && [x.next, x.prev].every((a) => a instanceof Float64Array && a.length === n) && (x.rover === null || (typeof x.rover === 'number' && Number.isFinite(x.rover)));
}

/** An arena is a power of two of bytes from a whole-number start; orders above 2^30 are no heap the engine makes. */
function isArena(a: unknown): boolean {
  if (a === null) return true;
  if (typeof a !== 'object') return false;
  const { start, size } = a as Record<string, unknown>;
  return isInt(start, 0, 2 ** 31) && isInt(size, 1, 2 ** 31) && ((size as number) & ((size as number) - 1)) === 0;
}

/** A base address within 2^40 (OSTEP's model numbers its heap from one) and a radix the views write. */
function isAddressStyle(a: unknown): boolean {
  if (typeof a !== 'object' || a === null) return false;
  const { base, radix } = a as Record<string, unknown>;
  return isInt(base, 0, 2 ** 40) && (radix === 10 || radix === 16);
}

function isMetrics(m: unknown): m is MetricsDto {
  if (typeof m !== 'object' || m === null) return false;
  const x = m as Record<string, unknown>;
  const figure = (v: unknown) => v === null || (typeof v === 'number' && Number.isFinite(v));
  return (
    [x.livePayload, x.peakPayload, x.heapSize].every((v) => typeof v === 'number' && Number.isFinite(v)) &&
    [x.utilisation, x.internalFragmentation, x.externalFragmentation, x.freeBlocks, x.largestFree].every(figure) &&
    (x.unknown === null || typeof x.unknown === 'string')
  );
}

/** More samples than the host sends (a few thousand, src/extension/frames.ts) is not a series it made. */
const MAX_SERIES_POINTS = 100_000;

/** Equal-length columns over whole, rising op indices; finite figures, null only where a figure may be unknown. */
function isSeries(s: unknown): s is SeriesDto {
  if (typeof s !== 'object' || s === null) return false;
  const x = s as Record<string, unknown>;
  const steps = x.steps;
  if (!Array.isArray(steps) || steps.length > MAX_SERIES_POINTS) return false;
  for (let i = 0; i < steps.length; i++) if (!isInt(steps[i], 0, 2 ** 31) || (i > 0 && steps[i] <= steps[i - 1])) return false;
  const column = (c: unknown, nullable: boolean) => Array.isArray(c) && c.length === steps.length && c.every((v) => (nullable && v === null) || (typeof v === 'number' && Number.isFinite(v)));
  return column(x.heapSize, false) && column(x.livePayload, false) && [x.utilisation, x.externalFragmentation, x.freeBlocks].every((c) => column(c, true));
}

/** Every kind of event a list of op indices (typed: a long trace has millions). */
function isEvents(e: unknown): e is EventsDto {
  if (typeof e !== 'object' || e === null) return false;
  const x = e as Record<string, unknown>;
  return EVENT_KINDS.every((k) => x[k] instanceof Int32Array);
}

/** The message if it is a well-formed HostMessage, else null (the webview's own guard). */
export function parseHostMessage(raw: unknown): HostMessage | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const m = raw as Record<string, unknown>;
  const compareOk = m.compare === null || m.compare === undefined || (typeof m.compare === 'object' && Array.isArray((m.compare as { frames?: unknown }).frames) && (m.compare as { frames: unknown[] }).frames.every((f) => typeof f === 'object' && f !== null && isFrame((f as { frame?: unknown }).frame)));
  switch (m.type) {
    case 'snapshot': {
      const t = m.trace as Record<string, unknown> | null;
      const ok = typeof t === 'object' && t !== null && typeof t.uri === 'string' && typeof t.name === 'string' && isInt(t.ops, 0, 2 ** 31) && isAddressStyle(t.addresses) && isFrame(m.frame) && isSeries(m.series) && isEvents(m.events) && compareOk;
      return ok ? (m as unknown as HostMessage) : null;
    }
    case 'frame':
      return isFrame(m.frame) && compareOk ? (m as unknown as HostMessage) : null;
    case 'empty':
      return typeof m.message === 'string' ? { type: 'empty', message: m.message } : null;
    case 'before':
      return isInt(m.step, -1, 2 ** 31) && (m.frame === null || isFrame(m.frame)) ? { type: 'before', step: m.step, frame: m.frame as FrameDto | null } : null;
    case 'exportRequest':
      return m.format === 'svg' || m.format === 'png' ? { type: 'exportRequest', format: m.format } : null;
    default:
      return null;
  }
}
