// The fixtures of OSTEP's malloc.py (test/fixtures/ostep/, made by scripts/ostepFixtures.mjs):
// each file its arguments as JSON, its exit code, then exactly what malloc.py printed.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const OSTEP_FIXTURES = join(process.cwd(), 'test', 'fixtures', 'ostep');

export interface OstepFixture {
  readonly file: string;
  readonly args: string[];
  readonly exit: number;
  readonly stdout: string;
}

/** The fixture files, sorted. */
export function ostepFixtureFiles(): string[] {
  return readdirSync(OSTEP_FIXTURES).filter((f) => f.endsWith('.txt')).sort();
}

export function readFixture(file: string): OstepFixture {
  const text = readFileSync(join(OSTEP_FIXTURES, file), 'utf8');
  const first = text.indexOf('\n');
  const second = text.indexOf('\n', first + 1);
  const exit = /^exit (\d+)$/.exec(text.slice(first + 1, second));
  assert.ok(exit, `${file}: the second line is "exit N"`);
  return { file, args: JSON.parse(text.slice(0, first)) as string[], exit: Number(exit[1]), stdout: text.slice(second + 1) };
}
