// Adds up the JSON reports that every package's vitest run writes to test-results/ and
// prints one closing line: "N passed, N failed, N skipped". Exits non-zero if any failed
// or if no test ran at all.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const roots = ['apps', 'packages', 'charts'];
const reports = [];
for (const root of roots) {
  const dirs = root === 'charts' ? ['charts'] : readdirSync(root).map((d) => join(root, d));
  for (const dir of dirs) {
    const file = join(dir, 'test-results', 'vitest.json');
    try {
      if (statSync(file).isFile()) reports.push(JSON.parse(readFileSync(file, 'utf8')));
    } catch {
      // a package without tests has no report
    }
  }
}
const sum = (key) => reports.reduce((n, r) => n + (r[key] ?? 0), 0);
const passed = sum('numPassedTests');
const failed = sum('numFailedTests');
const skipped = sum('numPendingTests') + sum('numTodoTests');
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
