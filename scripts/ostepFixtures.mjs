// Re-creates test/fixtures/ostep/ from OSTEP's own simulator: each fixture is what
// `python3 malloc.py ARGS` printed, under a first line with ARGS and a second with its exit code.
// Usage: node scripts/ostepFixtures.mjs PATH/TO/vm-freespace/malloc.py   (the tests never run this)

import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const mallocPy = process.argv[2];
if (!mallocPy) {
  console.error('usage: node scripts/ostepFixtures.mjs PATH/TO/malloc.py');
  process.exit(2);
}
const dir = fileURLToPath(new URL('../test/fixtures/ostep/', import.meta.url));

const POLICIES = ['BEST', 'WORST', 'FIRST'];
const ORDERS = ['ADDRSORT', 'SIZESORT+', 'SIZESORT-', 'INSERT-FRONT', 'INSERT-BACK'];

/** Every case: a name and malloc.py's arguments (none contains a space). */
function cases() {
  const all = [];
  const add = (name, args) => all.push({ name, args });
  // Random mode: every policy x list order x coalescing, answers shown and hidden, a seed each.
  let seed = 0;
  for (const p of POLICIES) {
    for (const l of ORDERS) {
      for (const C of [false, true]) {
        const base = ['-s', String(seed), '-p', p, '-l', l, '-n', '24', ...(C ? ['-C'] : [])];
        add(`random-${p}-${l}${C ? '-C' : ''}-c`, [...base, '-c']);
        if (seed % 3 === 0) add(`random-${p}-${l}${C ? '-C' : ''}`, base);
        seed += 7;
      }
    }
  }
  // Headers, alignment, sizes, ranges, percentages, base addresses and seeds of every width.
  const seeds = ['1', '2', '3', '10', '42', '1000', '4294967295', '4294967296', '4294967297', '18446744073709551617', '123456789012345678901234567890', '-1', '-12345'];
  for (const s of seeds) add(`seed-${s}`, ['-s', s, '-c', '-n', '16']);
  const variants = [
    ['header-4', ['-H', '4']], ['header-8-align-4', ['-H', '8', '-a', '4']], ['align-8', ['-a', '8']], ['align-1', ['-a', '1']],
    ['size-1000-range-100', ['-S', '1000', '-r', '100']], ['size-0', ['-S', '0']], ['small-heap-fails', ['-S', '20', '-r', '15', '-P', '80']],
    ['percent-100', ['-P', '100']], ['percent-250', ['-P', '250']], ['percent-1', ['-P', '1', '-n', '5']], ['percent-90-first', ['-P', '90', '-p', 'FIRST', '-r', '30']],
    ['base-0', ['-b', '0']], ['base-negative', ['-b', '-5']], ['range-1', ['-r', '1']], ['range-0', ['-r', '0']],
    ['numops-0', ['-n', '0']], ['numops-negative', ['-n', '-3']], ['numops-100', ['-n', '100', '-C']],
    ['header-failures', ['-H', '10', '-S', '50', '-r', '20', '-n', '30', '-p', 'WORST']],
  ];
  for (const [name, extra] of variants) {
    add(`${name}-c`, ['-s', '11', '-c', ...extra]);
    add(name, ['-s', '11', ...extra]);
  }
  // Long forms, abbreviations, clusters, attached values, =, radix prefixes, ignored positionals.
  add('long-forms', ['--seed', '3', '--size', '200', '--baseAddr', '2000', '--headerSize', '2', '--alignment', '4', '--policy', 'WORST', '--listOrder', 'INSERT-FRONT', '--coalesce', '--numOps', '12', '--range', '30', '--percentAlloc', '60', '--compute']);
  add('long-equals-prefixes', ['--see=9', '--si=64', '--ba=100', '--po=FIRST', '--li=ADDRSORT', '--coa', '--numO=15', '--ra=20', '--pe=70', '--comp']);
  add('clusters', ['-Cc', '-s4', '-n12', '-lSIZESORT+', '-cCs5']);
  add('radix-hex-octal-binary', ['-s', '0x1F', '-S', '0144', '-r', '0b1010', '-n', '0xc', '-c']);
  add('positionals-and-dashdash', ['ignored', '-c', '-n', '8', '--', '-s', '99']);
  add('alloclist-long', ['--allocList=+3,+4,-1,+2', '--compute']);
  add('alloclist-empty-is-random', ['-A', '', '-c', '-n', '6']);
  // -A lists: splits, exact fits, failures, invalid frees, double frees, every order with coalescing.
  const lists = [
    ['basic', '+10,+20,+30,-1,-0,+15,-2'],
    ['exact-fit', '+50,+50,-0,+50'],
    ['failure', '+60,+60,-0,+70,+40'],
    ['invalid-free', '+10,-3,+20,-1,-5'],
    ['double-free', '+10,+20,-0,-0,-1'],
    ['refree-reused', '+10,-0,+10,-0,+5,-1'],
    ['index-counts-successes', '+200,+10,-1,+20,-1'],
    ['fill-and-drain', '+25,+25,+25,+25,-0,-2,-1,-3,+100'],
    ['zero-size', '+0,+5,-0,-1'],
    ['odd-syntax', '+5+3,+ 7,-1_0,- 0,+0_9,+007'],
    ['negative-size', '+-3,+10,-0'],
  ];
  for (const [name, ops] of lists) {
    for (const p of POLICIES) add(`list-${name}-${p}-c`, ['-A', ops, '-p', p, '-c']);
    add(`list-${name}`, ['-A', ops]);
  }
  for (const l of ORDERS) {
    for (const C of [false, true]) {
      const ops = '+10,+10,+10,+10,+10,-2,-0,-3,-1,+20,+5,-4,+30';
      add(`list-order-${l}${C ? '-C' : ''}-c`, ['-A', ops, '-l', l, '-p', 'FIRST', '-c', ...(C ? ['-C'] : [])]);
      add(`list-order-${l}${C ? '-C' : ''}-header-align-c`, ['-A', ops, '-l', l, '-H', '2', '-a', '4', '-c', ...(C ? ['-C'] : [])]);
    }
  }
  // Where malloc.py itself stops midway: a free of a failed allocation, a zero-size chunk reused.
  add('crash-free-of-failed-alloc', ['-A', '+200,+10,-0', '-c']);
  add('crash-zero-size-twice', ['-A', '+0,+0', '-c']);
  return all;
}

rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
const names = new Set();
for (const { name, args } of cases()) {
  if (names.has(name)) throw new Error(`two cases named ${name}`);
  names.add(name);
  const run = spawnSync('python3', [mallocPy, ...args], { encoding: 'utf8' });
  if (run.error) throw run.error;
  writeFileSync(join(dir, `${name}.txt`), `${JSON.stringify(args)}\nexit ${run.status}\n${run.stdout}`);
}
console.log(`${readdirSync(dir).length} fixtures in ${dir}`);
