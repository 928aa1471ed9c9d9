// The parse worker handed from the loader (dist/cli.js) to the program (dist/cli-main.js) through
// a process-wide symbol (src/cli/workerHandover.ts): the program takes what the loader left,
// once, and starts none of its own when the loader decided none was needed; run without the
// loader, it decides itself.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEarlyParseWorker, takeEarlyParseWorker } from '../../../src/cli/workerHandover';

const HANDED_OVER = Symbol.for('heap-inspector.earlyParseWorker');

describe("the parse worker handed from the loader to the program", () => {
  let dir = '';
  let big = '';

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'heap-inspector-handover-'));
    big = join(dir, 'big.rep');
    writeFileSync(big, Buffer.alloc(2 ** 21, 0x20));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(() => delete (globalThis as Record<symbol, unknown>)[HANDED_OVER]);

  it('a command that needs no worker: the loader leaves none, and the program starts none either', () => {
    startEarlyParseWorker(['--version']);
    assert.ok(HANDED_OVER in globalThis, 'the loader says it decided');
    assert.equal(takeEarlyParseWorker(['run', big]), null, 'the program does not decide again');
    assert.ok(!(HANDED_OVER in globalThis), 'taken once');
  });

  it('what the loader left is what the program takes, once', () => {
    const left = { feed: () => null, stop: () => undefined };
    (globalThis as Record<symbol, unknown>)[HANDED_OVER] = left;
    assert.equal(takeEarlyParseWorker(['run', big]), left);
    assert.ok(!(HANDED_OVER in globalThis));
  });

  it('without the loader, the program decides: no worker for a command that needs none', () => {
    assert.equal(takeEarlyParseWorker(['--version']), null);
    assert.equal(takeEarlyParseWorker(['compare', big]), null);
  });
});
