// The engine's public surface: a simulated heap of real bytes and the allocators that run on it.
// Pure: no vscode, no Node built-ins, no DOM (checked by a neutral-platform bundle in `npm test`).

import type { Allocator, AllocatorOptions } from './allocator';
import { resolveConfig, type ConfigProblem, type HeapConfig, type HeapOptions } from './config';
import type { AllocatorSnapshot } from './results';
import { BuddyAllocator } from './buddyAllocator';
import { ExplicitAllocator } from './explicitAllocator';
import { ImplicitAllocator } from './implicitAllocator';
import { SbrkAllocator } from './sbrkAllocator';
import { SegregatedAllocator } from './segregatedAllocator';
import { SimpleSegregatedAllocator } from './simpleSegregatedAllocator';

export type { Allocator, AllocatorOptions } from './allocator';
export * from './config';
export * from './results';
export { BlockLayout, buddyOffset, orderOf, MAX_BUDDY_ORDER, ALLOCATED_BIT, PREV_ALLOCATED_BIT, sizeOfWord, flagsOfWord, allocatedOfWord, prevAllocatedOfWord, decodeWord, type DecodedWord } from './layout';
export { HeapMemory, HeapFault, PAGE_SIZE, hex, bytesEqual, type HeapBytes, type KeptBytes } from './memory';
export { formatChain, formatChainColumns, type ChainColumns, type ChainOptions } from './chain';
export { linearFitSearch, type FitSearch, type FitResult } from './fitSearch';
export { ImplicitAllocator } from './implicitAllocator';
export { ExplicitAllocator } from './explicitAllocator';
export { FreeList, NULL_LINK } from './freeList';
export { SegregatedAllocator } from './segregatedAllocator';
export { SimpleSegregatedAllocator } from './simpleSegregatedAllocator';
export { className } from './segregatedChecker';
export { BuddyAllocator, type BuddyBlock, type BuddyOrderList } from './buddyAllocator';
export { SbrkAllocator } from './sbrkAllocator';
export { cutColumns } from './walker';

/** Thrown by `createAllocator` for a configuration that cannot describe a heap (a caller's bug; validate first). */
export class HeapConfigError extends Error {
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(`Invalid heap configuration: ${problems.map((p) => p.message).join(' ')}`);
    this.name = 'HeapConfigError';
  }
}

/**
 * A fresh allocator for a preset plus overrides, e.g. `createAllocator({ preset: 'csapp', policy: 'best' })`.
 * Check user-supplied options with `resolveConfig` first: this throws HeapConfigError on invalid ones.
 */
export function createAllocator(options: HeapOptions = {}): Allocator {
  const { config, problems } = resolveConfig(options);
  if (problems.length > 0) throw new HeapConfigError(problems);
  return allocatorFor(config);
}

/**
 * An allocator in the state a snapshot of one with the same configuration describes. `recycle`:
 * an allocator with the same largest heap that is no longer needed (it must not be used
 * afterwards), whose buffers the new one takes over instead of allocating its own. `options`:
 * see AllocatorOptions.
 */
export function restoreAllocator(config: HeapConfig, snapshot: AllocatorSnapshot, recycle?: Allocator, options?: AllocatorOptions): Allocator {
  if (config.policy === 'sbrk') return new SbrkAllocator(config, undefined, undefined, options).restore(snapshot);
  if (config.freeList === 'buddy') {
    return new BuddyAllocator(config, snapshot, recycle instanceof BuddyAllocator && recycle.config.maxHeap === config.maxHeap ? recycle : undefined, options);
  }
  const donor = recycle instanceof ImplicitAllocator && recycle.config.maxHeap === config.maxHeap ? recycle : undefined;
  if (config.freeList === 'explicit') return new ExplicitAllocator(config, snapshot, donor, options);
  if (config.freeList === 'segregated') return new SegregatedAllocator(config, snapshot, donor, options);
  if (config.freeList === 'simple-segregated') return new SimpleSegregatedAllocator(config, snapshot, donor, options);
  return new ImplicitAllocator(config, snapshot, donor, options);
}

/** A fresh allocator for an already validated configuration. */
export function allocatorFor(config: HeapConfig): Allocator {
  if (config.policy === 'sbrk') return new SbrkAllocator(config);
  switch (config.freeList) {
    case 'explicit':
      return new ExplicitAllocator(config);
    case 'segregated':
      return new SegregatedAllocator(config);
    case 'simple-segregated':
      return new SimpleSegregatedAllocator(config);
    case 'buddy':
      return new BuddyAllocator(config);
    default:
      return new ImplicitAllocator(config);
  }
}
