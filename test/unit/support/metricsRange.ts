// The ranges every metric stays in, whatever a trace or a wild write did to the heap: counts and
// sizes whole and at least 0, fractions between 0 and 1, or null (unknown) with a reason beside.

import assert from 'node:assert/strict';
import type { HeapMetrics } from '../../../src/engine/index';

const COUNTS = ['livePayload', 'peakPayload', 'heapSize', 'allocatedBlocks', 'internalFragmentation', 'freeBlocks', 'freeBytes', 'largestFree'] as const;
const FRACTIONS = ['utilisation', 'externalFragmentation'] as const;
/** Figures that come from the driver's bookkeeping and the break: never unknown. */
const ALWAYS_KNOWN = ['livePayload', 'peakPayload', 'heapSize'] as const;

export function assertMetricsInRange(m: HeapMetrics, where: string): void {
  for (const key of COUNTS) {
    const v = m[key];
    if (v === null) continue;
    assert.ok(Number.isSafeInteger(v) && v >= 0, `${where}: ${key} is ${v}, not a count`);
  }
  for (const key of FRACTIONS) {
    const v = m[key];
    if (v === null) continue;
    assert.ok(Number.isFinite(v) && v >= 0 && v <= 1, `${where}: ${key} is ${v}, not between 0 and 1`);
  }
  for (const key of ALWAYS_KNOWN) assert.notEqual(m[key], null, `${where}: ${key} is unknown`);
  const unknown = [...COUNTS, ...FRACTIONS].filter((key) => m[key] === null);
  if (unknown.length > 0) assert.ok(typeof m.unknown === 'string' && m.unknown.length > 0, `${where}: ${unknown.join(', ')} unknown without a reason`);
  else assert.equal(m.unknown, null, `${where}: a reason for unknown figures, but none is unknown`);
  if (m.freeBytes !== null && m.largestFree !== null) assert.ok(m.largestFree <= m.freeBytes, `${where}: the largest free block (${m.largestFree}) is larger than all free bytes (${m.freeBytes})`);
  assert.ok(m.peakPayload >= m.livePayload, `${where}: peak payload ${m.peakPayload} below live payload ${m.livePayload}`);
}
