// Converting traces with 200,000 pointers both ways, and printing them back: nothing may spread an
// array the input sizes into a call (the call stack holds about 100,000 arguments).

import assert from 'node:assert/strict';
import { parseHeapScript, parseRep, printHeapScript, printRep } from '../../../src/trace/index';

const POINTERS = 200_000;

describe('converting 200,000 pointers', () => {
  it('a .heap script of 200,000 pointers becomes a .rep with an id each (p7 keeps 7), and back', () => {
    const lines: string[] = [];
    for (let k = 0; k < POINTERS; k++) lines.push(`p${k} = malloc(${8 + (k % 64)})`);
    for (let k = 0; k < POINTERS; k++) lines.push(`free(p${k})`);
    const script = parseHeapScript(lines.join('\n') + '\n');
    assert.deepEqual(script.diagnostics, []);

    const { text, dropped } = printRep(script);
    assert.deepEqual(dropped, []);
    assert.deepEqual(text.split('\n', 4), ['0', String(POINTERS), String(2 * POINTERS), '1']);
    const trace = parseRep(text);
    assert.deepEqual(trace.diagnostics, []);
    assert.equal(trace.ops.length, 2 * POINTERS);
    const last = trace.ops.at(POINTERS - 1);
    assert.equal(last.kind === 'malloc' && trace.names[last.ptr], String(POINTERS - 1));

    const back = parseHeapScript(printHeapScript(trace));
    assert.deepEqual(back.diagnostics, []);
    assert.equal(back.ops.length, 2 * POINTERS);
    assert.equal(back.names.length, POINTERS);
  });

  it('a .heap script of 200,000 lines prints back with its layout', () => {
    const lines: string[] = [];
    for (let k = 0; k < POINTERS; k++) lines.push(k % 2 === 0 ? `q${k} = malloc(16)` : `free(q${k - 1})`);
    const text = lines.join('\n') + '\n';
    assert.equal(printHeapScript(parseHeapScript(text)), text);
  });

  it('a .rep of 200,000 ids becomes a script and prints back to a .rep of the same ids', () => {
    const ops: string[] = [];
    for (let k = 0; k < POINTERS; k++) ops.push(`a ${k} 24`);
    for (let k = POINTERS - 1; k >= 0; k--) ops.push(`f ${k}`);
    const text = ['20000', String(POINTERS), String(ops.length), '1', ...ops].join('\n') + '\n';
    const trace = parseRep(text);
    assert.deepEqual(trace.diagnostics, []);
    assert.equal(printRep(trace).text, text);
    const script = parseHeapScript(printHeapScript(trace));
    assert.deepEqual(script.diagnostics, []);
    assert.equal(printRep(script).text.split('\n', 2)[1], String(POINTERS));
  });

  it('a script without a block still converts to a .rep the driver accepts: 1 id, as its largest id starts at 0', () => {
    const { text, dropped } = printRep(parseHeapScript('free(NULL)\n'));
    assert.equal(text, '0\n1\n0\n1\n');
    assert.deepEqual(dropped, ['line 1: free(NULL) has no .rep form']);
    assert.deepEqual(parseRep(text).diagnostics, []);
  });
});
