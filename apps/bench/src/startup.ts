import { setTimeout as sleep } from 'node:timers/promises';
import { treeMemory } from './memory.ts';
import { startFastapiPeer, startPeer } from './peers.ts';
import type { StartupResult } from './report/types.ts';
import type { ProgressSink } from './runner.ts';
import { type Running, startService } from './stacks.ts';
import type { StackContext } from './start-stacks.ts';
import { median } from './stats.ts';
import type { ServerId, StackId } from './targets.ts';

async function measureStartups(
  label: string,
  stack: StackId,
  readyCheck: string,
  runs: number,
  start: (i: number) => Promise<Running>,
  progress: ProgressSink,
): Promise<StartupResult> {
  const readyMs: number[] = [];
  let idle = { pssMiB: 0, rssMiB: 0, processes: 0 };
  for (let i = 0; i < runs; i++) {
    const running = await start(i);
    readyMs.push(running.readyMs);
    // Let late workers (Gunicorn boots its workers in parallel) finish before sampling.
    await sleep(1500);
    idle = treeMemory(running.app.map((p) => p.pid));
    await running.stop();
    progress(`startup ${label}: ready in ${Math.round(running.readyMs)} ms (${i + 1}/${runs})`);
  }
  return {
    stack,
    label,
    readyCheck,
    readyMs,
    medianReadyMs: median(readyMs),
    idlePssMiB: idle.pssMiB,
    idleRssMiB: idle.rssMiB,
    processes: idle.processes,
  };
}

/**
 * Time from spawn to ready, and idle memory, of ours and of each peer whose server the run
 * uses (`needed`), `runs` fresh starts each.
 */
export async function measureStartupsOf(
  needed: ReadonlySet<ServerId>,
  context: StackContext,
  runs: number,
  progress: ProgressSink,
): Promise<StartupResult[]> {
  const { workDir, modelDir, probeBody } = context;
  const entry = context.serviceEntry ? { entry: context.serviceEntry } : {};
  const results: StartupResult[] = [];
  if (needed.has('ours') || needed.has('ours-nginx')) {
    results.push(
      await measureStartups(
        'ours (Node service)',
        'ours-nginx',
        'GET /readyz → 200 (model loaded and warmed)',
        runs,
        (i) => startService({ workDir, name: `startup-ours-${i}`, modelDir, ...entry }),
        progress,
      ),
    );
  }
  if (needed.has('peer')) {
    results.push(
      await measureStartups(
        'peer (Gunicorn + Flask)',
        'peer-nginx',
        'first POST /predict_api → 200',
        runs,
        (i) =>
          startPeer({
            workDir,
            name: `startup-peer-${i}`,
            modelFile: context.peerModel,
            probeBody,
          }),
        progress,
      ),
    );
  }
  if (needed.has('fastapi')) {
    results.push(
      await measureStartups(
        'peer (Gunicorn + uvicorn + FastAPI + onnxruntime)',
        'fastapi-nginx',
        'first POST /predict → 200',
        runs,
        (i) => startFastapiPeer({ workDir, name: `startup-fastapi-${i}`, modelDir, probeBody }),
        progress,
      ),
    );
  }
  return results;
}
