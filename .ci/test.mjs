// `pnpm test`: runs every package's tests through turbo (extra arguments go to turbo, e.g.
// `pnpm test --filter=@modelship/k8s`), then prints the closing summary line over the reports
// in the packages' test-results/ folders (`.ci/run` clears them first, so there it counts
// exactly this run).
import { spawnSync } from 'node:child_process';

const turbo = spawnSync('turbo', ['run', 'test', ...process.argv.slice(2)], {
  stdio: 'inherit',
  shell: false,
});
if (turbo.error) throw turbo.error;
const summary = spawnSync(
  process.execPath,
  [new URL('./test-summary.mjs', import.meta.url).pathname],
  {
    stdio: 'inherit',
  },
);
process.exit(turbo.status !== 0 ? (turbo.status ?? 1) : (summary.status ?? 1));
