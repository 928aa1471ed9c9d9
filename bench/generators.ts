// The benchmark's deterministic .rep traces (bench/bench.ts): the same seed gives the same trace.

import { seededRandom as rng } from '../test/unit/support/generatedTrace';

/**
 * A .rep trace of `ops` ops that keeps about `live` blocks alive: mixed sizes (mostly small, some
 * large), frees of random live blocks, and (with `reallocs`) a share of reallocs.
 */
export function generate(ops: number, live: number, seed: number, reallocs = 0.1): string {
  const lines: string[] = [];
  const ids = mixedOps(ops, live, seed, reallocs, (line) => lines.push(line));
  return [String(0), String(ids), String(lines.length), '1', ...lines].join('\n') + '\n';
}

/**
 * `generate`'s op lines, one `emit` each, without keeping them (a trace of ten million ops is
 * written out as it is made: bench/tenMillion.ts); returns the ids used.
 */
export function mixedOps(ops: number, live: number, seed: number, reallocs: number, emit: (line: string) => void): number {
  const random = rng(seed);
  const size = () => {
    const r = random();
    return r < 0.7 ? 8 + Math.floor(random() * 120) : r < 0.95 ? 128 + Math.floor(random() * 1000) : 1024 + Math.floor(random() * 8000);
  };
  const alive: number[] = [];
  let next = 0;
  for (let n = 0; n < ops; n++) {
    const fill = alive.length < live;
    const r = random();
    if (alive.length > 0 && !fill && r < 0.5) {
      const k = Math.floor(random() * alive.length);
      const id = alive[k]!;
      alive[k] = alive[alive.length - 1]!;
      alive.pop();
      emit(`f ${id}`);
    } else if (alive.length > 0 && r < 0.5 + reallocs) {
      emit(`r ${alive[Math.floor(random() * alive.length)]} ${size()}`);
    } else {
      alive.push(next);
      emit(`a ${next++} ${size()}`);
    }
  }
  return next;
}

/**
 * A fragmentation-heavy .rep trace: about `live` small blocks churn (random ones are freed,
 * leaving small holes all over the heap), and one request in ten is for a big block (4 to 8 KB)
 * that stays: no hole ever fits it, so a linear search walks every block, for next fit too
 * whatever the rover, before the heap grows.
 */
export function generateFragmented(ops: number, live: number, seed: number): string {
  const random = rng(seed);
  const lines: string[] = [];
  const small: number[] = [];
  let next = 0;
  while (lines.length < ops) {
    if (small.length >= live || (small.length > 0 && random() < 0.45)) {
      const k = Math.floor(random() * small.length);
      lines.push(`f ${small[k]}`);
      small[k] = small[small.length - 1]!;
      small.pop();
    }
    if (random() < 0.1) {
      lines.push(`a ${next++} ${4096 + Math.floor(random() * 4096)}`);
    } else {
      small.push(next);
      lines.push(`a ${next++} ${8 + Math.floor(random() * 56)}`);
    }
  }
  lines.length = ops;
  return [String(0), String(next), String(lines.length), '1', ...lines].join('\n') + '\n';
}

/**
 * A realloc-heavy .rep trace: about `live` blocks that grow like dynamic arrays (each realloc
 * asks for about 1.5 times the size, from 16 bytes up to 32 KB, and a block that reaches the top
 * is freed), with four ops in ten reallocs; the rest are new blocks and frees of random ones.
 */
export function generateReallocHeavy(ops: number, live: number, seed: number): string {
  const random = rng(seed);
  const lines: string[] = [];
  const alive: number[] = [];
  const sizes = new Map<number, number>();
  let next = 0;
  const drop = (k: number) => {
    const id = alive[k]!;
    alive[k] = alive[alive.length - 1]!;
    alive.pop();
    sizes.delete(id);
    lines.push(`f ${id}`);
  };
  while (lines.length < ops) {
    const r = random();
    if (alive.length > 0 && r < 0.4) {
      const k = Math.floor(random() * alive.length);
      const id = alive[k]!;
      const size = Math.ceil(sizes.get(id)! * (1.3 + random() * 0.4));
      if (size > 32768) {
        drop(k);
      } else {
        sizes.set(id, size);
        lines.push(`r ${id} ${size}`);
      }
    } else if (alive.length >= live || (alive.length > 0 && r < 0.6)) {
      drop(Math.floor(random() * alive.length));
    } else {
      const size = 16 + Math.floor(random() * 240);
      alive.push(next);
      sizes.set(next, size);
      lines.push(`a ${next++} ${size}`);
    }
  }
  lines.length = ops;
  return [String(0), String(next), String(lines.length), '1', ...lines].join('\n') + '\n';
}

