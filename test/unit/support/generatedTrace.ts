// Long deterministic malloc lab traces made on the spot, for the tests that need a trace far longer
// than the course's (the integration suite writes one to a temporary file and opens it).

/** A deterministic PRNG (mulberry32): the same seed gives the same trace. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A valid `.rep` trace of `ops` ops (after the four header lines, so op i is on line i + 5) that
 * keeps about `live` blocks alive: mallocs of 8 to 200 bytes, reallocs of live blocks, and frees
 * of random live blocks; every block is freed by the end (but one, for an odd tail).
 */
export function generatedRep(ops: number, live: number, seed = 1): string {
  const next = seededRandom(seed);
  const size = () => 8 + Math.floor(next() * 193);
  const lines: string[] = [];
  const alive: number[] = [];
  let ids = 0;
  while (lines.length < ops) {
    const left = ops - lines.length;
    if (alive.length > 0 && (alive.length + 1 >= left || alive.length >= live || next() < 0.4)) {
      const k = Math.floor(next() * alive.length);
      const id = alive[k]!;
      alive[k] = alive[alive.length - 1]!;
      alive.pop();
      lines.push(`f ${id}`);
    } else if (alive.length > 0 && alive.length + 1 < left && next() < 0.15) {
      lines.push(`r ${alive[Math.floor(next() * alive.length)]} ${size()}`);
    } else {
      alive.push(ids);
      lines.push(`a ${ids++} ${size()}`);
    }
  }
  return ['0', String(ids), String(lines.length), '1', ...lines].join('\n') + '\n';
}
