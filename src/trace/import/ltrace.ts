// ltrace's log of the allocation functions (docs/importing.md), a line at a time:
//
//   [PID] [TIME] [[IP]] [LIB->]malloc(24)                 = 0x55d0c2a6b2a0   [<DURATION>]
//   calloc(4, 8) = ...   realloc(0x..., 100) = ...   free(0x...) = <void>
//   reallocarray(PTR, N, SIZE), memalign(ALIGN, SIZE), aligned_alloc(ALIGN, SIZE), valloc(SIZE),
//   pvalloc(SIZE), posix_memalign(MEMPTR, ALIGN, SIZE) = 0 (its block is written to *MEMPTR,
//   which ltrace does not show)
//   PID malloc(8 <unfinished ...>         a call another task's lines interrupt (-f; PID is
//                                         `[pid PID]` when ltrace writes to stderr)
//   PID <... malloc resumed> )  = 0x...   and its end
//   PID malloc(8 <no return ...>          a call ltrace did not expect back (it may come back)
//   --- SIGCHLD (Child exited) ---        +++ exited (status 0) +++
//
// PID comes with -f, TIME with -t (05:09:56), -tt (05:09:56.977298), -ttt (1796447396.571286)
// or -r (0.000228), IP with -i, DURATION with -T. Functions ltrace has no prototype for show
// extra arguments, which are ignored. Calls of other functions, signals and exits are skipped.
// A free takes effect where it is called and an allocation where it returns, so another task's
// call in between sees the heap as it was; a call that returns a block an allocation function it
// called has returned already (reallocarray calling realloc) is that block, counted once.

import type { DiagnosticSink } from '../diagnostics';
import { MAX_SIZE } from '../model';
import { addressKey, type AddressKey } from './blockIds';
import { LogImporter, logSize, type OpSink } from './logImporter';
import { grouped } from '../figures';

/** Each function read, with what its arguments are. */
const FUNCTIONS = {
  malloc: ['size'],
  calloc: ['count', 'size'],
  realloc: ['pointer', 'size'],
  reallocarray: ['pointer', 'count', 'size'],
  free: ['pointer'],
  memalign: ['alignment', 'size'],
  aligned_alloc: ['alignment', 'size'],
  valloc: ['size'],
  pvalloc: ['size'],
  posix_memalign: ['out', 'alignment', 'size'],
} as const;
type Fn = keyof typeof FUNCTIONS;

/**
 * PID, time stamp and instruction pointer before a call, each optional (the source detection
 * shares). With -f the PID is `PID ` in a log written with -o and `[pid PID] ` on stderr.
 */
export const LTRACE_PREFIX = String.raw`(?:(?:(\d+)|\[pid (\d+)\])\s+)?(?:(?:\d+:\d\d:\d\d(?:\.\d+)?|\d+\.\d+)\s+)?(?:\[(?:0x)?[0-9a-f]+\]\s+)?`;
const PREFIX = new RegExp(`^${LTRACE_PREFIX}`, 'i');
/** -T's time spent in the call, at the end. */
const DURATION = /\s+<\d+\.\d+>$/;
const CALL = /^(?:[^\s(]*?->)?([A-Za-z_][\w.]*)(?:@[\w.+-]*)?\((.*)$/;
const RESUMED = /^<\.\.\. ([A-Za-z_][\w.]*)(?:@[\w.+-]*)? resumed>(.*)$/;
const RETURNED = /^(.*?)\)\s*=\s*(\S+)$/;
const UNDER_WAY = /^(.*?)\s*<(unfinished|no return) \.\.\.>$/;
/** How ltrace writes NULL. */
const NULLS = new Set(['0', '0x0', 'nil', '(nil)', 'NULL']);
/** Calls under way at once, over every task: more is a hostile log, not a program. */
const MAX_UNDER_WAY = 65_536;

/** A call of an allocation function that another line interrupted. */
interface UnderWay {
  readonly fn: Fn;
  readonly args: string;
  readonly line: number;
  /**
   * realloc: the old block's address, and its id, taken off that address as the call began (null:
   * none was live there, or a call it made itself freed or resized that block).
   */
  readonly old: AddressKey | null;
  held: number | null;
  /** An allocation function returned while this call was under way: this call wraps it. */
  nested: boolean;
}

export interface LtraceOptions {
  /** Read only these tasks' lines (-f's PID column); the others are skipped. */
  readonly pids?: ReadonlySet<number>;
}

/** The importer of an ltrace log of the allocation functions. */
export class LtraceImporter extends LogImporter {
  /** Calls under way, by task (0 without a PID column), innermost last. */
  private readonly underWay = new Map<number, UnderWay[]>();
  private underWayCount = 0;

  constructor(
    sink: OpSink,
    diagnostics: DiagnosticSink,
    private readonly options: LtraceOptions = {},
  ) {
    super(sink, diagnostics);
  }

  finish(): void {
    for (const pid of [...this.underWay.keys()]) this.ended(pid, 'the log ends');
  }

  protected readLine(text: string): void {
    const prefix = PREFIX.exec(text)!;
    const pid = Number(prefix[1] ?? prefix[2] ?? 0);
    if (this.options.pids && !this.options.pids.has(pid)) {
      this.skip();
      return;
    }
    const body = text.slice(prefix[0].length).replace(DURATION, '');
    if (body.startsWith('--- ') || body === '---') {
      this.skip(); // a signal
      return;
    }
    if (body.startsWith('+++ ')) {
      this.skip(); // the task exited or was killed: its calls under way never return
      this.ended(pid, `task ${pid} ended`);
      return;
    }
    const resumed = RESUMED.exec(body);
    if (resumed) {
      this.resume(pid, resumed[1]!, resumed[2]!);
      return;
    }
    const call = CALL.exec(body);
    if (!call) {
      this.notUnderstood(`${this.quote(text)} is not an ltrace line: one is "[PID] [TIME] FUNCTION(ARGS) = VALUE", "FUNCTION(ARGS <unfinished ...>", "<... FUNCTION resumed> ARGS) = VALUE", a signal (---) or an exit (+++).`);
      return;
    }
    const name = call[1]!;
    const rest = call[2]!;
    if (!(name in FUNCTIONS)) {
      this.skip();
      return;
    }
    const fn = name as Fn;
    const done = RETURNED.exec(rest);
    if (done) {
      this.call(pid, fn, done[1]!, done[2]!, null);
      return;
    }
    const underWay = UNDER_WAY.exec(rest);
    if (underWay) {
      this.begin(pid, fn, underWay[1]!);
      return;
    }
    this.notUnderstood(`The call ${this.quote(body)} neither returns ("= VALUE") nor is under way ("<unfinished ...>"): the line is cut short?`);
  }

  /** A call of `fn` that started on this line and is interrupted: a free takes effect now, a realloc's old block is taken off its address. */
  private begin(pid: number, fn: Fn, args: string): void {
    if (this.underWayCount >= MAX_UNDER_WAY) {
      this.unfinishedCall(`More than ${grouped(MAX_UNDER_WAY)} calls are under way at once; this one is left out.`);
      return;
    }
    let old: AddressKey | null = null;
    let held: number | null = null;
    if (fn === 'free' || fn === 'realloc' || fn === 'reallocarray') {
      const values = this.values(fn, args);
      if (values === null) return;
      this.reclaim(pid, values.pointer);
      if (fn === 'free') this.freed(values.pointer, `${fn}(${args})`);
      else if ((old = values.pointer) !== null) held = this.take(old);
    }
    let stack = this.underWay.get(pid);
    if (!stack) this.underWay.set(pid, (stack = []));
    stack.push({ fn, args, line: this.line, old, held, nested: false });
    this.underWayCount++;
  }

  /** `<... fn resumed> REST`: the end of the innermost call of `fn` under way in this task. */
  private resume(pid: number, name: string, rest: string): void {
    if (!(name in FUNCTIONS)) {
      this.skip();
      return;
    }
    const done = RETURNED.exec(rest);
    if (!done) {
      this.notUnderstood(`The end of a call, ${this.quote(rest)}, has no "= VALUE".`);
      return;
    }
    const stack = this.underWay.get(pid);
    const at = stack ? stack.map((c) => c.fn).lastIndexOf(name as Fn) : -1;
    if (!stack || at < 0) {
      this.unfinishedCall(`${name} resumes here but its start is not in the log${pid !== 0 ? ` for task ${pid}` : ''}, so what it was asked is not known; it is left out.`);
      return;
    }
    const started = stack.splice(at, 1)[0]!;
    this.underWayCount--;
    if (stack.length === 0) this.underWay.delete(pid);
    const args = [started.args.replace(/,\s*$/, ''), done[1]!].filter((a) => a.trim() !== '').join(', ');
    if (started.fn === 'free') {
      this.markNested(pid);
      return; // done where it began
    }
    this.call(pid, started.fn, args, done[2]!, started);
  }

  /** `fn(args) = value`, all at once or ending a call `started` earlier. */
  private call(pid: number, fn: Fn, args: string, value: string, started: UnderWay | null): void {
    const name = `${fn}(${args})`;
    const values = this.values(fn, args);
    if (values === null) {
      this.putBack(started);
      return;
    }
    if (started === null) this.reclaim(pid, values.pointer);
    if (fn === 'free') {
      if (value !== '<void>') this.notUnderstood(`free returns nothing ("= <void>"), not ${this.quote(value)}.`);
      else this.freed(values.pointer, name);
      this.markNested(pid);
      return;
    }
    if (started?.nested) {
      // It wraps a call that this log has counted already (reallocarray calling realloc).
      this.putBack(started);
      this.report('info', 'nested-call', `${name} made its block by calling an allocation function whose line comes before this one; that call is the one counted.`, this.line, [{ range: { line: started.line, column: 1, endLine: started.line, endColumn: 1 }, message: `${fn} called here` }]);
      return;
    }
    this.markNested(pid);
    if (fn === 'posix_memalign') {
      if (value === '0') this.hiddenBlock(`${name} succeeded, but its block is written to *memptr, which ltrace does not show; it is left out (free of it will be an unknown address).`);
      else this.allocated(null, values.size, name);
      return;
    }
    const returned = this.pointer(value, 'returned');
    if (returned === undefined) {
      this.putBack(started);
      return;
    }
    if ((fn === 'realloc' || fn === 'reallocarray') && values.pointer !== null) {
      this.reallocated(values.pointer, returned, values.size, name, started ? started.held : undefined);
    } else {
      this.allocated(returned, values.size, name);
    }
  }

  /** What `fn`'s arguments are: its pointer (or null) and the size asked for; null when they cannot be read (said on this line). */
  private values(fn: Fn, args: string): { pointer: AddressKey | null; size: number | bigint } | null {
    const kinds = FUNCTIONS[fn];
    const texts = args.split(',').map((a) => a.trim());
    if (texts.length < kinds.length || texts.slice(0, kinds.length).some((t) => t === '')) {
      this.notUnderstood(`${fn} takes ${kinds.length} argument${kinds.length === 1 ? '' : 's'} (${kinds.join(', ')}); this call shows ${this.quote(args)}.`);
      return null;
    }
    let pointer: AddressKey | null = null;
    let size: number | bigint = 1;
    for (let i = 0; i < kinds.length; i++) {
      const kind = kinds[i]!;
      const text = texts[i]!;
      if (kind === 'pointer') {
        const p = this.pointer(text, 'passed');
        if (p === undefined) return null;
        pointer = p;
      } else if (kind === 'size' || kind === 'count') {
        const n = logSize(text, false);
        if (typeof n === 'object') {
          this.notUnderstood(n.problem);
          return null;
        }
        size = typeof size === 'number' && typeof n === 'number' && Number.isSafeInteger(size * n) ? size * n : BigInt(size) * BigInt(n);
      }
    }
    if (typeof size === 'bigint' && size > MAX_SIZE) {
      this.notUnderstood(`${fn}(${args}) asks for more than 2^64-1 bytes in all.`);
      return null;
    }
    return { pointer, size };
  }

  /** A pointer as ltrace writes it: null for NULL, undefined (said on this line) for text that is not a pointer. */
  private pointer(text: string, what: 'passed' | 'returned'): AddressKey | null | undefined {
    if (NULLS.has(text)) return null;
    const key = addressKey(text);
    if (key !== null) return key === 0 ? null : key;
    this.notUnderstood(`The pointer ${what}, ${this.quote(text)}, is not one (0x and hex digits, or 0 for NULL).`);
    return undefined;
  }

  /**
   * A call in task `pid` frees or resizes `pointer`: if a realloc under way in the same task took
   * that block off its address, the realloc is a wrapper doing its work through this call, which
   * gets the block back.
   */
  private reclaim(pid: number, pointer: AddressKey | null): void {
    const stack = this.underWay.get(pid);
    if (!stack || pointer === null) return;
    for (const c of stack) {
      if (c.held === null || c.old !== pointer) continue;
      if (this.blocks.at(pointer) === undefined) this.blocks.attach(pointer, c.held);
      c.held = null;
    }
  }

  /** An allocation function returned in this task: every call of it still under way wraps one. */
  private markNested(pid: number): void {
    const stack = this.underWay.get(pid);
    if (stack) for (const c of stack) c.nested = true;
  }

  /** A realloc that will not be applied: its old block goes back where it was. */
  private putBack(started: UnderWay | null): void {
    if (started && started.old !== null && started.held !== null && this.blocks.at(started.old) === undefined) this.blocks.attach(started.old, started.held);
  }

  /** Task `pid` exited (or the log ended): its calls under way never return. */
  private ended(pid: number, why: string): void {
    const stack = this.underWay.get(pid);
    if (!stack) return;
    this.underWay.delete(pid);
    this.underWayCount -= stack.length;
    for (const c of stack) {
      if (c.fn === 'free') continue; // done where it began
      this.putBack(c);
      this.unfinishedCall(`${c.fn}(${c.args}) never returns (${why}), so what it returned is not known; it is left out.`, c.line);
    }
  }
}
