// `heap-inspector convert IN -o OUT`: a trace from one format to another (docs/importing.md,
// docs/cli.md). The input's format comes from its content (an mtrace or ltrace log) or its name;
// the output's from OUT's extension, `.rep` or `.heap`. A log becomes a `.rep` trace in two
// streamed passes, so a log of any length converts in bounded memory; anything else goes through
// the parsed trace. Exit codes: 0 converted, 1 some lines were not understood (the rest converted),
// 2 bad usage, an unreadable input or an unwritable output.

import { describeImport, detectFormat, errorCount, FORMAT_TITLES, importLog, importOfTrace, isLogFormat, LogChangedError, LogParser, parseTrace, printHeapScript, printRep, repOfLog, type LtraceOptions, type Trace, type TraceFormat } from '../trace/index';
import { clip } from '../trace/text';
import type { CliIo } from './cliIo';
import { grouped } from '../trace/figures';

export const CONVERT_USAGE = `Usage:
  heap-inspector convert <in> -o <out.rep | out.heap | -> [--pid PID,...]

Reads a malloc lab .rep trace, a .heap script, a glibc mtrace log or an ltrace log of malloc,
calloc, realloc and free (the format is told from the content, then the name) and writes it as a
.rep trace or a .heap script (by the extension; "-" writes .rep to standard output). A log's
addresses become ids; what .rep cannot hold is counted and said.

Options:
  -o, --output FILE               where to write (never the input)
  --pid PID,...                   an ltrace -f log: only these tasks' lines
  -h, --help                      this text

Exit codes: 0 converted, 1 some lines were not understood (the rest was converted), 2 bad usage,
unreadable input or unwritable output.`;

/** What the first chunks of the input are read up to, to tell its format. */
const DETECT_CHARS = 65_536;

class UsageError extends Error {}

interface ConvertArgs {
  readonly input: string;
  readonly output: string;
  readonly to: 'rep' | 'heap';
  readonly options: LtraceOptions;
}

export function runConvertCli(argv: readonly string[], io: CliIo): number {
  let args: ConvertArgs;
  try {
    if (argv.includes('-h') || argv.includes('--help')) {
      io.out(CONVERT_USAGE + '\n');
      return 0;
    }
    args = parseConvertArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.err(`heap-inspector convert: ${err.message}\n\n${CONVERT_USAGE}\n`);
    return 2;
  }
  const { input, output } = args;
  let chunks: () => Iterable<string>;
  let sample = '';
  try {
    chunks = io.openChunks ? io.openChunks(input) : whole(io.readFile(input));
    for (const chunk of chunks()) {
      sample += chunk;
      if (sample.length >= DETECT_CHARS) break;
    }
  } catch (err) {
    io.err(`heap-inspector: cannot read ${input}: ${reason(err)}\n`);
    return 2;
  }
  const format = detectFormat(input, sample);
  if (args.options.pids && format !== 'ltrace') {
    io.err(`heap-inspector convert: --pid goes with an ltrace log; ${input} is a ${FORMAT_TITLES[format]}\n`);
    return 2;
  }
  // The summary goes to standard error when the trace goes to standard output.
  const say = output === '-' ? io.err : io.out;
  try {
    if (isLogFormat(format) && args.to === 'rep') {
      const first = importLog(chunks(), format, args.options);
      if (!first.binary && !write(io, output, repOfLog(chunks(), first, args.options))) return 2;
      say(describeImport(input, output, first));
      return first.binary || first.counts.notUnderstood > 0 ? 1 : 0;
    }
    let text: string;
    try {
      text = io.readFile(input);
    } catch (err) {
      io.err(`heap-inspector: cannot read ${input}: ${reason(err)}\n`);
      return 2;
    }
    return convertTrace(io, args, format, text, say);
  } catch (err) {
    // The log changed between the passes, or reading it failed half way (main.ts says why).
    io.err(`heap-inspector: ${input}: ${err instanceof LogChangedError ? err.message : `cannot read it: ${reason(err)}`}; ${output === '-' ? 'the output is incomplete' : `${output} was not written`}.\n`);
    return 2;
  }
}

/** A whole trace parsed, then printed: `.rep` ↔ `.heap`, and a log to `.heap`. */
function convertTrace(io: CliIo, args: ConvertArgs, format: TraceFormat, text: string, say: (text: string) => void): number {
  const { input, output } = args;
  let trace: Trace;
  if (isLogFormat(format)) {
    const parser = new LogParser(text, format, args.options);
    parser.advance(Infinity);
    trace = parser.trace;
  } else {
    trace = parseTrace(text, format);
  }
  const imported = importOfTrace(trace);
  const { text: printed, dropped } = args.to === 'rep' ? printRep(trace) : { text: printHeapScript(trace), dropped: [] as string[] };
  if (!write(io, output, [printed])) return 2;
  if (imported) {
    say(describeImport(input, output, imported));
    return imported.binary || imported.counts.notUnderstood > 0 ? 1 : 0;
  }
  const errors = trace.diagnostics.filter((d) => d.severity === 'error');
  const first = errors[0];
  const ops = trace.ops.length;
  say(
    `${input}: ${FORMAT_TITLES[format]}, ${grouped(trace.lineCount)} line${trace.lineCount === 1 ? '' : 's'} → ${output}: ${grouped(ops)} op${ops === 1 ? '' : 's'}` +
      `${first ? `; ${grouped(errorCount(trace.diagnostics))} error${errors.length === 1 ? '' : 's'} (first at line ${first.range.line}: ${clip(first.message, 160)})` : ''}\n` +
      (dropped.length > 0 ? `  left out (.rep cannot hold them):\n${dropped.map((d) => `    ${d}\n`).join('')}` : ''),
  );
  return errors.length > 0 ? 1 : 0;
}

function parseConvertArgs(argv: readonly string[]): ConvertArgs {
  let input: string | undefined;
  let output: string | undefined;
  let pids: Set<number> | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf('=');
    const [flag, inline] = arg.startsWith('--') && eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg, undefined];
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case '-o':
      case '--output': {
        const v = value();
        if (v === undefined || v === '') throw new UsageError(`${flag} needs a file (out.rep, out.heap, or - for standard output)`);
        if (output !== undefined) throw new UsageError(`one output at a time (got "${output}" and "${v}")`);
        output = v;
        break;
      }
      case '--pid': {
        const v = value() ?? '';
        const list = v.split(',').map((p) => p.trim());
        if (list.some((p) => !/^[0-9]{1,10}$/.test(p))) throw new UsageError(`--pid takes process ids like 1234 or 1234,1240 (got "${clip(v, 40)}")`);
        pids = new Set(list.map(Number));
        break;
      }
      default:
        if (arg.startsWith('-') && arg !== '-') throw new UsageError(`unknown option "${arg}"`);
        if (input !== undefined) throw new UsageError(`one input at a time (got "${input}" and "${arg}")`);
        input = arg;
    }
  }
  if (input === undefined) throw new UsageError('convert needs an input file');
  if (output === undefined) throw new UsageError('convert needs an output: -o out.rep or -o out.heap (- for standard output)');
  const to = output === '-' || /\.rep$/i.test(output) ? 'rep' : /\.heap$/i.test(output) ? 'heap' : null;
  if (to === null) throw new UsageError(`the output's name says its format: end it in .rep or .heap (got "${output}")`);
  if (output === input) throw new UsageError('the output would overwrite the input; choose another name');
  return { input, output, to, options: pids ? { pids } : {} };
}

/** Writes the chunks to `output` (`-`: standard output); false, said, when it cannot. */
function write(io: CliIo, output: string, chunks: Iterable<string>): boolean {
  if (output === '-') {
    for (const chunk of chunks) io.out(chunk);
    return true;
  }
  if (!io.writeFile) {
    io.err('heap-inspector: convert needs the command line to write files\n');
    return false;
  }
  try {
    io.writeFile(output, chunks);
    return true;
  } catch (err) {
    if (err instanceof LogChangedError) throw err;
    io.err(`heap-inspector: cannot write ${output}: ${reason(err)}\n`);
    return false;
  }
}

function whole(text: string): () => Iterable<string> {
  return () => [text];
}

function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
