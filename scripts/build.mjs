// Builds the bundles with esbuild (tsc only type-checks): dist/extension.js (the VS Code
// extension for a Node extension host, vscode external), dist/extension.web.js (the same for the
// browser's web worker extension host: the build fails if it imports a Node built-in or src/native/,
// docs/architecture.md "Desktop and browser"), dist/webview.js (the webviews, with uPlot; its stylesheet copied to
// dist/uPlot.min.css), dist/cli.js (the heap-inspector command line: a loader of dist/cli-main.js)
// and dist/parseWorker.js (its parse worker).
// Usage: node scripts/build.mjs [--watch]   (also imported by scripts/test.mjs)

import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8'));
const uplotNotice = `/*! uPlot ${JSON.parse(readFileSync(`${root}node_modules/uplot/package.json`, 'utf8')).version} (https://github.com/leeoniya/uPlot)\n${readFileSync(`${root}node_modules/uplot/LICENSE`, 'utf8').trim().replaceAll('*/', '* /')}\n*/`;

const NODE_BUILTINS = new Set(builtinModules);

/**
 * Fails the browser bundle on any import of a Node built-in (node:fs, fs, path/posix, ...) or of
 * src/native/ (the code that runs processes): no polyfills, the web worker host has no Node.
 */
export const browserOnly = {
  name: 'heap-inspector-browser-only',
  setup(b) {
    b.onResolve({ filter: /.*/ }, (args) => {
      const from = args.importer ? relative(root, args.importer) : '(entry)';
      const bare = args.path.replace(/^node:/, '');
      if (args.path.startsWith('node:') || NODE_BUILTINS.has(bare) || NODE_BUILTINS.has(bare.split('/')[0])) {
        return { errors: [{ text: `${from} imports the Node built-in "${args.path}", which the browser bundle (dist/extension.web.js) may not: the web worker extension host has no Node (docs/architecture.md, "Desktop and browser")` }] };
      }
      if (args.path.startsWith('.') && relative(`${root}src/native`, resolve(args.resolveDir, args.path)).split(/[\\/]/)[0] !== '..') {
        return { errors: [{ text: `${from} imports ${args.path} from src/native/, which runs processes: the browser bundle may not (docs/architecture.md, "Desktop and browser")` }] };
      }
      return undefined;
    });
  },
};

/** The browser entry's build options (the unit tests build it in memory with a metafile). */
export const webBuildOptions = {
  entryPoints: [`${root}src/extension/extensionWeb.ts`],
  outfile: `${root}dist/extension.web.js`,
  bundle: true,
  platform: 'browser',
  format: 'cjs',
  target: 'es2022',
  external: ['vscode'],
  plugins: [browserOnly],
  sourcemap: false,
  minify: true,
  logLevel: 'warning',
};

export async function build() {
  await esbuild.build(webBuildOptions);
  await nodeBundle('src/extension/extension.ts', 'dist/extension.js', { external: ['vscode'], sourcemap: false, minify: true });
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
  await nodeBundle('src/cli/main.ts', 'dist/cli-main.js', {
    // Without comments and spaces (a third of the bytes to read and compile at every start), with
    // the names kept: a stack trace in a bug report still reads.
    minifyWhitespace: true,
    minifySyntax: true,
    charset: 'ascii',
    define: { HEAP_INSPECTOR_VERSION: JSON.stringify(pkg.version) },
  });
  // dist/cli.js, the installed command, loads dist/cli-main.js with its start-up code cache, which
  // is named by the program's hash (src/cli/codeCache.ts; docs/cli.md, "Start-up").
  const mainBytes = readFileSync(`${root}dist/cli-main.js`);
  // The loader reads it as Latin-1 (no UTF-8 decode): esbuild writes ASCII (its default charset), checked here.
  if (mainBytes.some((b) => b > 0x7f)) throw new Error('dist/cli-main.js is not ASCII: the loader (src/cli/codeCache.ts) reads it as Latin-1');
  const mainHash = createHash('sha256').update(mainBytes).digest('hex').slice(0, 16);
  await nodeBundle('src/cli/bin.ts', 'dist/cli.js', { define: { HEAP_INSPECTOR_MAIN_HASH: JSON.stringify(mainHash) } });
  chmodSync(`${root}dist/cli.js`, 0o755);
  // The command line's parse worker (src/cli/parseWorker.ts): a small bundle of its own, so that it
  // starts fast (docs/performance.md, "The parse beside the replay").
  await nodeBundle('src/cli/parseWorker.ts', 'dist/parseWorker.js');
  copyCodicons();
}

/** A CommonJS bundle for Node 20 of `entry` (relative to the root) into `outfile`, with `options` besides. */
function nodeBundle(entry, outfile, options = {}) {
  return esbuild.build({ entryPoints: [`${root}${entry}`], outfile: `${root}${outfile}`, bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'warning', ...options });
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
