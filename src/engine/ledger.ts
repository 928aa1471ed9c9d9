// The driver's ledger: which pointers are live and how many bytes each caller asked for.
// The allocator itself keeps no such table (its truth is in the heap's bytes); this is what
// mdriver tracks to judge it: live payload, peak payload, and whether a pointer may be freed.

/** What the ledger knows of a pointer. */
export type PointerStatus = 'live' | 'freed' | 'unknown';

export class Ledger {
  private readonly live = new Map<number, number>();
  private readonly freed = new Set<number>();
  private live_ = 0;
  private peak_ = 0;

  get livePayload(): number {
    return this.live_;
  }

  get peakPayload(): number {
    return this.peak_;
  }

  /** Live payload pointers and the bytes requested for each. */
  get allocations(): ReadonlyMap<number, number> {
    return this.live;
  }

  status(ptr: number): PointerStatus {
    if (this.live.has(ptr)) return 'live';
    return this.freed.has(ptr) ? 'freed' : 'unknown';
  }

  requestSize(ptr: number): number | undefined {
    return this.live.get(ptr);
  }

  allocate(ptr: number, requestSize: number): void {
    this.live.set(ptr, requestSize);
    this.freed.delete(ptr);
    this.adjust(requestSize);
  }

  release(ptr: number): void {
    const size = this.live.get(ptr);
    if (size === undefined) return;
    this.live.delete(ptr);
    this.freed.add(ptr);
    this.adjust(-size);
  }

  /** The ledger as flat arrays (for allocator snapshots). */
  save(withFreed = true): { live: Uint32Array; freed: Uint32Array; livePayload: number; peakPayload: number } {
    const live = new Uint32Array(this.live.size * 2);
    let k = 0;
    for (const [ptr, size] of this.live) {
      live[k++] = ptr;
      live[k++] = size;
    }
    return { live, freed: withFreed ? Uint32Array.from(this.freed) : new Uint32Array(0), livePayload: this.live_, peakPayload: this.peak_ };
  }

  load(saved: { live: Uint32Array; freed: Uint32Array; livePayload: number; peakPayload: number }): void {
    this.live.clear();
    this.freed.clear();
    for (let k = 0; k < saved.live.length; k += 2) this.live.set(saved.live[k]!, saved.live[k + 1]!);
    for (const ptr of saved.freed) this.freed.add(ptr);
    this.live_ = saved.livePayload;
    this.peak_ = saved.peakPayload;
  }

  private adjust(delta: number): void {
    this.live_ += delta;
    if (this.live_ > this.peak_) this.peak_ = this.live_;
  }
}
