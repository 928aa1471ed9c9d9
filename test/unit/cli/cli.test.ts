// The `heap-inspector` command line: run, compare and check on the repository's samples and on
// traces written here; the --ops CSV and the --json summary as issue 3 specifies them; flag
// precedence; usage errors; and the real entry point, dist/cli.js, run as a user would run it.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, USAGE } from '../../../src/cli/cli';
import { MALLOCLAB_DIR, requireMalloclab } from '../support/malloclab';

interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the command line in-process; `files` are traces written here, anything else is read from disk. */
function heapInspector(argv: string | readonly string[], files: Readonly<Record<string, string>> = {}): CliRun {
  const args = typeof argv === 'string' ? argv.split(/\s+/).filter((a) => a.length > 0) : argv;
  let stdout = '';
  let stderr = '';
  let code: number;
  try {
    code = runCli(
      args,
      {
        readFile: (path) => files[path] ?? readFileSync(path, 'utf8'),
        out: (t) => void (stdout += t),
        err: (t) => void (stderr += t),
      },
      '1.2.3',
    );
  } catch (err) {
    assert.fail(`heap-inspector ${args.join(' ')} threw: ${err instanceof Error ? err.stack : String(err)}`);
  }
  assertNoStackTrace(stdout + stderr, `heap-inspector ${args.join(' ')}`);
  return { code, stdout, stderr };
}

function assertNoStackTrace(output: string, what: string): void {
  assert.doesNotMatch(output, /^\s+at .+:\d+:\d+\)?$/m, `${what} printed a stack trace:\n${output}`);
  assert.doesNotMatch(output, /\b(TypeError|RangeError|ReferenceError|SyntaxError):/, `${what} printed an exception:\n${output}`);
}

interface SummaryJson {
  readonly preset: string;
  readonly config: { readonly policy: string; readonly coalesce: string; readonly realloc: string; readonly maxHeap: number; readonly wordSize: number; readonly alignment: number };
  readonly ops: number;
  readonly heapSize: number;
  readonly peakPayload: number;
  readonly utilization: number;
  readonly internalFragmentation: number | null;
  readonly externalFragmentation: number | null;
  readonly freeBlocks: number | null;
  readonly metricsUnknown: string | null;
  readonly blocksExamined: number;
  readonly diagnostics: readonly { line: number; column: number; severity: string; code: string; message: string }[];
}

function runJson(argv: string, files: Readonly<Record<string, string>> = {}): SummaryJson {
  const r = heapInspector(`run ${argv} --json`, files);
  assert.ok(r.code === 0 || r.code === 1, `run ${argv} --json exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as SummaryJson;
}

/** The `--ops` rows without the header line. */
function opsRows(argv: string, files: Readonly<Record<string, string>> = {}): string[] {
  const r = heapInspector(`run ${argv} --ops`, files);
  const [header, ...rows] = r.stdout.trimEnd().split('\n');
  assert.equal(header, 'op_index,kind,id,size,offset,heap_size');
  return rows;
}

const SAMPLES = readdirSync('samples')
  .filter((f) => f.endsWith('.heap') || f === 'tiny.rep')
  .map((f) => `samples/${f}`);
const POLICIES = ['sbrk', 'first', 'next', 'best', 'worst'] as const;
const FIT_POLICIES = POLICIES.slice(1);

/** The CS:APP worked example (short1-bal's first ops), as a .rep of our own. */
const WORKED_EXAMPLE = '0\n4\n5\n1\na 0 2040\na 1 2040\nf 1\na 2 48\na 3 4072\n';

describe('heap-inspector run', () => {
  it('the repository ships the samples the tests use', () => {
    assert.ok(SAMPLES.includes('samples/tiny.rep'));
    assert.ok(SAMPLES.filter((s) => s.endsWith('.heap')).length >= 4, SAMPLES.join(', '));
  });

  it('summarises every sample: exit 0, or 1 for the heap overflow sample', () => {
    for (const sample of SAMPLES) {
      const r = heapInspector(['run', sample]);
      assert.equal(r.code, sample.endsWith('overflow.heap') ? 1 : 0, `${sample}\n${r.stdout}`);
      assert.equal(r.stderr, '');
      assert.ok(r.stdout.startsWith(`${sample}: `), r.stdout);
      for (const label of ['heap size', 'peak payload', 'utilisation', 'internal frag', 'external frag', 'free blocks', 'blocks examined', 'problems']) {
        assert.match(r.stdout, new RegExp(`^  ${label}\\s`, 'm'), `${sample}: no "${label}" line`);
      }
      // A corrupted heap's chain ends where the walk had to stop, e.g. [?block-outside-heap].
      assert.match(r.stdout, /^\[P\d+\](\[[AF]\d+\])*(\[E\]|\[\?[a-z-]+\])$/m, `${sample}: the final block chain`);
    }
  });

  it('lists the problems in the summary as path:line:col', () => {
    const r = heapInspector('run samples/overflow.heap');
    assert.match(r.stdout, /^ {2}problems\s+3 errors, 0 warnings$/m);
    assert.match(r.stdout, /^ {2}samples\/overflow\.heap:8:1: error: write runs 8 bytes past the end/m);
  });

  it('reproduces the reference\'s worked example on the csapp preset', () => {
    const j = runJson('we.rep --preset csapp', { 'we.rep': WORKED_EXAMPLE });
    assert.equal(j.ops, 5);
    assert.equal(j.heapSize, 8208, 'no fit for 4072: the heap grows by 4096');
    assert.equal(j.peakPayload, 2040 + 48 + 4072);
    assert.equal(j.utilization, 6160 / 8208);
    assert.equal(j.internalFragmentation, 3 * 8, 'three blocks, 8 bytes of header and footer each');
    assert.equal(j.freeBlocks, 1);
    assert.equal(j.externalFragmentation, 0, 'one free block: nothing is fragmented');
    assert.equal(j.blocksExamined, 1 + 2 + 0 + 2 + 3, 'a free examines no blocks; the failed search for 4072 walks all 3');
    assert.deepEqual(j.diagnostics, []);
  });

  it('tiny.rep on the csapp preset: 9 ops in one 4112-byte heap', () => {
    const j = runJson('samples/tiny.rep --preset csapp');
    assert.equal(j.ops, 9);
    assert.equal(j.heapSize, 4112);
    assert.equal(j.peakPayload, 200 + 24 + 40, 'after "r 0 200", with ids 2 and 3 live');
    assert.equal(j.utilization, 264 / 4112);
    assert.equal(j.blocksExamined, 13);
    assert.equal(j.freeBlocks, 1, 'everything freed and coalesced');
    assert.equal(j.internalFragmentation, 0, 'nothing allocated at the end');
  });
});

describe('heap-inspector run --ops', () => {
  it('tiny.rep on the csapp preset, row by row', () => {
    assert.deepEqual(opsRows('samples/tiny.rep --preset csapp'), [
      '0,a,0,24,16,4112',
      '1,a,1,100,48,4112',
      '2,a,2,24,160,4112',
      '3,f,1,,48,4112',
      '4,a,3,40,48,4112',
      '5,r,0,200,192,4112',
      '6,f,2,,160,4112',
      '7,f,0,,192,4112',
      '8,f,3,,48,4112',
    ]);
  });

  it('heap_size is the size after the op: the worked example grows to 8208 on its last op', () => {
    assert.deepEqual(opsRows('we.rep --preset csapp', { 'we.rep': WORKED_EXAMPLE }), [
      '0,a,0,2040,16,4112',
      '1,a,1,2040,2064,4112',
      '2,f,1,,2064,4112',
      '3,a,2,48,2064,4112',
      '4,a,3,4072,2120,8208',
    ]);
  });

  it('a .heap script: names as ids, calloc as n x size, no rows for writes, -1 for NULL and realloc(p, 0)', () => {
    const script = [
      'set preset = csapp',
      'p = malloc(24)',
      'q = calloc(4, 8)',
      'write(p, 0, "hi")',
      'fill(q, 0, 32, 0xab)',
      'p = realloc(p, 100)', // naive: a new 112-byte block after q, the old one freed
      'free(q)',
      'p = realloc(p, 0)',
      'free(NULL)',
      'n = malloc(0)',
      'z = realloc(NULL, 8)',
      'free(z)',
    ].join('\n');
    const r = heapInspector('run s.heap --ops', { 's.heap': script });
    assert.equal(r.code, 0, 'malloc(0) is only a warning');
    assert.equal(
      r.stdout,
      [
        'op_index,kind,id,size,offset,heap_size',
        '0,a,p,24,16,4112',
        '1,c,q,32,48,4112',
        '2,r,p,100,88,4112',
        '3,f,q,,48,4112',
        '4,r,p,0,-1,4112',
        '5,f,NULL,,-1,4112',
        '6,a,n,0,-1,4112',
        '7,r,z,8,16,4112',
        '8,f,z,,16,4112',
        '',
      ].join('\n'),
    );
  });

  it('-1 for invalid frees: a double free and a free of a pointer never allocated', () => {
    const r = heapInspector('run s.heap --ops', { 's.heap': 'set preset = csapp\np = malloc(24)\nfree(p)\nfree(p)\nfree(nope)\n' });
    assert.equal(r.code, 1);
    assert.deepEqual(r.stdout.trimEnd().split('\n').slice(1), ['0,a,p,24,16,4112', '1,f,p,,16,4112', '2,f,p,,-1,4112', '3,f,nope,,-1,4112']);
  });

  it('-1 for a NULL at the heap limit, for realloc(p, 0) in a .rep, and for free of a NULL', () => {
    const trace = '0\n3\n6\n1\na 0 8\na 1 6000\nf 1\na 2 8\nr 2 0\nf 0\n';
    assert.deepEqual(opsRows('t.rep --preset csapp --max-heap 8K', { 't.rep': trace }), [
      '0,a,0,8,16,4112',
      '1,a,1,6000,-1,4112',
      '2,f,1,,-1,4112',
      '3,a,2,8,32,4112',
      '4,r,2,0,-1,4112',
      '5,f,0,,16,4112',
    ]);
  });

  it('sizes beyond 2^53 are printed exactly', () => {
    const rows = opsRows('big.rep', { 'big.rep': '0\n1\n1\n1\na 0 72057594037927937\n' });
    assert.deepEqual(rows, ['0,a,0,72057594037927937,-1,4128']);
  });
});

describe('heap-inspector run --json', () => {
  it('has every field issue 3 asks for, with ratios in [0, 1], for every sample under every policy', () => {
    for (const sample of SAMPLES) {
      for (const policy of POLICIES) {
        const j = runJson(`${sample} --policy ${policy}`);
        const where = `${sample} --policy ${policy}`;
        for (const field of ['ops', 'heapSize', 'peakPayload', 'utilization', 'internalFragmentation', 'externalFragmentation', 'freeBlocks', 'blocksExamined'] as const) {
          const v = j[field];
          // Unknown (null) only with a reason: the heap was corrupted (overflow.heap does that).
          if (v === null) {
            assert.ok(!['ops', 'heapSize', 'peakPayload', 'blocksExamined'].includes(field), `${where}: ${field} is never unknown`);
            assert.match(j.metricsUnknown ?? '', /corrupted/, `${where}: ${field} unknown without a reason`);
            continue;
          }
          assert.equal(typeof v, 'number', `${where}: ${field}`);
          assert.ok(Number.isFinite(v) && v >= 0, `${where}: ${field} = ${v}`);
        }
        for (const ratio of ['utilization', 'externalFragmentation'] as const) assert.ok(j[ratio] === null || (j[ratio] >= 0 && j[ratio] <= 1), `${where}: ${ratio} = ${j[ratio]}`);
        assert.equal(j.utilization, j.heapSize === 0 ? 0 : j.peakPayload / j.heapSize, `${where}: peak payload / heap size`);
        if (j.freeBlocks === 0) assert.equal(j.externalFragmentation, 0, `${where}: nothing free, nothing fragmented`);
        if (sample.endsWith('overflow.heap') && policy !== 'sbrk') assert.equal(j.freeBlocks, null, `${where}: the overflow corrupts the heap`);
        assert.ok(Array.isArray(j.diagnostics), where);
        for (const d of j.diagnostics) {
          assert.ok(Number.isInteger(d.line) && d.line >= 1 && Number.isInteger(d.column) && d.column >= 1, `${where}: ${JSON.stringify(d)}`);
          assert.ok(d.severity === 'error' || d.severity === 'warning', `${where}: ${JSON.stringify(d)}`);
          assert.ok(typeof d.code === 'string' && typeof d.message === 'string' && d.message.length > 0, `${where}: ${JSON.stringify(d)}`);
        }
      }
    }
  });

  it('diagnostics carry their line, column, severity and code', () => {
    const j = runJson('t.rep', { 't.rep': '0\n2\n4\n1\na 0 0\na 1 8\nf 1\nf 1\n' });
    assert.deepEqual(
      j.diagnostics.map((d) => `${d.line}:${d.column} ${d.severity} ${d.code}`),
      ['5:1 warning zero-size', '8:1 error double-free'],
    );
  });
});

describe('heap-inspector compare', () => {
  it('puts every kind of free list and every policy side by side in a table', () => {
    const r = heapInspector('compare samples/first-best-worst.heap');
    assert.equal(r.code, 0);
    const lines = r.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^samples\/first-best-worst\.heap: 10 ops, csapp preset, every free list and policy$/);
    const header = lines.findIndex((l) => l.startsWith('free list'));
    assert.ok(header > 0, r.stdout);
    assert.match(lines[header]!, /^free list +policy +heap size/);
    for (const column of ['heap size', 'peak payload', 'utilisation', 'internal frag', 'external frag', 'free blocks', 'blocks examined']) {
      assert.ok(lines[header]!.includes(column), `no "${column}" column`);
    }
    assert.match(lines[header + 1]!, /^-+( +-+)+$/);
    const rows = lines.slice(header + 2).map((l) => l.split(/\s{2,}/).slice(0, 2).join(' / '));
    // The baseline once, then each kind of list with each placement policy.
    assert.deepEqual(rows.slice(0, 9), ['none / sbrk', ...['implicit', 'explicit lifo'].flatMap((list) => FIT_POLICIES.map((p) => `${list} / ${p}`))]);
    assert.equal(new Set(rows).size, rows.length, 'no row twice');
  });

  it('--json: the same figures run gives for each free list and policy', () => {
    for (const sample of ['samples/first-best-worst.heap', 'samples/tiny.rep']) {
      const r = heapInspector(`compare ${sample} --json`);
      assert.equal(r.code, 0);
      const j = JSON.parse(r.stdout) as { ops: number; policies: (SummaryJson & { policy: string; freeList: string; list: string })[] };
      assert.deepEqual(
        j.policies.filter((p) => p.freeList === 'implicit').map((p) => p.policy),
        [...POLICIES],
      );
      for (const p of j.policies) {
        const one = runJson(`${sample} --policy ${p.policy} --free-list ${p.freeList}`);
        for (const field of ['heapSize', 'peakPayload', 'utilization', 'internalFragmentation', 'externalFragmentation', 'freeBlocks', 'blocksExamined'] as const) {
          assert.equal(p[field], one[field], `${sample} ${p.list} ${p.policy}: ${field}`);
        }
        assert.ok(p.utilization >= 0 && p.utilization <= 1 && (p.externalFragmentation === null || (p.externalFragmentation >= 0 && p.externalFragmentation <= 1)));
      }
    }
  });

  it('exits 1 when the trace has errors', () => {
    assert.equal(heapInspector('compare samples/overflow.heap').code, 1);
    assert.equal(heapInspector('compare t.rep --json', { 't.rep': '0\n1\n2\n1\na 0 8\nz 0\n' }).code, 1);
  });
});

describe('heap-inspector check', () => {
  it('prints nothing and exits 0 for the clean samples', () => {
    for (const sample of SAMPLES.filter((s) => !s.endsWith('overflow.heap'))) {
      const r = heapInspector(['check', sample]);
      assert.deepEqual([r.code, r.stdout, r.stderr], [0, '', ''], sample);
    }
  });

  it('prints path:line:col: severity: message, one per line, and exits 1 on errors', () => {
    const r = heapInspector('check samples/overflow.heap');
    assert.equal(r.code, 1);
    const lines = r.stdout.trimEnd().split('\n');
    for (const l of lines) assert.match(l, /^samples\/overflow\.heap:\d+:\d+: (error|warning): \S.*$/);
    assert.deepEqual(
      lines.map((l) => l.split(': ')[0]),
      ['samples/overflow.heap:8:1', 'samples/overflow.heap:8:1', 'samples/overflow.heap:9:1'],
    );
  });

  it('exits 0 with warnings only', () => {
    const r = heapInspector('check w.rep', { 'w.rep': '0\n2\n3\n1\na 0 0\na 1 8\na 1 8\n' });
    assert.equal(r.code, 0);
    assert.deepEqual(
      r.stdout.trimEnd().split('\n').map((l) => l.split(': ').slice(0, 2).join(': ')),
      ['w.rep:5:1: warning', 'w.rep:7:1: warning'],
    );
  });

  it('reports the errors of a written .heap script on their lines', () => {
    const r = heapInspector('check s.heap', { 's.heap': 'p = malloc(8)\nfree(p)\nfree(p)\nq = mallok(8)\n' });
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^s\.heap:3:1: error: Double free: p was already freed on line 2\.$/m);
    assert.match(r.stdout, /^s\.heap:4:5: error: .*mallok/m);
  });
});

describe('flag precedence: flags beat a .heap file\'s settings, which beat the preset', () => {
  // first-best-worst.heap says "set preset = csapp" and "set policy = best"; its last op is a
  // 32-byte request that first fit puts at 16, best fit at 144 and worst fit at 432.
  const lastOffset = (argv: string) => opsRows(`samples/first-best-worst.heap ${argv}`).at(-1)!.split(',')[4];

  it('without flags or settings: the default preset, first fit, immediate coalescing', () => {
    const j = runJson('samples/tiny.rep');
    assert.equal(j.preset, 'default');
    assert.equal(j.config.policy, 'first');
    assert.equal(j.config.coalesce, 'immediate');
    assert.equal(j.config.maxHeap, 64 * 2 ** 20);
  });

  it('the file\'s settings beat the defaults', () => {
    assert.equal(lastOffset(''), '144');
    const j = runJson('samples/first-best-worst.heap');
    assert.equal(j.preset, 'csapp');
    assert.equal(j.config.policy, 'best');
  });

  it('an explicit --policy beats the file\'s "set policy"', () => {
    assert.equal(lastOffset('--policy first'), '16');
    assert.equal(lastOffset('--policy worst'), '432');
    assert.equal(runJson('samples/first-best-worst.heap --policy worst').config.policy, 'worst');
  });

  it('an explicit --preset beats the file\'s "set preset", and the file\'s other settings still beat that preset', () => {
    const j = runJson('samples/first-best-worst.heap --preset default');
    assert.equal(j.preset, 'default');
    assert.equal(j.config.wordSize, 8);
    assert.equal(j.config.policy, 'best', 'the file\'s policy, not the preset\'s first fit');
    const realloc = runJson('samples/realloc.heap --preset csapp');
    assert.equal(realloc.config.wordSize, 4);
    assert.equal(realloc.config.realloc, 'in-place', 'the file\'s realloc, not csapp\'s naive one');
    assert.equal(runJson('samples/realloc.heap --preset csapp --realloc naive').config.realloc, 'naive');
  });

  it('--coalesce beats "set coalesce"', () => {
    assert.equal(runJson('samples/coalescing.heap').config.coalesce, 'immediate');
    assert.equal(runJson('samples/coalescing.heap --coalesce off').config.coalesce, 'off');
    assert.equal(runJson('samples/coalescing.heap --coalesce=deferred').config.coalesce, 'deferred');
  });

  it('--max-heap takes bytes with K, M or G (powers of 1024) and defaults to the preset\'s maximum', () => {
    assert.equal(runJson('samples/tiny.rep --preset csapp').config.maxHeap, 20 * 2 ** 20, 'the malloc lab driver\'s 20 MiB');
    for (const [value, bytes] of [
      ['65536', 65536],
      ['64K', 64 * 1024],
      ['3M', 3 * 2 ** 20],
      ['1G', 2 ** 30],
    ] as const) {
      assert.equal(runJson(`samples/tiny.rep --max-heap ${value}`).config.maxHeap, bytes, value);
      assert.equal(runJson(`samples/tiny.rep --max-heap=${value}`).config.maxHeap, bytes, `--max-heap=${value}`);
    }
  });

  it('--max-heap beats the file\'s "set maxHeap"', () => {
    const script = 'set preset = csapp\nset maxHeap = 8K\np = malloc(6000)\nfree(p)\n';
    assert.deepEqual(opsRows('m.heap', { 'm.heap': script }), ['0,a,p,6000,-1,4112', '1,f,p,,-1,4112'], '8K: no room to grow');
    assert.deepEqual(opsRows('m.heap --max-heap 16K', { 'm.heap': script }), ['0,a,p,6000,16,10120', '1,f,p,,16,10120']);
  });

  it('--policy sbrk: the baseline, on the preset\'s alignment, free does nothing', () => {
    assert.deepEqual(opsRows('samples/tiny.rep --preset csapp --policy sbrk'), [
      '0,a,0,24,0,24',
      '1,a,1,100,24,128',
      '2,a,2,24,128,152',
      '3,f,1,,24,152',
      '4,a,3,40,152,192',
      '5,r,0,200,192,392',
      '6,f,2,,128,392',
      '7,f,0,,192,392',
      '8,f,3,,152,392',
    ]);
    const j = runJson('samples/tiny.rep --policy sbrk');
    assert.equal(j.config.policy, 'sbrk');
    assert.equal(j.heapSize, 32 + 112 + 32 + 48 + 208, '16-byte alignment on the default preset');
    assert.equal(j.freeBlocks, 0);
    assert.equal(j.externalFragmentation, 0);
    assert.equal(j.blocksExamined, 0, 'no list to walk');
  });

  it('--policy sbrk beats the file\'s "set policy"', () => {
    assert.equal(lastOffset('--policy sbrk'), '368');
  });
});

describe('heap-inspector usage errors', () => {
  const USAGE_ERRORS: readonly (readonly [string, RegExp])[] = [
    ['frob samples/tiny.rep', /unknown command "frob"/],
    ['run', /run needs a trace file/],
    ['check --json', /check needs a trace file|--json/],
    ['run samples/tiny.rep samples/tiny.rep', /one trace at a time/],
    ['run samples/tiny.rep --bogus', /unknown option "--bogus"/],
    ['run samples/tiny.rep -x', /unknown option "-x"/],
    ['run samples/tiny.rep --policy fastest', /--policy must be one of sbrk, first, next, best, worst/],
    ['run samples/tiny.rep --preset', /--preset needs a value/],
    ['run samples/tiny.rep --preset glibc', /--preset must be one of csapp, default/],
    ['run samples/tiny.rep --coalesce sometimes', /--coalesce must be one of/],
    ['run samples/tiny.rep --max-heap', /--max-heap takes a byte count/],
    ['run samples/tiny.rep --max-heap 12Q', /--max-heap takes a byte count/],
    ['run samples/tiny.rep --max-heap -5M', /--max-heap/],
    ['run samples/tiny.rep --json --ops', /--json and --ops cannot be used together/],
    ['compare samples/tiny.rep --ops', /--ops goes with run/],
    ['check samples/tiny.rep --json', /--json goes with run and compare/],
    ['score --allocator mm.c', /score needs traces: name the malloc lab's \.rep files, or a folder of them/],
    ['score samples/tiny.rep', /score needs --allocator FILE/],
    ['score --allocator mm.c samples/tiny.rep --policy best --order fifo', /score runs your allocator, not the simulated heap: --policy, --order do not apply/],
    ['score --allocator mm.c samples/tiny.rep --ops', /--ops goes with run/],
    ['score --allocator mm.c samples/tiny.rep --libc-kops 0', /--libc-kops takes a throughput in Kops\/s above 0/],
    ['run samples/tiny.rep --libc-kops 600', /--libc-kops goes with score/],
  ];

  for (const [argv, message] of USAGE_ERRORS) {
    it(`heap-inspector ${argv}: exit 2`, () => {
      const r = heapInspector(argv);
      assert.equal(r.code, 2);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /^heap-inspector: /);
      assert.match(r.stderr, message);
      assert.ok(r.stderr.includes(USAGE), 'the usage follows the message');
    });
  }

  it('a --max-heap beyond what the heap can take (1 GiB) is bad usage, not an error in the trace', () => {
    for (const value of ['2G', '0']) {
      const r = heapInspector(`run samples/tiny.rep --json --max-heap ${value}`);
      assert.equal(r.code, 2, `--max-heap ${value}: exit ${r.code}\n${r.stdout}`);
      assert.match(r.stderr, /--max-heap/);
      assert.equal(r.stdout, '', 'nothing is replayed');
    }
  });

  it('no arguments: the usage on stderr, exit 2', () => {
    const r = heapInspector([]);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, `${USAGE}\n`);
  });

  it('--help and --version: stdout, exit 0', () => {
    for (const flag of ['--help', '-h', 'run --help']) {
      const r = heapInspector(flag);
      assert.deepEqual([r.code, r.stdout, r.stderr], [0, `${USAGE}\n`, ''], flag);
    }
    for (const flag of ['--version', '-v']) assert.deepEqual(heapInspector(flag), { code: 0, stdout: 'heap-inspector 1.2.3\n', stderr: '' });
  });

  it('a file that cannot be read: exit 2 and a message naming it, for every subcommand', () => {
    for (const command of ['run', 'compare', 'check']) {
      for (const path of ['no/such/trace.rep', 'samples']) {
        const r = heapInspector([command, path]);
        assert.equal(r.code, 2, `${command} ${path}`);
        assert.equal(r.stdout, '');
        assert.match(r.stderr, new RegExp(`^heap-inspector: cannot read ${path}: `));
      }
    }
  });
});

// --- the real entry point ----------------------------------------------------------------------------

describe('dist/cli.js, the built binary', () => {
  const root = process.cwd();
  const binary = join(root, 'dist', 'cli.js');
  let scratch = '';

  function spawnCli(...args: string[]): CliRun {
    const r = spawnSync(process.execPath, [binary, ...args], { cwd: root, encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.error, undefined, String(r.error));
    const run = { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
    assertNoStackTrace(run.stdout + run.stderr, `node dist/cli.js ${args.join(' ')}`);
    return run;
  }

  before(() => {
    assert.ok(existsSync(binary), `${binary} is missing: npm test builds it (node scripts/build.mjs)`);
    scratch = mkdtempSync(join(tmpdir(), 'heap-inspector-cli-'));
  });

  after(() => {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('--version prints the package version', () => {
    const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
    assert.deepEqual(spawnCli('--version'), { code: 0, stdout: `heap-inspector ${version}\n`, stderr: '' });
  });

  it('run --json prints what runCli prints', () => {
    const r = spawnCli('run', 'samples/tiny.rep', '--json', '--preset', 'csapp');
    assert.equal(r.code, 0);
    assert.equal(r.stderr, '');
    assert.equal(r.stdout, heapInspector('run samples/tiny.rep --json --preset csapp').stdout);
    assert.equal((JSON.parse(r.stdout) as SummaryJson).heapSize, 4112);
  });

  it('check exits 1 on a trace with errors and 0 on a clean one', () => {
    const bad = spawnCli('check', 'samples/overflow.heap');
    assert.equal(bad.code, 1);
    assert.match(bad.stdout, /^samples\/overflow\.heap:8:1: error: /m);
    assert.deepEqual(spawnCli('check', 'samples/coalescing.heap'), { code: 0, stdout: '', stderr: '' });
  });

  it('reads a CRLF trace written to disk', () => {
    const path = join(scratch, 'crlf.rep');
    writeFileSync(path, '0\r\n2\r\n4\r\n1\r\na 0 8\r\na 1 16\r\nf 0\r\nf 1\r\n');
    const r = spawnCli('run', path, '--ops', '--preset', 'csapp');
    assert.equal(r.code, 0);
    assert.equal(r.stdout, 'op_index,kind,id,size,offset,heap_size\n0,a,0,8,16,4112\n1,a,1,16,32,4112\n2,f,0,,16,4112\n3,f,1,,32,4112\n');
  });

  it('a binary file is an error in the trace (exit 1), not a crash', () => {
    const path = join(scratch, 'garbage.rep');
    writeFileSync(path, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0, 0]));
    const r = spawnCli('check', path);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, `${path}:1:1: error: This is not a text file: a .rep trace is lines of text.\n`);
  });

  it('a missing file, a directory, bad usage: exit 2 with a one-line message', () => {
    const missing = spawnCli('run', 'no-such-trace.rep');
    assert.deepEqual(missing, { code: 2, stdout: '', stderr: 'heap-inspector: cannot read no-such-trace.rep: no such file\n' });
    const directory = spawnCli('check', 'samples');
    assert.deepEqual(directory, { code: 2, stdout: '', stderr: 'heap-inspector: cannot read samples: it is a directory\n' });
    const usage = spawnCli('run', 'samples/tiny.rep', '--policy', 'fastest');
    assert.equal(usage.code, 2);
    assert.equal(usage.stdout, '');
    assert.match(usage.stderr, /^heap-inspector: --policy must be one of/);
    const nothing = spawnCli();
    assert.equal(nothing.code, 2);
    assert.match(nothing.stderr, /^Usage:/);
  });

  it('an input that trips the parser still ends in a message and a documented exit code', () => {
    // A lone ";" line (a C habit the format tolerates after a statement).
    const path = join(scratch, 'semicolon.heap');
    writeFileSync(path, 'p = malloc(8)\n;\nfree(p)\n');
    const r = spawnCli('check', path);
    assert.equal(r.code, 0, `exit ${r.code}\n${r.stderr}`);
  });

  it('run --ops on the malloc lab\'s short1-bal.rep with --preset csapp starts as issue 3 says', function () {
    requireMalloclab(this);
    const trace = join(MALLOCLAB_DIR, 'short1-bal.rep');
    const r = spawnCli('run', '--ops', trace, '--preset', 'csapp');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout.split('\n').slice(0, 5), [
      'op_index,kind,id,size,offset,heap_size',
      '0,a,0,2040,16,4112',
      '1,a,1,2040,2064,4112',
      '2,f,1,,2064,4112',
      '3,a,2,48,2064,4112',
    ]);
  });
});
