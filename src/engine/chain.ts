// The block chain as one line of text, e.g. `[A32][F4064]`: what tests compare and what the
// command line prints. A = allocated, F = free, X = freed but never reusable (the sbrk baseline).

import type { HeapWalk } from './results';

const LETTER = { allocated: 'A', free: 'F', unreusable: 'X' } as const;

export interface ChainOptions {
  /** Show the prologue as `[P8]` and the epilogue as `[E]`. */
  readonly sentinels?: boolean;
}

export function formatChain(walk: HeapWalk, options: ChainOptions = {}): string {
  let out = '';
  if (options.sentinels && walk.prologue) out += `[P${walk.prologue.size}]`;
  for (const block of walk.blocks) out += `[${LETTER[block.status]}${block.size}]`;
  if (walk.stopped) out += `[?${walk.stopped.code}]`;
  else if (options.sentinels && walk.epilogue) out += '[E]';
  return out;
}
