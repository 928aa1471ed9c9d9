// The recorder's streams (recorder.ts) read back and written as traces (docs/recording.md, "The
// files"): one `.rep` and its `.rep.jsonl` sidecar per process, the command's own at the name asked
// for and each child's (--follow-children) beside it with its pid in the name. Streams are read a
// chunk at a time and the files' bodies written as they come, so memory stays bounded by the blocks
// live at once, not by the length of the recording.

import { closeSync, openSync, readdirSync, readSync, writeSync } from 'node:fs';
import { basename, join } from 'node:path';
import { RecordingConverter, repLine, sidecarHeader, sidecarLine, StreamDecoder, EVENT_BYTES, type RecordedImage, type RecordedProcess, type RecordingInfo, type StreamHeader } from '../trace/index';
import { grouped } from '../trace/figures';

/** A stream's file name: the pid, then the how-manyth image of that pid (recorder.c's open_stream). */
const STREAM_NAME = /^(\d+)-(\d+)\.hirec$/;
const CHUNK_BYTES = 1 << 20;
/** The recorder's stream buffer (recorder.c's `buf`), written out whenever it cannot take another event. */
const RECORDER_BUFFER_BYTES = 1 << 16;
/**
 * A stream without the recorder's end mark (docs/recording.md, "The stream"): what it lost is at
 * most the recorder's buffer of events.
 */
const CUT_SHORT =
  'the process ended without the recorder\'s last write (killed by SIGKILL, a stack overflow, or a full disk): ' +
  `the calls after its last write, up to ${grouped(Math.floor(RECORDER_BUFFER_BYTES / EVENT_BYTES))} (its ${RECORDER_BUFFER_BYTES / 1024} KiB buffer), are missing, so blocks may look leaked`;

export interface RecordingContext {
  /** The command as given to `record`. */
  readonly command: readonly string[];
  readonly cwd: string;
  /** The pid the command was started from: the command's process is the one whose parent it is. */
  readonly parentPid: number;
  readonly exit: { readonly status: number | null; readonly signal: string | null };
}

export interface WrittenTrace {
  readonly rep: string;
  readonly sidecar: string;
  readonly info: RecordingInfo;
}

export interface WrittenRecording {
  /** The command's own trace; null when nothing was recorded from its process (nothing is written then). */
  readonly main: WrittenTrace | null;
  readonly children: readonly WrittenTrace[];
  /** What went wrong reading the streams of processes that were not written. */
  readonly problems: readonly string[];
}

/** Reads every stream in `dir` and writes the traces: the command's at `out`, the other processes' beside it. */
export function writeRecording(dir: string, out: string, context: RecordingContext): WrittenRecording {
  const streams = readdirSync(dir)
    .map((name) => STREAM_NAME.exec(name))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ name: m[0], pid: Number(m[1]), seq: Number(m[2]) }))
    .sort((a, b) => a.pid - b.pid || a.seq - b.seq);
  const traces: ProcessTrace[] = [];
  let current: ProcessTrace | null = null;
  for (const stream of streams) {
    // The same pid's next stream continues the process only if it exec'd; otherwise the pid was reused.
    if (current !== null && current.pid === stream.pid && current.converter.execPending) current.converter.newImage();
    else traces.push((current = new ProcessTrace(dir, traces.length, stream.pid)));
    current.read(join(dir, stream.name));
  }
  for (const trace of traces) trace.close();
  const main = traces.find((t) => t.first?.ppid === context.parentPid);
  if (main === undefined) return { main: null, children: [], problems: traces.flatMap((t) => t.problems) };
  const others = traces.filter((t) => t !== main);
  const taken = new Set([out]);
  const paths = others.map((t) => childPath(out, t.pid, taken));
  const processes: RecordedProcess[] = others.map((t, i) => ({ pid: t.pid, ppid: t.first?.ppid ?? 0, trace: basename(paths[i]!), exe: t.images[0]?.exe ?? '' }));
  const written = (trace: ProcessTrace, rep: string, isMain: boolean): WrittenTrace => {
    const info = trace.info(basename(rep), isMain ? context : null, isMain ? processes : []);
    const sidecar = `${rep}.jsonl`;
    assemble(rep, trace.converter.repHeader(), trace.repBody);
    assemble(sidecar, sidecarHeader(info), trace.sidecarBody);
    return { rep, sidecar, info };
  };
  return { main: written(main, out, true), children: others.map((t, i) => written(t, paths[i]!, false)), problems: [] };
}

/** One process's trace in the making. */
class ProcessTrace {
  readonly converter = new RecordingConverter();
  readonly images: RecordedImage[] = [];
  readonly problems: string[] = [];
  /** The header of the process's first stream. */
  first: StreamHeader | null = null;
  readonly repBody: string;
  readonly sidecarBody: string;
  private readonly rep: BodyWriter;
  private readonly sidecar: BodyWriter;

  constructor(dir: string, index: number, readonly pid: number) {
    this.repBody = join(dir, `trace-${index}.rep.body`);
    this.sidecarBody = join(dir, `trace-${index}.jsonl.body`);
    this.rep = new BodyWriter(this.repBody);
    this.sidecar = new BodyWriter(this.sidecarBody);
  }

  /** One image's stream, converted onto the end of the trace. */
  read(path: string): void {
    const before = this.converter.counts();
    let nsOffset: number | null = null;
    const begin = (header: StreamHeader) => {
      this.first ??= header;
      nsOffset = header.startNs - this.first.startNs;
      this.images.push({ exe: text(header.exe), cmdline: words(header.cmdline), started: new Date(header.startUnixNs / 1e6).toISOString(), firstEvent: before.events, firstOp: before.ops });
    };
    const decoder: StreamDecoder = new StreamDecoder((event) => {
      if (nsOffset === null) begin(decoder.header!);
      const converted = this.converter.event(event);
      if (converted.op !== null) this.rep.write(`${repLine(converted.op)}\n`);
      this.sidecar.write(sidecarLine(event, converted, nsOffset!));
    });
    const fd = openSync(path, 'r');
    try {
      const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
      for (let n; (n = readSync(fd, chunk, 0, CHUNK_BYTES, null)) > 0; ) decoder.push(new Uint8Array(chunk.buffer, chunk.byteOffset, n));
    } finally {
      closeSync(fd);
    }
    decoder.end();
    if (nsOffset === null && decoder.header !== null) begin(decoder.header);
    if (decoder.problem !== null) this.problems.push(`pid ${this.pid}, image ${this.images.length}: ${decoder.problem}`);
    else if (decoder.header !== null && !decoder.ended) this.problems.push(`pid ${this.pid}, image ${this.images.length}: ${CUT_SHORT}`);
  }

  close(): void {
    this.rep.close();
    this.sidecar.close();
  }

  info(trace: string, context: RecordingContext | null, processes: readonly RecordedProcess[]): RecordingInfo {
    return {
      trace,
      command: context?.command ?? null,
      cwd: context?.cwd ?? null,
      pid: this.pid,
      ppid: this.first?.ppid ?? 0,
      glibc: this.first?.libc ?? '',
      exit: context?.exit ?? null,
      images: this.images,
      counts: this.converter.counts(),
      problems: this.problems,
      processes,
    };
  }
}

/** A file written a 64 KiB piece at a time. */
class BodyWriter {
  private readonly fd: number;
  private pending = '';

  constructor(path: string) {
    this.fd = openSync(path, 'w');
  }

  write(text: string): void {
    this.pending += text;
    if (this.pending.length >= 1 << 16) this.flush();
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }

  private flush(): void {
    writeSync(this.fd, this.pending);
    this.pending = '';
  }
}

/** `target` = `head` followed by the body file's bytes. */
function assemble(target: string, head: string, body: string): void {
  const out = openSync(target, 'w');
  const from = openSync(body, 'r');
  try {
    writeSync(out, head);
    const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    for (let n; (n = readSync(from, chunk, 0, CHUNK_BYTES, null)) > 0; ) writeSync(out, chunk, 0, n);
  } finally {
    closeSync(from);
    closeSync(out);
  }
}

/** A child's trace beside the command's: `out.rep` -> `out.<pid>.rep` (`-2`, `-3` if its pid came back). */
function childPath(out: string, pid: number, taken: Set<string>): string {
  const stem = out.endsWith('.rep') ? out.slice(0, -4) : out;
  const suffix = out.endsWith('.rep') ? '.rep' : '';
  let path = `${stem}.${pid}${suffix}`;
  for (let k = 2; taken.has(path); k++) path = `${stem}.${pid}-${k}${suffix}`;
  taken.add(path);
  return path;
}

function text(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}

/** /proc/self/cmdline's NUL-separated words. */
function words(bytes: Uint8Array): string[] {
  const all = text(bytes).split('\0');
  if (all.at(-1) === '') all.pop();
  return all;
}
