// The `heap-inspector` command line over the engine and the trace layer: run, compare and check a
// trace. Everything but reading files and writing output is here, so tests call `runCli` directly.
// Exit codes: 0 no error (warnings allowed), 1 the trace has errors, 2 bad usage or unreadable file.

import { formatChain, hex, POLICIES, type HeapConfig, type HeapOptions, type Policy } from '../engine/index';
import { COALESCE_MODES, PRESET_NAMES, REALLOC_MODES, type CoalesceMode, type PresetName, type ReallocMode } from '../engine/config';
import { formatOf, OUTCOME, parseByteSize, parseTrace, Replay, traceConfig, type Diagnostic, type Trace } from '../trace/index';
import { renderHeapBar } from './heapBar';

export interface CliIo {
  /** The file's text; throws with a readable message when it cannot be read. */
  readFile(path: string): string;
  out(text: string): void;
  err(text: string): void;
}

export const USAGE = `Usage:
  heap-inspector run <trace> [options] [--json | --ops]
  heap-inspector compare <trace> [options] [--json]
  heap-inspector check <trace> [options]

Traces are malloc lab .rep files or .heap scripts.

Options:
  --preset csapp|default          heap layout and its defaults (default: default)
  --policy sbrk|first|next|best|worst
  --coalesce immediate|deferred|off
  --realloc naive|in-place
  --max-heap SIZE                 bytes, with an optional K, M or G suffix (powers of 1024)
  --json                          one JSON object instead of the summary
  --ops                           one CSV row per malloc, calloc, realloc or free
  -h, --help                      this text
  -v, --version                   the version

Flags win over a .heap file's own settings, which win over the preset.
Exit codes: 0 no errors (warnings allowed), 1 the trace has errors, 2 bad usage or unreadable file.`;

class UsageError extends Error {}

interface Args {
  command: 'run' | 'compare' | 'check';
  file: string;
  overrides: HeapOptions;
  json: boolean;
  ops: boolean;
}

export function runCli(argv: readonly string[], io: CliIo, version = '0.0.0'): number {
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
  let text: string;
  try {
    text = io.readFile(args.file);
  } catch (err) {
    io.err(`heap-inspector: cannot read ${args.file}: ${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }
  const trace = parseTrace(text, formatOf(args.file));
  switch (args.command) {
    case 'check':
      return check(trace, args, io);
    case 'run':
      return run(trace, args, io);
    case 'compare':
      return compare(trace, args, io);
  }
}

function parseArgs(argv: readonly string[]): Args {
  const [command, ...rest] = argv;
  if (command !== 'run' && command !== 'compare' && command !== 'check') {
    throw new UsageError(command === undefined ? 'missing command' : `unknown command "${command}"`);
  }
  const overrides: { -readonly [K in keyof HeapOptions]: HeapOptions[K] } = {};
  let file: string | undefined;
  let json = false;
  let ops = false;
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
        overrides.preset = oneOf<PresetName>(flag, value(), PRESET_NAMES);
        break;
      case '--policy':
        overrides.policy = oneOf<Policy>(flag, value(), POLICIES);
        break;
      case '--coalesce':
        overrides.coalesce = oneOf<CoalesceMode>(flag, value(), COALESCE_MODES);
        break;
      case '--realloc':
        overrides.realloc = oneOf<ReallocMode>(flag, value(), REALLOC_MODES);
        break;
      case '--max-heap': {
        const v = value();
        const bytes = v === undefined ? null : parseByteSize(v);
        if (bytes === null) throw new UsageError(`--max-heap takes a byte count like 20M, 64K or 1048576 (got "${v ?? ''}")`);
        overrides.maxHeap = bytes;
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
        if (file !== undefined) throw new UsageError(`one trace at a time (got "${file}" and "${arg}")`);
        file = arg;
    }
  }
  if (file === undefined) throw new UsageError(`${command} needs a trace file`);
  if (json && ops) throw new UsageError('--json and --ops cannot be used together');
  if (ops && command !== 'run') throw new UsageError('--ops goes with run');
  if (json && command === 'check') throw new UsageError('check prints diagnostics only; --json goes with run and compare');
  return { command, file, overrides, json, ops };
}

// --- check -----------------------------------------------------------------------------------

function check(trace: Trace, args: Args, io: CliIo): number {
  const { diagnostics } = replayTrace(trace, args.overrides);
  for (const d of diagnostics) io.out(`${args.file}:${d.range.line}:${d.range.column}: ${d.severity}: ${d.message}\n`);
  return exitCode(diagnostics);
}

// --- run -------------------------------------------------------------------------------------

function run(trace: Trace, args: Args, io: CliIo): number {
  const r = replayTrace(trace, args.overrides);
  if (args.ops) io.out(opsCsv(trace, r.replay));
  else if (args.json) io.out(JSON.stringify(summaryJson(trace, r), null, 2) + '\n');
  else io.out(summaryText(args.file, trace, r));
  return exitCode(r.diagnostics);
}

function opsCsv(trace: Trace, replay: Replay): string {
  const rows = ['op_index,kind,id,size,offset,heap_size'];
  let n = 0;
  for (let i = 0; i < replay.recorded; i++) {
    const op = trace.ops[i]!;
    if (op.kind === 'write' || op.kind === 'fill') continue;
    const step = replay.step(i);
    const kind = { malloc: 'a', calloc: 'c', realloc: 'r', free: 'f' }[op.kind];
    const id = op.ptr === null ? 'NULL' : (trace.names[op.ptr] ?? String(op.ptr));
    const size = op.kind === 'malloc' || op.kind === 'realloc' ? String(op.size) : op.kind === 'calloc' ? String(op.count * op.size) : '';
    // free: the freed payload's offset, -1 for an invalid free or free(NULL).
    const offset = op.kind === 'free' ? (step.outcome & OUTCOME.FREED ? (step.ptr ?? -1) : -1) : (step.ptr ?? -1);
    rows.push(`${n++},${kind},${id},${size},${offset},${step.metrics.heapSize}`);
  }
  return rows.join('\n') + '\n';
}

function summaryJson(trace: Trace, { replay, config, preset, diagnostics }: Run) {
  const m = replay.finalMetrics;
  return {
    format: trace.format,
    preset,
    config,
    ops: replay.recorded,
    heapSize: m.heapSize,
    peakPayload: m.peakPayload,
    utilization: m.utilisation,
    livePayload: m.livePayload,
    internalFragmentation: m.internalFragmentation,
    externalFragmentation: m.externalFragmentation,
    freeBlocks: m.freeBlocks,
    freeBytes: m.freeBytes,
    largestFree: m.largestFree,
    allocatedBlocks: m.allocatedBlocks,
    blocksExamined: replay.examinedTotal,
    nulls: replay.nullCount,
    errors: diagnostics.filter((d) => d.severity === 'error').length,
    warnings: diagnostics.filter((d) => d.severity === 'warning').length,
    diagnostics: diagnostics.map((d) => ({ line: d.range.line, column: d.range.column, severity: d.severity, code: d.code, message: d.message })),
  };
}

function summaryText(file: string, trace: Trace, { replay, config, preset, diagnostics }: Run): string {
  const m = replay.finalMetrics;
  const errors = diagnostics.filter((d) => d.severity === 'error');
  const warnings = diagnostics.filter((d) => d.severity === 'warning');
  const allocs = trace.ops.filter((op) => op.kind !== 'free' && op.kind !== 'write' && op.kind !== 'fill').length;
  const heap = replay.heapAt(replay.recorded - 1);
  const walk = heap.walk();
  const lines = [
    `${file}: ${replay.recorded} ops, ${describeConfig(config, preset)}`,
    '',
    row('heap size', `${m.heapSize} bytes`),
    row('peak payload', `${m.peakPayload} bytes`),
    row('utilisation', `${percent(m.utilisation)} (peak payload / heap size)`),
    row('live payload', `${m.livePayload} bytes in ${m.allocatedBlocks} block${m.allocatedBlocks === 1 ? '' : 's'} at the end`),
    row('internal frag', `${m.internalFragmentation} bytes (block bytes - requested bytes)`),
    row('external frag', `${percent(m.externalFragmentation)} (1 - largest free / total free)`),
    row('free blocks', `${m.freeBlocks}, ${m.freeBytes} bytes, largest ${m.largestFree}`),
    row('blocks examined', `${replay.examinedTotal} in total${allocs > 0 ? `, ${(replay.examinedTotal / allocs).toFixed(1)} per allocation` : ''}`),
    row('NULL returned', String(replay.nullCount)),
    row('problems', `${errors.length} error${errors.length === 1 ? '' : 's'}, ${warnings.length} warning${warnings.length === 1 ? '' : 's'}`),
  ];
  for (const d of [...errors, ...warnings].slice(0, 10)) lines.push(`  ${file}:${d.range.line}:${d.range.column}: ${d.severity}: ${d.message}`);
  if (errors.length + warnings.length > 10) lines.push(`  ... and ${errors.length + warnings.length - 10} more (heap-inspector check ${file})`);
  lines.push('', `final heap (${walk.blocks.length} block${walk.blocks.length === 1 ? '' : 's'}, ${hex(m.heapSize)} bytes):`, renderHeapBar(walk, 64));
  const chain = formatChain(walk, { sentinels: true });
  lines.push(chain.length <= 400 ? chain : `${chain.slice(0, 400)}... (${walk.blocks.length} blocks)`);
  return lines.join('\n') + '\n';
}

// --- compare ---------------------------------------------------------------------------------

function compare(trace: Trace, args: Args, io: CliIo): number {
  const results = POLICIES.map((policy) => {
    const r = replayTrace(trace, { ...args.overrides, policy });
    return { ...r, policy, m: r.replay.finalMetrics };
  });
  const diagnostics = results.flatMap((r) => r.diagnostics.filter((d) => d.severity === 'error'));
  if (args.json) {
    const json = {
      ops: trace.ops.length,
      preset: results[0]!.preset,
      policies: results.map(({ policy, replay, m }) => ({
        policy,
        heapSize: m.heapSize,
        peakPayload: m.peakPayload,
        utilization: m.utilisation,
        internalFragmentation: m.internalFragmentation,
        externalFragmentation: m.externalFragmentation,
        freeBlocks: m.freeBlocks,
        blocksExamined: replay.examinedTotal,
        nulls: replay.nullCount,
      })),
    };
    io.out(JSON.stringify(json, null, 2) + '\n');
  } else {
    const header = ['policy', 'heap size', 'peak payload', 'utilisation', 'internal frag', 'external frag', 'free blocks', 'blocks examined', 'NULLs'];
    const rows = results.map(({ policy, replay, m }) => [
      policy,
      String(m.heapSize),
      String(m.peakPayload),
      percent(m.utilisation),
      String(m.internalFragmentation),
      percent(m.externalFragmentation),
      String(m.freeBlocks),
      String(replay.examinedTotal),
      String(replay.nullCount),
    ]);
    const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
    const fmt = (cells: string[]) => cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ');
    io.out(`${args.file}: ${trace.ops.length} ops, ${results[0]!.preset} preset, every policy\n\n`);
    io.out([fmt(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(fmt)].join('\n') + '\n');
  }
  return exitCode([...trace.diagnostics, ...diagnostics]);
}

// --- shared ----------------------------------------------------------------------------------

interface Run {
  readonly replay: Replay;
  readonly config: HeapConfig;
  readonly preset: string;
  readonly diagnostics: Diagnostic[];
}

function replayTrace(trace: Trace, overrides: HeapOptions): Run {
  const { config, preset, diagnostics: configDiagnostics } = traceConfig(trace, { overrides });
  const replay = Replay.run(trace, config);
  const diagnostics = [...trace.diagnostics, ...configDiagnostics, ...replay.diagnostics].sort((a, b) => a.range.line - b.range.line || a.range.column - b.range.column);
  return { replay, config, preset, diagnostics };
}

function exitCode(diagnostics: readonly Diagnostic[]): number {
  return diagnostics.some((d) => d.severity === 'error') ? 1 : 0;
}

function describeConfig(c: HeapConfig, preset: string): string {
  if (c.policy === 'sbrk') return `sbrk baseline (${c.alignment}-byte alignment, max heap ${c.maxHeap} bytes)`;
  return `${preset} preset (${c.wordSize}-byte words, ${c.alignment}-byte alignment), ${c.policy} fit, ${c.coalesce} coalescing, ${c.realloc} realloc, max heap ${c.maxHeap} bytes`;
}

function row(label: string, value: string): string {
  return `  ${label.padEnd(16)} ${value}`;
}

function percent(ratio: number): string {
  return `${(ratio * 100).toFixed(2)}%`;
}
