// `npm start`: builds and runs what the product has so far (the engine demo).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const outfile = `${root}out/demo.js`;
await esbuild.build({ entryPoints: [`${root}scripts/demo.ts`], outfile, bundle: true, platform: 'node', format: 'cjs', logLevel: 'warning' });
process.exit(spawnSync(process.execPath, [outfile], { stdio: 'inherit' }).status ?? 1);
