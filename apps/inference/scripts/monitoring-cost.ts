// Measures what drift monitoring costs: the service (src/index.ts, one process, the bundled
// model) with its profile.json (monitoring on) and from a copy of the model directory without
// it (monitoring off), loaded by wrk in alternating runs, side by side; prints the medians.
// With taskset (util-linux), both services run on CPU 0 and wrk on CPU 1, so that the load
// generator and the other engineers' processes disturb the two alike.
//
// Usage: pnpm --filter @modelship/inference exec tsx scripts/monitoring-cost.ts [runs=5] [seconds=8]
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { insuranceModelDir } from '@modelship/insurance-model';
import { freePort, waitForHttp } from '@modelship/testkit';
import { validRecord } from '../src/testing/fake-deps.ts';

const runs = Number(process.argv[2] ?? 5);
const seconds = Number(process.argv[3] ?? 8);
const entry = fileURLToPath(new URL('../src/index.ts', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'monitoring-cost-'));
const bare = join(work, 'model-without-profile');
cpSync(insuranceModelDir, bare, { recursive: true });
rmSync(join(bare, 'profile.json'));
const body = JSON.stringify(validRecord);
const lua = join(work, 'post.lua');
writeFileSync(
  lua,
  `wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = ${JSON.stringify(body)}\n`,
);

const pinned = spawnSync('taskset', ['-c', '0', 'true']).status === 0;
/** `command args` on one CPU when taskset works here. */
const onCpu = (cpu: number, command: string, args: string[]): [string, string[]] =>
  pinned ? ['taskset', ['-c', String(cpu), command, ...args]] : [command, args];

async function start(modelDir: string) {
  const port = await freePort();
  const child = spawn(...onCpu(0, process.execPath, ['--import', 'tsx', entry]), {
    env: {
      PATH: process.env.PATH ?? '',
      PORT: String(port),
      HOST: '127.0.0.1',
      MODEL_DIR: modelDir,
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await waitForHttp({ url: `http://127.0.0.1:${port}/readyz` });
  return {
    port,
    stop: () =>
      new Promise((r) => {
        child.once('exit', r);
        child.kill('SIGKILL');
      }),
  };
}

function wrk(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const p = spawn('wrk', [
      '-t1',
      '-c16',
      `-d${seconds}s`,
      '-s',
      lua,
      `http://127.0.0.1:${port}/predict`,
    ]);
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.on('exit', () => {
      const m = /Requests\/sec:\s+([\d.]+)/.exec(out);
      if (!m || /Non-2xx/.test(out)) reject(new Error(out));
      else resolve(Number(m[1]));
    });
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const on = await start(insuranceModelDir);
const off = await start(bare);
const figures = { on: [] as number[], off: [] as number[] };
try {
  await wrk(on.port); // warm both (JIT, connections)
  await wrk(off.port);
  for (let i = 0; i < runs; i++) {
    // Alternate the order so that drifting machine load hits both alike.
    const order: readonly ('on' | 'off')[] = i % 2 ? ['off', 'on'] : ['on', 'off'];
    for (const name of order) {
      figures[name].push(await wrk((name === 'on' ? on : off).port));
    }
  }
} finally {
  await on.stop();
  await off.stop();
  rmSync(work, { recursive: true, force: true });
}
const ratio = median(figures.on) / median(figures.off);
process.stdout.write(
  `${JSON.stringify({ runs, seconds, pinned, requestsPerSecond: figures, median: { on: median(figures.on), off: median(figures.off) }, onOverOff: Number(ratio.toFixed(4)), cost: `${((1 - ratio) * 100).toFixed(1)}%` }, null, 2)}\n`,
);
