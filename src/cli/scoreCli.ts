// `heap-inspector score --allocator mm.c TRACE...`: the malloc lab's whole score of one's own
// allocator (docs/own-allocator.md, "Scores"): each trace run with the driver's checks and timed in
// a second run, then the lab driver's table, Total and performance index (src/trace/own/labTotal.ts).
// Exit codes: 0 every trace valid, 1 a trace is not valid, 2 bad usage, an unreadable trace, no compiler.

import { detectFormat, formatLabTotal, labTotal, notCompiled, notValid, parseTrace, traceScore, type Trace, type TraceScore } from '../trace/index';
import type { CliIo, CompilerNote } from './cliIo';

export interface ScoreArgs {
  /** The traces and folders named, in order. */
  readonly traces: readonly string[];
  /** The allocator's C file. */
  readonly allocator: string;
  readonly cc: string | null;
  readonly maxHeap: number | null;
  readonly checkheap: boolean;
  readonly json: boolean;
  /** The libc target in Kops/s, or null for the CS:APP default. */
  readonly libcKops: number | null;
}

/** A compiler message as the compiler writes it: `file:line:col: severity: message`. */
export function compilerNoteLine(n: CompilerNote): string {
  return `${n.file}:${n.line}:${n.column}: ${n.severity}: ${n.message}\n`;
}

export function runScore(args: ScoreArgs, io: CliIo): number {
  const runAllocator = io.runAllocator;
  if (!runAllocator) {
    io.err('heap-inspector: --allocator needs the command line (it compiles and runs C code)\n');
    return 2;
  }
  const traces = readTraces(args.traces, io);
  if (traces === null) return 2;
  const options = { speed: true, checkheap: args.checkheap, ...(args.cc !== null ? { cc: args.cc } : {}), ...(args.maxHeap !== null ? { maxHeap: args.maxHeap } : {}) };
  const scores: TraceScore[] = [];
  let edition: 'csapp' | 'cmu' | null = null;
  // Compiled once (the cache finds it for every later trace); a file that does not compile makes every trace not valid.
  let notBuilt: string | null = null;
  for (const { name, trace } of traces) {
    if (notBuilt !== null) {
      scores.push(notValid(name, trace, 'allocator-compile', notBuilt));
      continue;
    }
    const outcome = runAllocator(args.allocator, trace, options);
    if (outcome.kind === 'unavailable') {
      io.err(`heap-inspector: ${outcome.message}\n`);
      return 2;
    }
    // The compiler's messages once, before the table.
    if (scores.length === 0) {
      for (const n of outcome.notes) io.err(compilerNoteLine(n));
      if (outcome.kind === 'compile-failed' && outcome.notes.length === 0) io.err(`${outcome.message}\n`);
    }
    if (outcome.kind === 'compile-failed') {
      notBuilt = notCompiled(args.allocator, outcome.notes);
      scores.push(notValid(name, trace, 'allocator-compile', notBuilt));
      continue;
    }
    edition = outcome.edition;
    scores.push(traceScore(name, trace, outcome, { alignment: outcome.alignment, opLimitMs: outcome.opLimitMs }));
  }
  const total = labTotal(scores, args.libcKops !== null ? { libcKops: args.libcKops } : {});
  if (args.json) io.out(JSON.stringify({ allocator: args.allocator, interface: edition, ...total }, null, 2) + '\n');
  else io.out(formatLabTotal(args.allocator.split(/[\\/]/).pop() ?? args.allocator, total));
  return total.invalid > 0 ? 1 : 0;
}

/** The traces named (a log told by its content, as `run` tells it), a folder standing for its .rep files, each read and parsed; null (said on stderr) when one cannot be read. */
function readTraces(paths: readonly string[], io: CliIo): { name: string; trace: Trace }[] | null {
  const files: string[] = [];
  for (const path of paths) {
    const inFolder = io.traceFolder?.(path) ?? null;
    if (inFolder === null) files.push(path);
    else if (inFolder.length > 0) files.push(...inFolder);
    else {
      io.err(`heap-inspector: the folder ${path} holds no .rep traces\n`);
      return null;
    }
  }
  const traces: { name: string; trace: Trace }[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = io.readFile(file);
    } catch (err) {
      io.err(`heap-inspector: cannot read ${file}: ${err instanceof Error ? err.message : String(err)}\n`);
      return null;
    }
    traces.push({ name: file.split(/[\\/]/).pop() ?? file, trace: parseTrace(text, detectFormat(file, text)) });
  }
  return traces;
}
