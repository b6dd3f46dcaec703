/**
 * Side-by-side CPU cost of service builds: `pnpm --filter @modelship/bench run ab --
 * --build before=apps/inference/.ab/before/server.js --build after=apps/inference/dist/server.js`.
 * Starts each build in turn (interleaved, `--rounds` times), loads it with wrk and reports, per
 * build, the medians of CPU µs per request (the service's process, from /proc, and nginx's with
 * `--via nginx`), req/s, p50 and p99. CPU per request is the figure to compare on a busy
 * machine; req/s and latency move with whatever else runs.
 *
 * A build is a copy of `apps/inference/dist` (`server.js`, `model/`, `static/`) made at some
 * commit; keep it under `apps/inference/` (e.g. `apps/inference/.ab/<name>/`) so that its npm
 * dependencies resolve. The flags and their defaults: `usage` below (`--help`).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { OptionsError, runCommand } from './config.ts';
import { cpuMeter } from './cpu-time.ts';
import { repoRoot } from './paths.ts';
import { benchRecords } from './records.ts';
import { startService, withShippedNginx } from './stacks.ts';
import { median } from './stats.ts';
import { runWrk } from './wrk.ts';

/** One measured run of one build. */
export interface AbRun {
  readonly serviceUs: number;
  readonly nginxUs: number;
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/** A build to compare: its name, entry file and the node flags it runs with. */
export interface AbBuild {
  readonly name: string;
  readonly entry: string;
  readonly nodeArgs: readonly string[];
}

/** The `--build` option of every tool that compares builds (for `parseArgs`), and its help line. */
export const BUILD_OPTION = { type: 'string', multiple: true, default: [] as string[] } as const;
export const BUILD_HELP =
  '  --build name=path [flags]  a build: its name, its server.js, node flags after the path (repeat)';

/**
 * `name=path [node flags]` flags → builds, in order; names must be unique. Flags after the
 * path (e.g. `after=dist/server.js --max-semi-space-size=16`) go to node before the entry.
 */
export function parseBuilds(flags: readonly string[]): AbBuild[] {
  const builds = flags.map((flag) => {
    const at = flag.indexOf('=');
    const [path, ...nodeArgs] = flag
      .slice(at + 1)
      .split(/\s+/)
      .filter((part) => part !== '');
    if (at <= 0 || path === undefined) {
      throw new OptionsError(`--build "${flag}" is not name=path/to/server.js`);
    }
    return { name: flag.slice(0, at), entry: resolve(repoRoot, path), nodeArgs };
  });
  const names = new Set(builds.map((b) => b.name));
  if (builds.length === 0 || names.size !== builds.length) {
    throw new OptionsError('give one --build name=path per build, with distinct names');
  }
  return builds;
}

/** One line per build: medians of its runs, and every run's CPU per request. */
export function abTable(results: ReadonlyMap<string, readonly AbRun[]>): string {
  const lines = [
    '| build | CPU µs/request (service + nginx) | req/s | p50 ms | p99 ms | runs (µs) |',
  ];
  lines.push('| --- | ---: | ---: | ---: | ---: | --- |');
  for (const [name, runs] of results) {
    const m = (pick: (r: AbRun) => number) => median(runs.map(pick));
    const cpu = `${m((r) => r.serviceUs + r.nginxUs).toFixed(1)} (${m((r) => r.serviceUs).toFixed(1)} + ${m((r) => r.nginxUs).toFixed(1)})`;
    const each = runs.map((r) => (r.serviceUs + r.nginxUs).toFixed(1)).join(', ');
    lines.push(
      `| ${name} | ${cpu} | ${Math.round(m((r) => r.rps))} | ${m((r) => r.p50Ms).toFixed(3)} | ${m((r) => r.p99Ms).toFixed(2)} | ${each} |`,
    );
  }
  return lines.join('\n');
}

const usage = `Usage: pnpm --filter @modelship/bench run ab -- --build name=path [node flags] ... [options]

Side by side CPU per request, req/s, p50 and p99 of service builds (copies of apps/inference/dist),
started in turn and loaded with wrk, interleaved over the rounds.

${BUILD_HELP}
  --rounds N                 interleaved rounds (5)
  --connections N            wrk connections (32)
  --duration S               seconds measured per run (5)
  --warmup S                 seconds of load before each measured run (2)
  --via direct|nginx         load the service directly or through the shipped nginx config (direct)
  --nginx-workers N[,M]      with --via nginx: nginx's worker processes; several values run each
                             build with each count (default: the shipped pod's)
  --log-level LEVEL          the service's LOG_LEVEL (info)
  -h, --help                 this text`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2).filter((arg) => arg !== '--'),
    options: {
      build: BUILD_OPTION,
      rounds: { type: 'string', default: '5' },
      connections: { type: 'string', default: '32' },
      duration: { type: 'string', default: '5' },
      warmup: { type: 'string', default: '2' },
      via: { type: 'string', default: 'direct' },
      'nginx-workers': { type: 'string' },
      'log-level': { type: 'string', default: 'info' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    return;
  }
  const workerCounts = values['nginx-workers']?.split(',').map(Number) ?? [undefined];
  if (workerCounts.some((n) => n !== undefined && !(Number.isInteger(n) && n >= 1))) {
    throw new OptionsError(
      `--nginx-workers "${values['nginx-workers']}" must be whole numbers >= 1`,
    );
  }
  // Each build once per worker count, named `<build>-w<count>` when counts are given.
  const builds = parseBuilds(values.build).flatMap((b) =>
    workerCounts.map((workers) => ({
      ...b,
      name: workers === undefined ? b.name : `${b.name}-w${workers}`,
      workers,
    })),
  );
  if (values.via !== 'direct' && values.via !== 'nginx')
    throw new OptionsError(`--via is direct or nginx, not "${values.via}"`);
  for (const flag of ['rounds', 'connections', 'duration', 'warmup'] as const) {
    const n = Number(values[flag]);
    if (!Number.isInteger(n) || n < (flag === 'warmup' ? 0 : 1)) {
      throw new OptionsError(`--${flag} must be a whole number, not "${values[flag]}"`);
    }
  }
  const body = JSON.stringify(benchRecords(1)[0]);
  const connections = Number(values.connections);
  const results = new Map<string, AbRun[]>(builds.map((b) => [b.name, []]));
  const workDir = await mkdtemp(join(tmpdir(), 'modelship-ab-'));
  try {
    for (let round = 1; round <= Number(values.rounds); round += 1) {
      for (const build of builds) {
        const service = await startService({
          workDir,
          name: build.name,
          entry: build.entry,
          nodeArgs: build.nodeArgs,
          logLevel: values['log-level'],
        });
        const target =
          values.via === 'nginx'
            ? await withShippedNginx(service, { workDir, name: 'nginx' }, build.workers)
            : service;
        try {
          const load = { url: `${target.url}/predict`, body, connections, scratchDir: workDir };
          await runWrk({ ...load, durationS: Number(values.warmup) });
          const serviceCpu = cpuMeter(service.app.map((p) => p.pid));
          const nginxCpu = cpuMeter(target.proxy ? [target.proxy.pid] : []);
          const result = await runWrk({ ...load, durationS: Number(values.duration) });
          const perRequest = (seconds: number) => (seconds * 1e6) / result.requests;
          const run: AbRun = {
            serviceUs: perRequest(serviceCpu.stop()),
            nginxUs: perRequest(nginxCpu.stop()),
            rps: result.requestsPerSec,
            p50Ms: result.latencyMs.p50,
            p99Ms: result.latencyMs.p99,
          };
          results.get(build.name)?.push(run);
          console.error(
            `round ${round} ${build.name}: ${(run.serviceUs + run.nginxUs).toFixed(1)} µs/request, ${Math.round(run.rps)} req/s`,
          );
        } finally {
          await target.stop();
          await service.stop();
        }
      }
    }
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
  console.log(
    `c=${connections}, ${values.via}, ${values.rounds} interleaved rounds of ${values.duration} s`,
  );
  console.log(abTable(results));
}

await runCommand(import.meta.url, 'ab', usage, main);
