// A one-line picture of a heap for terminals: each character stands for an equal slice of the
// heap and shows what most of its bytes are (# allocated, . free, x freed but never reusable).

import { BLOCK_STATUSES } from '../engine/results';
import type { HeapChain } from './heapSource';

const ALLOCATED = BLOCK_STATUSES.indexOf('allocated');
const FREE = BLOCK_STATUSES.indexOf('free');

export function renderHeapBar(chain: Pick<HeapChain, 'heapSize' | 'count' | 'addrs' | 'sizes' | 'states'>, width: number): string {
  const size = chain.heapSize;
  if (size === 0) return '(empty heap)';
  const cells = Math.max(1, Math.min(width, size));
  const used = new Float64Array(cells);
  const free = new Float64Array(cells);
  const dead = new Float64Array(cells);
  const slice = size / cells;
  let unreusable = false;
  for (let k = 0; k < chain.count; k++) {
    const state = chain.states[k]!;
    const target = state === ALLOCATED ? used : state === FREE ? free : dead;
    if (target === dead) unreusable = true;
    let at = chain.addrs[k]!;
    const end = at + chain.sizes[k]!;
    while (at < end) {
      const cell = Math.min(cells - 1, Math.floor(at / slice));
      const cellEnd = Math.min(end, (cell + 1) * slice);
      target[cell]! += cellEnd - at;
      at = cellEnd > at ? cellEnd : end;
    }
  }
  let bar = '';
  for (let c = 0; c < cells; c++) {
    const u = used[c]!;
    const f = free[c]!;
    const d = dead[c]!;
    bar += u === 0 && f === 0 && d === 0 ? ' ' : u >= f && u >= d ? '#' : f >= d ? '.' : 'x';
  }
  return `|${bar}|  (# allocated  . free${unreusable ? '  x freed, never reused' : ''})`;
}
