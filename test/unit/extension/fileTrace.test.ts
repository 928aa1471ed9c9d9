// A trace read from its file's bytes (src/extension/fileTrace.ts): decoded a slice at a time
// across chunk boundaries, waiting for the read between slices, and ending with the same run as
// the text parsed and replayed at once (docs/limits.md, "Big traces in the editor").

import assert from 'node:assert/strict';
import { DECODE_SHARE, FileTraceWork } from '../../../src/extension/fileTrace';
import { parseTrace, runJson, runTrace, TraceJob } from '../../../src/trace/index';
import { generatedRep } from '../support/generatedTrace';

/** Runs `work` to its end, a slice of `slices` stops at a time, waiting whenever it waits. */
async function drive(work: FileTraceWork): Promise<number> {
  let slices = 0;
  for (;;) {
    slices++;
    let checks = 0;
    if (work.work(() => ++checks % 3 === 0)) return slices;
    const waiting = work.waiting();
    if (waiting) await waiting;
  }
}

describe('a trace read from its file', () => {
  it('decodes a multi-megabyte file in slices and runs it as the text would run', async () => {
    // A comment of multi-byte characters makes chunk boundaries fall inside characters.
    const text = `# ${'é€'.repeat(300_000)}\n` + generatedRep(120_000, 500, 7);
    const bytes = new TextEncoder().encode(text);
    assert.ok(bytes.length > 2 << 20, 'more than two chunks');
    const work = new FileTraceWork(() => Promise.resolve(bytes), (t) => TraceJob.parse(t, 'rep'));
    assert.equal(work.progress().fraction, 0);
    assert.equal(await drive(work) > 3, true, 'it took several slices');
    assert.ok(work.done);
    assert.equal(work.progress().fraction, 1);
    assert.deepEqual(runJson(work.run!), runJson(runTrace(parseTrace(text, 'rep'))));
    assert.equal(work.run!.trace.ops.line(0), 6, 'the lines are the text\'s');
  });

  it('parses a .rep file of ASCII from its bytes, with no text made, to the run its text gives', async () => {
    const text = generatedRep(300_000, 800, 5);
    const bytes = new TextEncoder().encode(text);
    assert.ok(bytes.length > 2 << 20, 'more than two slices of looking');
    const made: string[] = [];
    const work = new FileTraceWork(
      () => Promise.resolve(bytes),
      (t) => (made.push('text'), TraceJob.parse(t, 'rep')),
      (b) => (made.push('bytes'), TraceJob.parseAsciiRep(b)),
    );
    assert.ok((await drive(work)) > 3, 'it took several slices');
    assert.deepEqual(made, ['bytes']);
    assert.ok(work.done);
    assert.equal(work.progress().fraction, 1);
    assert.deepEqual(runJson(work.run!), runJson(runTrace(parseTrace(text, 'rep'))));
  });

  it('decodes a .rep file with a byte beyond ASCII past its first megabytes, and runs its text', async () => {
    // A malformed line of UTF-8 near the end: the look for ASCII gives up there; the text's diagnostics are the run's.
    const text = generatedRep(200_000, 800, 9) + 'a 1 größe\n';
    const bytes = new TextEncoder().encode(text);
    const made: string[] = [];
    const work = new FileTraceWork(
      () => Promise.resolve(bytes),
      (t) => (made.push('text'), TraceJob.parse(t, 'rep')),
      (b) => (made.push('bytes'), TraceJob.parseAsciiRep(b)),
    );
    await drive(work);
    assert.deepEqual(made, ['text']);
    const lastLine = text.split('\n').length - 1;
    assert.ok(work.run!.diagnostics.some((d) => d.range.line === lastLine && /größe/.test(d.message)), 'the bad line is reported with its text');
    assert.deepEqual(runJson(work.run!), runJson(runTrace(parseTrace(text, 'rep'))));
  });

  it('drops a UTF-16 byte order mark as VS Code does', async () => {
    const text = generatedRep(50, 10, 3);
    const bytes = new Uint8Array(2 + text.length * 2);
    bytes.set([0xff, 0xfe]);
    for (let i = 0; i < text.length; i++) bytes[2 + 2 * i] = text.charCodeAt(i);
    let read = '';
    const work = new FileTraceWork(async () => bytes, (t) => ((read = t), TraceJob.parse(t, 'rep')));
    await drive(work);
    assert.equal(read, text);
    assert.ok(work.done);
  });

  it('a file that cannot be read fails the job with the reading\'s error; progress stays in the decoding share before', async () => {
    const work = new FileTraceWork(() => Promise.reject(new Error('gone')), (t) => TraceJob.parse(t, 'rep'));
    assert.ok(work.progress().fraction <= DECODE_SHARE);
    await work.waiting();
    assert.throws(() => work.work(() => false), /gone/);
  });
});
