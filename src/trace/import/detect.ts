// Which format a file is, from what it holds and then its name (docs/importing.md): an mtrace
// or ltrace log is told by its lines whatever it is called; otherwise `.rep`, `.mtrace` and
// `.ltrace` files go by their extension, and anything else is a `.heap` script.

import type { TraceFormat } from '../model';
import { LTRACE_PREFIX } from './ltrace';

/** Characters and lines of the start of a text that detection reads. */
/** Characters of a text `detectFormat` judges. */
export const FORMAT_SAMPLE_CHARS = 65_536;
const SAMPLE_LINES = 200;

const MTRACE = /^(?:= (?:Start|End)|(?:@ .*?)?(?:[+>!] (?:0x[0-9a-f]+|\(nil\)) (?:0x[0-9a-f]+|0)|[-<] 0x[0-9a-f]+))$/i;
const LTRACE = new RegExp(`^${LTRACE_PREFIX}` + String.raw`(?:(?:[^\s(]*->)?[A-Za-z_][\w.@+-]*\(.*(?:\)\s*=\s*\S+(?:\s+<\d+\.\d+>)?|<unfinished \.\.\.>|<no return \.\.\.>)|<\.\.\. [A-Za-z_][\w.@+-]* resumed>.*|(?:---|\+\+\+) .*)$`);

/** The format by file name alone: `.rep`, `.mtrace` and `.ltrace`, else a `.heap` script. */
export function formatOf(fileName: string): TraceFormat {
  const m = /\.(rep|mtrace|ltrace)$/i.exec(fileName);
  return m ? (m[1]!.toLowerCase() as TraceFormat) : 'heap';
}

/**
 * The format of a file from the start of its text: a log when most of its first non-blank lines
 * (up to 200, in the first 64 KiB) are that log's lines, else by name (`formatOf`).
 */
export function detectFormat(fileName: string, text: string): TraceFormat {
  const sample = text.slice(0, FORMAT_SAMPLE_CHARS).split(/\r\n|\r|\n/);
  // A cut last line is not judged (unless it is the only one).
  if (text.length > FORMAT_SAMPLE_CHARS && sample.length > 1) sample.pop();
  let lines = 0;
  let mtrace = 0;
  let ltrace = 0;
  for (const raw of sample) {
    const line = raw.trim();
    if (line === '') continue;
    if (++lines > SAMPLE_LINES) break;
    if (MTRACE.test(line)) mtrace++;
    else if (LTRACE.test(line)) ltrace++;
  }
  const byName = formatOf(fileName);
  const judged = Math.min(lines, SAMPLE_LINES);
  if (mtrace * 2 > judged && mtrace >= ltrace) return 'mtrace';
  if (ltrace * 2 > judged) return 'ltrace';
  return byName;
}
