// The names of a `.rep` trace's slots: each slot's id in decimal. A trace of ten million ops has
// millions of ids, and a string apiece would cost about 30 bytes an id (docs/memory.md, "A
// trace"); the ids are kept in one typed array instead, and a name is made when it is read.

const names = new WeakMap<readonly string[], Int32Array>();

/**
 * `ids[slot]`'s decimal names as a read-only array (`length`, indexing, iteration and the array
 * methods that read those), made on reading: 4 bytes a slot.
 */
export function idNames(ids: Int32Array): readonly string[] {
  const view = new Proxy<string[]>([], {
    get(target, key, receiver) {
      if (typeof key === 'string') {
        if (key === 'length') return ids.length;
        const slot = index(key);
        if (slot >= 0) return slot < ids.length ? String(ids[slot]) : undefined;
      }
      return Reflect.get(target, key, receiver) as unknown;
    },
    has(target, key) {
      if (typeof key === 'string') {
        const slot = index(key);
        if (slot >= 0) return slot < ids.length;
      }
      return Reflect.has(target, key);
    },
    ownKeys(target) {
      return [...Array.from({ length: ids.length }, (_, slot) => String(slot)), ...Reflect.ownKeys(target)];
    },
    getOwnPropertyDescriptor(target, key) {
      if (key === 'length') return { value: ids.length, writable: true, enumerable: false, configurable: false };
      const slot = typeof key === 'string' ? index(key) : -1;
      if (slot >= 0) return slot < ids.length ? { value: String(ids[slot]), writable: false, enumerable: true, configurable: true } : undefined;
      return Reflect.getOwnPropertyDescriptor(target, key);
    },
    set: () => false,
    deleteProperty: () => false,
    defineProperty: () => false,
  });
  names.set(view, ids);
  return view;
}

/** The ids behind `idNames(ids)`'s names, or null for names kept as strings. */
export function idsOf(slotNames: readonly string[]): Int32Array | null {
  return names.get(slotNames) ?? null;
}

/** A canonical array index's value, or -1. */
function index(key: string): number {
  const n = key.length;
  if (n === 0 || n > 9) return -1;
  for (let i = 0; i < n; i++) {
    const c = key.charCodeAt(i);
    if (c < 48 || c > 57 || (c === 48 && i === 0 && n > 1)) return -1;
  }
  return Number(key);
}

/**
 * mdriver's fill byte for each of the first `slots` slots: the low byte of the slot's id, for
 * names that are ids (a `.rep` trace's, an imported log's).
 */
export function idLowBytes(slotNames: readonly string[], slots: number): Uint8Array {
  const out = new Uint8Array(slots);
  const ids = idsOf(slotNames);
  for (let slot = 0; slot < slots; slot++) out[slot] = (ids ? ids[slot]! : Number(slotNames[slot])) & 0xff;
  return out;
}
