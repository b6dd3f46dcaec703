import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { insuranceModelDir } from '@modelship/insurance-model';
import { stopAll } from '@modelship/testkit';
import { type BenchOptions, cores, OptionsError } from './config.ts';
import { allowedCpus, type CpuSplit, moveTo, resolveLayout, splitCpus } from './cpu-layout.ts';
import { writeHeavyModel } from './heavy-model.ts';
import { describeMachine } from './machine.ts';
import { measureTargets } from './measure.ts';
import { measureModelAlone } from './model-alone.ts';
import {
  measureOpenLoop,
  OPEN_LOOP_TARGETS,
  type OpenLoopRun,
  peerCapacity,
} from './open-loop/phase.ts';
import { binaries, fastapiPython, insuranceCsv, serviceEntry } from './paths.ts';
import { trainPeer } from './peers.ts';
import { waitForQuiet } from './quiet.ts';
import { benchBodies, benchRecords } from './records.ts';
import { buildReport, writeReport } from './report/build.ts';
import type { BenchReport } from './report/types.ts';
import type { Measurement, ProgressSink } from './runner.ts';
import { type StackContext, type StartedStacks, startStacks } from './start-stacks.ts';
import { measureStartupsOf } from './startup.ts';
import { summarize } from './summarize.ts';
import {
  buildTargets,
  selectTargets,
  serversFor,
  type Target,
  type TargetId,
  targetIds,
} from './targets.ts';

/** Files a run wrote. */
export interface BenchOutput {
  readonly report: BenchReport;
  readonly markdownFile: string;
  readonly jsonFile: string;
  readonly chartFile: string;
}

/**
 * Binaries, build outputs and venvs the harness needs for the targets `ids` (all by default);
 * the first missing one with how to get it, or undefined.
 */
export async function missingPrerequisite(
  modelDir: string = insuranceModelDir,
  entry: string = serviceEntry,
  ids: readonly TargetId[] = targetIds,
): Promise<string | undefined> {
  for (const [name, path] of Object.entries(binaries)) {
    try {
      await access(path);
    } catch {
      return `${name} (${path})`;
    }
  }
  try {
    await access(entry);
  } catch {
    return `the built service (${entry}; run pnpm --filter @modelship/inference build)`;
  }
  try {
    await access(join(modelDir, 'model.onnx'));
  } catch {
    return `the model (${join(modelDir, 'model.onnx')}; run pnpm train)`;
  }
  if (serversFor(ids).has('fastapi')) {
    try {
      await access(fastapiPython);
    } catch {
      return `the FastAPI peer's venv (${fastapiPython}; run bash apps/bench/peers/fastapi/setup-venv.sh)`;
    }
  }
  return undefined;
}

/**
 * Runs the whole benchmark: the model alone, start-up times, then every stack under load
 * (interleaved), then batching on/off on a heavy model; writes `latest.md`, `latest.json`
 * and `latest.svg` into `options.outDir` and returns the report.
 */
export async function runBenchmark(
  options: BenchOptions,
  progress: ProgressSink,
): Promise<BenchOutput> {
  const ids = selectTargets(options.only);
  const missing = await missingPrerequisite(options.modelDir, options.serviceEntry, ids);
  if (missing) throw new Error(`cannot benchmark: missing ${missing}`);
  const needed = serversFor(ids);
  const ownCpus = await allowedCpus();
  const split = resolveLayout(options.layout, ownCpus) === 'apart' ? apartCpus(ownCpus) : undefined;
  const workDir = await mkdtemp(join(tmpdir(), 'modelship-bench-'));
  let stacks: StartedStacks | undefined;
  let failed = false;
  try {
    const machine = await describeMachine();
    progress(`machine: ${machine.cpuModel}, ${machine.cores} cores, load ${machine.loadAverage}`);
    const modelDir = options.modelDir ?? insuranceModelDir;
    const records = benchRecords(64);
    const bodies = benchBodies();

    const peerModel = join(workDir, 'peer-model.pkl');
    if (needed.has('peer')) {
      progress('training the Flask peer (scikit-learn pipeline) ...');
      await trainPeer(insuranceCsv, peerModel);
    }
    // Everything started from here on (the servers, onnxruntime alone) runs on the servers' CPUs.
    if (split) await moveTo(process.pid, split.servers);
    const { trees, depth } = options.heavyModel;
    progress(`writing the heavy model (${trees} trees, depth ${depth}) ...`);
    const heavyDir = await writeHeavyModel({ dir: join(workDir, 'heavy-model'), trees, depth });
    const context: StackContext = {
      workDir,
      modelDir,
      heavyDir,
      peerModel,
      probeBody: bodies.one,
      ...(options.serviceEntry && { serviceEntry: options.serviceEntry }),
    };

    progress('onnxruntime alone ...');
    const modelAlone = [
      ...(await measureModelAlone({
        modelDir,
        label: options.modelDir ? `model in ${options.modelDir}` : 'bundled insurance model',
        records,
        batchSizes: [1, 64],
        durationS: options.modelAloneS,
      })),
      ...(await measureModelAlone({
        modelDir: heavyDir,
        label: `heavy model (${trees} trees, depth ${depth})`,
        records,
        batchSizes: [1, 64],
        durationS: options.modelAloneS,
      })),
    ];
    const startup = await measureStartupsOf(needed, context, options.startupRuns, progress);

    stacks = await startStacks(needed, context, progress);
    if (split) {
      await expectServersOn(stacks, split.servers);
      // wrk and the open-loop client, started from now on, run on the load generator's CPUs.
      await moveTo(process.pid, split.load);
    }
    const targets = buildTargets(ids, stacks.servers, bodies);
    const measurements = await measureTargets(targets, options, workDir, progress);
    const openLoop = await openLoopPhase(targets, measurements, options, progress);

    const report = buildReport({
      ...(openLoop && { openLoop }),
      ...(split && { cpuSplit: split }),
      machine,
      options,
      bodies,
      targets,
      startup,
      modelAlone,
      measurements,
    });
    const files = await writeReport(report, options.outDir);
    return { report, ...files };
  } catch (error) {
    failed = true;
    progress(`failed; the servers' logs are kept in ${workDir}`);
    throw error;
  } finally {
    await stacks?.stop();
    await stopAll();
    if (split) await moveTo(process.pid, ownCpus);
    if (!failed) await rm(workDir, { recursive: true, force: true });
  }
}

/** This process's CPUs split for an `apart` run. @throws {OptionsError} with fewer than two. */
function apartCpus(cpus: readonly number[]): CpuSplit {
  const split = splitCpus(cpus);
  if (!split) {
    throw new OptionsError(
      `--layout apart needs two CPUs or more; this process may use ${cpus.length} (${cpus.join(',')})`,
    );
  }
  return split;
}

/** Checks that every started server and proxy process runs on `cpus` (it inherited them). */
async function expectServersOn(stacks: StartedStacks, cpus: readonly number[]): Promise<void> {
  for (const [id, running] of Object.entries(stacks.servers)) {
    for (const p of [...(running?.app ?? []), ...(running?.proxy ? [running.proxy] : [])]) {
      const allowed = await allowedCpus(p.pid);
      if (allowed.join(',') !== cpus.join(',')) {
        throw new Error(
          `${id}: process ${p.pid} may run on CPUs ${allowed.join(',')}, not only ${cpus.join(',')}`,
        );
      }
    }
  }
}

/**
 * The open-loop phase (`src/open-loop/phase.ts`) on the targets it needs, at shares of the
 * FastAPI peer's capacity measured by `measurements`; undefined when skipped or not measurable.
 */
async function openLoopPhase(
  targets: readonly Target[],
  measurements: readonly Measurement[],
  options: BenchOptions,
  progress: ProgressSink,
): Promise<
  { capacity: NonNullable<ReturnType<typeof peerCapacity>>; runs: OpenLoopRun[] } | undefined
> {
  const chosen = targets.filter((t) => OPEN_LOOP_TARGETS.includes(t.id));
  const capacity = peerCapacity(summarize(targets, measurements));
  if (options.openLoopS <= 0 || capacity === undefined || chosen.length === 0) return undefined;
  progress(
    `open loop at shares of FastAPI's ${Math.round(capacity.requestsPerSec)} req/s (c=${capacity.connections}) ...`,
  );
  const runs = await measureOpenLoop({
    targets: chosen,
    capacity,
    runs: options.runs,
    durationS: options.openLoopS,
    warmupS: options.openLoopWarmupS,
    progress,
    ...(options.quietCores > 0 && {
      settle: () => waitForQuiet({ cores: cores(), maxBusyCores: options.quietCores }),
    }),
  });
  return { capacity, runs };
}
