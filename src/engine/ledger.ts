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

  private adjust(delta: number): void {
    this.live_ += delta;
    if (this.live_ > this.peak_) this.peak_ = this.live_;
  }
}
