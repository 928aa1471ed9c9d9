// Growing typed arrays: the engine and the trace model keep their per-block and per-op data in
// typed arrays that double as they fill.

type NumberArray = Int16Array | Uint16Array | Int32Array | Uint8Array | Uint32Array | Float64Array;

/**
 * A copy of `array` with room for `length` values (at least its own): the old ones first, then
 * `fill` (0 unless given). The array's own kind is kept; `buffer`, when given, makes the buffer
 * the copy lives on (a SharedArrayBuffer another thread reads, say).
 */
export function grown<T extends NumberArray>(array: T, length: number, fill = 0, buffer: ((byteLength: number) => ArrayBufferLike) | null = null): T {
  const out =
    buffer === null
      ? new (array.constructor as new (length: number) => T)(length)
      : new (array.constructor as new (buffer: ArrayBufferLike, offset: number, length: number) => T)(buffer(length * array.BYTES_PER_ELEMENT), 0, length);
  if (fill !== 0) out.fill(fill, array.length);
  out.set(array);
  return out;
}

/**
 * The first `length` values of an array no longer written: the array itself (a view of it) when
 * it has little room left over, an eighth at most, else a copy of them, so the room is given back.
 */
export function trimmed<T extends NumberArray>(array: T, length: number): T {
  return (array.length - length <= length / 8 ? array.subarray(0, length) : array.slice(0, length)) as T;
}
