// A script's settings read for OSTEP's model (`set preset = ostep`, docs/ostep.md "In the editor"):
// malloc.py's flags under the script's names, its defaults where the script says nothing, and a
// line for every setting the model cannot use.

import type { HeapOptions } from '../../engine/config';
import type { Diagnostic, SettingKey, TraceSetting } from '../model';
import type { OstepHeapOptions, OstepOrder, OstepPolicy } from './ostepHeap';

export interface OstepConfig {
  readonly options: OstepHeapOptions;
  readonly preset: 'ostep';
  /** Settings refused (errors: the model's default is used) or ignored (warnings), on their lines. */
  readonly diagnostics: readonly Diagnostic[];
}

/** malloc.py's defaults: a 100-byte heap at address 1000, no header, no alignment, BEST, ADDRSORT, no coalescing. */
export const OSTEP_DEFAULTS: OstepHeapOptions = { size: 100, baseAddr: 1000, headerSize: 0, alignment: -1, policy: 'BEST', order: 'ADDRSORT', coalesce: false };

/** The engine's names for the orders OSTEP's model shares with it. */
const ORDER_ALIASES: Readonly<Record<string, OstepOrder>> = { address: 'ADDRSORT', lifo: 'INSERT-FRONT', fifo: 'INSERT-BACK' };

/** Settings of the engine's heap that OSTEP's model has no use for, and why. */
const NOT_IN_MODEL: Partial<Record<SettingKey, string>> = {
  realloc: 'it has only alloc and free',
  wordSize: 'its header is headerSize bytes, holding no word',
  footers: 'its chunks have no boundary tags',
  minSplit: 'it splits off any remainder, down to one byte',
  chunkSize: 'its heap never grows',
  maxHeap: 'its heap is heapSize bytes, fixed',
  sentinels: 'its heap has no prologue or epilogue',
  freeList: 'it keeps one list of free chunks, outside the heap',
  classes: 'it keeps one list of free chunks, outside the heap',
};

/** The model's options from a script's settings, then `overrides` (a command line's policy, order and coalescing). */
export function ostepConfig(settings: readonly TraceSetting[], overrides: HeapOptions): OstepConfig {
  const o: { -readonly [K in keyof OstepHeapOptions]: OstepHeapOptions[K] } = { ...OSTEP_DEFAULTS };
  const diagnostics: Diagnostic[] = [];
  const refuse = (s: TraceSetting, message: string): void => void diagnostics.push({ range: s.range, severity: 'error', code: 'bad-setting', message });
  for (const s of settings) {
    const v = s.value;
    switch (s.key) {
      case 'policy': {
        const policy = ostepPolicy(v);
        if (policy === null) refuse(s, `OSTEP's model places by first, best or worst fit, not ${String(v)}; it runs with ${o.policy} instead.`);
        else o.policy = policy;
        break;
      }
      case 'order': {
        const order = ostepOrder(v);
        if (order === null) refuse(s, `OSTEP's model keeps its list in order ADDRSORT, SIZESORT+, SIZESORT-, INSERT-FRONT or INSERT-BACK (address, lifo and fifo name three of them), not ${String(v)}; it runs with ${o.order} instead.`);
        else o.order = order;
        break;
      }
      case 'coalesce':
        if (v === 'deferred') refuse(s, `OSTEP's model coalesces after every free (immediate) or never (off), not deferred; it runs with ${o.coalesce ? 'immediate' : 'off'} instead.`);
        else o.coalesce = v === 'immediate';
        break;
      case 'alignment':
        o.alignment = Number(v);
        break;
      case 'heapSize':
        o.size = Number(v);
        break;
      case 'baseAddr':
        o.baseAddr = Number(v);
        break;
      case 'headerSize':
        o.headerSize = Number(v);
        break;
      case 'preset':
      case 'answers':
        break;
      default:
        diagnostics.push({ range: s.range, severity: 'warning', code: 'bad-setting', message: `${s.key} does not apply to OSTEP's model (${NOT_IN_MODEL[s.key] ?? 'it has no such setting'}); it is ignored.` });
    }
  }
  if (overrides.policy !== undefined) o.policy = ostepPolicy(overrides.policy) ?? o.policy;
  if (overrides.order !== undefined) o.order = ostepOrder(overrides.order) ?? o.order;
  if (overrides.coalesce !== undefined && overrides.coalesce !== 'deferred') o.coalesce = overrides.coalesce === 'immediate';
  return { options: o, preset: 'ostep', diagnostics };
}

function ostepPolicy(v: unknown): OstepPolicy | null {
  return v === 'first' ? 'FIRST' : v === 'best' ? 'BEST' : v === 'worst' ? 'WORST' : null;
}

function ostepOrder(v: unknown): OstepOrder | null {
  if (typeof v !== 'string') return null;
  const upper = v.toUpperCase();
  if (upper === 'ADDRSORT' || upper === 'SIZESORT+' || upper === 'SIZESORT-' || upper === 'INSERT-FRONT' || upper === 'INSERT-BACK') return upper;
  return ORDER_ALIASES[v.toLowerCase()] ?? null;
}

/** The script's words for a model option: `best`, `ADDRSORT`, `immediate` (what `set` lines say). */
export function ostepPolicyName(policy: OstepPolicy): 'first' | 'best' | 'worst' {
  return policy === 'FIRST' ? 'first' : policy === 'BEST' ? 'best' : 'worst';
}
