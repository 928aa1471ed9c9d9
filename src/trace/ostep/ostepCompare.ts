// Compare Policies on OSTEP's model: the script's ops under every policy (BEST, WORST, FIRST) and
// every list order malloc.py offers, its own coalescing kept, side by side (docs/ostep.md).

import type { Trace } from '../model';
import { OSTEP_ORDERS, OSTEP_POLICIES, type OstepHeapOptions, type OstepOrder, type OstepPolicy } from './ostepHeap';
import { OstepReplay } from './ostepReplay';
import { OstepSource } from './ostepSource';

export interface OstepRow {
  readonly policy: OstepPolicy;
  readonly order: OstepOrder;
  /** Whether this is the script's own configuration. */
  readonly own: boolean;
  readonly failedAllocs: number;
  readonly searched: number;
  readonly freeChunks: number;
  readonly largestFree: number;
  readonly externalFragmentation: number | null;
}

/** The script's run under `policy` and `order` (the rest of its options kept), as a source of heaps. */
export function ostepVariant(trace: Trace, options: OstepHeapOptions, policy: OstepPolicy, order: OstepOrder = options.order): OstepSource {
  return new OstepSource(OstepReplay.run(trace, { ...options, policy, order }), 'ostep');
}

/** Every policy and list order on the script's ops, the script's own first. */
export function compareOstep(trace: Trace, options: OstepHeapOptions): OstepRow[] {
  const rows: OstepRow[] = [];
  for (const policy of OSTEP_POLICIES) {
    for (const order of OSTEP_ORDERS) {
      const source = ostepVariant(trace, options, policy, order);
      const m = source.metricsAt(source.steps - 1);
      const totals = source.totals();
      rows.push({ policy, order, own: policy === options.policy && order === options.order, failedAllocs: totals.nulls, searched: totals.examined, freeChunks: m.freeBlocks ?? 0, largestFree: m.largestFree ?? 0, externalFragmentation: m.externalFragmentation });
    }
  }
  return [...rows.filter((r) => r.own), ...rows.filter((r) => !r.own)];
}

/** The comparison as a table (`heap-inspector compare` and Compare Policies on an OSTEP script). */
export function formatOstepComparison(name: string, options: OstepHeapOptions, rows: readonly OstepRow[]): string {
  const header = ['policy', 'list order', 'failed allocs', 'searched', 'free chunks', 'largest free', 'ext frag'];
  const cells = rows.map((r) => [
    `${r.policy}${r.own ? ' *' : ''}`,
    r.order,
    String(r.failedAllocs),
    String(r.searched),
    String(r.freeChunks),
    String(r.largestFree),
    r.externalFragmentation === null ? '?' : `${(r.externalFragmentation * 100).toFixed(1)}%`,
  ]);
  const widths = header.map((h, col) => Math.max(h.length, ...cells.map((c) => c[col]!.length)));
  const fmt = (c: readonly string[]) => c.map((cell, col) => (col < 2 ? cell.padEnd(widths[col]!) : cell.padStart(widths[col]!))).join('  ');
  return [
    `${name}: every policy and list order on OSTEP's model (${options.size}-byte heap at ${options.baseAddr}, header ${options.headerSize}, alignment ${options.alignment}, ${options.coalesce ? 'coalescing' : 'no coalescing'})`,
    '',
    fmt(header),
    ...cells.map(fmt),
    '',
    '* the script\'s own policy and order. searched: list elements the Allocs looked at; ext frag: 1 - largest free / total free at the end.',
  ].join('\n') + '\n';
}
