import type { Measurement } from './runner.ts';
import { median, ratio } from './stats.ts';
import type { StackId, TargetId } from './targets.ts';

/** What the report needs to know about a target besides its measurements. */
export interface TargetInfo {
  readonly id: TargetId;
  readonly stack: StackId;
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
  /** Median CPU cores the stack used during a run (CPU seconds of server + nginx / run seconds). */
  readonly coresUsed?: number;
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
      const coresUsed = medianOf(
        runs.map((m) =>
          m.appCpuS === undefined && m.proxyCpuS === undefined
            ? undefined
            : ((m.appCpuS ?? 0) + (m.proxyCpuS ?? 0)) / m.load.durationS,
        ),
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
        ...(coresUsed !== undefined && { coresUsed }),
      });
    }
  }
  return summaries;
}

/** Finds the summary of a target at a concurrency. */
export function find(
  summaries: readonly Summary[],
  id: TargetId,
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

/** CPU time per request of the whole stack (server + nginx, µs); undefined when not measured. */
export function totalCpuUs(s: Summary | undefined): number | undefined {
  if (s?.appCpuUsPerRequest === undefined && s?.proxyCpuUsPerRequest === undefined)
    return undefined;
  return (s.appCpuUsPerRequest ?? 0) + (s.proxyCpuUsPerRequest ?? 0);
}

/**
 * Requests per second per core consumed: requests served per CPU second of the whole stack
 * (server + nginx), i.e. 1e6 / CPU µs per request. What a core buys, whether the stack used one
 * core or several; undefined when CPU was not measured.
 */
export function requestsPerCore(s: Summary | undefined): number | undefined {
  const us = totalCpuUs(s);
  return us === undefined || us <= 0 ? undefined : 1e6 / us;
}

type RatioDefinition = {
  readonly name: string;
  readonly compute: (s: readonly Summary[], c: number) => number | null;
};

/**
 * ours against one peer, both through nginx: req/s (higher is better for ours), then p50, p99
 * and CPU per request as peer/ours (so that above 1 means ours is better too), and records/s
 * with 64 records per request.
 */
function againstPeer(
  peer: 'peer' | 'fastapi',
  name: string,
  one: TargetId,
  batch: TargetId,
): RatioDefinition[] {
  const ours = (s: readonly Summary[], c: number) => find(s, 'ours-nginx/1', c);
  const theirs = (s: readonly Summary[], c: number) => find(s, one, c);
  return [
    {
      name: `ours/${peer} req/s, 1 record (${name}, nginx both)`,
      compute: (s, c) => ratio(ours(s, c)?.requestsPerSec, theirs(s, c)?.requestsPerSec),
    },
    {
      name: `${peer}/ours p50, 1 record (${name}, nginx both)`,
      compute: (s, c) => ratio(theirs(s, c)?.p50Ms, ours(s, c)?.p50Ms),
    },
    {
      name: `${peer}/ours p99, 1 record (${name}, nginx both)`,
      compute: (s, c) => ratio(theirs(s, c)?.p99Ms, ours(s, c)?.p99Ms),
    },
    {
      name: `${peer}/ours CPU per request, 1 record (${name}, server + nginx)`,
      compute: (s, c) => ratio(totalCpuUs(theirs(s, c)), totalCpuUs(ours(s, c))),
    },
    {
      name: `ours/${peer} rows/s, 64 records (${name}, nginx both)`,
      compute: (s, c) =>
        ratio(find(s, 'ours-nginx/64', c)?.rowsPerSec, find(s, batch, c)?.rowsPerSec),
    },
  ];
}

/** The ratios the report shows, per concurrency: ours against both peers, and against the ceilings. */
export const ratioDefinitions: readonly RatioDefinition[] = [
  ...againstPeer('fastapi', 'FastAPI + onnxruntime', 'fastapi-nginx/1', 'fastapi-nginx/64'),
  ...againstPeer('peer', 'Flask tutorial stack', 'peer-nginx/1', 'peer-nginx/64'),
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
