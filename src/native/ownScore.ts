// The malloc lab's whole score of one's own allocator without blocking (the extension host;
// docs/own-allocator.md, "Scores"): compiled once, each trace run with the driver's checks and,
// when it went through, timed in a second run, then its line of the lab's table
// (src/trace/own/labTotal.ts). The command line does the same through its synchronous runner.

import { notCompiled, notValid, timedRunProblem, traceScore, type Trace, type TraceScore } from '../trace/index';
import { compileAllocatorAsync, DEFAULT_OP_LIMIT_MS, runAllocatorAsync, wentThrough, type AllocatorInterface, type CompileOptions, type CompileResult, type RunOptions } from './ownAllocator';

export type AllocatorScore =
  /** No compiler, or the file cannot be read: nothing was scored. */
  | { readonly kind: 'unavailable'; readonly message: string; readonly compiled: CompileResult }
  /** A line per trace scored (every trace when not cancelled; each not valid when the file did not compile). */
  | { readonly kind: 'scored'; readonly scores: readonly TraceScore[]; readonly edition: AllocatorInterface | null; readonly compiled: CompileResult; readonly cancelled: boolean };

export interface ScoreHooks {
  /** Before each trace: how many are done, and the next one's name. */
  readonly progress?: (done: number, next: string) => void;
  /** Asked between runs: true stops the score there. */
  readonly cancelled?: () => boolean;
  /** Aborted: the compiler or the allocator's process running now is killed at once (the score stops there). */
  readonly signal?: AbortSignal;
}

/** Scores `file` on the traces, one after another. */
export async function scoreAllocatorAsync(file: string, traces: readonly { readonly name: string; readonly trace: Trace }[], options: CompileOptions & RunOptions, hooks: ScoreHooks = {}): Promise<AllocatorScore> {
  const compiled = await compileAllocatorAsync(file, options, hooks.signal);
  if (hooks.signal?.aborted) return { kind: 'scored', scores: [], edition: null, compiled, cancelled: true };
  if (!compiled.ok && compiled.reason !== 'failed') return { kind: 'unavailable', message: compiled.text, compiled };
  if (!compiled.ok) {
    const why = notCompiled(file, compiled.messages);
    return { kind: 'scored', scores: traces.map((t) => notValid(t.name, t.trace, 'allocator-compile', why)), edition: null, compiled, cancelled: false };
  }
  const opLimitMs = options.opLimitMs ?? DEFAULT_OP_LIMIT_MS;
  const checks = { alignment: compiled.alignment, opLimitMs };
  const scores: TraceScore[] = [];
  const stopped = () => hooks.cancelled?.() === true || hooks.signal?.aborted === true;
  for (const { name, trace } of traces) {
    hooks.progress?.(scores.length, name);
    if (stopped()) break;
    const run = await runAllocatorAsync(compiled.executable, trace, { ...options, opLimitMs, speed: false }, hooks.signal);
    if (stopped()) break;
    const timed = wentThrough(run) ? await runAllocatorAsync(compiled.timedExecutable, trace, { ...options, opLimitMs, speed: true }, hooks.signal) : null;
    if (stopped()) break;
    scores.push(traceScore(name, trace, { ...run, speed: timed?.recording.speed ?? null, speedProblem: timed === null ? null : timedRunProblem(trace, timed) }, checks));
  }
  return { kind: 'scored', scores, edition: compiled.interface, compiled, cancelled: scores.length < traces.length };
}
