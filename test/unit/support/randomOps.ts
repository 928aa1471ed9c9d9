// Test helper for property tests: random malloc / calloc / realloc / free sequences (frees and
// reallocs pick a live pointer by index), and the live payloads an independent model keeps, each
// filled with its own byte as mdriver does.

import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Allocator } from '../../../src/engine/index';

export type Op =
  | { readonly op: 'malloc'; readonly size: number }
  | { readonly op: 'calloc'; readonly size: number }
  | { readonly op: 'free'; readonly pick: number }
  | { readonly op: 'realloc'; readonly pick: number; readonly size: number };

/** Up to 80 ops: mostly small sizes up to `small`, some up to `large`, a few zero. */
export function randomOps(small: number, large: number): fc.Arbitrary<Op[]> {
  const size = fc.oneof({ weight: 12, arbitrary: fc.integer({ min: 1, max: small }) }, { weight: 2, arbitrary: fc.integer({ min: small + 1, max: large }) }, { weight: 1, arbitrary: fc.constant(0) });
  const pick = fc.nat({ max: 1000 });
  return fc.array(
    fc.oneof(
      { weight: 6, arbitrary: fc.record({ op: fc.constant('malloc' as const), size }) },
      { weight: 1, arbitrary: fc.record({ op: fc.constant('calloc' as const), size }) },
      { weight: 5, arbitrary: fc.record({ op: fc.constant('free' as const), pick }) },
      { weight: 2, arbitrary: fc.record({ op: fc.constant('realloc' as const), pick, size }) },
    ),
    { maxLength: 80 },
  );
}

/** The ops as a failure message shows them, e.g. `malloc(24), free(#0)`. */
export function describeOps(list: readonly Op[]): string {
  return list.map((o) => (o.op === 'free' ? `free(#${o.pick})` : o.op === 'realloc' ? `realloc(#${o.pick}, ${o.size})` : `${o.op}(${o.size})`)).join(', ');
}

/** The live payloads (pointer -> size and fill byte) in the order they were born; nothing read from the engine's walker. */
export class LivePayloads {
  readonly live = new Map<number, { size: number; byte: number }>();
  private order: number[] = [];
  private nextByte = 1;

  constructor(readonly heap: Allocator) {}

  /** The live pointer an op's `pick` names, or null (NULL) when none is live. */
  pointer(pick: number): number | null {
    return this.order.length === 0 ? null : this.order[pick % this.order.length]!;
  }

  /** A new payload of `n` bytes at `ptr`: filled with its own byte. */
  born(ptr: number, n: number): void {
    const byte = this.nextByte++ & 0xff || 7;
    this.heap.fill(ptr, 0, n, byte);
    this.live.set(ptr, { size: n, byte });
    this.order.push(ptr);
  }

  died(ptr: number): void {
    this.live.delete(ptr);
    this.order = this.order.filter((p) => p !== ptr);
  }

  /** realloc kept the first min(old, new) bytes of the payload that was at `from`. */
  assertKept(from: number, to: number, size: number, where = 'realloc'): void {
    const old = this.live.get(from);
    if (old) assert.ok(this.heap.memory.equals(to, new Uint8Array(Math.min(old.size, size)).fill(old.byte)), `${where} keeps min(old, new) bytes`);
  }

  /** Every live payload still holds its bytes. */
  assertBytes(where: string): void {
    for (const [ptr, b] of this.live) assert.ok(this.heap.memory.equals(ptr, new Uint8Array(b.size).fill(b.byte)), `${where}: ${ptr} holds its bytes`);
  }
}
