// Adds up the JSON reports that the packages' vitest runs write to test-results/ and prints
// one closing line: "tests: N passed, N failed, N skipped". Exits non-zero if any failed, if
// no test ran at all, or under CI=true if any skipped (CI installs every component a test needs,
// so a skip there is a test that silently stopped running; each is named on stderr). Arguments name the report files to count (default: vitest.json,
// what `pnpm test` writes; `.ci/run` adds image.json from `pnpm test:image`);
// `--dirs=a,b` limits the count to those package directories (default: every package).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const argv = process.argv.slice(2);
// Flags (e.g. turbo's, when `pnpm test --flag` appends them here) are not report names.
const given = argv.filter((arg) => !arg.startsWith('-'));
const names = given.length > 0 ? given : ['vitest.json'];
const dirsFlag = argv.find((arg) => arg.startsWith('--dirs='));
const allDirs = ['apps', 'packages', 'charts'].flatMap((root) =>
  root === 'charts' ? ['charts'] : readdirSync(root).map((d) => join(root, d)),
);
const packageDirs =
  dirsFlag === undefined ? allDirs : dirsFlag.slice('--dirs='.length).split(',').filter(Boolean);
const reports = [];
for (const dir of packageDirs) {
  for (const name of names) {
    const file = join(dir, 'test-results', name);
    try {
      if (statSync(file).isFile()) reports.push(JSON.parse(readFileSync(file, 'utf8')));
    } catch {
      // a package without such tests has no report
    }
  }
}
const sum = (key) => reports.reduce((n, r) => n + (r[key] ?? 0), 0);
const passed = sum('numPassedTests');
const failed = sum('numFailedTests');
const skipped = sum('numPendingTests') + sum('numTodoTests');
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
const ci = process.env.CI === 'true';
if (ci && skipped > 0) {
  console.error('CI=true: no test may skip; these did:');
  for (const { testResults = [] } of reports) {
    for (const { name, assertionResults = [] } of testResults) {
      for (const test of assertionResults) {
        if (!['passed', 'failed'].includes(test.status)) {
          console.error(`  ${name}: ${test.fullName} (${test.status})`);
        }
      }
    }
  }
}
process.exit(failed > 0 || passed === 0 || (ci && skipped > 0) ? 1 : 0);
