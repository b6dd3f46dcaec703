import type { Measurement } from './runner.ts';
import { median, ratio } from './stats.ts';

/** What the report needs to know about a target besides its measurements. */
export interface TargetInfo {
  readonly id: string;
  readonly stack: string;
  readonly label: string;
  readonly group: 'main' | 'batching';
  readonly rows: number;
}

/** Medians over the runs of one (target, concurrency). */
export interface Summary extends TargetInfo {
  readonly connections: number;
  readonly runs: number;
  /** Median requests per second. */
  readonly requestsPerSec: number;
  /** Median records predicted per second (requests × rows). */
  readonly rowsPerSec: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  /** All requests over all runs. */
  readonly requests: number;
  /** Socket errors, timeouts and HTTP statuses >= 400, over all runs. */
  readonly errors: number;
  /** Peak PSS of the application server's processes (MiB) over the runs. */
  readonly appPssMiB?: number;
  /** Peak RSS of the application server's processes (MiB), shared pages counted per process. */
  readonly appRssMiB?: number;
  /** Peak PSS of nginx's processes (MiB). */
  readonly proxyPssMiB?: number;
  /** Median CPU time of the application server per request (µs, all its processes). */
  readonly appCpuUsPerRequest?: number;
  /** Median CPU time of nginx per request (µs). */
  readonly proxyCpuUsPerRequest?: number;
}

const medianOf = (values: (number | undefined)[]): number | undefined => {
  const present = values.filter((v): v is number => v !== undefined);
  return present.length > 0 ? median(present) : undefined;
};

const perRequestUs = (cpuS: number | undefined, requests: number): number | undefined =>
  cpuS === undefined || requests === 0 ? undefined : (cpuS / requests) * 1e6;

const maxOf = (values: (number | undefined)[]): number | undefined => {
  const present = values.filter((v): v is number => v !== undefined);
  return present.length > 0 ? Math.max(...present) : undefined;
};

/** Groups measurements by target and concurrency and takes medians. */
export function summarize(
  targets: readonly TargetInfo[],
  measurements: readonly Measurement[],
): Summary[] {
  const summaries: Summary[] = [];
  for (const target of targets) {
    const connections = [
      ...new Set(measurements.filter((m) => m.target === target.id).map((m) => m.connections)),
    ].sort((a, b) => a - b);
    for (const c of connections) {
      const runs = measurements.filter((m) => m.target === target.id && m.connections === c);
      const rps = median(runs.map((m) => m.load.requestsPerSec));
      const appPssMiB = maxOf(runs.map((m) => m.appMemory?.pssMiB));
      const appRssMiB = maxOf(runs.map((m) => m.appMemory?.rssMiB));
      const proxyPssMiB = maxOf(runs.map((m) => m.proxyMemory?.pssMiB));
      const appCpuUsPerRequest = medianOf(
        runs.map((m) => perRequestUs(m.appCpuS, m.load.requests)),
      );
      const proxyCpuUsPerRequest = medianOf(
        runs.map((m) => perRequestUs(m.proxyCpuS, m.load.requests)),
      );
      summaries.push({
        id: target.id,
        stack: target.stack,
        label: target.label,
        group: target.group,
        rows: target.rows,
        connections: c,
        runs: runs.length,
        requestsPerSec: rps,
        rowsPerSec: rps * target.rows,
        p50Ms: median(runs.map((m) => m.load.latencyMs.p50)),
        p90Ms: median(runs.map((m) => m.load.latencyMs.p90)),
        p99Ms: median(runs.map((m) => m.load.latencyMs.p99)),
        requests: runs.reduce((sum, m) => sum + m.load.requests, 0),
        errors: runs.reduce(
          (sum, m) => sum + Object.values(m.load.errors).reduce((a, b) => a + b, 0),
          0,
        ),
        ...(appPssMiB !== undefined && { appPssMiB }),
        ...(appRssMiB !== undefined && { appRssMiB }),
        ...(proxyPssMiB !== undefined && { proxyPssMiB }),
        ...(appCpuUsPerRequest !== undefined && { appCpuUsPerRequest }),
        ...(proxyCpuUsPerRequest !== undefined && { proxyCpuUsPerRequest }),
      });
    }
  }
  return summaries;
}

/** Finds the summary of a target at a concurrency. */
export function find(
  summaries: readonly Summary[],
  id: string,
  connections: number,
): Summary | undefined {
  return summaries.find((s) => s.id === id && s.connections === connections);
}

/** A ratio between two targets at one concurrency; `null` when one side is missing. */
export interface Ratio {
  readonly name: string;
  readonly connections: number;
  readonly value: number | null;
}

/** The ratios the report shows, per concurrency: ours/peer and ours/ceiling. */
export const ratioDefinitions: readonly {
  readonly name: string;
  readonly compute: (s: readonly Summary[], c: number) => number | null;
}[] = [
  {
    name: 'ours/peer req/s, 1 record (nginx both)',
    compute: (s, c) =>
      ratio(find(s, 'ours-nginx/1', c)?.requestsPerSec, find(s, 'peer-nginx/1', c)?.requestsPerSec),
  },
  {
    name: 'peer/ours p99, 1 record (nginx both)',
    compute: (s, c) => ratio(find(s, 'peer-nginx/1', c)?.p99Ms, find(s, 'ours-nginx/1', c)?.p99Ms),
  },
  {
    name: 'ours/peer rows/s, 64 records (nginx both)',
    compute: (s, c) =>
      ratio(find(s, 'ours-nginx/64', c)?.rowsPerSec, find(s, 'peer-nginx/64', c)?.rowsPerSec),
  },
  {
    name: 'ours/ceiling req/s: nginx → service stack constant (floor)',
    compute: (s, c) =>
      ratio(
        find(s, 'ours-nginx/1', c)?.requestsPerSec,
        find(s, 'ceiling-service/1', c)?.requestsPerSec,
      ),
  },
  {
    name: 'ours/ceiling req/s: nginx → bare Hono constant',
    compute: (s, c) =>
      ratio(
        find(s, 'ours-nginx/1', c)?.requestsPerSec,
        find(s, 'ceiling-hono/1', c)?.requestsPerSec,
      ),
  },
  {
    name: 'ours/ceiling req/s: nginx static JSON',
    compute: (s, c) =>
      ratio(
        find(s, 'ours-nginx/1', c)?.requestsPerSec,
        find(s, 'ceiling-static/1', c)?.requestsPerSec,
      ),
  },
  {
    name: 'ours through nginx / ours direct, req/s',
    compute: (s, c) =>
      ratio(
        find(s, 'ours-nginx/1', c)?.requestsPerSec,
        find(s, 'ours-direct/1', c)?.requestsPerSec,
      ),
  },
  {
    name: 'heavy model: batching on/off req/s',
    compute: (s, c) =>
      ratio(
        find(s, 'heavy-batching-on/1', c)?.requestsPerSec,
        find(s, 'heavy-batching-off/1', c)?.requestsPerSec,
      ),
  },
];

/** Every ratio at every measured concurrency. */
export function ratios(summaries: readonly Summary[]): Ratio[] {
  const concurrencies = [...new Set(summaries.map((s) => s.connections))].sort((a, b) => a - b);
  return ratioDefinitions.flatMap((def) =>
    concurrencies
      .map((c) => ({ name: def.name, connections: c, value: def.compute(summaries, c) }))
      .filter((r) => r.value !== null),
  );
}
