// Integers read from text as Python reads them: `int(text, radix)` and optparse's `type='int'`
// (a 0x, 0b or leading 0 picks the radix), so OSTEP's flags mean here what they mean to malloc.py.

const PREFIX: Readonly<Record<number, string>> = { 2: 'b', 8: 'o', 16: 'x' };
const DIGITS = '0123456789abcdef';

/** Python 3's `int(text, radix)` for ASCII text (radix 2, 8, 10 or 16); null where Python raises ValueError. */
export function pythonInt(text: string, radix: 2 | 8 | 10 | 16): bigint | null {
  let s = text.replace(/^[ \t\n\v\f\r]+|[ \t\n\v\f\r]+$/g, '').toLowerCase();
  let negative = false;
  if (s.startsWith('+') || s.startsWith('-')) {
    negative = s.startsWith('-');
    s = s.slice(1);
  }
  const prefix = PREFIX[radix];
  let prefixed = false;
  if (prefix !== undefined && s.length > 1 && s[0] === '0' && s[1] === prefix) {
    s = s.slice(2);
    prefixed = true;
  }
  // Digits with single underscores between them; one may also follow a base prefix.
  if (prefixed && s.startsWith('_')) s = s.slice(1);
  if (s === '' || s.startsWith('_') || s.endsWith('_') || s.includes('__')) return null;
  let value = 0n;
  const big = BigInt(radix);
  for (const ch of s) {
    if (ch === '_') continue;
    const digit = DIGITS.indexOf(ch);
    if (digit < 0 || digit >= radix) return null;
    value = value * big + BigInt(digit);
  }
  return negative ? -value : value;
}

/** optparse's reading of a `type='int'` option: 0x is hex, 0b binary, a leading 0 octal, else decimal. */
export function optparseInt(text: string): bigint | null {
  const head = text.slice(0, 2).toLowerCase();
  if (head === '0x') return pythonInt(text, 16);
  if (head === '0b') return pythonInt(text.slice(2) || '0', 2);
  if (text.startsWith('0')) return pythonInt(text, 8);
  return pythonInt(text, 10);
}
