// Builds the bundles with esbuild (tsc only type-checks): dist/extension.js (the VS Code
// extension, vscode external), dist/webview.js (the webviews, with uPlot; its stylesheet copied to
// dist/uPlot.min.css) and dist/cli.js (the heap-inspector command line).
// Usage: node scripts/build.mjs [--watch]   (also imported by scripts/test.mjs)

import { chmodSync, copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8'));
const uplotNotice = `/*! uPlot ${JSON.parse(readFileSync(`${root}node_modules/uplot/package.json`, 'utf8')).version} (https://github.com/leeoniya/uPlot)\n${readFileSync(`${root}node_modules/uplot/LICENSE`, 'utf8').trim().replaceAll('*/', '* /')}\n*/`;

export async function build() {
  await esbuild.build({
    entryPoints: [`${root}src/extension/extension.ts`],
    outfile: `${root}dist/extension.js`,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
    sourcemap: false,
    minify: true,
    logLevel: 'warning',
  });
  await esbuild.build({
    entryPoints: [`${root}src/webview/main.ts`],
    outfile: `${root}dist/webview.js`,
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    minify: true,
    // uPlot is MIT licensed: its notice goes with the copies of it we ship (minifying drops it).
    banner: { js: uplotNotice },
    logLevel: 'warning',
  });
  // uPlot's stylesheet, served beside the bundle (the CSP allows no inline styles): a second <link>
  // in src/extension/webviewHtml.ts, shipped by .vscodeignore.
  mkdirSync(`${root}dist`, { recursive: true });
  writeFileSync(`${root}dist/uPlot.min.css`, `${uplotNotice}\n${readFileSync(`${root}node_modules/uplot/dist/uPlot.min.css`, 'utf8')}`);
  await esbuild.build({
    entryPoints: [`${root}src/cli/main.ts`],
    outfile: `${root}dist/cli.js`,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    define: { HEAP_INSPECTOR_VERSION: JSON.stringify(pkg.version) },
    logLevel: 'warning',
  });
  chmodSync(`${root}dist/cli.js`, 0o755);
  copyCodicons();
}

/** The product icon font the webviews' toolbars draw with (docs/editor.md, "The heap panel"), beside the bundles. */
function copyCodicons() {
  mkdirSync(`${root}dist/codicons`, { recursive: true });
  for (const file of ['codicon.css', 'codicon.ttf']) copyFileSync(`${root}node_modules/@vscode/codicons/dist/${file}`, `${root}dist/codicons/${file}`);
}

/** Bundles test files for Node (packages stay external, so mocha and fast-check load from node_modules). */
export async function bundleTests(entryPoints, outdir, outbase, external = []) {
  rmSync(outdir, { recursive: true, force: true });
  await esbuild.build({
    entryPoints,
    outdir,
    outbase,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: 'inline',
    packages: 'external',
    external,
    logLevel: 'warning',
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await build();
