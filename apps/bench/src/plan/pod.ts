import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { insuranceModelDir } from '@modelship/insurance-model';
import { stopAll } from '@modelship/testkit';
import { missingPrerequisite } from '../bench.ts';
import { benchBodies } from '../records.ts';
import { type ProgressSink, probeTargets, runMatrix } from '../runner.ts';
import { startStacks } from '../start-stacks.ts';
import { buildTargets, serversFor, type Target, type TargetId } from '../targets.ts';
import { runWrk } from '../wrk.ts';
import type { Level, MeasureLevel } from './step.ts';

/** The benchmark target a plan measures: nginx (the shipped config) → the service, one record. */
export const PLAN_TARGET: TargetId = 'ours-nginx/1';

/** Options for {@link startPod}. */
export interface PodOptions {
  /** Seconds of load per level (whole seconds: wrk takes no fractions). */
  readonly durationS: number;
  /** Seconds of load before the first level (0: none). */
  readonly warmupS: number;
  /** Connections during the warm-up. */
  readonly warmupConnections: number;
  /** The model the service serves. @default the bundled insurance model */
  readonly modelDir?: string;
  /** Another build of the service. @default apps/inference/dist/server.js */
  readonly serviceEntry?: string;
}

/** A running pod (the benchmark's `ours-nginx` stack) and a way to measure one load level. */
export interface Pod {
  readonly measure: MeasureLevel;
  stop(): Promise<void>;
}

/** The plan's figures of one benchmark measurement. */
function toLevel(m: Awaited<ReturnType<typeof runMatrix>>[number]): Level {
  const e = m.load.errors;
  return {
    connections: m.connections,
    requestsPerSec: m.load.requestsPerSec,
    p50Ms: m.load.latencyMs.p50,
    p99Ms: m.load.latencyMs.p99,
    errors: e.connect + e.read + e.write + e.timeout + e.status,
    requests: m.load.requests,
    durationS: m.load.durationS,
    serviceCpuS: m.appCpuS ?? 0,
    nginxCpuS: m.proxyCpuS ?? 0,
    ...(m.appMemory && { servicePssMiB: m.appMemory.pssMiB }),
  };
}

/**
 * Starts one pod as the benchmark runs it (the built service with the pod's settings behind
 * the nginx config `renderNginxConf` ships, via the benchmark's `startStacks`), checks that it
 * answers the benchmark's one-record body, warms it up, and returns a {@link MeasureLevel}
 * that runs the benchmark's wrk driver (`runMatrix`: CPU and memory of both processes sampled).
 */
export async function startPod(options: PodOptions, progress: ProgressSink): Promise<Pod> {
  const ids = [PLAN_TARGET];
  const missing = await missingPrerequisite(options.modelDir, options.serviceEntry, ids);
  if (missing) throw new Error(`cannot measure: missing ${missing}`);
  const workDir = await mkdtemp(join(tmpdir(), 'modelship-plan-'));
  const bodies = benchBodies();
  let keepLogs = false;
  const cleanUp = async (): Promise<void> => {
    await stopAll();
    if (!keepLogs) await rm(workDir, { recursive: true, force: true });
  };
  let target: Target;
  let stopStacks: () => Promise<void> = async () => {};
  try {
    const stacks = await startStacks(
      serversFor(ids),
      {
        workDir,
        modelDir: options.modelDir ?? insuranceModelDir,
        // Only ours behind nginx is started: the peers' and the heavy model's inputs are unused.
        heavyDir: '',
        peerModel: '',
        probeBody: bodies.one,
        ...(options.serviceEntry && { serviceEntry: options.serviceEntry }),
      },
      progress,
    );
    stopStacks = stacks.stop;
    [target] = buildTargets(ids, stacks.servers, bodies) as [Target];
    await probeTargets([target]);
    if (options.warmupS > 0) {
      progress(`warm-up (${options.warmupS}s, c=${options.warmupConnections})`);
      await runWrk({
        url: target.url,
        body: target.body,
        connections: options.warmupConnections,
        durationS: options.warmupS,
        scratchDir: workDir,
      });
    }
  } catch (error) {
    keepLogs = true;
    progress(`failed; the servers' logs are kept in ${workDir}`);
    await stopStacks();
    await cleanUp();
    throw error;
  }
  return {
    measure: async (connections) => {
      const [measurement] = await runMatrix({
        targets: [target],
        concurrencies: [connections],
        runs: 1,
        durationS: options.durationS,
        warmupS: 0,
        wrkThreads: 1,
        scratchDir: workDir,
        progress: () => {},
        phase: 'plan',
      });
      if (!measurement) throw new Error(`no measurement at c=${connections}`);
      return toLevel(measurement);
    },
    stop: async () => {
      await stopStacks();
      await cleanUp();
    },
  };
}
