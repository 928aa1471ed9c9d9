// The block chain as one line of text, e.g. `[A32][F4064]`: what tests compare and what the
// command line prints. A = allocated, F = free, X = freed but never reusable (the sbrk baseline).

import { BLOCK_STATUSES, type HeapWalk } from './results';

const LETTER = { allocated: 'A', free: 'F', unreusable: 'X' } as const;

export interface ChainOptions {
  /** Show the prologue as `[P8]` and the epilogue as `[E]`. */
  readonly sentinels?: boolean;
}

/** A block chain in columns (a walk's columns, or a read model's chain): what `formatChainColumns` reads. */
export interface ChainColumns {
  readonly prologue: { readonly size: number } | null;
  /** Anything but null when the chain ends at an epilogue. */
  readonly epilogue: unknown;
  readonly count: number;
  readonly sizes: ArrayLike<number>;
  /** BLOCK_STATUSES index of each block's status. */
  readonly states: ArrayLike<number>;
  readonly stopped: { readonly code: string } | null;
}

export function formatChainColumns(c: ChainColumns, options: ChainOptions = {}): string {
  let out = '';
  if (options.sentinels && c.prologue) out += `[P${c.prologue.size}]`;
  for (let k = 0; k < c.count; k++) out += `[${LETTER[BLOCK_STATUSES[c.states[k]!]!]}${c.sizes[k]}]`;
  if (c.stopped) out += `[?${c.stopped.code}]`;
  else if (options.sentinels && c.epilogue !== null) out += '[E]';
  return out;
}

export function formatChain(walk: HeapWalk, options: ChainOptions = {}): string {
  const { blocks } = walk;
  return formatChainColumns(
    { prologue: walk.prologue, epilogue: walk.epilogue, count: blocks.length, sizes: blocks.map((b) => b.size), states: blocks.map((b) => BLOCK_STATUSES.indexOf(b.status)), stopped: walk.stopped },
    options,
  );
}
