// The simulated segfault and the one way the engine prints an address: an operation that would
// leave the heap raises a HeapFault, which becomes a problem at the op boundary, never a stray access.

/** Raised inside the engine when an operation would leave the heap; turned into a problem at the op boundary. */
export class HeapFault extends Error {
  constructor(
    message: string,
    /** The heap offset the operation tried to reach. */
    readonly addr: number,
  ) {
    super(message);
    this.name = 'HeapFault';
  }
}

/** `0x`-prefixed lowercase hex, at least four digits: the one way the engine prints an address. */
export function hex(addr: number): string {
  if (!Number.isFinite(addr)) return String(addr);
  const digits = Math.trunc(addr).toString(16);
  return (addr < 0 ? '-0x' : '0x') + digits.replace('-', '').padStart(4, '0');
}
