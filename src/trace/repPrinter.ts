// Prints a trace of either format as a malloc lab `.rep` file (docs/trace-formats.md), saying which ops
// the format cannot hold.

import { MAX_ID } from './repFormat';
import { hasIds, type Trace } from './model';

/**
 * Prints a trace as a `.rep` file. Ops it cannot hold are listed in `dropped`: calloc becomes a
 * malloc of count x size (the zeroing is lost), writes and fills are dropped, a realloc into
 * another name keeps the block's id. `.heap` names map to ids: `p7` keeps 7 when it can.
 */
export function printRep(trace: Trace): { text: string; dropped: string[] } {
  const dropped: string[] = [];
  const lines: string[] = [];
  const idOf = new Map<number, number>(); // slot -> id of the block it holds now
  const used = new Set<number>();
  let nextId = 0;
  const freshId = (slot: number): number => {
    if (hasIds(trace.format)) {
      const id = Number(trace.names[slot]); // a .rep trace (or an imported log) keeps its ids
      used.add(id);
      return id;
    }
    const wanted = /^p(\d+)$/.exec(trace.names[slot] ?? '')?.[1];
    let id = wanted === undefined ? -1 : Number(wanted);
    if (id < 0 || used.has(id) || id >= MAX_ID) {
      while (used.has(nextId)) nextId++;
      id = nextId;
    }
    used.add(id);
    return id;
  };
  for (const op of trace.ops) {
    const line = op.range.line;
    switch (op.kind) {
      case 'malloc':
      case 'calloc': {
        const id = hasIds(trace.format) && idOf.has(op.ptr) ? idOf.get(op.ptr)! : freshId(op.ptr);
        idOf.set(op.ptr, id);
        const size = op.kind === 'malloc' ? op.size : op.count * op.size;
        if (op.kind === 'calloc') dropped.push(`line ${line}: calloc became "a ${id} ${size}" (.rep cannot say the block is zeroed)`);
        lines.push(`a ${id} ${size}`);
        break;
      }
      case 'realloc': {
        if (op.from === null) {
          const id = freshId(op.ptr);
          idOf.set(op.ptr, id);
          dropped.push(`line ${line}: realloc(NULL, ${op.size}) became "a ${id} ${op.size}"`);
          lines.push(`a ${id} ${op.size}`);
          break;
        }
        const id = idOf.get(op.from) ?? freshId(op.from);
        idOf.delete(op.from);
        if (op.size === 0n) {
          dropped.push(`line ${line}: realloc(p, 0) became "f ${id}"`);
          lines.push(`f ${id}`);
          break;
        }
        idOf.set(op.ptr, id);
        lines.push(`r ${id} ${op.size}`);
        break;
      }
      case 'free': {
        if (op.ptr === null) {
          dropped.push(`line ${line}: free(NULL) has no .rep form`);
          break;
        }
        const id = idOf.get(op.ptr) ?? freshId(op.ptr);
        lines.push(`f ${id}`);
        break;
      }
      case 'write':
      case 'fill':
        dropped.push(`line ${line}: ${op.kind} has no .rep form`);
        break;
    }
  }
  // The driver's largest id starts at 0 and must end as ids - 1, so even a trace without ids has 1.
  // A loop, not Math.max(...used): a spread of 200,000 ids overflows the call stack.
  let largest = 0;
  for (const id of used) if (id > largest) largest = id;
  const ids = largest + 1;
  const header = trace.header;
  return { text: repHeader(ids, lines.length, header?.first, header?.fourth) + lines.map((line) => `${line}\n`).join(''), dropped };
}

/**
 * A `.rep` file's four header lines: suggested heap size (unused; 0), the number of ids (at
 * least 1: mdriver's largest id starts at 0 and must end as ids - 1), the number of ops, weight.
 */
export function repHeader(ids: number, ops: number, first = 0n, fourth = 1n): string {
  return `${first}\n${Math.max(1, ids)}\n${ops}\n${fourth}\n`;
}
