// Heap configuration: the closed sets of choices, the presets, and validation.
// Everything that shapes the simulated heap is named here once; settings, in-file
// options and command-line flags all resolve through `resolveConfig`.

/**
 * Allocation policies: `sbrk` is the never-freeing baseline (every malloc moves the break); the
 * others are placement policies of the implicit free list.
 */
export const POLICIES = ['sbrk', 'first', 'next', 'best', 'worst'] as const;
export type Policy = (typeof POLICIES)[number];

/**
 * The one name of a policy in sentences, titles and progress: "sbrk baseline", "first fit",
 * "next fit", "best fit", "worst fit".
 */
export function policyLabel(policy: Policy): string {
  return policy === 'sbrk' ? 'sbrk baseline' : `${policy} fit`;
}

/**
 * How a comparison names the free list a configuration keeps: "implicit", "explicit lifo", or
 * "none" for the sbrk baseline, which keeps no list.
 */
export function freeListLabel(c: Pick<HeapConfig, 'policy' | 'freeList' | 'order'>): string {
  if (c.policy === 'sbrk') return 'none';
  return c.freeList === 'implicit' ? 'implicit' : `${c.freeList} ${c.order}`;
}

/** The policies a list kind can run: every one, but only the baseline and `first` for the buddy system, which places by order. */
export function policiesFor(freeList: FreeListKind): readonly Policy[] {
  return freeList === 'buddy' ? ['sbrk', 'first'] : POLICIES;
}

/**
 * The one name of what places blocks in a configuration, in sentences and titles: the policy's
 * label, or "buddy system" for the buddy system, which places by order (its policy is `first`).
 */
export function placementLabel(c: Pick<HeapConfig, 'policy' | 'freeList'>): string {
  return c.freeList === 'buddy' && c.policy !== 'sbrk' ? 'buddy system' : policyLabel(c.policy);
}

/** The placement policies of the implicit free list (every policy but the sbrk baseline). */
export const FIT_POLICIES = ['first', 'next', 'best', 'worst'] as const;
export type FitPolicy = (typeof FIT_POLICIES)[number];

/** When adjacent free blocks are merged. */
export const COALESCE_MODES = ['immediate', 'deferred', 'off'] as const;
export type CoalesceMode = (typeof COALESCE_MODES)[number];

/** `naive` = CS:APP's malloc-copy-free; `in-place` shrinks or grows into a free neighbour when it can. */
export const REALLOC_MODES = ['naive', 'in-place'] as const;
export type ReallocMode = (typeof REALLOC_MODES)[number];

/** `all` = every block has a boundary tag; `free-only` = only free blocks (the prev-allocated-bit optimisation). */
export const FOOTER_MODES = ['all', 'free-only'] as const;
export type FooterMode = (typeof FOOTER_MODES)[number];

/** How the fit search finds a block: `indexed` in O(log n), `linear` by walking the list (the reference). Same results. */
export const SEARCH_MODES = ['indexed', 'linear'] as const;
export type SearchMode = (typeof SEARCH_MODES)[number];

/**
 * `implicit` = every block is walked; `explicit` = free blocks link into a doubly linked list in
 * their payloads; `segregated` = one such list per size class (segregated fits);
 * `simple-segregated` = one block size per class, no splitting or coalescing; `buddy` = the binary
 * buddy system, one such list per power-of-two order (docs/engine.md).
 */
export const FREE_LISTS = ['implicit', 'explicit', 'segregated', 'simple-segregated', 'buddy'] as const;
export type FreeListKind = (typeof FREE_LISTS)[number];

/** Whether this family's free blocks hold next and prev links in their payloads (docs/engine.md). */
export function linksInPayload(freeList: FreeListKind): boolean {
  return freeList === 'explicit' || isSegregated(freeList);
}

/** Whether this family keeps one list per size class (either segregated variant). */
export function isSegregated(freeList: FreeListKind): boolean {
  return freeList === 'segregated' || freeList === 'simple-segregated';
}

/** The most size classes a segregated list may have (bounds given, plus the unbounded class). */
export const MAX_SIZE_CLASSES = 32;

/**
 * The class of a block of `size` bytes: the first whose bound is at least `size`, else the
 * unbounded class after the last bound (index `bounds.length`; docs/engine.md, "Segregated free lists").
 */
export function sizeClassOf(bounds: readonly number[], size: number): number {
  let c = 0;
  while (c < bounds.length && bounds[c]! < size) c++;
  return c;
}

/** The largest bound of the default size classes (docs/engine.md, "Segregated free lists"). */
const DEFAULT_CLASSES_UP_TO = 4096;

/**
 * The default bounds of a segregated list's size classes: powers of two from the smallest block
 * up to 4096 (16, 32, ..., 4096 on csapp; 32, ..., 4096 on default); one unbounded class follows.
 */
export function defaultClasses(wordSize: number, alignment: number): number[] {
  const bounds: number[] = [];
  for (let b = minBlockSize(wordSize, alignment, 'segregated'); b <= DEFAULT_CLASSES_UP_TO; b *= 2) bounds.push(b);
  return bounds;
}

/** Where an explicit list inserts a free block: at the head, at the tail, or sorted by address. */
export const LIST_ORDERS = ['lifo', 'fifo', 'address'] as const;
export type ListOrder = (typeof LIST_ORDERS)[number];

export const PRESET_NAMES = ['csapp', 'default'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

/** Largest heap the engine will simulate (1 GiB): keeps every size an exact small integer. */
export const MAX_HEAP_LIMIT = 2 ** 30;

/** The malloc lab driver's MAX_HEAP: 20 MB = 20 x 2^20 bytes. */
export const MALLOC_LAB_MAX_HEAP = 20 * 2 ** 20;

/** A complete, validated description of a simulated heap. */
export interface HeapConfig {
  /** Bytes in a header or footer word. */
  readonly wordSize: 4 | 8;
  /** Payload alignment; every block size is a multiple of it. */
  readonly alignment: 8 | 16;
  readonly footers: FooterMode;
  /** A free block is split off only if the remainder is at least this many bytes. */
  readonly minSplit: number;
  /** CHUNKSIZE: the heap grows by max(block size, chunkSize) when no block fits. */
  readonly chunkSize: number;
  /** `sbrk` fails past this many bytes and malloc returns NULL. */
  readonly maxHeap: number;
  /** Prologue and epilogue blocks at the heap's ends. */
  readonly sentinels: boolean;
  /** `sbrk` ignores every field but alignment and maxHeap; the buddy system accepts only `first`. */
  readonly policy: Policy;
  readonly coalesce: CoalesceMode;
  readonly realloc: ReallocMode;
  readonly search: SearchMode;
  /** Implicit list, or an explicit free list linked through free payloads. */
  readonly freeList: FreeListKind;
  /** Insertion order of the explicit list, of each segregated class list and of the buddy system's lists (ignored by the implicit list). */
  readonly order: ListOrder;
  /**
   * The upper bounds, in bytes of whole blocks, of a segregated list's size classes, ascending;
   * one more class, unbounded, follows the last (ignored by the other families). A block of
   * size s belongs to the first class whose bound is at least s.
   */
  readonly classes: readonly number[];
}

/** What a caller may set: a preset plus any field to override. */
export type HeapOptions = Partial<HeapConfig> & { readonly preset?: PresetName };

/**
 * The smallest block the layout allows: a header and a boundary tag plus at least one
 * payload byte, rounded up to the alignment (16 for CS:APP's 4-byte words, 32 for 8-byte words).
 */
export function minBlockSize(wordSize: number, alignment: number, freeList: FreeListKind = 'implicit'): number {
  // A buddy block is a power of two holding a header and, when free, two links (no boundary tag).
  if (freeList === 'buddy') return powerOfTwoAtLeast(Math.max(3 * wordSize, alignment));
  // A linked list's free block also holds the next and prev links: header, two links, footer.
  return linksInPayload(freeList) ? roundUp(4 * wordSize, alignment) : roundUp(2 * wordSize + 1, alignment);
}

/**
 * Where the first block's header sits: after the pad and the prologue (sentinels) or the pad
 * alone, one word below an aligned address so that payloads land on multiples of the alignment.
 */
export function firstBlockOffset(wordSize: number, alignment: number, sentinels: boolean): number {
  const prologueSize = sentinels ? roundUp(2 * wordSize, alignment) : 0;
  return roundUp(prologueSize + wordSize, alignment) - wordSize;
}

/** The smallest power of two that is at least `n` (1 for n <= 1). */
export function powerOfTwoAtLeast(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

export function roundUp(n: number, multiple: number): number {
  return Math.ceil(n / multiple) * multiple;
}

const CSAPP: HeapConfig = {
  wordSize: 4,
  alignment: 8,
  footers: 'all',
  minSplit: 16,
  chunkSize: 4096,
  maxHeap: MALLOC_LAB_MAX_HEAP,
  sentinels: true,
  policy: 'first',
  coalesce: 'immediate',
  realloc: 'naive',
  search: 'indexed',
  freeList: 'implicit',
  order: 'lifo',
  classes: defaultClasses(4, 8),
};

const DEFAULT: HeapConfig = {
  wordSize: 8,
  alignment: 16,
  footers: 'all',
  minSplit: 32,
  chunkSize: 4096,
  maxHeap: 64 * 2 ** 20,
  sentinels: true,
  policy: 'first',
  coalesce: 'immediate',
  realloc: 'in-place',
  search: 'indexed',
  freeList: 'implicit',
  order: 'lifo',
  classes: defaultClasses(8, 16),
};

/** The presets, each a complete configuration. */
export const PRESETS: Readonly<Record<PresetName, HeapConfig>> = {
  csapp: CSAPP,
  default: DEFAULT,
};

/** One-line descriptions for pickers and help text. */
export const PRESET_DESCRIPTIONS: Readonly<Record<PresetName, string>> = {
  csapp: 'CS:APP 3e textbook allocator: 4-byte words, 8-byte alignment, prologue/epilogue, first fit, immediate coalescing, 4 KiB chunks, naive realloc, 20 MB heap',
  default: 'Modern 64-bit layout: 8-byte header and footer words, 16-byte alignment, 32-byte minimum block, first fit, immediate coalescing, in-place realloc, 64 MiB heap',
};

/** A setting a configuration problem can be blamed on: a field of the configuration or the preset. */
export type ConfigKey = keyof HeapOptions;

/**
 * Why a configuration cannot describe a heap: the setting whose value is wrong (`key`), the other
 * settings the rule involves (`related`, e.g. maxHeap for a chunk larger than the heap), and one
 * sentence. Callers place the problem by its keys, never by searching the sentence.
 */
export interface ConfigProblem {
  readonly key: ConfigKey;
  readonly related?: readonly ConfigKey[];
  readonly message: string;
}

export interface ResolvedConfig {
  readonly config: HeapConfig;
  /** Empty when the configuration is usable; otherwise one per problem. */
  readonly problems: readonly ConfigProblem[];
}

/** Applies overrides to a preset (default `default`) and validates the result. Never throws. */
export function resolveConfig(options: HeapOptions = {}): ResolvedConfig {
  const { preset = 'default', ...overrides } = options;
  const base = PRESETS[preset] ?? DEFAULT;
  const problems: ConfigProblem[] = [];
  if (!(PRESET_NAMES as readonly string[]).includes(preset)) {
    problems.push({ key: 'preset', message: `Unknown preset "${String(preset)}"; expected one of ${PRESET_NAMES.join(', ')}.` });
  }
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    if (value !== undefined) merged[key] = value;
  }
  // A preset that changes word size or alignment but not the split rule keeps the split rule valid.
  if (
    overrides.minSplit === undefined &&
    (overrides.wordSize !== undefined || overrides.alignment !== undefined || overrides.freeList !== undefined)
  ) {
    merged.minSplit = minBlockSize(Number(merged.wordSize), Number(merged.alignment), listKind(merged.freeList));
  }
  // Likewise the default size classes start at the layout's smallest block.
  if (overrides.classes === undefined && (overrides.wordSize !== undefined || overrides.alignment !== undefined)) {
    merged.classes = defaultClasses(Number(merged.wordSize), Number(merged.alignment));
  }
  const config = merged as unknown as HeapConfig;
  problems.push(...validateConfig(config));
  return { config, problems };
}

/** Every reason this configuration cannot describe a heap; empty when it can. */
export function validateConfig(c: HeapConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const problem = (key: ConfigKey, message: string, related?: readonly ConfigKey[]): void => {
    problems.push(related ? { key, related, message } : { key, message });
  };
  const oneOf = (key: keyof HeapConfig, value: unknown, allowed: readonly unknown[]): boolean => {
    if (allowed.includes(value)) return true;
    problem(key, `${key} must be one of ${allowed.join(', ')} (got ${String(value)}).`);
    return false;
  };
  oneOf('policy', c.policy, POLICIES);
  oneOf('coalesce', c.coalesce, COALESCE_MODES);
  oneOf('realloc', c.realloc, REALLOC_MODES);
  oneOf('footers', c.footers, FOOTER_MODES);
  oneOf('search', c.search, SEARCH_MODES);
  const listOk = oneOf('freeList', c.freeList, FREE_LISTS);
  oneOf('order', c.order, LIST_ORDERS);
  const wordOk = oneOf('wordSize', c.wordSize, [4, 8]);
  const alignOk = oneOf('alignment', c.alignment, [8, 16]);
  if (typeof c.sentinels !== 'boolean') problem('sentinels', 'sentinels must be true or false.');
  if (!Number.isSafeInteger(c.maxHeap) || c.maxHeap < 64 || c.maxHeap > MAX_HEAP_LIMIT) {
    problem('maxHeap', `maxHeap must be a whole number of bytes from 64 to ${MAX_HEAP_LIMIT} (got ${String(c.maxHeap)}).`);
  }
  if (!alignOk || !wordOk) return problems;
  if (!Number.isSafeInteger(c.chunkSize) || c.chunkSize <= 0 || c.chunkSize % c.alignment !== 0) {
    problem('chunkSize', `chunkSize must be a positive multiple of the alignment (${c.alignment}) (got ${String(c.chunkSize)}).`, ['alignment']);
  } else if (c.policy !== 'sbrk' && Number.isSafeInteger(c.maxHeap) && c.chunkSize > c.maxHeap) {
    problem('chunkSize', `chunkSize (${c.chunkSize}) cannot exceed maxHeap (${c.maxHeap}).`, ['maxHeap']);
  }
  const linked = listOk && c.policy !== 'sbrk' && linksInPayload(c.freeList);
  const segregated = linked && isSegregated(c.freeList);
  const buddy = listOk && c.policy !== 'sbrk' && c.freeList === 'buddy';
  const minBlock = minBlockSize(c.wordSize, c.alignment, linked || buddy ? c.freeList : 'implicit');
  // The buddy system and simple segregated storage never split by minSplit (docs/engine.md): only
  // the families that split hold it to their smallest block.
  const splits = !buddy && c.freeList !== 'simple-segregated';
  const splitMin = splits ? minBlock : minBlockSize(c.wordSize, c.alignment, 'implicit');
  if (!Number.isSafeInteger(c.minSplit) || c.minSplit < splitMin || c.minSplit % c.alignment !== 0) {
    problem(
      'minSplit',
      `minSplit must be a multiple of the alignment (${c.alignment}) and at least the minimum block of ${splitMin} bytes (got ${String(c.minSplit)}).`,
      linked && splits ? ['alignment', 'wordSize', 'freeList'] : ['alignment', 'wordSize'],
    );
  }
  const listName = segregated ? 'a segregated free list' : 'an explicit free list';
  if (linked && c.coalesce === 'deferred' && c.freeList !== 'simple-segregated') {
    problem('coalesce', `coalesce "deferred" is not offered with ${listName}: a merge pass would have to rebuild the list${segregated ? 's' : ''}, which no textbook ${segregated ? 'segregated' : 'explicit'} allocator does; use immediate or off.`, ['freeList']);
  }
  if ((linked || buddy) && !c.sentinels && c.wordSize === c.alignment) {
    // The null link is offset 0 (docs/engine.md); without a prologue and with W = A the first block starts there.
    problem('sentinels', `${buddy ? 'the buddy system' : listName} with 8-byte words and 8-byte alignment needs sentinels: the first block would start at offset 0, which is the null link.`, ['freeList', 'wordSize', 'alignment']);
  }
  if (segregated) problems.push(...classProblems(c.classes, c.alignment, minBlock));
  if (buddy) problems.push(...buddyProblems(c));
  if (c.policy !== 'sbrk' && !buddy && c.footers === 'free-only' && !c.sentinels) {
    problem(
      'footers',
      'footers "free-only" needs sentinels: the epilogue header carries the last block\'s allocated bit, which is the only way to find out whether it has a footer.',
      ['sentinels'],
    );
  }
  return problems;
}

/** What is wrong with a segregated list's class bounds (docs/engine.md, "Segregated free lists"). */
function classProblems(classes: unknown, alignment: number, minBlock: number): ConfigProblem[] {
  const refuse = (message: string): ConfigProblem[] => [{ key: 'classes', related: ['alignment', 'wordSize', 'freeList'], message }];
  if (!Array.isArray(classes) || classes.length === 0) return refuse('classes must list at least one class bound in bytes, e.g. 32,64,128.');
  if (classes.length >= MAX_SIZE_CLASSES) {
    return refuse(`classes may list at most ${MAX_SIZE_CLASSES - 1} bounds (one more class, unbounded, follows them); got ${classes.length}.`);
  }
  for (const [i, b] of classes.entries()) {
    if (!Number.isSafeInteger(b) || b < minBlock || b % alignment !== 0) {
      return refuse(`every class bound must be a multiple of the alignment (${alignment}) and at least the minimum block of ${minBlock} bytes (got ${String(b)}).`);
    }
    if (i > 0 && b <= classes[i - 1]) return refuse(`class bounds must rise strictly (got ${String(classes[i - 1])} then ${String(b)}).`);
  }
  return [];
}

/** The list kind a (possibly invalid) merged configuration asks for, for defaults derived from it. */
function listKind(value: unknown): FreeListKind {
  return (FREE_LISTS as readonly unknown[]).includes(value) ? (value as FreeListKind) : 'implicit';
}

/**
 * The buddy system's own rules (docs/engine.md, "The buddy system"): it places by order, so only
 * `first` names its placement; it merges buddies at once or never; its first arena must fit.
 */
function buddyProblems(c: HeapConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (!policiesFor('buddy').includes(c.policy)) {
    problems.push({ key: 'policy', related: ['freeList'], message: `the buddy system places a block itself (the first block on the smallest non-empty order's list), so its policy is "first" (got ${String(c.policy)}); "sbrk" selects the baseline.` });
  }
  if (c.coalesce === 'deferred') {
    problems.push({ key: 'coalesce', related: ['freeList'], message: 'coalesce "deferred" is not offered with the buddy system: a freed block merges with its buddy at once (immediate) or never (off).' });
  }
  if (Number.isSafeInteger(c.chunkSize) && c.chunkSize > 0 && Number.isSafeInteger(c.maxHeap)) {
    const arena = buddyArenaSize(c);
    const start = firstBlockOffset(c.wordSize, c.alignment, c.sentinels);
    const needed = start + arena + (c.sentinels ? c.wordSize : 0);
    if (needed > c.maxHeap) {
      problems.push({ key: 'chunkSize', related: ['maxHeap', 'freeList'], message: `the buddy system's first arena is chunkSize rounded up to a power of two (${arena} bytes); with the heap's first ${start} bytes and ${c.sentinels ? 'the epilogue' : 'nothing else'} it needs ${needed} bytes, more than maxHeap (${c.maxHeap}).` });
    }
  }
  return problems;
}

/** The buddy system's first arena: chunkSize rounded up to a power of two, at least the smallest block. */
export function buddyArenaSize(c: Pick<HeapConfig, 'chunkSize' | 'wordSize' | 'alignment'>): number {
  return powerOfTwoAtLeast(Math.max(c.chunkSize, minBlockSize(c.wordSize, c.alignment, 'buddy')));
}
