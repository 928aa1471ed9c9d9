// Prints a trace of any format as a `.heap` script (docs/trace-formats.md).

import { formatByteSize } from './numbers';
import { FORMAT_TITLES, hasIds, type Trace, type TraceOp, type TraceSetting } from './model';

/**
 * Prints a trace as a `.heap` script. A `.heap` trace keeps its line layout and comments; a
 * `.rep` trace (or an imported log) becomes one statement per line with ids as names `p0`, `p1`, ...
 */
export function printHeapScript(trace: Trace): string {
  const name = (slot: number | null): string =>
    slot === null ? 'NULL' : hasIds(trace.format) ? `p${trace.names[slot] ?? slot}` : (trace.names[slot] ?? `p${slot}`);
  const statement = (op: TraceOp): string => {
    switch (op.kind) {
      case 'malloc':
        return `${name(op.ptr)} = malloc(${op.size})`;
      case 'calloc':
        return `${name(op.ptr)} = calloc(${op.count}, ${op.size})`;
      case 'realloc':
        return `${name(op.ptr)} = realloc(${name(op.from)}, ${op.size})`;
      case 'free':
        return `free(${name(op.ptr)})`;
      case 'write':
        return `write(${name(op.ptr)}, ${op.offset}, ${bytesLiteral(op.bytes)})`;
      case 'fill':
        return `fill(${name(op.ptr)}, ${op.offset}, ${op.length}, 0x${op.byte.toString(16).padStart(2, '0')})`;
    }
  };
  const setting = (s: TraceSetting): string => `set ${s.key} = ${typeof s.value === 'boolean' ? (s.value ? 'on' : 'off') : s.key === 'maxHeap' || s.key === 'chunkSize' || s.key === 'minSplit' ? formatByteSize(Number(s.value)) : s.value}`;

  if (hasIds(trace.format)) {
    const from = `# converted from a ${FORMAT_TITLES[trace.format]}`;
    const head = trace.header ? [`${from} (header: ${trace.header.first} ${trace.header.ids} ${trace.header.ops} ${trace.header.fourth})`] : [from];
    return [...head, ...Array.from(trace.ops, statement)].join('\n') + '\n';
  }
  const byLine = new Map<number, string>();
  for (const s of trace.settings) byLine.set(s.range.line, setting(s));
  for (const op of trace.ops) byLine.set(op.range.line, statement(op));
  for (const c of trace.comments) {
    const code = byLine.get(c.line);
    const text = `# ${c.text}`.trimEnd();
    byLine.set(c.line, code === undefined ? text : `${code}  ${text}`);
  }
  let last = 0; // a loop, not Math.max(...keys): a spread of every line overflows the call stack
  for (const line of byLine.keys()) if (line > last) last = line;
  const out: string[] = [];
  for (let line = 1; line <= last; line++) out.push(byLine.get(line) ?? '');
  return out.join('\n') + '\n';
}

function bytesLiteral(bytes: Uint8Array): string {
  const printable = bytes.every((b) => (b >= 32 && b < 127) || b === 10 || b === 9 || b === 0);
  if (printable && bytes.length > 0) {
    let s = '"';
    for (const b of bytes) s += b === 10 ? '\\n' : b === 9 ? '\\t' : b === 0 ? '\\0' : b === 34 ? '\\"' : b === 92 ? '\\\\' : String.fromCharCode(b);
    return `${s}"`;
  }
  return `[${Array.from(bytes, (b) => `0x${b.toString(16).padStart(2, '0')}`).join(', ')}]`;
}
