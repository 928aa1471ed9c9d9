// Test helper: a few ops in, a heap out. Ops are written the malloc lab's way, one per line:
//   a <id> <size>            block[id] = malloc(size)
//   c <id> <count> <size>    block[id] = calloc(count, size)
//   r <id> <size>            block[id] = realloc(block[id], size)
//   f <id>                   free(block[id])
//   w <id> <offset> <length> write `length` bytes of the id's pattern at block[id] + offset
// Like mdriver, every new payload is filled with its id's byte, and after every op the checker
// runs and every live payload is compared with an independent copy of what it should hold.

import assert from 'node:assert/strict';
import { createAllocator, formatChain, type Allocator, type HeapOptions, type OpResult } from '../../../src/engine/index';

export interface HeapRun {
  readonly allocator: Allocator;
  readonly results: OpResult[];
  /** The pointer block[id] holds now (null = NULL). */
  ptr(id: number): number | null;
  /** The block chain, e.g. `[A32][F4064]`. */
  readonly chain: string;
}

export interface ScriptOptions {
  /** Run the checker and the data model after every op (default true). */
  readonly checked?: boolean;
}

export function heapFromScript(options: HeapOptions, script: string, { checked = true }: ScriptOptions = {}): HeapRun {
  const allocator = createAllocator(options);
  const ptrs = new Map<number, number | null>();
  const model = new Map<number, Uint8Array>(); // id -> the bytes its payload must hold
  const results: OpResult[] = [];
  const lines = script.split('\n').map((l) => l.trim()).filter((l) => l.length > 0);
  lines.forEach((line, step) => {
    const [op, idText, ...rest] = line.split(/\s+/);
    const id = Number(idText);
    const n = rest.map(Number);
    const ptr = ptrs.get(id) ?? null;
    let result: OpResult;
    switch (op) {
      case 'a':
      case 'c': {
        result = op === 'a' ? allocator.malloc(n[0]!) : allocator.calloc(n[0]!, n[1]!);
        ptrs.set(id, result.ptr);
        const size = op === 'a' ? n[0]! : n[0]! * n[1]!;
        if (result.ptr !== null) {
          if (op === 'c') assert.ok(allocator.memory.equals(result.ptr, new Uint8Array(size)), `step ${step + 1} (${line}): calloc did not zero`);
          fillPattern(allocator, result.ptr, size, id, model);
        }
        break;
      }
      case 'r': {
        result = allocator.realloc(ptr, n[0]!);
        if (result.ptr !== null) {
          const before = model.get(id) ?? new Uint8Array(0);
          const kept = Math.min(before.length, n[0]!);
          if (checked) {
            assert.ok(
              allocator.memory.equals(result.ptr, before.subarray(0, kept)),
              `step ${step + 1} (${line}): realloc did not preserve the first ${kept} bytes`,
            );
          }
          ptrs.set(id, result.ptr);
          fillPattern(allocator, result.ptr, n[0]!, id, model);
        } else if (n[0] === 0) {
          ptrs.set(id, null);
          model.delete(id);
        }
        break;
      }
      case 'f':
        result = allocator.free(ptr);
        if (result.problem === null) {
          ptrs.set(id, null);
          model.delete(id);
        }
        break;
      case 'w':
        result = allocator.fill(ptr ?? 0, n[0]!, n[1]!, id);
        break;
      default:
        throw new Error(`bad test script line: ${line}`);
    }
    results.push(result);
    if (checked) assertHealthy(allocator, `step ${step + 1} (${line})`, model, ptrs);
  });
  return {
    allocator,
    results,
    ptr: (id) => ptrs.get(id) ?? null,
    get chain() {
      return formatChain(allocator.walk());
    },
  };
}

function fillPattern(allocator: Allocator, ptr: number, size: number, id: number, model: Map<number, Uint8Array>): void {
  allocator.fill(ptr, 0, size, id & 0xff);
  model.set(id, new Uint8Array(size).fill(id & 0xff));
}

/** The checker finds nothing and every live payload holds what the model says. */
export function assertHealthy(
  allocator: Allocator,
  where: string,
  model?: ReadonlyMap<number, Uint8Array>,
  ptrs?: ReadonlyMap<number, number | null>,
): void {
  const issues = allocator.check();
  assert.deepEqual(issues, [], `${where}: the heap checker found problems`);
  assert.deepEqual(allocator.metrics(), allocator.walkMetrics(), `${where}: the running totals disagree with a walk of memory`);
  if (model && ptrs) {
    for (const [id, bytes] of model) {
      const ptr = ptrs.get(id);
      assert.ok(ptr !== null && ptr !== undefined && allocator.memory.equals(ptr, bytes), `${where}: block ${id}'s payload lost its data`);
    }
  }
}

/** The chain of a fresh heap after `script`, e.g. `chainAfter({ preset: 'csapp' }, 'a 0 24') === '[A32][F4064]'`. */
export function chainAfter(options: HeapOptions, script: string): string {
  return heapFromScript(options, script).chain;
}

/** The last op's result. */
export function lastResult(run: HeapRun): OpResult {
  const r = run.results[run.results.length - 1];
  assert.ok(r, 'the script ran no op');
  return r;
}
