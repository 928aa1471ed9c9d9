// `npm run test:electron`: the same integration suite through @vscode/test-electron, for machines
// that can download desktop VS Code or have one (set VSCODE_EXECUTABLE to use a local build).
// On the project's CI machines the suite runs through the VS Code server instead (npm test).

import { runTests } from '@vscode/test-electron';
import { build } from './build.mjs';
import { buildTests, makeWorkspace } from './integration.mjs';
import { root } from './vscodeServer.mjs';

await build();
const extensionTestsPath = await buildTests();
try {
  await runTests({
    extensionDevelopmentPath: root,
    extensionTestsPath,
    launchArgs: [makeWorkspace(), '--disable-extensions', '--disable-workspace-trust'],
    ...(process.env.VSCODE_EXECUTABLE ? { vscodeExecutablePath: process.env.VSCODE_EXECUTABLE } : {}),
  });
} catch (err) {
  console.error(`The integration suite could not run in desktop VS Code: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
