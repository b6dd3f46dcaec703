import { access, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { insuranceModelDir } from '@modelship/insurance-model';
import type { BenchOptions } from './config.ts';
import { evaluateFloors } from './floors.ts';
import { writeHeavyModel } from './heavy-model.ts';
import { describeMachine } from './machine.ts';
import { treeMemory } from './memory.ts';
import { measureModelAlone } from './model-alone.ts';
import { binaries, insuranceCsv, serviceEntry } from './paths.ts';
import { stopAll } from './process.ts';
import { benchRecords } from './records.ts';
import { benchmarkChart } from './report/chart.ts';
import { renderMarkdown } from './report/markdown.ts';
import type { BenchReport, StartupResult } from './report/types.ts';
import { type ProgressSink, probeTargets, runMatrix, type Target } from './runner.ts';
import {
  type Running,
  startConstantServer,
  startPeer,
  startService,
  startServiceConstant,
  trainPeer,
  withShippedNginx,
} from './stacks.ts';
import { median } from './stats.ts';
import { ratios, summarize } from './summarize.ts';

/** Files a run wrote. */
export interface BenchOutput {
  readonly report: BenchReport;
  readonly markdownFile: string;
  readonly jsonFile: string;
  readonly chartFile: string;
}

/** Binaries and build outputs the harness needs; the first missing one, or undefined. */
export async function missingPrerequisite(
  modelDir: string = insuranceModelDir,
  entry: string = serviceEntry,
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
  return undefined;
}

const isNumber = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v);
const oneAnswer = (a: unknown): boolean => isNumber((a as { prediction?: unknown })?.prediction);
const manyAnswers =
  (rows: number) =>
  (a: unknown): boolean => {
    const p = (a as { predictions?: unknown })?.predictions;
    return Array.isArray(p) && p.length === rows && p.every(isNumber);
  };
const peerMany =
  (rows: number) =>
  (a: unknown): boolean =>
    Array.isArray(a) && a.length === rows && a.every(isNumber);

async function measureStartups(
  label: string,
  stack: string,
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
 * Runs the whole benchmark: the model alone, start-up times, then every stack under load
 * (interleaved), then batching on/off on a heavy model; writes `latest.md`, `latest.json`
 * and `latest.svg` into `options.outDir` and returns the report.
 */
export async function runBenchmark(
  options: BenchOptions,
  progress: ProgressSink,
): Promise<BenchOutput> {
  const missing = await missingPrerequisite(options.modelDir, options.serviceEntry);
  const entry = options.serviceEntry ? { entry: options.serviceEntry } : {};
  if (missing) throw new Error(`cannot benchmark: missing ${missing}`);
  const workDir = await mkdtemp(join(tmpdir(), 'modelship-bench-'));
  const running: Running[] = [];
  let failed = false;
  try {
    const machine = await describeMachine();
    progress(`machine: ${machine.cpuModel}, ${machine.cores} cores, load ${machine.loadAverage}`);
    const modelDir = options.modelDir ?? insuranceModelDir;
    const records = benchRecords(64);
    const one = JSON.stringify(records[0]);
    const batch = JSON.stringify({ instances: records });

    progress('training the peer (scikit-learn pipeline) ...');
    const peerModel = join(workDir, 'peer-model.pkl');
    await trainPeer(insuranceCsv, peerModel);
    const { trees, depth } = options.heavyModel;
    progress(`writing the heavy model (${trees} trees, depth ${depth}) ...`);
    const heavyDir = await writeHeavyModel({ dir: join(workDir, 'heavy-model'), trees, depth });

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

    const startup = [
      await measureStartups(
        'ours (Node service)',
        'ours-nginx',
        'GET /readyz → 200 (model loaded and warmed)',
        options.startupRuns,
        (i) => startService({ workDir, name: `startup-ours-${i}`, modelDir, ...entry }),
        progress,
      ),
      await measureStartups(
        'peer (Gunicorn + Flask)',
        'peer-nginx',
        'first POST /predict_api → 200',
        options.startupRuns,
        (i) =>
          startPeer({ workDir, name: `startup-peer-${i}`, modelFile: peerModel, probeBody: one }),
        progress,
      ),
    ];

    progress('starting the stacks ...');
    const service = await startService({ workDir, name: 'ours', modelDir, ...entry });
    running.push(service);
    const oursNginx = await withShippedNginx(service, { workDir, name: 'ours-nginx' });
    running.push(oursNginx);
    const peer = await startPeer({ workDir, name: 'peer', modelFile: peerModel, probeBody: one });
    running.push(peer);
    const serviceConstant = await startServiceConstant({
      workDir,
      name: 'service-constant',
      modelDir,
    });
    running.push(serviceConstant);
    const serviceConstantNginx = await withShippedNginx(serviceConstant, {
      workDir,
      name: 'service-constant-nginx',
    });
    running.push(serviceConstantNginx);
    const bareHono = await startConstantServer({ workDir, name: 'bare-hono' });
    running.push(bareHono);
    const bareHonoNginx = await withShippedNginx(bareHono, { workDir, name: 'bare-hono-nginx' });
    running.push(bareHonoNginx);
    const heavyOn = await startService({
      workDir,
      name: 'heavy-on',
      modelDir: heavyDir,
      batching: 'on',
      ...entry,
    });
    running.push(heavyOn);
    const heavyOff = await startService({
      workDir,
      name: 'heavy-off',
      modelDir: heavyDir,
      batching: 'off',
      ...entry,
    });
    running.push(heavyOff);

    const target = (t: Omit<Target, 'group'> & { group?: Target['group'] }): Target => ({
      group: 'main',
      ...t,
    });
    const allTargets: Target[] = [
      target({
        id: 'ours-nginx/1',
        stack: 'ours-nginx',
        label: 'ours: nginx → service, 1 record',
        url: `${oursNginx.url}/predict`,
        body: one,
        rows: 1,
        running: oursNginx,
        check: oneAnswer,
      }),
      target({
        id: 'ours-direct/1',
        stack: 'ours-direct',
        label: 'ours: service alone, 1 record',
        url: `${service.url}/predict`,
        body: one,
        rows: 1,
        running: service,
        check: oneAnswer,
      }),
      target({
        id: 'peer-nginx/1',
        stack: 'peer-nginx',
        label: 'peer: nginx → Gunicorn → Flask, 1 record',
        url: `${peer.url}/predict_api`,
        body: one,
        rows: 1,
        running: peer,
        check: isNumber,
      }),
      target({
        id: 'ceiling-service/1',
        stack: 'ceiling-service',
        label: 'ceiling: nginx → our Node service stack, constant /predict',
        url: `${serviceConstantNginx.url}/predict`,
        body: one,
        rows: 1,
        running: serviceConstantNginx,
        check: oneAnswer,
      }),
      target({
        id: 'ceiling-hono/1',
        stack: 'ceiling-hono',
        label: 'ceiling (informational): nginx → bare Hono constant',
        url: `${bareHonoNginx.url}/predict`,
        body: one,
        rows: 1,
        running: bareHonoNginx,
        check: oneAnswer,
      }),
      target({
        id: 'ceiling-static/1',
        stack: 'ceiling-static',
        label: 'ceiling: nginx static JSON',
        url: `${oursNginx.url}/nginx-health`,
        body: one,
        rows: 1,
        running: { ...oursNginx, app: [] },
        check: (a) => (a as { status?: unknown })?.status === 'ok',
      }),
      target({
        id: 'ours-nginx/64',
        stack: 'ours-nginx',
        label: 'ours: nginx → service, 64 records',
        url: `${oursNginx.url}/predict`,
        body: batch,
        rows: 64,
        running: oursNginx,
        check: manyAnswers(64),
      }),
      target({
        id: 'ours-direct/64',
        stack: 'ours-direct',
        label: 'ours: service alone, 64 records',
        url: `${service.url}/predict`,
        body: batch,
        rows: 64,
        running: service,
        check: manyAnswers(64),
      }),
      target({
        id: 'peer-nginx/64',
        stack: 'peer-nginx',
        label: 'peer: nginx → Gunicorn → Flask, 64 records',
        url: `${peer.url}/predict_api`,
        body: batch,
        rows: 64,
        running: peer,
        check: peerMany(64),
      }),
      target({
        group: 'batching',
        id: 'heavy-batching-on/1',
        stack: 'heavy-on',
        label: 'heavy model, batching on',
        url: `${heavyOn.url}/predict`,
        body: one,
        rows: 1,
        running: heavyOn,
        check: oneAnswer,
      }),
      target({
        group: 'batching',
        id: 'heavy-batching-off/1',
        stack: 'heavy-off',
        label: 'heavy model, batching off',
        url: `${heavyOff.url}/predict`,
        body: one,
        rows: 1,
        running: heavyOff,
        check: oneAnswer,
      }),
    ];
    const targets = allTargets.filter(
      (t) => options.only.length === 0 || options.only.some((part) => t.id.includes(part)),
    );
    await probeTargets(targets);
    progress(`all ${targets.length} targets answer; measuring ...`);

    const scratchDir = workDir;
    const common = {
      runs: options.runs,
      durationS: options.durationS,
      warmupS: options.warmupS,
      wrkThreads: options.wrkThreads,
      scratchDir,
      progress,
    };
    const measurements = [
      ...(await runMatrix({
        ...common,
        phase: 'load',
        targets: targets.filter((t) => t.group === 'main'),
        concurrencies: options.concurrencies,
      })),
      ...(await runMatrix({
        ...common,
        phase: 'batching',
        targets: targets.filter((t) => t.group === 'batching'),
        concurrencies: options.batchingConcurrencies,
      })),
    ];

    const infos = targets.map(({ id, stack, label, group, rows }) => ({
      id,
      stack,
      label,
      group,
      rows,
    }));
    const summaries = summarize(infos, measurements);
    const { outDir: _outDir, ...reportedOptions } = options;
    const chartFile = 'latest.svg';
    const report: BenchReport = {
      machine,
      options: reportedOptions,
      method: [
        `Load generator: wrk ${options.wrkThreads} thread(s), POST with a fixed JSON body, keep-alive connections, 10 s request timeout.`,
        `No CPU pinning: wrk, nginx, the servers and the peer share the machine's ${machine.cores} cores, as they would on one small node; wrk's single thread takes up to one core.`,
        `ours: ${options.serviceEntry ? `a service build at ${options.serviceEntry}, not the repository's` : 'the built service, node apps/inference/dist/server.js'} (LOG_LEVEL=info, batching on), behind the nginx.conf rendered by renderNginxConf() from @modelship/k8s (only ports and the temp directory changed).`,
        'peer: Gunicorn (workers = 2 × cores + 1, threads = 2 × cores) → Flask → scikit-learn pipeline (one-hot, scaling, linear regression) on a per-request pandas DataFrame, behind a tutorial-style nginx proxy (no upstream keep-alive).',
        "ceilings (the same generated nginx config in front of each): the Node ceiling of the floor is OUR service's stack (startService from @modelship/inference: request id, request log, metrics, security headers, JSON body parsing and limits, error handling, lifecycle; bundled model loaded) with /predict answering a constant instead of validating and running the model (src/service-constant-server.ts, run with tsx); informational: a bare Hono app that parses the body and answers a constant (no middleware), and nginx answering its own /nginx-health location (static JSON).",
        `Bodies: one record (${one.length} bytes) or {"instances": [64 records]} (${batch.length} bytes), the same for every stack.`,
        'Memory: PSS/RSS summed over the process tree (Gunicorn master and workers; the Node process), sampled every 0.5 s during each run; PSS counts shared pages once.',
      ],
      targets: infos,
      startup,
      modelAlone,
      summaries,
      ratios: ratios(summaries),
      floors: evaluateFloors(summaries),
      measurements,
      chartFile,
    };
    await mkdir(options.outDir, { recursive: true });
    const markdownFile = join(options.outDir, 'latest.md');
    const jsonFile = join(options.outDir, 'latest.json');
    const chartPath = join(options.outDir, chartFile);
    await writeFile(jsonFile, `${JSON.stringify(report, null, 2)}\n`);
    await writeFile(markdownFile, renderMarkdown(report));
    await writeFile(
      chartPath,
      benchmarkChart(
        summaries,
        `modelship vs Flask/Gunicorn, ${machine.date.slice(0, 10)}, ${machine.cores} cores`,
      ),
    );
    return { report, markdownFile, jsonFile, chartFile: chartPath };
  } catch (error) {
    failed = true;
    progress(`failed; the servers' logs are kept in ${workDir}`);
    throw error;
  } finally {
    for (const r of running.reverse()) await r.stop().catch(() => {});
    await stopAll();
    if (!failed) await rm(workDir, { recursive: true, force: true });
  }
}
