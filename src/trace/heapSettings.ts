// A `.heap` script's `set key = value` lines: keys in the spellings people type, values checked
// against the engine's closed sets and byte counts, each problem said on its line.

import { COALESCE_MODES, FOOTER_MODES, FREE_LISTS, LIST_ORDERS, MAX_HEAP_LIMIT, POLICIES, PRESET_NAMES, REALLOC_MODES } from '../engine/config';
import { LineError, type Tok } from './heapLexer';
import { OSTEP_ORDERS } from './ostep/ostepHeap';
import { lineRange, SETTING_KEYS, type SettingKey, type SourceRange, type TraceSetting } from './model';
import { parseByteSize, parseByteSizes } from './numbers';
import { clip } from './text';

/** Setting keys, with the spellings people type. */
const KEY_ALIASES: Readonly<Record<string, SettingKey>> = Object.fromEntries(
  SETTING_KEYS.flatMap((k) => [
    [k.toLowerCase(), k],
    [k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`), k],
  ]),
) as Record<string, SettingKey>;

/** The settings whose value is one of a closed set, and that set. */
/** The presets a script may name: the engine's, and `ostep`, OSTEP's free-space model (docs/ostep.md). */
export const OSTEP_PRESET = 'ostep';
export const SCRIPT_PRESETS = [...PRESET_NAMES, OSTEP_PRESET] as const;

/** Whether the editor shows each op's result (`shown`) or keeps it until asked (`hidden`, an exercise). */
export const ANSWER_MODES = ['shown', 'hidden'] as const;

/** The largest base address and header size of OSTEP's model: every address stays an exact double. */
const MAX_OSTEP_NUMBER = 2 ** 40;

const CHOICES = {
  preset: SCRIPT_PRESETS,
  policy: POLICIES,
  coalesce: COALESCE_MODES,
  realloc: REALLOC_MODES,
  footers: FOOTER_MODES,
  freeList: FREE_LISTS,
  // The engine's list orders and OSTEP's; which apply is the preset's to say (traceConfig.ts).
  order: [...LIST_ORDERS, ...OSTEP_ORDERS],
  wordSize: [4, 8],
  answers: ANSWER_MODES,
} as const satisfies Partial<Record<SettingKey, readonly (string | number)[]>>;

/** A `set key = value` line as a setting, its value checked against what the engine accepts. */
export function parseSetting(toks: Tok[], source: string, line: number, range: SourceRange): TraceSetting {
  const keyTok = toks[1];
  const usage = 'set key = value, e.g. "set policy = best"';
  if (!keyTok) throw new LineError(range, 'bad-setting', `A setting line reads ${usage}.`);
  const key = KEY_ALIASES[keyTok.text.toLowerCase()] ?? KEY_ALIASES[keyTok.text];
  if (!key) throw new LineError(lineRange(line, keyTok.column, keyTok.end), 'bad-setting', `Unknown setting "${clip(keyTok.text)}"; the settings are ${SETTING_KEYS.join(', ')}.`);
  const valueToks = toks[2]?.text === '=' ? toks.slice(3) : toks.slice(2);
  const first = valueToks[0];
  if (!first) throw new LineError(range, 'bad-setting', `"set ${key}" needs a value: ${usage}.`);
  const last = valueToks[valueToks.length - 1]!;
  const valueRange = lineRange(line, first.column, last.end);
  // The value as written, from its first token to its last: "-1" and "20 M" are one value each.
  const v = source.slice(first.column - 1, last.end - 1);
  const negative = first.text === '-' && valueToks.length === 2 && valueToks[1]!.kind === 'number';
  const byteCount = key === 'minSplit' || key === 'chunkSize' || key === 'maxHeap' || key === 'heapSize';
  if (first.kind === 'punct' && !negative) throw new LineError(valueRange, 'bad-setting', `"set ${key}" needs a value after "=", not "${clip(v)}": ${usage}.`);
  // OSTEP's list orders are one value of several tokens: SIZESORT+, INSERT-FRONT.
  if (valueToks.length > 1 && !negative && !byteCount && key !== 'classes' && key !== 'order') {
    throw new LineError(lineRange(line, valueToks[1]!.column, last.end), 'bad-setting', `One value per setting: ${usage}.`);
  }
  if (first.kind === 'string') throw new LineError(valueRange, 'bad-setting', `Setting values are written without quotes: set ${key} = ${clip(v.slice(1, -1))}.`);
  const oneOf = (allowed: readonly (string | number)[]): string | number => {
    const number = /^(?:[0-9]+|0[xX][0-9a-fA-F]+)$/.test(v) ? Number(v) : NaN;
    const hit = allowed.find((a) => (typeof a === 'number' ? a === number : a.toLowerCase() === v.toLowerCase()));
    if (hit === undefined) throw new LineError(valueRange, 'bad-setting', `${key} must be one of ${allowed.join(', ')}, not "${clip(v)}".`);
    return hit;
  };
  let value: TraceSetting['value'];
  switch (key) {
    case 'preset':
    case 'policy':
    case 'coalesce':
    case 'realloc':
    case 'footers':
    case 'freeList':
    case 'order':
    case 'wordSize':
    case 'answers':
      value = oneOf(CHOICES[key]);
      break;
    case 'alignment':
      value = parseAlignment(v, valueRange);
      break;
    case 'baseAddr':
    case 'headerSize': {
      const n = /^(?:[0-9]+|0[xX][0-9a-fA-F]+)$/.test(v) ? Number(v) : NaN;
      if (!(n <= MAX_OSTEP_NUMBER)) throw new LineError(valueRange, 'bad-setting', `${key} is a whole number from 0 to ${MAX_OSTEP_NUMBER}, not "${clip(v)}".`);
      value = n;
      break;
    }
    case 'sentinels': {
      const b = { on: true, off: false, true: true, false: false, yes: true, no: false }[v.toLowerCase()];
      if (b === undefined) throw new LineError(valueRange, 'bad-setting', `sentinels is on or off, not "${clip(v)}".`);
      value = b;
      break;
    }
    case 'classes':
      value = parseClasses(key, v, valueRange);
      break;
    case 'minSplit':
    case 'chunkSize':
    case 'maxHeap':
    case 'heapSize': {
      const n = parseByteSize(v);
      if (n === null) throw new LineError(valueRange, 'bad-setting', badByteCount(key, v));
      value = n;
      break;
    }
  }
  return { key, value, range };
}

/**
 * An alignment: a positive whole number (the engine's presets take 8 or 16, OSTEP's model any),
 * or `none` (also -1, as malloc.py writes it): OSTEP's model without rounding.
 */
function parseAlignment(v: string, range: SourceRange): number {
  const text = v.replace(/\s+/g, '').toLowerCase();
  if (text === 'none' || text === '-1') return -1;
  const n = /^(?:[0-9]+|0x[0-9a-f]+)$/.test(text) ? Number(text) : NaN;
  if (!(n >= 1 && n <= MAX_OSTEP_NUMBER)) throw new LineError(range, 'bad-setting', `alignment is a whole number of bytes (8 or 16; OSTEP's model takes any from 1, or none), not "${clip(v)}".`);
  return n;
}

/** Size-class bounds, `32,64,128`; whether they rise and fit the layout is the configuration's to say (a problem on `classes`). */
function parseClasses(key: SettingKey, v: string, range: SourceRange): number[] {
  const parsed = parseByteSizes(v);
  if ('bad' in parsed) throw new LineError(range, 'bad-setting', `${key} lists class bounds in bytes, like 32,64,128; "${clip(parsed.bad)}" is not a byte count.`);
  return parsed.sizes;
}

/** What is wrong with a byte-count setting's value that `parseByteSize` refused. */
function badByteCount(key: SettingKey, v: string): string {
  const example = 'a byte count like 4096, 64K or 20M';
  if (/^-\s*[0-9]/.test(v)) return `${key} cannot be negative ("${clip(v)}"): it is ${example}.`;
  const unit = '\\s*(?:[KMGkmg]i?[Bb]?|[Bb])?';
  if (new RegExp(`^[0-9]*\\.[0-9]*${unit}$`).test(v) && /[0-9]/.test(v)) return `${key} is a whole number of bytes, not "${clip(v)}": it is ${example}.`;
  if (new RegExp(`^(?:[0-9]+|0[xX][0-9a-fA-F]+)${unit}$`).test(v)) return `${key} ${clip(v, 40)} is too large: no heap here grows beyond 1G (${MAX_HEAP_LIMIT} bytes).`;
  return `${key} is ${example}, not "${clip(v)}".`;
}
