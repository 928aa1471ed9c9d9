// A one-line picture of a heap for terminals: each character stands for an equal slice of the
// heap and shows what most of its bytes are (# allocated, . free, x freed but never reusable).

import type { HeapWalk } from '../engine/results';

export function renderHeapBar(walk: HeapWalk, width: number): string {
  const size = walk.heapSize;
  if (size === 0) return '(empty heap)';
  const cells = Math.max(1, Math.min(width, size));
  const used = new Float64Array(cells);
  const free = new Float64Array(cells);
  const dead = new Float64Array(cells);
  const slice = size / cells;
  for (const block of walk.blocks) {
    const target = block.status === 'allocated' ? used : block.status === 'free' ? free : dead;
    let at = block.addr;
    const end = block.addr + block.size;
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
  return `|${bar}|  (# allocated  . free${walk.blocks.some((b) => b.status === 'unreusable') ? '  x freed, never reused' : ''})`;
}
