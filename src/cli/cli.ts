// The `heap-inspector` command line over the engine and the trace layer: run, compare and check a
// trace (and `ostep`, in ostepCli.ts; `score`, in scoreCli.ts; `convert`, in convertCli.ts). All
// but files and streams is here: tests call `runCli`. Exit codes: 0 no error (warnings allowed),
// 1 the trace has errors, 2 bad usage or unreadable file.

import { parseByteSizes } from '../trace/numbers';
import { POLICIES, type HeapOptions } from '../engine/index';
import { COALESCE_MODES, FREE_LISTS, LIST_ORDERS, PRESET_NAMES, REALLOC_MODES, resolveConfig } from '../engine/config';
import { mergeDiagnostics } from '../trace/diagnostics';
import { compareOstep, comparePolicies, describeOwnConfig, layoutEntries, parseOwnLayout, type OwnLayout, withOwnRow, errorCount, formatSummary, labScore, ownDiagnostics, OwnSource, scoreRows, sourceJson, formatOstepComparison, traceModel, formatComparison, detectFormat, formatRunSummary, parseByteSize, parseTrace, parseTraceBytes, repBytes, replayFollowed, sourceOf, runJson, runTrace, type Diagnostic, type HeapSource, type Trace, type TraceRun } from '../trace/index';
import { runConvertCli } from './convertCli';
import { runOstepCli } from './ostepCli';
import type { CliIo } from './cliIo';
import { compilerNoteLine, runScore } from './scoreCli';

export type { AllocatorOutcome, AllocatorRunner, CliIo, CompilerNote } from './cliIo';

export const USAGE = `Usage:
  heap-inspector run <trace> [options] [--json | --ops]
  heap-inspector compare <trace> [options] [--json]
  heap-inspector check <trace> [options]
  heap-inspector score --allocator FILE <trace | folder>... [--cc CC] [--libc-kops N] [--json]
                                  the malloc lab's score of your allocator: each trace's
                                  utilisation, ops, seconds and Kops, the Total and the perf
                                  index, as the lab's driver computes them (a folder: its .rep files)
  heap-inspector ostep [malloc.py's flags]    OSTEP's malloc.py, byte for byte (ostep --help)
  heap-inspector record [-o OUT.rep] -- COMMAND [ARGS...]
                                              a program's allocations as a trace (record --help)
  heap-inspector convert <in> -o <out>        a trace or an allocation log to .rep or .heap (convert --help)

Traces are malloc lab .rep files, .heap scripts, or allocation logs: glibc mtrace and ltrace
logs are read as .rep traces whose ids are the log's addresses (told from the content).

Options:
  --preset csapp|default          heap layout and its defaults (default: default)
  --policy sbrk|first|next|best|worst
  --coalesce immediate|deferred|off
  --realloc naive|in-place
  --free-list implicit|explicit|segregated|simple-segregated|buddy
                                  how free blocks are found (default: implicit); buddy: the
                                  binary buddy system, power-of-two blocks (policy first only)
  --order lifo|fifo|address       where a linked list puts a free block (default: lifo)
  --classes LIST                  a segregated list's class bounds in bytes, e.g. 32,64,128
                                  (default: powers of two from the smallest block to 4096)
  --max-heap SIZE                 bytes, with an optional K, M or G suffix (powers of 1024)
  --allocator FILE                run, check, compare or score on your own allocator: your
                                  mm.c, compiled with the malloc lab's memlib and a driver
  --cc CC                         the C compiler for --allocator (default: $CC, cc, gcc, clang)
  --checkheap                     with --allocator: call your heap checker after every op (the CMU
                                  lab's mm_checkheap, or CS:APP's int mm_check(void))
                                  (false is an error on the op; what it prints is in the log)
  --layout K=V,...                with --allocator: your blocks' layout, e.g. wordSize=8,
                                  footers=free,prevAllocatedBit=1,next=0,prev=8 (keys: wordSize,
                                  firstBlock, flagBits, allocatedBit, prevAllocatedBit, footers
                                  all|free|none, next, prev, links pointer|offset)
  --libc-kops N                   with score: the throughput in Kops/s that earns the whole
                                  throughput share (the lab's AVG_LIBC_THRUPUT; default 600)
  --json                          one JSON object instead of the summary
  --ops                           one CSV row per malloc, calloc, realloc or free
  -h, --help                      this text
  -v, --version                   the version

Flags win over a .heap file's own settings, which win over the preset.
Exit codes: 0 no errors (warnings allowed), 1 the trace has errors (score: a trace is not valid),
2 bad usage, an unreadable file or no C compiler.`;

class UsageError extends Error {}

/** The flags whose value is one of a closed set: the configuration key each sets, and the set. */
const CHOICE_FLAGS = {
  '--preset': ['preset', PRESET_NAMES],
  '--policy': ['policy', POLICIES],
  '--coalesce': ['coalesce', COALESCE_MODES],
  '--realloc': ['realloc', REALLOC_MODES],
  '--free-list': ['freeList', FREE_LISTS],
  '--order': ['order', LIST_ORDERS],
} as const satisfies Record<string, readonly [keyof HeapOptions, readonly string[]]>;

const UTF8 = new TextDecoder('utf-8');
const UTF16LE = new TextDecoder('utf-16le');
const UTF16BE = new TextDecoder('utf-16be');

/**
 * A file's bytes as the text VS Code shows for them: UTF-16 (little or big endian) when the file
 * starts with that byte order mark, else UTF-8; the mark itself is no part of the text, and bytes
 * that are not UTF-8 become replacement characters. A UTF-16 file without a mark stays bytes read
 * as UTF-8, which the parsers recognise and diagnose.
 */
export function textOfBytes(bytes: Uint8Array): string {
  // Each decoder drops its own byte order mark.
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return UTF16LE.decode(bytes);
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return UTF16BE.decode(bytes);
  return UTF8.decode(bytes);
}

interface Args {
  command: 'run' | 'compare' | 'check' | 'score';
  /** The trace (the first, for score). */
  file: string;
  /** Every trace or folder named (score takes several). */
  files: string[];
  overrides: HeapOptions;
  json: boolean;
  ops: boolean;
  /** The user's own allocator (a C file), or null. */
  allocator: string | null;
  cc: string | null;
  checkheap: boolean;
  /** The allocator's block layout as stated (--layout), or null to find it. */
  layout: OwnLayout | null;
  /** score's libc target in Kops/s, or null for the default. */
  libcKops: number | null;
}

export function runCli(argv: readonly string[], io: CliIo, version = '0.0.0'): number {
  // `ostep` has flags of its own (malloc.py's), -h included; so has `convert`.
  if (argv[0] === 'ostep') return runOstepCli(argv.slice(1), io);
  if (argv[0] === 'convert') return runConvertCli(argv.slice(1), io);
  let args: Args;
  try {
    if (argv.length === 0 || argv.includes('-h') || argv.includes('--help')) {
      (argv.length === 0 ? io.err : io.out)(USAGE + '\n');
      return argv.length === 0 ? 2 : 0;
    }
    if (argv.includes('-v') || argv.includes('--version')) {
      io.out(`heap-inspector ${version}\n`);
      return 0;
    }
    args = parseArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.err(`heap-inspector: ${err.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (args.command === 'score') {
    const { files, allocator, cc, checkheap, json, libcKops } = args;
    return runScore({ traces: files, allocator: allocator!, cc, checkheap, json, libcKops, maxHeap: args.overrides.maxHeap ?? null }, io);
  }
  let source: string | Uint8Array;
  try {
    source = io.readBytes ? io.readBytes(args.file) : io.readFile(args.file);
  } catch (err) {
    io.err(`heap-inspector: cannot read ${args.file}: ${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }
  try {
    // A long .rep trace's run or check without history: replayed as it is parsed on another thread,
    // when it can be (docs/performance.md, "The parse beside the replay").
    const followed = typeof source === 'string' ? null : followedRun(args, source, io);
    if (followed !== null) return args.command === 'check' ? printCheck(followed, args, io) : printRun(followed, args, io);
    // Bytes: a .rep trace is parsed from them, without its text (docs/performance.md, "At scale").
    const trace = typeof source === 'string' ? parseTrace(source, detectFormat(args.file, source)) : parseTraceBytes(args.file, source, textOfBytes);
    if (args.allocator !== null) return ownAllocator(trace, args, io);
    switch (args.command) {
      case 'check':
        return check(trace, args, io);
      case 'run':
        return run(trace, args, io);
      case 'compare':
        return compare(trace, args, io);
    }
  } catch (err) {
    // Parsing and replay never throw by design; if they do, say so plainly, not with a stack trace.
    io.err(`heap-inspector: internal error while reading ${args.file}: ${err instanceof Error ? err.message : String(err)}. This is a bug in Heap Inspector; please report it with the trace.\n`);
    return 2;
  }
}

function parseArgs(argv: readonly string[]): Args {
  const [command, ...rest] = argv;
  if (command !== 'run' && command !== 'compare' && command !== 'check' && command !== 'score') {
    throw new UsageError(command === undefined ? 'missing command' : `unknown command "${command}"`);
  }
  const overrides: { -readonly [K in keyof HeapOptions]: HeapOptions[K] } = {};
  const files: string[] = [];
  let libcKops: number | null = null;
  let json = false;
  let ops = false;
  let allocator: string | null = null;
  let cc: string | null = null;
  let checkheap = false;
  let layout: OwnLayout | null = null;
  const oneOf = <T extends string>(flag: string, value: string | undefined, allowed: readonly T[]): T => {
    if (value === undefined) throw new UsageError(`${flag} needs a value: ${allowed.join(', ')}`);
    if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`${flag} must be one of ${allowed.join(', ')} (got "${value}")`);
    return value as T;
  };
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    const eq = arg.indexOf('=');
    const [flag, inline] = arg.startsWith('--') && eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg, undefined];
    const value = () => inline ?? rest[++i];
    switch (flag) {
      case '--preset':
      case '--policy':
      case '--coalesce':
      case '--realloc':
      case '--free-list':
      case '--order': {
        const [key, allowed] = CHOICE_FLAGS[flag];
        Object.assign(overrides, { [key]: oneOf(flag, value(), allowed) });
        break;
      }
      case '--max-heap': {
        const v = value();
        const bytes = v === undefined ? null : parseByteSize(v);
        if (bytes === null) throw new UsageError(`--max-heap takes a byte count like 20M, 64K or 1048576 (got "${v ?? ''}")`);
        overrides.maxHeap = bytes;
        break;
      }
      case '--classes': {
        const v = value() ?? '';
        const parsed = parseByteSizes(v);
        if ('bad' in parsed || parsed.sizes.length === 0) throw new UsageError(`--classes takes class bounds in bytes like 32,64,128 (got "${v}")`);
        overrides.classes = parsed.sizes;
        break;
      }
      case '--allocator':
      case '--cc': {
        const v = value();
        if (v === undefined || v === '') throw new UsageError(`${flag} needs a ${flag === '--cc' ? 'compiler' : 'C file'}`);
        if (flag === '--cc') cc = v;
        else allocator = v;
        break;
      }
      case '--checkheap':
        checkheap = true;
        break;
      case '--layout': {
        const read = layoutEntries(value() ?? '');
        const parsed = parseOwnLayout(read.entries);
        if (parsed.layout === null || read.problems.length > 0) throw new UsageError(`--layout: ${[...read.problems, ...parsed.problems].join('; ') || 'it needs key=value pairs'}`);
        layout = parsed.layout;
        break;
      }
      case '--libc-kops': {
        const v = value();
        const kops = v === undefined || v.trim() === '' ? NaN : Number(v);
        if (!Number.isFinite(kops) || kops <= 0) throw new UsageError(`--libc-kops takes a throughput in Kops/s above 0, like 600 (got "${v ?? ''}")`);
        libcKops = kops;
        break;
      }
      case '--json':
        json = true;
        break;
      case '--ops':
        ops = true;
        break;
      default:
        if (arg.startsWith('-') && arg !== '-') throw new UsageError(`unknown option "${arg}"`);
        if (files.length > 0 && command !== 'score') throw new UsageError(`one trace at a time (got "${files[0]}" and "${arg}")`);
        files.push(arg);
    }
  }
  const file = files[0];
  if (command === 'score') checkScoreArgs(file, allocator, overrides, ops);
  else if (libcKops !== null) throw new UsageError('--libc-kops goes with score');
  if (file === undefined) throw new UsageError(`${command} needs a trace file`);
  const { problems } = resolveConfig({ ...overrides, preset: overrides.preset ?? 'default' });
  if (problems.length > 0) throw new UsageError(problems.map((p) => p.message).join(' '));
  if (json && ops) throw new UsageError('--json and --ops cannot be used together');
  if (ops && command !== 'run') throw new UsageError('--ops goes with run');
  if (json && command === 'check') throw new UsageError('check prints diagnostics only; --json goes with run and compare');
  if ((cc !== null || checkheap || layout !== null) && allocator === null) throw new UsageError(`${cc !== null ? '--cc' : checkheap ? '--checkheap' : '--layout'} goes with --allocator`);
  return { command, file, files, overrides, json, ops, allocator, cc, checkheap, layout, libcKops };
}

/** score scores one's own allocator over traces: it needs both, and none of the simulated heap's flags. */
function checkScoreArgs(file: string | undefined, allocator: string | null, overrides: HeapOptions, ops: boolean): void {
  if (allocator === null) throw new UsageError('score needs --allocator FILE: it scores your own allocator (your mm.c)');
  if (file === undefined) throw new UsageError("score needs traces: name the malloc lab's .rep files, or a folder of them");
  if (ops) throw new UsageError('--ops goes with run');
  const flagOf = (key: string) => Object.entries(CHOICE_FLAGS).find(([, [k]]) => k === key)?.[0] ?? `--${key}`;
  const simulated = Object.keys(overrides).filter((key) => key !== 'maxHeap').map(flagOf);
  if (simulated.length > 0) throw new UsageError(`score runs your allocator, not the simulated heap: ${simulated.join(', ')} ${simulated.length === 1 ? 'does' : 'do'} not apply`);
}

// --- check -----------------------------------------------------------------------------------

function check(trace: Trace, args: Args, io: CliIo): number {
  // A check needs the diagnostics, not the heap at every step: no history (docs/limits.md).
  return printCheck(runTrace(trace, { overrides: args.overrides }, { history: false }), args, io);
}

function printCheck({ diagnostics }: TraceRun, args: Args, io: CliIo): number {
  for (const d of diagnostics) io.out(`${args.file}:${d.range.line}:${d.range.column}: ${d.severity}: ${d.message}\n`);
  return exitCode(diagnostics);
}

/**
 * `run` (without --ops) or `check` of a `.rep` file's bytes replayed while `io.repFeed` parses them
 * on another thread; null when it does not, or cannot follow this trace (then nothing is printed yet).
 */
function followedRun(args: Args, bytes: Uint8Array, io: CliIo): TraceRun | null {
  if ((args.command !== 'run' && args.command !== 'check') || args.ops || args.allocator !== null || !io.repFeed || !repBytes(args.file, bytes)) return null;
  const feed = io.repFeed(bytes);
  return feed === null ? null : replayFollowed(feed, { overrides: args.overrides });
}

// --- run -------------------------------------------------------------------------------------

function run(trace: Trace, args: Args, io: CliIo): number {
  // Only --ops reads every op's record; the summary and the JSON read the totals and the last heap.
  return printRun(runTrace(trace, { overrides: args.overrides }, { history: args.ops }), args, io);
}

function printRun(r: TraceRun, args: Args, io: CliIo): number {
  if (args.ops) writeOpsCsv(r.trace, sourceOf(r), io.out);
  else if (args.json) io.out(JSON.stringify(runJson(r), null, 2) + '\n');
  else io.out(formatRunSummary(args.file, r));
  return exitCode(r.diagnostics);
}

/**
 * One CSV row per malloc, calloc, realloc or free, written a chunk at a time as it is made (a
 * million-op trace's rows would otherwise be a million strings and then one of 30 MB), read from
 * the op table's columns and the read model's per-op pointer and heap size rather than an object per op.
 */
function writeOpsCsv(trace: Trace, source: HeapSource, out: (text: string) => void, outside: (i: number) => bigint | null = () => null): void {
  const CODES = { malloc: 'a', calloc: 'c', realloc: 'r', free: 'f' } as const;
  const ops = trace.ops;
  let chunk = 'op_index,kind,id,size,offset,heap_size\n';
  let n = 0;
  for (let i = 0; i < source.steps; i++) {
    const kind = ops.kind(i);
    if (kind === 'write' || kind === 'fill') continue;
    const slot = ops.ptr(i);
    const id = slot === null ? 'NULL' : (trace.names[slot] ?? String(slot));
    let size = '';
    if (kind === 'calloc') {
      const op = ops.at(i);
      if (op.kind === 'calloc') size = String(op.count * op.size);
    } else if (kind !== 'free') {
      size = String(ops.requestSize(i));
    }
    // free: the freed payload's offset, -1 for an invalid free or free(NULL).
    // A pointer your allocator took from outside the heap: its exact offset (negative before the heap), never a rounded one.
    chunk += `${n++},${CODES[kind]},${id},${size},${outside(i) ?? source.pointerAt(i) ?? -1},${source.heapSizeAt(i)}\n`;
    if (chunk.length >= 1 << 16) {
      out(chunk);
      chunk = '';
    }
  }
  out(chunk);
}

// --- compare ---------------------------------------------------------------------------------

function compare(trace: Trace, args: Args, io: CliIo): number {
  const model = traceModel(trace, { overrides: args.overrides });
  if (model.model === 'ostep') {
    // A script on OSTEP's model compares malloc.py's policies and list orders.
    const rows = compareOstep(trace, model.options);
    io.out(args.json ? JSON.stringify({ model: 'ostep', options: model.options, rows }, null, 2) + '\n' : formatOstepComparison(args.file, model.options, rows));
    return errorCount([...trace.diagnostics, ...model.diagnostics]) > 0 ? 1 : 0;
  }
  // Every kind of free list, unless the command line names one.
  const comparison = comparePolicies(trace, { overrides: args.overrides }, { families: args.overrides.freeList === undefined });
  io.out(args.json ? JSON.stringify(comparison, null, 2) + '\n' : formatComparison(args.file, comparison));
  return comparison.errors > 0 ? 1 : 0;
}

// --- your own allocator ----------------------------------------------------------------------

/** run and check on the user's allocator: compile it, run the trace through it, report as for a simulated heap. */
function ownAllocator(trace: Trace, args: Args, io: CliIo): number {
  const file = args.allocator!;
  if (!io.runAllocator) {
    io.err('heap-inspector: --allocator needs the command line (it compiles and runs C code)\n');
    return 2;
  }
  const speed = args.command === 'run' && !args.ops;
  const outcome = io.runAllocator(file, trace, { speed, checkheap: args.checkheap, ...(args.cc !== null ? { cc: args.cc } : {}), ...(args.overrides.maxHeap !== undefined ? { maxHeap: args.overrides.maxHeap } : {}) });
  const note = compilerNoteLine;
  if (outcome.kind === 'unavailable') {
    io.err(`heap-inspector: ${outcome.message}\n`);
    return 2;
  }
  if (outcome.kind === 'compile-failed') {
    for (const n of outcome.notes) io.err(note(n));
    if (outcome.notes.length === 0) io.err(`${outcome.message}\n`);
    io.err(`heap-inspector: ${file} did not compile; nothing ran.\n`);
    return 1;
  }
  for (const n of outcome.notes) io.err(note(n));
  const alignment = outcome.alignment;
  const diagnostics = mergeDiagnostics(trace.diagnostics, ownDiagnostics(trace, outcome.recording, { alignment, opLimitMs: outcome.opLimitMs }, outcome.problem));
  const name = file.split(/[\\/]/).pop() ?? file;
  const source = new OwnSource(trace, outcome.recording, name, diagnostics, args.layout);
  const configuration = describeOwnConfig({ allocator: file, interface: outcome.edition, alignment });
  if (args.command === 'compare') {
    // Beside every simulated policy (every kind of list, unless the command line names one), as the last row.
    const comparison = comparePolicies(trace, { overrides: args.overrides }, { families: args.overrides.freeList === undefined });
    const both = withOwnRow(comparison, source, diagnostics);
    io.out(args.json ? JSON.stringify(both, null, 2) + '\n' : formatComparison(args.file, both) + ownRowNote(source, diagnostics));
    return both.errors > 0 ? 1 : 0;
  }
  if (args.command === 'check') {
    for (const d of diagnostics) io.out(`${args.file}:${d.range.line}:${d.range.column}: ${d.severity}: ${d.message}\n`);
  } else if (args.ops) {
    writeOpsCsv(trace, source, io.out, (i) => outcome.recording.outsideOffset(i));
  } else if (args.json) {
    const score = labScore(source.metricsAt(source.steps - 1).utilisation, outcome.speed, errorCount(diagnostics) === 0);
    io.out(JSON.stringify({ ...sourceJson(trace, source, 'own', { allocator: file, interface: outcome.edition, alignment }, diagnostics), ...score }, null, 2) + '\n');
  } else {
    const score = labScore(source.metricsAt(source.steps - 1).utilisation, outcome.speed, errorCount(diagnostics) === 0);
    io.out(formatSummary(args.file, trace, source, configuration, diagnostics, scoreRows(score, outcome.speedProblem)));
  }
  return exitCode(diagnostics);
}

/** Under compare's table: why the allocator's row may not be the whole trace (its first error, and the last op it finished). */
function ownRowNote(source: OwnSource, diagnostics: readonly Diagnostic[]): string {
  const first = diagnostics.find((d) => d.severity === 'error');
  if (first === undefined) return '';
  const errors = errorCount(diagnostics);
  const row = source.steps === source.length ? 'its row is the whole trace' : source.steps === 0 ? 'no op ran, its row is the empty heap' : `its row is the heap after op ${source.steps} of ${source.length}, the last it finished`;
  return `\nyour allocator (${source.label}): ${errors === 1 ? '1 error' : `${errors} errors`}, the first on line ${first.range.line}: ${first.message.split('\n')[0]}\n  ${row}.\n`;
}

function exitCode(diagnostics: readonly Diagnostic[]): number {
  return errorCount(diagnostics) > 0 ? 1 : 0;
}
