// `npm run bench`: builds the bundles and the benchmark, then runs it (see bench/bench.ts).
// `npm run bench -- --quick` runs smaller traces; `-- --write-docs` rewrites docs/performance.md's table.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { build } from './build.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
await build();
const outfile = `${root}out/bench/bench.js`;
await esbuild.build({ entryPoints: [`${root}bench/bench.ts`], outfile, bundle: true, platform: 'node', format: 'cjs', target: 'node20', packages: 'external', logLevel: 'warning' });
const r = spawnSync(process.execPath, ['--max-old-space-size=8192', outfile, ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
