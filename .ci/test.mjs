// `pnpm test`: runs every package's tests through turbo (extra arguments go to turbo, e.g.
// `pnpm test --filter=@modelship/k8s`), then prints the closing summary line over the reports
// of exactly the packages whose test task this run covered (executed or replayed from
// turbo's cache), so that a filtered run does not count other packages' older reports.
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const dry = spawnSync('turbo', ['run', 'test', '--dry=json', ...args], {
  encoding: 'utf8',
  maxBuffer: 64 * 1024 * 1024,
  stdio: ['ignore', 'pipe', 'inherit'],
});
if (dry.error) throw dry.error;
if (dry.status !== 0) process.exit(dry.status ?? 1);
const dirs = JSON.parse(dry.stdout)
  .tasks.filter((task) => task.task === 'test')
  .map((task) => task.directory);

const turbo = spawnSync('turbo', ['run', 'test', ...args], { stdio: 'inherit', shell: false });
if (turbo.error) throw turbo.error;
const summary = spawnSync(
  process.execPath,
  [new URL('./test-summary.mjs', import.meta.url).pathname, `--dirs=${dirs.join(',')}`],
  { stdio: 'inherit' },
);
process.exit(turbo.status !== 0 ? (turbo.status ?? 1) : (summary.status ?? 1));
