import { requestsPerCore, type Summary, totalCpuUs } from '../summarize.ts';
import type { StackId } from '../targets.ts';
import type { BenchReport } from './types.ts';

/** A markdown table from a header row and body rows. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  const align = header.map((_, i) => (i === 0 ? '---' : '---:'));
  return [line(header), line(align), ...rows.map(line)].join('\n');
}

/** Rounds for display: 3 significant digits below 100, integers above. */
export function num(value: number | null | undefined, suffix = ''): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  const text =
    Math.abs(value) >= 100
      ? Math.round(value).toLocaleString('en-US')
      : String(Number(value.toPrecision(3)));
  return `${text}${suffix}`;
}

function pivot(
  summaries: readonly Summary[],
  metric: (s: Summary) => string,
  filter: (s: Summary) => boolean = () => true,
): string {
  const chosen = summaries.filter(filter);
  const xs = [...new Set(chosen.map((s) => s.connections))].sort((a, b) => a - b);
  const ids = [...new Set(chosen.map((s) => s.id))];
  const rows = ids.map((id) => {
    const label = chosen.find((s) => s.id === id)?.label ?? id;
    return [
      label,
      ...xs.map((c) => {
        const s = chosen.find((x) => x.id === id && x.connections === c);
        return s ? metric(s) : '–';
      }),
    ];
  });
  return table(['target', ...xs.map((c) => `c=${c}`)], rows);
}

function floorsSection(report: BenchReport): string {
  const rows = report.floors.map((f) => [
    f.name,
    f.openLoopShare === undefined ? String(f.connections) : `open loop, ${f.openLoopShare * 100} %`,
    num(f.measured, '×'),
    `≥ ${Number(f.threshold.toPrecision(3))}×`,
    f.pass === null ? 'not measured' : f.pass ? '**pass**' : '**FAIL**',
    f.detail,
  ]);
  return table(['floor', 'connections', 'measured', 'floor', 'result', 'figures'], rows);
}

/** The targets of the one-connection table, in its order. */
const LONE_TARGETS = [
  'ours-direct/1',
  'ours-nginx/1',
  'fastapi-direct/1',
  'fastapi-nginx/1',
  'ceiling-hono-direct/1',
  'ceiling-hono/1',
  'ceiling-static/1',
] as const;

/** One connection, closed loop: p50 and p99 medians, and each round's p99 (rounds interleaved). */
function loneSection(report: BenchReport): string {
  const rows = LONE_TARGETS.flatMap((id) => {
    const s = report.summaries.find((x) => x.id === id && x.connections === 1);
    if (s === undefined) return [];
    const rounds = report.measurements
      .filter((m) => m.target === id && m.connections === 1)
      .sort((a, b) => a.round - b.round)
      .map((m) => num(m.load.latencyMs.p99));
    return [[s.label, num(s.p50Ms), num(s.p99Ms), rounds.join(', '), num(totalCpuUs(s))]];
  });
  if (rows.length === 0) return 'Not measured in this run (no c=1).';
  return table(['target', 'p50 ms', 'p99 ms', 'p99 of each round', 'CPU µs/request'], rows);
}

/** The open-loop table: each target at each share of the FastAPI peer's capacity. */
function openLoopSection(report: BenchReport): string {
  const o = report.openLoop;
  if (o === undefined) return 'Not measured in this run.';
  const rows = o.summaries.map((s) => [
    `${s.share * 100} % (${num(s.ratePerSec)} req/s)`,
    s.label,
    num(s.p50Ms),
    num(s.p99Ms),
    num(s.p999Ms),
    num(s.maxMs),
    num(s.sendLagP99Ms),
    num(s.cpuUsPerRequest),
    String(s.errors),
  ]);
  return `Rates are shares of the FastAPI peer's best closed-loop throughput behind nginx in this run (${num(o.capacity.requestsPerSec)} req/s at c=${o.capacity.connections}).

${table(['load', 'target', 'p50 ms', 'p99 ms', 'p99.9 ms', 'max ms', 'send lag p99 ms', 'CPU µs/request', 'errors'], rows)}`;
}

function ratiosSection(report: BenchReport): string {
  const xs = [...new Set(report.ratios.map((r) => r.connections))].sort((a, b) => a - b);
  const names = [...new Set(report.ratios.map((r) => r.name))];
  const rows = names.map((name) => [
    name,
    ...xs.map((c) =>
      num(report.ratios.find((r) => r.name === name && r.connections === c)?.value, '×'),
    ),
  ]);
  return table(['ratio', ...xs.map((c) => `c=${c}`)], rows);
}

function memorySection(report: BenchReport): string {
  const peak = (
    stack: StackId,
    key: 'appPssMiB' | 'appRssMiB' | 'proxyPssMiB',
  ): number | undefined => {
    const values = report.summaries
      .filter((s) => s.stack === stack)
      .map((s) => s[key])
      .filter((v): v is number => v !== undefined);
    return values.length > 0 ? Math.max(...values) : undefined;
  };
  const rows = report.startup.map((s) => [
    s.label,
    `${num(s.medianReadyMs, ' ms')} (${s.readyMs.map((ms) => Math.round(ms)).join(', ')})`,
    s.readyCheck,
    String(s.processes),
    num(s.idlePssMiB, ' MiB'),
    num(peak(s.stack, 'appPssMiB'), ' MiB'),
    num(peak(s.stack, 'appRssMiB'), ' MiB'),
    num(peak(s.stack, 'proxyPssMiB'), ' MiB'),
  ]);
  return table(
    [
      'stack',
      'start → ready (median; each start)',
      'ready when',
      'processes',
      'PSS idle',
      'PSS peak under load',
      'RSS peak under load',
      'nginx PSS peak',
    ],
    rows,
  );
}

function modelAloneSection(report: BenchReport): string {
  const rows = report.modelAlone.map((m) => [
    m.model,
    String(m.rows),
    num(m.runsPerSec),
    num(m.rowsPerSec),
    num(m.p50Us, ' µs'),
    num(m.p99Us, ' µs'),
  ]);
  return table(['model', 'rows per run', 'runs/s', 'rows/s', 'p50', 'p99'], rows);
}

function perCoreCell(s: Summary): string {
  const perCore = requestsPerCore(s);
  if (perCore === undefined) return '–';
  return s.coresUsed === undefined ? num(perCore) : `${num(perCore)} (${num(s.coresUsed)} cores)`;
}

function cpuCell(s: Summary): string {
  const app = s.appCpuUsPerRequest;
  const proxy = s.proxyCpuUsPerRequest;
  if (app === undefined && proxy === undefined) return '–';
  if (proxy === undefined) return num(app);
  return app === undefined
    ? `nginx ${num(proxy)}`
    : `${num(totalCpuUs(s))} (${num(app)} + ${num(proxy)})`;
}

/** Renders the report as markdown (the tables docs/benchmarks.md shows). */
export function renderMarkdown(report: BenchReport): string {
  const m = report.machine;
  const o = report.options;
  const versions = Object.entries(m.versions)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const main = (s: Summary): boolean => s.group === 'main';
  const errors = report.summaries.reduce((sum, s) => sum + s.errors, 0);
  return `# Benchmark: modelship vs FastAPI + onnxruntime and the Flask/Gunicorn stack it replaces

Measured ${m.date.slice(0, 16).replace('T', ' ')} UTC on ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB,
kernel ${m.kernel} (load average ${m.loadAverage} at start). ${versions}.

Mode **${o.mode}**: ${o.runs} run(s) of ${o.durationS} s per target and concurrency, interleaved,
after ${o.warmupS} s of warm-up per target at each concurrency; figures are medians over the runs. ${errors} errors
(socket errors, timeouts or HTTP statuses ≥ 400) in total.

${report.method.map((line) => `- ${line}`).join('\n')}

![Throughput and p99 by concurrency](${report.chartFile})

## Floors

${floorsSection(report)}

## One connection (closed loop, c=1)

The issue's table: each stack with and without nginx, medians of the interleaved rounds, the
bare Hono constant and nginx's static JSON beside them (the machine's own tail).

${loneSection(report)}

## Open-loop latency (constant request rate)

${openLoopSection(report)}

## Requests per second (median)

${pivot(report.summaries, (s) => num(s.requestsPerSec), main)}

## p50 latency (ms, median of the runs' p50)

${pivot(report.summaries, (s) => num(s.p50Ms), main)}

## p99 latency (ms, median of the runs' p99)

${pivot(report.summaries, (s) => num(s.p99Ms), main)}

## Records predicted per second (64-record requests)

${pivot(
  report.summaries,
  (s) => num(s.rowsPerSec),
  (s) => main(s) && s.rows > 1,
)}

## CPU time per request (µs: total (server + nginx), median)

CPU used by each stack's processes during a run divided by the requests served: a cost that,
unlike throughput, hardly depends on how much CPU the rest of the machine left over.

${pivot(report.summaries, cpuCell)}

## Requests per second per core consumed (median)

Requests served per CPU second of the stack (server + nginx): 1e6 / the CPU time per request
above. Throughput says how much a stack serves; this says what each core it burns buys (in
brackets: the cores it used during the run, CPU seconds / run seconds).

${pivot(report.summaries, perCoreCell)}

## Ratios

Against each peer, every ratio reads "ours is N× better": ours/peer for throughput,
peer/ours for latency and CPU per request. \`peer\` is the Flask tutorial stack, \`fastapi\`
the FastAPI + onnxruntime one.

${ratiosSection(report)}

## Batching (heavy model: ${o.heavyModel.trees} trees of depth ${o.heavyModel.depth}, service without nginx)

${pivot(
  report.summaries,
  (s) => `${num(s.requestsPerSec)} req/s, p99 ${num(s.p99Ms)} ms`,
  (s) => s.group === 'batching',
)}

## Startup and memory

${memorySection(report)}

## onnxruntime alone (in-process, 1 intra-op thread)

${modelAloneSection(report)}
`;
}
