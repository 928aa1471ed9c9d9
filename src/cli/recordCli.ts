// `heap-inspector record`: runs a program with the allocation recorder preloaded and writes what it
// allocated as a `.rep` trace with a `.rep.jsonl` sidecar (docs/recording.md). The program's output
// and exit status are its own; this says something only when recording fails, or with --summary.
// Exit codes: the program's (128 + n when signal n killed it); 125 the recording failed; 126 the
// program could not run; 127 it was not found; 2 bad usage.

import { accessSync, constants as fsConstants, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { buildRecorder, runRecorded, type RecordedRun } from '../native/recorder';
import { writeRecording } from '../native/recordedFiles';
import { formatRecordingSummary, recordingStem } from '../trace/index';

export const RECORD_USAGE = `Usage:
  heap-inspector record [-o OUT.rep] [--follow-children] [--summary] [--cc CC] -- COMMAND [ARGS...]

Runs COMMAND with a recorder preloaded (built with the machine's C compiler on first use) and writes
its malloc, calloc, realloc, free and aligned allocations as a malloc lab trace, OUT.rep, and
OUT.rep.jsonl beside it: the real addresses, threads, times and alignments, glibc's version, and
every call the trace cannot hold, counted. Linux with glibc only.

Options:
  -o, --output FILE     the trace (default: the command's name + .rep, in this folder)
  --follow-children     record the command's child processes too, each in its own trace
                        (OUT.<pid>.rep); without it only the command's own process is recorded
                        (through its execs)
  --summary             say what was recorded on stderr when the program ends
  --cc CC               the C compiler to build the recorder with (default: $CC, cc, gcc, clang)
  -h, --help            this text

Exit codes: the program's own (128 + n when signal n killed it); 125 the recording failed; 126 the
program could not be run; 127 it was not found; 2 bad usage.`;

export interface RecordIo {
  err(text: string): void;
  out(text: string): void;
}

interface RecordArgs {
  readonly command: readonly string[];
  readonly out: string | null;
  readonly follow: boolean;
  readonly summary: boolean;
  readonly cc: string | null;
}

/** Exit status when the recording itself failed (as `env` and `timeout` use it for their own failures). */
const RECORD_FAILED = 125;

export async function runRecordCli(argv: readonly string[], io: RecordIo): Promise<number> {
  const args = parseRecordArgs(argv);
  if (typeof args === 'string') {
    if (args === 'help') {
      io.out(`${RECORD_USAGE}\n`);
      return 0;
    }
    io.err(`heap-inspector record: ${args}\n\n${RECORD_USAGE}\n`);
    return 2;
  }
  const [command, ...rest] = args.command as [string, ...string[]];
  const out = args.out ?? `${recordingStem(command)}.rep`;
  const unwritable = cannotWrite(out);
  if (unwritable !== null) {
    io.err(`heap-inspector record: cannot write ${out}: ${unwritable}; nothing was run\n`);
    return 2;
  }
  const built = buildRecorder(args.cc !== null ? { cc: args.cc } : {});
  if (!built.ok) {
    io.err(`heap-inspector record: ${built.text}\n`);
    return RECORD_FAILED;
  }
  // Absolute: the program may change its working directory, and its recorder writes here.
  const dir = mkdtempSync(join(resolve(tmpdir()), 'heap-inspector-record-'));
  try {
    const run = await runRecorded(command, rest, built.library, dir, { follow: args.follow });
    if (run.error !== null) {
      const missing = run.error.code === 'ENOENT';
      io.err(`heap-inspector record: cannot run ${command}: ${missing ? 'no such command' : run.error.message}\n`);
      return missing ? 127 : 126;
    }
    const written = writeRecording(dir, out, { command: args.command, cwd: process.cwd(), parentPid: process.pid, exit: { status: run.status, signal: run.signal } });
    if (written.main === null) {
      const problems = written.problems.length > 0 ? ` (${written.problems.join('; ')})` : '';
      io.err(`heap-inspector record: nothing was recorded from ${command}${problems}; it ${ended(run)}. A statically linked or setuid program does not load the recorder.\n`);
      return RECORD_FAILED;
    }
    for (const trace of [written.main, ...written.children]) {
      if (args.summary) io.err(formatRecordingSummary(trace.info));
      else for (const problem of trace.info.problems) io.err(`heap-inspector record: ${trace.info.trace}: ${problem}\n`);
    }
    if (args.summary) io.err(`heap-inspector record: wrote ${[written.main, ...written.children].map((t) => `${t.rep} and ${basename(t.sidecar)}`).join(', ')}\n`);
    return exitStatus(run);
  } catch (err) {
    io.err(`heap-inspector record: the recording could not be written: ${err instanceof Error ? err.message : String(err)}\n`);
    return RECORD_FAILED;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Why the trace could not be written where asked, found before the program runs; null when it can be. */
function cannotWrite(out: string): string | null {
  try {
    if (existsSync(out) && statSync(out).isDirectory()) return 'it is a folder';
    accessSync(dirname(resolve(out)), fsConstants.W_OK);
    return null;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'its folder does not exist' : 'its folder cannot be written to';
  }
}

/** The command's own status, or 128 + n for signal n, as a shell reports it. */
function exitStatus(run: RecordedRun): number {
  if (run.signal !== null) return 128 + (constants.signals[run.signal] ?? 0);
  return run.status ?? RECORD_FAILED;
}

function ended(run: RecordedRun): string {
  return run.signal !== null ? `was killed by ${run.signal}` : `exited with status ${run.status}`;
}

/** The options, then the command: after `--`, or from the first word that is not an option. */
function parseRecordArgs(argv: readonly string[]): RecordArgs | string {
  let out: string | null = null;
  let follow = false;
  let summary = false;
  let cc: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') return withCommand(argv.slice(i + 1));
    if (!arg.startsWith('-') || arg === '-') return withCommand(argv.slice(i));
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const [flag, inline] = eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg, undefined];
    switch (flag) {
      case '-h':
      case '--help':
        return 'help';
      case '-o':
      case '--output':
      case '--cc': {
        const v = inline ?? argv[++i];
        if (v === undefined || v === '') return `${flag} needs a ${flag === '--cc' ? 'compiler' : 'file'}`;
        if (flag === '--cc') cc = v;
        else out = v;
        break;
      }
      case '--follow-children':
        follow = true;
        break;
      case '--summary':
        summary = true;
        break;
      default:
        return `unknown option "${arg}"`;
    }
  }
  return 'record needs a command to run, after --';

  function withCommand(command: readonly string[]): RecordArgs | string {
    return command.length === 0 ? 'record needs a command to run, after --' : { command, out, follow, summary, cc };
  }
}
