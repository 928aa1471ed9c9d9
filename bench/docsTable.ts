// `npm run bench -- --write-docs`: the bench's rows as the markdown table of docs/performance.md,
// written between two marker comments so the figures there are always the last run's, never a
// hand-kept diary. Pure string work (the bench reads and writes the file).

/** One measurement, as bench/bench.ts reports it. */
export interface BenchRow {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly note?: string;
}

/** Where the run happened, said above the table. */
export interface BenchRun {
  readonly date: string;
  readonly node: string;
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryGiB: number;
  readonly quick: boolean;
}

export const BEGIN_MARKER = '<!-- bench:begin (written by `npm run bench -- --write-docs`; do not edit by hand) -->';
export const END_MARKER = '<!-- bench:end -->';

/** A value as the bench prints it: ratios with one decimal, rates whole, times with two decimals. */
export function formatValue(row: BenchRow): string {
  const digits = row.unit === 'x' ? 1 : row.unit.includes('/s') ? 0 : 2;
  const value = row.value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  return row.unit === 'x' ? `${value}x` : `${value} ${row.unit}`;
}

/** The table (with the line that says where it was measured) that goes between the markers. */
export function benchTable(rows: readonly BenchRow[], run: BenchRun): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|');
  const lines = [
    `Last written on ${run.date.slice(0, 10)}: ${run.cpus} x ${run.cpuModel}, ${run.memoryGiB} GiB, Node ${run.node}${run.quick ? ', with `--quick` (smaller traces)' : ''}.`,
    '',
    '| measurement | result | note |',
    '| --- | ---: | --- |',
    ...rows.map((r) => `| ${cell(r.name)} | ${formatValue(r)} | ${cell(r.note ?? '')} |`),
  ];
  return lines.join('\n');
}

/**
 * `doc` with everything between the markers replaced by `table`. Throws when the markers are
 * missing or out of order: a bench that silently wrote nothing would leave stale figures.
 */
export function replaceBenchTable(doc: string, table: string): string {
  const begin = doc.indexOf(BEGIN_MARKER);
  const end = doc.indexOf(END_MARKER);
  if (begin < 0 || end < 0 || end < begin) {
    throw new Error(`docs/performance.md has no "${BEGIN_MARKER}" ... "${END_MARKER}" pair to write the table between`);
  }
  return `${doc.slice(0, begin + BEGIN_MARKER.length)}\n${table}\n${doc.slice(end)}`;
}
