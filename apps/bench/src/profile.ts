/**
 * `pnpm --filter @modelship/bench profile`: runs the built service under `node --cpu-prof`,
 * loads it with wrk (directly or through the shipped nginx config), and prints where its CPU
 * time went, by function. Used to explain a floor that is not met.
 *
 * Flags: --via nginx|direct (nginx), --connections 32, --duration 8, --rows 1, --model-dir DIR.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { stopAll } from '@modelship/testkit';
import { type CpuProfile, hotFunctions } from './cpu-profile.ts';
import { benchRecords } from './records.ts';
import { startService, withShippedNginx } from './stacks.ts';
import { runWrk } from './wrk.ts';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    via: { type: 'string', default: 'nginx' },
    connections: { type: 'string', default: '32' },
    duration: { type: 'string', default: '8' },
    rows: { type: 'string', default: '1' },
    'model-dir': { type: 'string' },
    'log-level': { type: 'string', default: 'info' },
  },
});
const rows = Number(values.rows);
const records = benchRecords(rows);
const body = JSON.stringify(rows === 1 ? records[0] : { instances: records });
const workDir = await mkdtemp(join(tmpdir(), 'modelship-profile-'));
const profileDir = join(workDir, 'profile');
try {
  const service = await startService({
    workDir,
    name: 'profiled',
    nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`],
    logLevel: values['log-level'],
    ...(values['model-dir'] !== undefined && { modelDir: values['model-dir'] }),
  });
  const target =
    values.via === 'direct' ? service : await withShippedNginx(service, { workDir, name: 'nginx' });
  const load = await runWrk({
    url: `${target.url}/predict`,
    body,
    connections: Number(values.connections),
    durationS: Number(values.duration),
    scratchDir: workDir,
  });
  await target.stop();
  console.log(
    `${values.via}, ${rows} record(s), c=${values.connections}: ${Math.round(load.requestsPerSec)} req/s, p99 ${load.latencyMs.p99.toFixed(2)} ms, ${load.errors.status} error statuses`,
  );
  const [file] = (await readdir(profileDir)).filter((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error('the service wrote no CPU profile');
  const hot = hotFunctions(
    JSON.parse(await readFile(join(profileDir, file), 'utf8')) as CpuProfile,
  );
  const pct = (n: number) => `${n.toFixed(1).padStart(5)}%`;
  console.log('\nInclusive time (function and everything it called):');
  for (const f of hot.slice(0, 40)) console.log(`${pct(f.totalPct)} ${pct(f.selfPct)}  ${f.name}`);
  console.log('\nSelf time:');
  for (const f of [...hot].sort((a, b) => b.selfPct - a.selfPct).slice(0, 25)) {
    console.log(`${pct(f.selfPct)}  ${f.name}`);
  }
} finally {
  await stopAll();
  await rm(workDir, { recursive: true, force: true });
}
