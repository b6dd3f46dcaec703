// Adds up the JSON reports that the packages' vitest runs write to test-results/ and prints
// one closing line: "tests: N passed, N failed, N skipped". Exits non-zero if any failed or
// if no test ran at all. Arguments name the report files to count (default: vitest.json,
// what `pnpm test` writes; `.ci/run` adds image.json from `pnpm test:image`).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

// Flags (e.g. turbo's, when `pnpm test --flag` appends them here) are not report names.
const given = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
const names = given.length > 0 ? given : ['vitest.json'];
const roots = ['apps', 'packages', 'charts'];
const reports = [];
for (const root of roots) {
  const dirs = root === 'charts' ? ['charts'] : readdirSync(root).map((d) => join(root, d));
  for (const dir of dirs) {
    for (const name of names) {
      const file = join(dir, 'test-results', name);
      try {
        if (statSync(file).isFile()) reports.push(JSON.parse(readFileSync(file, 'utf8')));
      } catch {
        // a package without such tests has no report
      }
    }
  }
}
const sum = (key) => reports.reduce((n, r) => n + (r[key] ?? 0), 0);
const passed = sum('numPassedTests');
const failed = sum('numFailedTests');
const skipped = sum('numPendingTests') + sum('numTodoTests');
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
