/**
 * The validation-amplification attack, measured: `pnpm --filter @modelship/bench run
 * amplification -- --build before=apps/inference/.ab/before/dist/server.js --build
 * after=apps/inference/dist/server.js`. For each build in turn (interleaved, `--rounds` times)
 * it starts the service directly on loopback, sends 1 MiB bodies of unknown keys from
 * `--attackers` clients at `--attack-rps` in all, and meanwhile measures one client's
 * sequential good `/predict` requests and another's `/readyz`: p50 and p99 of each, the attack
 * requests answered, the service's peak RSS. `--attackers 0` gives the quiet baseline.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BUILD_HELP, BUILD_OPTION, parseBuilds } from './ab.ts';
import { OptionsError, runCommand } from './config.ts';
import { benchRecords } from './records.ts';
import { startService } from './stacks.ts';
import { median } from './stats.ts';

/** One measured run of one build. */
interface AttackRun {
  readonly predictP50: number;
  readonly predictP99: number;
  readonly readyP50: number;
  readonly readyP99: number;
  /** Good /predict requests answered per second by the one sequential client. */
  readonly goodRps: number;
  /** Attack requests answered per second, and the statuses seen. */
  readonly attackRps: number;
  readonly attackStatuses: string;
  /** Bytes of the largest attack answer. */
  readonly answerBytes: number;
  readonly peakRssMb: number;
}

/** A valid record plus unknown keys, just under `bytes` of JSON. */
export function unknownKeysBody(bytes: number): { body: string; keys: number } {
  const [record] = benchRecords(1);
  const parts = [JSON.stringify(record).slice(1, -1)];
  let length = parts[0]?.length ?? 0;
  let keys = 0;
  for (;;) {
    const part = `"${keys.toString(36)}":0`;
    if (length + part.length + 3 > bytes) break;
    parts.push(part);
    length += part.length + 1;
    keys += 1;
  }
  return { body: `{${parts.join(',')}}`, keys };
}

/** p-th percentile (nearest rank) of a non-empty list. */
function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

/** One HTTP exchange on a keep-alive agent: status, answer length, milliseconds. */
function exchange(
  agent: Agent,
  url: URL,
  method: 'GET' | 'POST',
  body?: string,
): Promise<{ status: number; bytes: number; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        agent,
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
      },
      (res) => {
        let bytes = 0;
        res.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, bytes, ms: performance.now() - started }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** The peak resident set of a process so far (VmHWM), in MB. */
async function peakRssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}

interface RunOptions {
  readonly url: string;
  readonly pid: number;
  readonly good: string;
  readonly attack: string;
  readonly attackers: number;
  readonly attackRps: number;
  readonly durationS: number;
}

/** Attack and measure for `durationS` seconds. */
async function measure(options: RunOptions): Promise<AttackRun> {
  const { url, good, attack, attackers, attackRps, durationS } = options;
  const until = performance.now() + durationS * 1000;
  const predictUrl = new URL('/predict', url);
  const readyUrl = new URL('/readyz', url);
  const statuses = new Map<number, number>();
  let attacked = 0;
  let answerBytes = 0;
  const attacker = async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const interval = (1000 * attackers) / attackRps;
    while (performance.now() < until) {
      const started = performance.now();
      const { status, bytes } = await exchange(agent, predictUrl, 'POST', attack);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      attacked += 1;
      answerBytes = Math.max(answerBytes, bytes);
      await sleep(interval - (performance.now() - started));
    }
    agent.destroy();
  };
  const sequential = async (target: URL, method: 'GET' | 'POST', body?: string) => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const latencies: number[] = [];
    while (performance.now() < until) {
      const { status, ms } = await exchange(agent, target, method, body);
      if (status !== 200) throw new Error(`${target.pathname} answered ${status}`);
      latencies.push(ms);
    }
    agent.destroy();
    return latencies;
  };
  const [predict, ready] = await Promise.all([
    sequential(predictUrl, 'POST', good),
    sequential(readyUrl, 'GET'),
    ...Array.from({ length: attackers }, attacker),
  ]);
  const p = predict as number[];
  const r = ready as number[];
  return {
    predictP50: percentile(p, 50),
    predictP99: percentile(p, 99),
    readyP50: percentile(r, 50),
    readyP99: percentile(r, 99),
    goodRps: p.length / durationS,
    attackRps: attacked / durationS,
    attackStatuses: [...statuses].map(([s, n]) => `${s}×${n}`).join(' '),
    answerBytes,
    peakRssMb: await peakRssMb(options.pid),
  };
}

/** One line per build: medians of its runs. */
function table(results: ReadonlyMap<string, readonly AttackRun[]>): string {
  const lines = [
    '| build | /predict p50 ms | p99 ms | /readyz p50 ms | p99 ms | good req/s | attack req/s | attack answer bytes | peak RSS MB |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const [name, runs] of results) {
    const m = (pick: (r: AttackRun) => number, digits: number) =>
      median(runs.map(pick)).toFixed(digits);
    lines.push(
      `| ${name} | ${m((r) => r.predictP50, 2)} | ${m((r) => r.predictP99, 2)} | ${m((r) => r.readyP50, 2)} | ${m((r) => r.readyP99, 2)} | ${m((r) => r.goodRps, 0)} | ${m((r) => r.attackRps, 1)} | ${m((r) => r.answerBytes, 0)} | ${m((r) => r.peakRssMb, 0)} |`,
    );
  }
  return lines.join('\n');
}

const usage = `Usage: pnpm --filter @modelship/bench run amplification -- --build name=path ... [options]

Good requests' and /readyz latency while clients send 1 MiB bodies of unknown keys, per service
build (copies of apps/inference/dist), started in turn, interleaved over the rounds.

${BUILD_HELP}
  --rounds N                 interleaved rounds (3)
  --attackers N              clients sending the attack body (4; 0: the quiet baseline)
  --attack-rps N             attack requests per second, all clients together, at most (8)
  --duration S               seconds measured per run (10)
  -h, --help                 this text`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2).filter((arg) => arg !== '--'),
    options: {
      build: BUILD_OPTION,
      rounds: { type: 'string', default: '3' },
      attackers: { type: 'string', default: '4' },
      'attack-rps': { type: 'string', default: '8' },
      duration: { type: 'string', default: '10' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    return;
  }
  const builds = parseBuilds(values.build);
  const number = (flag: 'rounds' | 'attackers' | 'attack-rps' | 'duration', min: number) => {
    const n = Number(values[flag]);
    if (!Number.isInteger(n) || n < min) {
      throw new OptionsError(`--${flag} must be a whole number >= ${min}, not "${values[flag]}"`);
    }
    return n;
  };
  const rounds = number('rounds', 1);
  const attackers = number('attackers', 0);
  const attackRps = number('attack-rps', 1);
  const durationS = number('duration', 1);
  const good = JSON.stringify(benchRecords(1)[0]);
  const { body: attack, keys } = unknownKeysBody(1_048_576 - 1024);
  const results = new Map<string, AttackRun[]>(builds.map((b) => [b.name, []]));
  const workDir = await mkdtemp(join(tmpdir(), 'modelship-amplification-'));
  try {
    for (let round = 1; round <= rounds; round += 1) {
      for (const build of builds) {
        const service = await startService({
          workDir,
          name: build.name,
          entry: build.entry,
          nodeArgs: build.nodeArgs,
          logLevel: 'warn',
        });
        try {
          const pid = service.app[0]?.pid as number;
          const run = await measure({
            url: service.url,
            pid,
            good,
            attack,
            attackers,
            attackRps,
            durationS,
          });
          results.get(build.name)?.push(run);
          console.error(
            `round ${round} ${build.name}: /predict p50 ${run.predictP50.toFixed(2)} p99 ${run.predictP99.toFixed(2)} ms, /readyz p99 ${run.readyP99.toFixed(2)} ms, attack ${run.attackStatuses}`,
          );
        } finally {
          await service.stop();
        }
      }
    }
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
  console.log(
    `${attackers} attackers at ${attackRps} req/s in all, ${attack.length} bytes of ${keys} unknown keys each; ${rounds} interleaved rounds of ${durationS} s; medians`,
  );
  console.log(table(results));
}

await runCommand(import.meta.url, 'amplification', usage, main);
