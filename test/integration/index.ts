// The integration suite's entry point inside the real extension host (as for @vscode/test-electron):
// runs every bundled suite with mocha and reports the counts on one line the launcher reads.

import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { format } from 'node:util';
import Mocha from 'mocha';

export const RESULT_MARK = 'HEAP-INSPECTOR-INTEGRATION-RESULT';
/** Marks the suite's own output among everything else the workbench logs. */
export const OUTPUT_MARK = '[heap-inspector-test] ';

export function run(): Promise<void> {
  const reporterLog = (...args: unknown[]) => console.log(OUTPUT_MARK + format(...args).replace(/\n/g, `\n${OUTPUT_MARK}`));
  (Mocha.reporters.Base as unknown as { consoleLog: typeof console.log }).consoleLog = reporterLog;
  // A one-off run of some suites alone (a measurement): HEAP_INSPECTOR_TEST_GREP=pattern.
  const grep = process.env.HEAP_INSPECTOR_TEST_GREP;
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000, reporter: 'spec', ...(grep ? { grep } : {}) });
  const dir = join(__dirname, 'suite');
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.test.js')).sort()) mocha.addFile(join(dir, file));
  return new Promise((resolve, reject) => {
    try {
      const runner = mocha.run((failures) => {
        console.log(`${RESULT_MARK} ${JSON.stringify({ passed: runner.stats?.passes ?? 0, failed: runner.stats?.failures ?? failures })}`);
        if (failures > 0) reject(new Error(`${failures} integration test${failures === 1 ? '' : 's'} failed`));
        else resolve();
      });
    } catch (err) {
      console.log(`${RESULT_MARK} ${JSON.stringify({ passed: 0, failed: 1 })}`);
      reject(err);
    }
  });
}
