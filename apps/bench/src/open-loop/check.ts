/**
 * The open-loop generator against wrk at a low rate, on the same target (the built service,
 * served directly): `pnpm --filter @modelship/bench run open-loop-check [-- --rate 200
 * --rounds 3]`. At a rate far below capacity the open loop should see about wrk's c=1
 * latencies; its "send lag" says how late the generator itself was.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { countFlags, runCommand } from '../config.ts';
import { benchBodies } from '../records.ts';
import { startService } from '../stacks.ts';
import { runWrk } from '../wrk.ts';
import { runOpenLoopProcess } from './run.ts';

const usage =
  'Usage: pnpm --filter @modelship/bench run open-loop-check [-- --rate 200 --rounds 3 --duration 5]';

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2).filter((a) => a !== '--'),
    options: {
      rate: { type: 'string', default: '200' },
      rounds: { type: 'string', default: '3' },
      duration: { type: 'string', default: '5' },
    },
  });
  const [rate, rounds, durationS] = countFlags(values, ['rate', 'rounds', 'duration']);
  const workDir = await mkdtemp(join(tmpdir(), 'open-loop-check-'));
  const service = await startService({ workDir, name: 'ours' });
  try {
    const url = `${service.url}/predict`;
    const body = benchBodies().one;
    await runWrk({ url, body, connections: 1, durationS: 2, scratchDir: workDir });
    console.log('round\twrk c=1 p50\tp99\topen loop p50\tp99\tp99.9\tsend lag p99 (ms)');
    for (let round = 1; round <= (rounds as number); round++) {
      const w = await runWrk({
        url,
        body,
        connections: 1,
        durationS: durationS as number,
        scratchDir: workDir,
      });
      const o = await runOpenLoopProcess({
        url,
        body,
        ratePerSec: rate as number,
        durationS: durationS as number,
        warmupS: 1,
      });
      const l = o.latencyMs;
      console.log(
        [round, w.latencyMs.p50, w.latencyMs.p99, l.p50, l.p99, l.p999, o.sendLagMs.p99]
          .map((v, i) => (i === 0 ? String(v) : v.toFixed(3)))
          .join('\t'),
      );
    }
  } finally {
    await service.stop();
    await rm(workDir, { recursive: true, force: true });
  }
}

await runCommand(import.meta.url, 'open-loop-check', usage, main);
