// What the importers of allocation logs share (docs/importing.md): a log is read a line at a time
// and each allocation, resize and free becomes a `.rep` op on the block's id (blockIds.ts). What
// has no `.rep` form (a free of an address never allocated, free(NULL), an allocation that
// failed) is counted and reported, never made into an op. No object is kept per line: a log of
// ten million lines costs its live blocks and the diagnostics, which are bounded.

import type { DiagnosticSink } from '../diagnostics';
import { lineRange, type Diagnostic, type DiagnosticCode, type DiagnosticSeverity, type ImportCounts } from '../model';
import { engineSize, parseSize } from '../numbers';
import { clip } from '../text';
import { BlockIds, type AddressKey } from './blockIds';

/** Where the ops go: `malloc` gives `id` a block, `realloc` resizes (and may move) id's block, `free` frees it. */
export type OpSink = (kind: 'malloc' | 'realloc' | 'free', id: number, size: number | bigint, line: number, column: number, endColumn: number) => void;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * A size as a log writes it: decimal or `0x` hex (only hex, and `0`, when `hexOnly`: mtrace's
 * `%#lx`). A number when exact, else a bigint; a sentence when the text is not a size.
 */
export function logSize(text: string, hexOnly: boolean): number | bigint | { readonly problem: string } {
  const hex = text.length > 2 && text.charCodeAt(0) === 48 && (text.charCodeAt(1) | 32) === 120;
  if (hexOnly && !hex && text !== '0') return { problem: `The size "${clip(text, 40)}" is not one mtrace writes (hex with 0x, or 0).` };
  if (hex ? text.length <= 15 : text.length <= 15 && text.length > 0) {
    const value = hex ? Number.parseInt(text.slice(2), 16) : Number(text);
    if (Number.isSafeInteger(value) && (hex ? /^[0-9a-f]+$/i.test(text.slice(2)) : /^[0-9]+$/.test(text))) return value;
  }
  const parsed = parseSize(text, 'The size', true);
  return parsed.ok ? engineSize(parsed.value) : { problem: parsed.message };
}

/** An address as a message writes it. */
export function addressText(key: AddressKey): string {
  return `0x${typeof key === 'number' ? key.toString(16) : key}`;
}

/**
 * The shared half of an importer: the ids, the counts, the diagnostics and what each kind of
 * event does. A format's importer reads its lines (`read`), sets the line's span and calls
 * `allocated`, `freed` and `reallocated`.
 */
export abstract class LogImporter {
  protected readonly blocks = new BlockIds();
  private readonly tally: Mutable<Omit<ImportCounts, 'ids' | 'live'>> = {
    lines: 0,
    ops: 0,
    notUnderstood: 0,
    firstNotUnderstood: null,
    unknownAddresses: 0,
    freeNulls: 0,
    failed: 0,
    unfinished: 0,
    hiddenBlocks: 0,
    liveAddresses: 0,
    skipped: 0,
  };
  /** The line being read (1-based) and its text's span, where ops and diagnostics go. */
  protected line = 0;
  protected column = 1;
  protected endColumn = 1;

  constructor(
    private readonly sink: OpSink,
    private readonly diagnostics: DiagnosticSink,
  ) {}

  get counts(): ImportCounts {
    return { ...this.tally, ids: this.blocks.ids, live: this.blocks.liveCount };
  }

  /** Reads line `line` (its text without the line break). Lines come in order. */
  read(text: string, line: number): void {
    this.tally.lines = line;
    this.line = line;
    let start = 0;
    let end = text.length;
    while (start < end && text.charCodeAt(start) <= 32) start++;
    while (end > start && text.charCodeAt(end - 1) <= 32) end--;
    if (start === end) return;
    this.column = start + 1;
    this.endColumn = end + 1;
    this.readLine(start === 0 && end === text.length ? text : text.slice(start, end));
  }

  /** The end of the log: what is still under way is reported. */
  abstract finish(): void;

  /** One line, without the blanks around it, never empty. */
  protected abstract readLine(text: string): void;

  /** A block of `size` bytes at `address` (null: the allocation failed). `call`: the call as messages name it. */
  protected allocated(address: AddressKey | null, size: number | bigint, call: string): void {
    if (address === null) {
      this.failedCall(call);
      return;
    }
    this.evict(address, call);
    this.emit('malloc', this.blocks.allocate(address, this.line), size);
  }

  /** free(address); null: free(NULL). */
  protected freed(address: AddressKey | null, call: string): void {
    if (address === null) {
      this.tally.freeNulls++;
      this.report('info', 'free-null', `${call} does nothing, so it is left out of the trace (a .rep trace has no free(NULL)).`);
      return;
    }
    const id = this.blocks.release(address);
    if (id === undefined) this.unknown(address, call);
    else this.emit('free', id, 0);
  }

  /**
   * realloc(old, size) returned `address` (null: it failed, or freed the block when `size` is 0).
   * `held`: the old block's id when it was taken off its address as the call began (`take`), so
   * that another call could get that address meanwhile; undefined: look the old address up now.
   */
  protected reallocated(old: AddressKey, address: AddressKey | null, size: number | bigint, call: string, held?: number | null): void {
    const id = held === undefined ? this.blocks.move(old, null) : held;
    const frees = address === null && (size === 0 || size === 0n);
    if (id === undefined || id === null) {
      // The block from here on is known all the same: a later free of it is not unknown too.
      this.unknown(old, call);
      if (address !== null) {
        this.evict(address, call);
        this.emit('malloc', this.blocks.allocate(address, this.line), size);
      } else if (!frees) {
        this.failedCall(call);
      }
      return;
    }
    if (address === null) {
      if (frees) {
        this.blocks.releaseId(id);
        this.emit('free', id, 0);
        return;
      }
      // A failed realloc leaves the block where it was. (Were the address taken meanwhile, which
      // no allocator does, the id would stay held: it is never freed without a free op.)
      if (this.blocks.at(old) === undefined) this.blocks.attach(old, id);
      this.failedCall(call);
      return;
    }
    this.evict(address, call);
    this.blocks.attach(address, id);
    this.emit('realloc', id, size);
  }

  /** Takes the block at `address` off it while a call that may move or free it is under way: its id, or null when none is live there. */
  protected take(address: AddressKey): number | null {
    return this.blocks.move(address, null) ?? null;
  }

  /** A line this importer cannot read (this one, or an earlier `line`): an error, counted. */
  protected notUnderstood(message: string, line = this.line): void {
    this.tally.notUnderstood++;
    if (this.tally.firstNotUnderstood === null || line < this.tally.firstNotUnderstood.line) this.tally.firstNotUnderstood = { line, message };
    this.report('error', 'not-understood', message, line);
  }

  /** A line understood and left out on purpose (another function's call, a signal, `= Start`). */
  protected skip(): void {
    this.tally.skipped++;
  }

  /** A call the log starts and does not finish (or finishes without starting), on `line`. */
  protected unfinishedCall(message: string, line = this.line, severity: DiagnosticSeverity = 'warning'): void {
    this.tally.unfinished++;
    this.report(severity, 'unfinished-call', message, line);
  }

  protected report(severity: DiagnosticSeverity, code: DiagnosticCode, message: string, line = this.line, related?: Diagnostic['related']): void {
    const range = line === this.line ? lineRange(line, this.column, this.endColumn) : lineRange(line, 1, 1);
    this.diagnostics.push(related ? { range, severity, code, message, related } : { range, severity, code, message });
  }

  /** The words a message quotes a piece of the line in. */
  protected quote(text: string): string {
    return `"${clip(text, 40)}"`;
  }

  private emit(kind: 'malloc' | 'realloc' | 'free', id: number, size: number | bigint): void {
    this.tally.ops++;
    this.sink(kind, id, size, this.line, this.column, this.endColumn);
  }

  private failedCall(call: string): void {
    this.tally.failed++;
    this.report('info', 'failed-allocation', `${call} returned NULL; a .rep trace cannot ask for a failure, so it is left out (a replay decides for itself when the heap is full).`);
  }

  private unknown(address: AddressKey, call: string): void {
    this.tally.unknownAddresses++;
    this.report('warning', 'unknown-address', `${call}: the log never allocated ${addressText(address)} (or freed it already), so this is left out; blocks allocated before the log started are freed like this.`);
  }

  /** A call succeeded but the log does not show its block (`message` says why): counted and reported, no op. */
  protected hiddenBlock(message: string): void {
    this.tally.hiddenBlocks++;
    this.report('info', 'hidden-block', message);
  }

  /** An allocation returned an address that holds a live block: that block stays allocated (it leaks) under its own id. */
  private evict(address: AddressKey, call: string): void {
    const old = this.blocks.at(address);
    if (old === undefined) return;
    this.blocks.move(address, null);
    this.tally.liveAddresses++;
    this.report(
      'warning',
      'address-live',
      `${call} returned ${addressText(address)}, which still holds the block allocated on line ${old.line}: the log lost its free, or this line comes from another process (a fork has a heap of its own). That block stays allocated as id ${old.id}; this one gets an id of its own.`,
      this.line,
      [{ range: lineRange(old.line, 1, 1), message: `the block at ${addressText(address)} allocated here` }],
    );
  }
}
