// Exact integer parsing for trace sizes: 64-bit unsigned requests parsed as bigint (the 2016 lab's
// 64-bit traces ask for sizes near 2^56, beyond JavaScript's exact numbers), and byte sizes with
// K/M/G suffixes for settings and the command line.

import { MAX_SIZE } from './vocabulary';
import { clip } from './text';

export type NumberProblem = 'bad-number' | 'negative-size' | 'size-too-large';

export type ParsedSize = { readonly ok: true; readonly value: bigint } | { readonly ok: false; readonly problem: NumberProblem; readonly message: string };

const DECIMAL = /^[0-9]+$/;
const HEX = /^0[xX][0-9a-fA-F]+$/;

/** A non-negative integer up to 2^64-1, decimal (and hex when `allowHex`), parsed exactly. */
export function parseSize(text: string, what: string, allowHex = false): ParsedSize {
  if (text.startsWith('-') && (DECIMAL.test(text.slice(1)) || HEX.test(text.slice(1)))) {
    return { ok: false, problem: 'negative-size', message: `${what} ${clip(text, 40)} is negative; sizes count bytes from 0 up.` };
  }
  if (!DECIMAL.test(text) && !(allowHex && HEX.test(text))) {
    return { ok: false, problem: 'bad-number', message: `${what} "${clip(text, 40)}" is not a whole number${allowHex ? ' (decimal, or hex like 0x20)' : ''}.` };
  }
  // 2^64-1 has 20 decimal digits and 16 hex ones: longer is too large without making a bigint of
  // what may be a megabyte of digits.
  const hex = HEX.test(text);
  const digits = (hex ? text.slice(2) : text).replace(/^0+/, '').length;
  const value = digits > (hex ? 16 : 20) ? null : BigInt(text);
  if (value === null || value > MAX_SIZE) {
    return { ok: false, problem: 'size-too-large', message: `${what} ${clip(text, 40)} is larger than 2^64-1, the largest size_t.` };
  }
  return { ok: true, value };
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** A bigint size as a number when it is exactly representable, else the bigint (the engine takes both). */
export function engineSize(value: bigint): number | bigint {
  return value <= MAX_SAFE ? Number(value) : value;
}

const UNITS: Readonly<Record<string, number>> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 };

/**
 * A byte count with an optional K, M or G suffix (powers of 1024; `KB`, `KiB`, `MB`... accepted too),
 * e.g. `20M` = 20 x 2^20. Returns null when the text is not one.
 */
export function parseByteSize(text: string): number | null {
  const m = /^([0-9]+|0[xX][0-9a-fA-F]+)\s*([KMGkmg])?(?:i?[Bb])?$/.exec(text.trim());
  if (!m) return null;
  const value = Number(m[1]!) * UNITS[(m[2] ?? '').toUpperCase()]!;
  return Number.isSafeInteger(value) ? value : null;
}

/**
 * A list of byte counts separated by commas or spaces, e.g. `32,64,128` or `1K 4K` (a segregated
 * list's class bounds). Returns the first entry that is not a byte count when there is one.
 */
export function parseByteSizes(text: string): { readonly sizes: number[] } | { readonly bad: string } {
  const sizes: number[] = [];
  for (const part of text.split(/[\s,]+/).filter((p) => p.length > 0)) {
    const n = parseByteSize(part);
    if (n === null) return { bad: part };
    sizes.push(n);
  }
  return { sizes };
}

/** A byte count as the shortest exact K/M/G form, e.g. 20971520 -> `20M`. */
export function formatByteSize(bytes: number): string {
  for (const unit of ['G', 'M', 'K'] as const) {
    const scale = UNITS[unit]!;
    if (bytes >= scale && bytes % scale === 0) return `${bytes / scale}${unit}`;
  }
  return String(bytes);
}
