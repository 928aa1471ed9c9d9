// `npm run bench -- --write-docs` (bench/docsTable.ts): the table it writes into docs/performance.md
// replaces exactly what lies between the markers, and a file without them is refused rather than
// left with stale figures.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BEGIN_MARKER, benchTable, END_MARKER, formatValue, replaceBenchTable } from '../../../bench/docsTable';

const run = { date: '2026-12-04T21:30:00.000Z', node: 'v20.20.2', cpus: 2, cpuModel: 'AMD EPYC', memoryGiB: 24, quick: false };

describe('the bench table in docs/performance.md', () => {
  it('docs/performance.md has the two markers, once each and in order', () => {
    const doc = readFileSync(join(process.cwd(), 'docs', 'performance.md'), 'utf8');
    assert.equal(doc.split(BEGIN_MARKER).length, 2);
    assert.equal(doc.split(END_MARKER).length, 2);
    assert.ok(doc.indexOf(BEGIN_MARKER) < doc.indexOf(END_MARKER));
  });

  it('formats values as the bench prints them', () => {
    assert.equal(formatValue({ name: 'r', value: 25.46, unit: 'x' }), '25.5x');
    assert.equal(formatValue({ name: 'r', value: 114862.4, unit: 'ops/s' }), '114,862 ops/s');
    assert.equal(formatValue({ name: 'r', value: 366.754, unit: 'ms' }), '366.75 ms');
  });

  it('writes one row per measurement, with where it ran, between the markers and nowhere else', () => {
    const doc = `# Performance\n\nbefore\n\n${BEGIN_MARKER}\nold | table\n${END_MARKER}\n\nafter\n`;
    const table = benchTable([{ name: 'jump | mean', value: 1.5, unit: 'ms', note: '100 jumps' }], run);
    const written = replaceBenchTable(doc, table);
    assert.ok(written.startsWith(`# Performance\n\nbefore\n\n${BEGIN_MARKER}\n`));
    assert.ok(written.endsWith(`${END_MARKER}\n\nafter\n`));
    assert.doesNotMatch(written, /old \| table/);
    assert.match(written, /^Last written on 2026-12-04: 2 x AMD EPYC, 24 GiB, Node v20\.20\.2\.$/m);
    assert.match(written, /^\| jump \\\| mean \| 1\.50 ms \| 100 jumps \|$/m, 'a | in a name is escaped');
    assert.equal(replaceBenchTable(written, table), written, 'writing the same table again changes nothing');
  });

  it('refuses a file without the markers', () => {
    assert.throws(() => replaceBenchTable('# Performance\n', 'table'), /no .* pair to write the table between/);
    assert.throws(() => replaceBenchTable(`${END_MARKER}\n${BEGIN_MARKER}\n`, 'table'), /no .* pair/);
  });
});
