// The browser bundle (docs/architecture.md, "Desktop and browser"): built in memory as
// scripts/build.mjs builds it, it reads no Node built-in and nothing of src/native/; and the build's
// guard fails on either, whoever imports it.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';

const ROOT = process.cwd();
let webBuildOptions: esbuild.BuildOptions;

before(async () => {
  // Imported as it is (it is an ES module with top-level await, not bundled with the tests).
  const url = pathToFileURL(join(ROOT, 'scripts', 'build.mjs')).href;
  ({ webBuildOptions } = (await import(url)) as { webBuildOptions: esbuild.BuildOptions });
});

describe('the browser bundle (dist/extension.web.js)', () => {
  it('imports no Node built-in and nothing of src/native/, and keeps vscode external', async () => {
    const result = await esbuild.build({ ...webBuildOptions, write: false, metafile: true, logLevel: 'silent' });
    const inputs = Object.keys(result.metafile.inputs);
    assert.ok(inputs.includes('src/extension/extensionWeb.ts'), inputs.join('\n'));
    assert.ok(inputs.includes('src/extension/activate.ts'));
    assert.deepEqual(inputs.filter((i) => i.startsWith('src/native/') || i.startsWith('node_modules/')), []);
    const output = Object.values(result.metafile.outputs)[0]!;
    assert.deepEqual([...new Set(output.imports.map((i) => i.path))], ['vscode']);
  });

  it('fails to build when anything in it imports a Node built-in or src/native/', async () => {
    const dir = mkdtempSync(join(ROOT, 'src', 'extension', '.web-guard-'));
    try {
      for (const [name, line] of [['fs.ts', "import { readFileSync } from 'fs';"], ['nodeColon.ts', "import { join } from 'node:path';"], ['native.ts', "import { OwnAllocatorJob } from '../../native/ownJob';"]] as const) {
        writeFileSync(join(dir, name), `${line}\nexport const x = [${line.match(/\{ (\w+) \}/)![1]}];\n`);
        await assert.rejects(esbuild.build({ ...webBuildOptions, entryPoints: [join(dir, name)], write: false, logLevel: 'silent' }), (err: esbuild.BuildFailure) => {
          assert.match(err.errors[0]!.text, /browser bundle/);
          return true;
        }, name);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
