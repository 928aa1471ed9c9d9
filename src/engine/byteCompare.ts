// Comparing bytes in bulk, eight 4-byte words per step: a range against one byte value (mdriver's
// fill-pattern check) and two ranges against each other.

/** True when `bytes[start, end)` all equal `byte`, compared 32 bytes per step as eight XOR-ed integer words. */
export function isFilled(bytes: Uint8Array, start: number, end: number, byte: number): boolean {
  let i = start;
  while (i < end && ((bytes.byteOffset + i) & 3) !== 0) if (bytes[i++] !== byte) return false;
  // A range that ends before a 4-byte boundary is checked already (and has no words to view).
  if (i >= end) return true;
  const words = (end - i) >>> 2;
  const w = new Int32Array(bytes.buffer, bytes.byteOffset + i, words);
  const p = (byte * 0x01010101) | 0;
  let k = 0;
  for (; k + 8 <= words; k += 8) {
    if ((w[k]! ^ p) | (w[k + 1]! ^ p) | (w[k + 2]! ^ p) | (w[k + 3]! ^ p) | (w[k + 4]! ^ p) | (w[k + 5]! ^ p) | (w[k + 6]! ^ p) | (w[k + 7]! ^ p)) return false;
  }
  for (; k < words; k++) if (w[k] !== p) return false;
  for (i += words * 4; i < end; i++) if (bytes[i] !== byte) return false;
  return true;
}

/**
 * `isFilled` over a whole buffer's bytes (`bytes.byteOffset` 0) with `words` an Int32Array over
 * the same buffer, made once by the caller: no view is made per call, which for a payload of a
 * few hundred bytes costs about as much as the comparison (docs/performance.md, "At scale").
 */
export function isFilledWords(bytes: Uint8Array, words: Int32Array, start: number, end: number, byte: number): boolean {
  let i = start;
  while (i < end && (i & 3) !== 0) if (bytes[i++] !== byte) return false;
  const p = (byte * 0x01010101) | 0;
  let k = i >>> 2;
  const stop = end >>> 2;
  for (; k + 8 <= stop; k += 8) {
    if ((words[k]! ^ p) | (words[k + 1]! ^ p) | (words[k + 2]! ^ p) | (words[k + 3]! ^ p) | (words[k + 4]! ^ p) | (words[k + 5]! ^ p) | (words[k + 6]! ^ p) | (words[k + 7]! ^ p)) return false;
  }
  for (; k < stop; k++) if (words[k] !== p) return false;
  for (i = Math.max(i, stop * 4); i < end; i++) if (bytes[i] !== byte) return false;
  return true;
}

/** Bulk byte comparison: eight 4-byte words per step where the two arrays share an alignment. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  const n = a.length;
  let i = 0;
  if ((a.byteOffset & 3) === (b.byteOffset & 3) && n >= 16) {
    while (i < n && ((a.byteOffset + i) & 3) !== 0) {
      if (a[i] !== b[i]) return false;
      i++;
    }
    const words = (n - i) >>> 2;
    const wa = new Int32Array(a.buffer, a.byteOffset + i, words);
    const wb = new Int32Array(b.buffer, b.byteOffset + i, words);
    let k = 0;
    for (; k + 8 <= words; k += 8) {
      if (
        (wa[k]! ^ wb[k]!) | (wa[k + 1]! ^ wb[k + 1]!) | (wa[k + 2]! ^ wb[k + 2]!) | (wa[k + 3]! ^ wb[k + 3]!) |
        (wa[k + 4]! ^ wb[k + 4]!) | (wa[k + 5]! ^ wb[k + 5]!) | (wa[k + 6]! ^ wb[k + 6]!) | (wa[k + 7]! ^ wb[k + 7]!)
      ) {
        return false;
      }
    }
    for (; k < words; k++) if (wa[k] !== wb[k]) return false;
    i += words * 4;
  }
  for (; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}
