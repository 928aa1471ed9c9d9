// What a recorded program did, as an ordinary malloc lab `.rep` trace (docs/recording.md, "From
// calls to a trace"): each address the allocator returned becomes an id, reused only after its block
// is freed; what `.rep` cannot say (free(NULL), frees of pointers the recorder never saw handed out,
// failed allocations, the marks of an exec) makes no op and is counted instead. One converter per
// process; an exec starts a new image in the same trace.

import { IdPool } from '../idPool';
import { RECORDED_CALLS, type RecordedCall, type RecordedEvent } from './recordedStream';

/** A `.rep` op: `a id size`, `r id size` or `f id`. */
export type RepOp = { readonly kind: 'a' | 'r'; readonly id: number; readonly size: bigint } | { readonly kind: 'f'; readonly id: number };

/**
 * Why an event made no op, or what is odd about the op it made:
 * `free-null` free(NULL); `unknown-pointer` a free or realloc of a pointer never handed out while
 * recording (allocated before the recorder started, or by a path it does not see; a realloc of one
 * becomes an `a`); `failed` the allocation returned NULL; `live-address` the allocator returned an
 * address the log still had live (its old block was freed where the recorder could not see);
 * `exec` and `exec-failed` the marks an exec leaves.
 */
export type EventNote = 'free-null' | 'unknown-pointer' | 'failed' | 'live-address' | 'exec' | 'exec-failed';

export interface ConvertedEvent {
  readonly op: RepOp | null;
  /** The op's index in the trace (its line is index + 5, after the four header lines), or null. */
  readonly index: number | null;
  readonly note: EventNote | null;
}

/** What a recording came to. */
export interface RecordingCounts {
  readonly events: number;
  readonly calls: Readonly<Record<RecordedCall, number>>;
  readonly ops: number;
  readonly allocs: number;
  readonly reallocs: number;
  readonly frees: number;
  readonly freeNull: number;
  readonly unknownFrees: number;
  readonly unknownReallocs: number;
  readonly failed: number;
  readonly liveAddresses: number;
  /** Blocks still allocated when the process exec'd (the old image's heap is gone; their ids are never freed). */
  readonly liveAtExec: number;
  /** Blocks still allocated when the recording ended. */
  readonly liveAtEnd: number;
  /** Process images: 1, and one more for each exec. */
  readonly images: number;
  /** The trace's id count: the most blocks live at once, with those left at an exec. */
  readonly ids: number;
  /** The most bytes requested and not yet freed at once. */
  readonly peakLiveBytes: number;
}

interface Block {
  readonly id: number;
  readonly size: bigint;
}

export class RecordingConverter {
  private readonly live = new Map<bigint, Block>();
  private readonly ids = new IdPool();
  private readonly calls = Object.fromEntries(RECORDED_CALLS.map((c) => [c, 0])) as Record<RecordedCall, number>;
  private readonly n = { events: 0, ops: 0, allocs: 0, reallocs: 0, frees: 0, freeNull: 0, unknownFrees: 0, unknownReallocs: 0, failed: 0, liveAddresses: 0, liveAtExec: 0, images: 1 };
  private liveBytes = 0;
  private peakLiveBytes = 0;
  /** The thread that began an exec not known to have failed. */
  private execThread: number | null = null;

  /** One event: the op it becomes, if any, and its note. */
  event(e: RecordedEvent): ConvertedEvent {
    this.n.events++;
    this.calls[e.call]++;
    switch (e.call) {
      case 'exec':
        this.execThread = e.thread;
        return { op: null, index: null, note: 'exec' };
      case 'exec-failed':
        if (this.execThread === e.thread) this.execThread = null;
        return { op: null, index: null, note: 'exec-failed' };
      case 'free':
        return this.free(e.from);
      case 'realloc':
      case 'reallocarray':
        return this.realloc(e);
      default:
        return this.alloc(e.result, e.size, null);
    }
  }

  /** An exec began and did not fail: the next stream of the same pid is this process's next image. */
  get execPending(): boolean {
    return this.execThread !== null;
  }

  /** The process exec'd: the old image's blocks stay allocated in the trace, and its addresses mean nothing any more. */
  newImage(): void {
    this.n.liveAtExec += this.live.size;
    this.live.clear();
    this.liveBytes = 0;
    this.n.images++;
    this.execThread = null;
  }

  counts(): RecordingCounts {
    return { ...this.n, calls: { ...this.calls }, liveAtEnd: this.live.size, ids: this.ids.count, peakLiveBytes: this.peakLiveBytes };
  }

  /** The four header lines: the peak of live bytes as the suggested heap size, the ids, the ops, a weight of 1. */
  repHeader(): string {
    return `${this.peakLiveBytes}\n${Math.max(1, this.ids.count)}\n${this.n.ops}\n1\n`;
  }

  private alloc(result: bigint, size: bigint, note: EventNote | null): ConvertedEvent {
    if (result === 0n) return this.failed();
    const reused = this.claim(result);
    const id = this.ids.take();
    this.live.set(result, { id, size });
    this.grow(size);
    this.n.allocs++;
    return this.op({ kind: 'a', id, size }, reused ?? note);
  }

  private free(ptr: bigint): ConvertedEvent {
    if (ptr === 0n) {
      this.n.freeNull++;
      return { op: null, index: null, note: 'free-null' };
    }
    const block = this.live.get(ptr);
    if (block === undefined) {
      this.n.unknownFrees++;
      return { op: null, index: null, note: 'unknown-pointer' };
    }
    this.live.delete(ptr);
    this.ids.give(block.id);
    this.grow(-block.size);
    this.n.frees++;
    return this.op({ kind: 'f', id: block.id }, null);
  }

  /** realloc(NULL, n) allocates; realloc(p, 0) returning NULL freed p (glibc); any other NULL failed and left p allocated. */
  private realloc(e: RecordedEvent): ConvertedEvent {
    if (e.from === 0n) return this.alloc(e.result, e.size, null);
    if (e.result === 0n) return e.size === 0n ? this.free(e.from) : this.failed();
    const block = this.live.get(e.from);
    if (block === undefined) {
      this.n.unknownReallocs++;
      return this.alloc(e.result, e.size, 'unknown-pointer');
    }
    this.live.delete(e.from);
    const reused = this.claim(e.result);
    this.live.set(e.result, { id: block.id, size: e.size });
    this.grow(e.size - block.size);
    this.n.reallocs++;
    return this.op({ kind: 'r', id: block.id, size: e.size }, reused);
  }

  /** An address handed out while the log has it live: its old block went where the recorder could not see; that id stays allocated. */
  private claim(address: bigint): EventNote | null {
    const old = this.live.get(address);
    if (old === undefined) return null;
    this.live.delete(address);
    this.grow(-old.size);
    this.n.liveAddresses++;
    return 'live-address';
  }

  private failed(): ConvertedEvent {
    this.n.failed++;
    return { op: null, index: null, note: 'failed' };
  }

  private op(op: RepOp, note: EventNote | null): ConvertedEvent {
    return { op, index: this.n.ops++, note };
  }

  private grow(bytes: bigint): void {
    this.liveBytes += Number(bytes);
    if (this.liveBytes > this.peakLiveBytes) this.peakLiveBytes = this.liveBytes;
  }
}

/** An op's `.rep` line. */
export function repLine(op: RepOp): string {
  return op.kind === 'f' ? `f ${op.id}` : `${op.kind} ${op.id} ${op.size}`;
}
