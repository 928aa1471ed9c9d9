// The program of `heap-inspector` (dist/cli-main.js, which dist/cli.js loads: bin.ts): real files
// and streams around runCli.

// First: the parse worker starts before the rest loads (earlyWorker.ts).
import { earlyWorker, PARSE_WORKER_FILE, PARSE_WORKER_SETTING } from './earlyWorker';
import { closeSync, constants, fstatSync, openSync, readdirSync, readSync, renameSync, rmSync, statSync, writeSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { TextDecoder } from 'node:util';
import { cliAllocatorRunner } from '../native/ownAllocator';
import { runCli, textOfBytes } from './cli';
import { parsesOnWorker, repFeedOn } from './parseThread';
import { runRecordCli } from './recordCli';

declare const HEAP_INSPECTOR_VERSION: string;

/** Traces beyond this are refused rather than read into memory (a 1,000,000-op trace is ~15 MB). */
const MAX_FILE_BYTES = 512 * 2 ** 20;
/** Logs `convert` streams (never holding them) may be larger: ten million mtrace lines are ~450 MB. */
const MAX_STREAMED_BYTES = 64 * 2 ** 30;
const CHUNK_BYTES = 2 ** 20;

// `heap-inspector run --ops big.rep | head` closes the pipe early: that is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

/**
 * A trace file's text. Only a regular file is read: the descriptor is opened first and then
 * examined, so what is checked is what is read, and opened without blocking, so a named pipe with
 * no writer is refused instead of waited on. Throws an Error whose message finishes the sentence
 * "cannot read PATH: ...".
 */
function readTraceFile(path: string): string {
  return textOfBytes(readTraceBytes(path));
}

/** A trace file's bytes, read as readTraceFile reads them (it decodes them). */
function readTraceBytes(path: string): Uint8Array {
  const { fd, stat } = openRegularFile(path, MAX_FILE_BYTES);
  try {
    // Read to the end, not to the size fstat saw (the file may grow meanwhile), but never past the limit.
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const length = Math.min(Math.max(stat.size - total, 0) + 65536, MAX_FILE_BYTES + 1 - total);
      // A file the parse worker reads is read onto a buffer it can share (parseThread.ts).
      const chunk = total === 0 && parsesOnWorker(stat.size, PARSE_WORKER_SETTING) ? Buffer.from(new SharedArrayBuffer(length)) : Buffer.allocUnsafe(length);
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      total += n;
      if (total > MAX_FILE_BYTES) throw new Error(`it grew past ${MAX_FILE_BYTES} bytes while being read; traces up to that size are read`);
    }
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
  } catch (err) {
    throw err instanceof Error && !('code' in err) ? err : new Error(reasonOf(err));
  } finally {
    closeSync(fd);
  }
}

/** The `.rep` files in a folder, sorted by name (score's folder of traces, as the lab's driver reads its trace directory); null when `path` is not a folder. */
function traceFolder(path: string): string[] | null {
  let isFolder = false;
  try {
    isFolder = statSync(path).isDirectory();
  } catch {
    return null; // not there: reading it as a file says why
  }
  if (!isFolder) return null;
  return readdirSync(path, { withFileTypes: true })
    .filter((entry) => entry.name.endsWith('.rep') && !entry.isDirectory())
    .map((entry) => join(path, entry.name))
    .sort();
}

/** A regular file of at most `limit` bytes, open (not blocking on a pipe), and what it is; throws as readTraceFile does. */
function openRegularFile(path: string, limit: number, what = 'traces'): { fd: number; stat: Stats } {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (err) {
    throw new Error(reasonOf(err));
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw new Error('it is a directory');
    if (!stat.isFile()) throw new Error(`it is ${kindOf(stat)}, not a regular file`);
    if (stat.size > limit) throw new Error(`it is ${stat.size} bytes; ${what} up to ${limit} bytes are read`);
    return { fd, stat };
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

/**
 * A file read a megabyte at a time, as text decoded as readTraceFile decodes it, as often as
 * asked: each read gives the bytes the file held when opened, so two passes read the same log
 * even while a program appends to it. The descriptor stays open until the process ends.
 */
function openChunks(path: string): () => Iterable<string> {
  const { fd, stat } = openRegularFile(path, MAX_STREAMED_BYTES, 'logs');
  const size = stat.size;
  return function* chunks() {
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    let decoder: TextDecoder | null = null;
    for (let position = 0; position < size; ) {
      let n: number;
      try {
        n = readSync(fd, buffer, 0, Math.min(CHUNK_BYTES, size - position), position);
      } catch (err) {
        throw new Error(reasonOf(err));
      }
      if (n === 0) throw new Error(`it shrank to ${position} bytes while being read`);
      const bytes = buffer.subarray(0, n);
      // Each decoder drops its own byte order mark, as textOfBytes does.
      decoder ??= new TextDecoder(bytes[0] === 0xff && bytes[1] === 0xfe ? 'utf-16le' : bytes[0] === 0xfe && bytes[1] === 0xff ? 'utf-16be' : 'utf-8');
      position += n;
      yield decoder.decode(bytes, { stream: position < size });
    }
  };
}

/** Writes the chunks to a file beside `path`, then puts it in place: a failure leaves no half-written file. */
function writeChunks(path: string, chunks: Iterable<string>): void {
  const temporary = `${path}.${process.pid}.tmp`;
  let fd: number;
  try {
    fd = openSync(temporary, 'w');
  } catch (err) {
    throw new Error(reasonOf(err));
  }
  try {
    try {
      for (const chunk of chunks) writeSync(fd, chunk);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, path);
  } catch (err) {
    rmSync(temporary, { force: true });
    throw err instanceof Error && !('code' in err) ? err : new Error(reasonOf(err));
  }
}

function kindOf(stat: Stats): string {
  if (stat.isFIFO()) return 'a named pipe (FIFO)';
  if (stat.isSocket()) return 'a socket';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  return 'not a file';
}

/** Why the system refused, as the end of "cannot read PATH: ...". */
const REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'the operation is not permitted',
  ELOOP: 'too many symbolic links (a link that leads back to itself?)',
  ENAMETOOLONG: 'the path is too long',
  ENOTDIR: 'a part of the path is not a directory',
  EISDIR: 'it is a directory',
  ENXIO: 'it is a device or socket with nothing behind it, not a regular file',
  ENODEV: 'it is a device, not a regular file',
  EMFILE: 'too many files are open',
  ENFILE: 'too many files are open on this system',
  EIO: 'the disk reported an input/output error',
  EAGAIN: 'it is not ready to be read (not a regular file?)',
  EBUSY: 'the file is busy',
  ETXTBSY: 'the file is busy',
  EOVERFLOW: 'it is too large to read',
  EFBIG: 'it is too large to read',
  ENOMEM: 'there is not enough memory to read it',
  EINVAL: 'the system cannot read this kind of file',
  ESTALE: 'the file is on a network share that went away',
  EINTR: 'the read was interrupted; try again',
};

function reasonOf(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (code !== undefined && code in REASONS) return REASONS[code]!;
  return `the system refused (${code ?? (err instanceof Error ? err.message : String(err))})`;
}

const io = {
  readFile: readTraceFile,
  readBytes: readTraceBytes,
  out: (text: string) => void process.stdout.write(text),
  err: (text: string) => void process.stderr.write(text),
  runAllocator: cliAllocatorRunner(),
  traceFolder,
  openChunks,
  writeFile: writeChunks,
  // A long .rep trace is parsed on a worker while it is replayed (docs/performance.md, "The parse beside the replay").
  repFeed: (bytes: Uint8Array) => repFeedOn(earlyWorker, bytes, PARSE_WORKER_SETTING, PARSE_WORKER_FILE),
};
const argv = process.argv.slice(2);
// `record` runs a program and waits for it without blocking (signals reach it and its recorder).
if (argv[0] === 'record') void runRecordCli(argv.slice(1), io).then((code) => void (process.exitCode = code));
else {
  process.exitCode = runCli(argv, io, typeof HEAP_INSPECTOR_VERSION === 'string' ? HEAP_INSPECTOR_VERSION : 'dev');
  // A parse worker started for a file that was not a long .rep trace after all has nothing to do.
  earlyWorker?.stop();
}
