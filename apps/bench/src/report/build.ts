import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BenchOptions } from '../config.ts';
import { type CpuSplit, describeLayout } from '../cpu-layout.ts';
import { evaluateFastapiFloors, evaluateFloors, evaluateOpenLoopFloors } from '../floors.ts';
import type { Machine } from '../machine.ts';
import type { ModelAloneResult } from '../model-alone.ts';
import {
  type Capacity,
  OPEN_LOOP_CONNECTIONS,
  OPEN_LOOP_SHARES,
  type OpenLoopRun,
  summarizeOpenLoop,
} from '../open-loop/phase.ts';
import { QUIET_TIMEOUT_MS, QUIET_WINDOW_MS } from '../quiet.ts';
import type { Measurement } from '../runner.ts';
import { median } from '../stats.ts';
import { ratios, summarize, type TargetInfo } from '../summarize.ts';
import type { BodyKind, Target } from '../targets.ts';
import { benchmarkChart } from './chart.ts';
import { renderMarkdown } from './markdown.ts';
import type { BenchReport, StartupResult } from './types.ts';

/** What one run measured, before it is summarized. */
export interface RunResults {
  readonly machine: Machine;
  readonly options: BenchOptions;
  readonly bodies: Readonly<Record<BodyKind, string>>;
  readonly targets: readonly Target[];
  readonly startup: readonly StartupResult[];
  readonly modelAlone: readonly ModelAloneResult[];
  readonly measurements: readonly Measurement[];
  readonly openLoop?: { readonly capacity: Capacity; readonly runs: readonly OpenLoopRun[] };
  /** The CPUs of each side, in an `apart` run. */
  readonly cpuSplit?: CpuSplit;
}

/** How the runs waited for a quiet machine, from what each measurement recorded. */
export function quietLine(options: BenchOptions, measurements: readonly Measurement[]): string {
  const waits = measurements.flatMap((m) => (m.settle ? [m.settle] : []));
  if (options.quietCores <= 0 || waits.length === 0) {
    return 'Each measured run starts right after the previous one (no wait for a quiet machine).';
  }
  const waited = waits.map((w) => w.waitedMs).sort((a, b) => a - b);
  const loud = waits.filter((w) => !w.quiet).length;
  return (
    `Quiet start: before each measured run the benchmark waits until the whole machine (/proc/stat) used under ${options.quietCores} cores over ${QUIET_WINDOW_MS} ms, at most ${QUIET_TIMEOUT_MS / 1000} s, so that no run starts while the previous one's leftovers (a slow stack's queued requests, a collection) still use the CPU; ` +
    `waited ${Math.round(median(waited))} ms median, ${Math.round(waited[waited.length - 1] as number)} ms at most; ${loud} of ${waits.length} runs started without a quiet window.`
  );
}

/** Where the processes ran (`--layout`). */
function cpuLine({ machine, cpuSplit }: RunResults): string {
  if (cpuSplit) {
    return `CPU layout "apart": ${describeLayout(cpuSplit)} (taskset), so that the load generator's CPU, which grows with the rate a stack answers, is not taken from the stack; each peer's Gunicorn counts the cores it may use (${cpuSplit.servers.length}).`;
  }
  return `CPU layout "shared" (no pinning): wrk, nginx, the servers and the peers share the machine's ${machine.cores} cores, as they would on one small node; wrk's single thread takes up to one core.`;
}

/** How the run was set up, one line per component, for the reader of the report. */
function methodLines(results: RunResults): string[] {
  const { options, bodies } = results;
  return [
    `Load generator: wrk ${options.wrkThreads} thread(s), POST with a fixed JSON body, keep-alive connections, 10 s request timeout.`,
    quietLine(options, results.measurements),
    cpuLine(results),
    `ours: ${options.serviceEntry ? `a service build at ${options.serviceEntry}, not the repository's` : 'the built service, node apps/inference/dist/server.js'} (LOG_LEVEL=info: one JSON log line per request, batching on), behind the nginx.conf rendered by renderNginxConf() from @modelship/k8s (only ports and the temp directory changed; the worker count the pod's default nginx CPU limit gets).`,
    "FastAPI peer (the stack a speed-minded Python user would pick): Gunicorn with uvicorn workers (workers = 2 × cores + 1; uvloop, httptools) → FastAPI → pydantic validation generated at startup from the model's schema.json (ranges, integer/float, levels, unknown fields refused) → onnxruntime (1 intra-op thread per worker) on OUR model.onnx, fed the raw fields as the schema's per-field inputs (peers/fastapi/app.py); no access log.",
    'Flask peer (the tutorial stack): Gunicorn (workers = 2 × cores + 1, threads = 2 × cores) → Flask → scikit-learn pipeline (one-hot, scaling, linear regression) on a per-request pandas DataFrame; no access log.',
    'Both peers sit behind the same tutorial-style nginx proxy (peers/nginx.conf: no upstream keep-alive).',
    "ceilings (the same generated nginx config in front of each): the Node ceiling of the floor is OUR service's stack (startService from @modelship/inference: request id, request log, metrics, security headers, JSON body parsing and limits, error handling, lifecycle; bundled model loaded) with /predict answering a constant instead of validating and running the model, through the same native lane as ours (src/service-constant-server.ts, run with tsx); informational: a bare Hono app that parses the body and answers a constant (no middleware), and nginx answering its own /nginx-health location (static JSON).",
    `Bodies: one record (${bodies.one.length} bytes) or {"instances": [64 records]} (${bodies.batch.length} bytes), the same for every stack.`,
    'CPU per request: CPU time of the server process tree (Gunicorn master and workers; the Node process) and of nginx (master and workers) during a run, from /proc, divided by the requests served; req/s per core consumed is its inverse (requests per CPU second).',
    `Open loop: a constant-rate generator of our own (src/open-loop/: requests due on a fixed schedule whatever the answers, latency from each request's due time, so a stall counts against every request due during it; ${OPEN_LOOP_CONNECTIONS} keep-alive connections; a worker thread keeps the schedule) at ${OPEN_LOOP_SHARES.map((s) => `${s * 100} %`).join(', ')} of the FastAPI peer's best closed-loop req/s behind nginx in this run, ${options.openLoopS} s per run after ${options.openLoopWarmupS} s at the same rate, ours and the peer each behind its nginx, rounds interleaved; p50, p99 and p99.9 are medians of the runs, max the highest of any run; "send lag" is the generator's own lateness (p99).`,
    'Memory: PSS/RSS summed over the process tree (Gunicorn master and workers; the Node process), sampled every 0.5 s during each run; PSS counts shared pages once.',
  ];
}

/** Summarizes a run's measurements into the report: medians, ratios, floors. */
export function buildReport(results: RunResults, chartFile = 'latest.svg'): BenchReport {
  const targets: TargetInfo[] = results.targets.map(({ id, stack, label, group, rows }) => ({
    id,
    stack,
    label,
    group,
    rows,
  }));
  const summaries = summarize(targets, results.measurements);
  const { outDir: _outDir, ...reportedOptions } = results.options;
  const openLoop = results.openLoop && {
    capacity: results.openLoop.capacity,
    summaries: summarizeOpenLoop(results.openLoop.runs, targets),
    runs: results.openLoop.runs,
  };
  return {
    machine: results.machine,
    options: reportedOptions,
    method: methodLines(results),
    targets,
    startup: results.startup,
    modelAlone: results.modelAlone,
    summaries,
    ratios: ratios(summaries),
    floors: [
      ...evaluateFloors(summaries),
      ...evaluateFastapiFloors(summaries),
      ...evaluateOpenLoopFloors(openLoop?.summaries ?? []),
    ],
    measurements: results.measurements,
    ...(openLoop && { openLoop }),
    chartFile,
  };
}

/** Files a report was written to. */
export interface ReportFiles {
  readonly markdownFile: string;
  readonly jsonFile: string;
  readonly chartFile: string;
}

/** Writes `latest.json`, `latest.md` and the chart into `outDir`. */
export async function writeReport(report: BenchReport, outDir: string): Promise<ReportFiles> {
  await mkdir(outDir, { recursive: true });
  const markdownFile = join(outDir, 'latest.md');
  const jsonFile = join(outDir, 'latest.json');
  const chartFile = join(outDir, report.chartFile);
  const { machine } = report;
  await writeFile(jsonFile, `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(markdownFile, renderMarkdown(report));
  await writeFile(
    chartFile,
    benchmarkChart(
      report.summaries,
      `modelship vs FastAPI + onnxruntime and Flask/Gunicorn, ${machine.date.slice(0, 10)}, ${machine.cores} cores`,
    ),
  );
  return { markdownFile, jsonFile, chartFile };
}
