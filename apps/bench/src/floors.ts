import { OPEN_LOOP_CONNECTIONS, type OpenLoopSummary } from './open-loop/phase.ts';
import { ratio } from './stats.ts';
import { find, type Summary } from './summarize.ts';

/** One floor of the issue, evaluated on ratios measured in the same run. */
export interface FloorResult {
  readonly name: string;
  /** The concurrency it was evaluated at (32, or the closest measured). */
  readonly connections: number;
  /** An open-loop floor: the share of the FastAPI peer's capacity it was evaluated at. */
  readonly openLoopShare?: number;
  readonly measured: number | null;
  readonly threshold: number;
  /** `null` when a side was not measured (e.g. a filtered run). */
  readonly pass: boolean | null;
  /** The figures the ratio came from. */
  readonly detail: string;
}

/** The concurrency the floors are evaluated at: 32 if measured, else the closest. */
export function floorConcurrency(summaries: readonly Summary[], wanted = 32): number {
  const measured = [...new Set(summaries.map((s) => s.connections))];
  if (measured.length === 0) return wanted;
  return measured.reduce((best, c) => (Math.abs(c - wanted) < Math.abs(best - wanted) ? c : best));
}

const fmt = (n: number | undefined, digits = 0): string =>
  n === undefined ? 'n/a' : n.toFixed(digits);

function floor(
  name: string,
  connections: number,
  measured: number | null,
  threshold: number,
  detail: string,
): FloorResult {
  return {
    name,
    connections,
    measured,
    threshold,
    pass: measured === null ? null : measured >= threshold,
    detail,
  };
}

/** CPU per request of a stack: its server's and its nginx's, µs; undefined unless both measured. */
function cpuPerRequest(s: Summary | undefined): number | undefined {
  if (s?.appCpuUsPerRequest === undefined || s.proxyCpuUsPerRequest === undefined) return undefined;
  return s.appCpuUsPerRequest + s.proxyCpuUsPerRequest;
}

/**
 * The floors against the FastAPI + onnxruntime peer (issues 17 and 33), one record per
 * request: through nginx at 32 connections ≥ 5× its req/s and p99 ≤ 1/5 of its p99; at one
 * connection p50 ≤ 0.8× and p99 ≤ 1.0× its own, both through nginx and served directly; and
 * CPU per request (service + nginx) ≤ 1.2× that of nginx in front of the bare Hono constant.
 * Each `measured` reads "≥ threshold passes".
 */
export function evaluateFastapiFloors(summaries: readonly Summary[]): FloorResult[] {
  const c = floorConcurrency(summaries);
  const lone = 1;
  const ours = find(summaries, 'ours-nginx/1', c);
  const fastapi = find(summaries, 'fastapi-nginx/1', c);
  const hono = find(summaries, 'ceiling-hono/1', c);
  // nginx answering its own static JSON at one connection, and the bare Hono constant served
  // directly: the machine's own tail, which no server can go below (wake-ups of idle vCPUs).
  const staticLone = find(summaries, 'ceiling-static/1', lone);
  const honoLone = find(summaries, 'ceiling-hono-direct/1', lone);
  const machineTail = (via: 'nginx' | 'direct') => {
    const s = via === 'nginx' ? staticLone : honoLone;
    const what = via === 'nginx' ? 'nginx alone (static JSON)' : 'bare Hono constant';
    return s === undefined ? '' : `; ${what}: ${fmt(s.p99Ms, 2)} ms`;
  };
  const oursCpu = cpuPerRequest(ours);
  const honoCpu = cpuPerRequest(hono);
  const loneFloors = (via: 'nginx' | 'direct'): FloorResult[] => {
    const o = find(summaries, via === 'nginx' ? 'ours-nginx/1' : 'ours-direct/1', lone);
    const f = find(summaries, via === 'nginx' ? 'fastapi-nginx/1' : 'fastapi-direct/1', lone);
    const both = via === 'nginx' ? '(nginx both)' : '(both without nginx)';
    return [
      floor(
        `ours p50 ≤ 0.8 × FastAPI p50, one connection ${both}`,
        lone,
        ratio(f?.p50Ms, o?.p50Ms),
        1 / 0.8,
        `${fmt(o?.p50Ms, 3)} vs ${fmt(f?.p50Ms, 3)} ms`,
      ),
      floor(
        `ours p99 ≤ FastAPI p99, one connection ${both}`,
        lone,
        ratio(f?.p99Ms, o?.p99Ms),
        1,
        `${fmt(o?.p99Ms, 2)} vs ${fmt(f?.p99Ms, 2)} ms${machineTail(via)}`,
      ),
    ];
  };
  return [
    floor(
      'ours (nginx) req/s ≥ 5 × FastAPI + onnxruntime (nginx) req/s',
      c,
      ratio(ours?.requestsPerSec, fastapi?.requestsPerSec),
      5,
      `${fmt(ours?.requestsPerSec)} vs ${fmt(fastapi?.requestsPerSec)} req/s`,
    ),
    floor(
      'ours (nginx) p99 ≤ 1/5 of FastAPI (nginx) p99',
      c,
      ratio(fastapi?.p99Ms, ours?.p99Ms),
      5,
      `${fmt(ours?.p99Ms, 2)} vs ${fmt(fastapi?.p99Ms, 2)} ms`,
    ),
    ...loneFloors('nginx'),
    ...loneFloors('direct'),
    floor(
      'ours CPU per request (service + nginx) ≤ 1.2 × nginx → bare Hono constant',
      c,
      ratio(honoCpu, oursCpu),
      1 / 1.2,
      `${fmt(oursCpu, 1)} vs ${fmt(honoCpu, 1)} µs`,
    ),
  ];
}

/**
 * The open-loop floors (issue 33): at 50 % of the FastAPI peer's capacity, ours' p99 and
 * p99.9 ≤ the peer's, both behind nginx. Not measured when the phase did not run.
 */
export function evaluateOpenLoopFloors(summaries: readonly OpenLoopSummary[]): FloorResult[] {
  const share = 0.5;
  const ours = summaries.find((s) => s.target === 'ours-nginx/1' && s.share === share);
  const peer = summaries.find((s) => s.target === 'fastapi-nginx/1' && s.share === share);
  const rate = ours?.ratePerSec ?? peer?.ratePerSec;
  const at = (name: string, measured: number | null, detail: string): FloorResult => ({
    ...floor(name, OPEN_LOOP_CONNECTIONS, measured, 1, detail),
    openLoopShare: share,
  });
  return [
    at(
      'ours (nginx) p99 ≤ FastAPI (nginx) p99, open loop at 50 % of its capacity',
      ratio(peer?.p99Ms, ours?.p99Ms),
      `${fmt(ours?.p99Ms, 2)} vs ${fmt(peer?.p99Ms, 2)} ms at ${fmt(rate)} req/s`,
    ),
    at(
      'ours (nginx) p99.9 ≤ FastAPI (nginx) p99.9, open loop at 50 % of its capacity',
      ratio(peer?.p999Ms, ours?.p999Ms),
      `${fmt(ours?.p999Ms, 2)} vs ${fmt(peer?.p999Ms, 2)} ms at ${fmt(rate)} req/s`,
    ),
  ];
}

/**
 * The floors: ours through nginx ≥ 15× the peer's req/s with p99 ≤ 1/10 of the
 * peer's, ≥ 70% of the "nginx → our Node server answering a constant" ceiling (the
 * service's own stack with a constant `/predict`, not the bare Hono app), and batching ≥ 1.3× no batching on the
 * heavy model; all one record per request, at 32 connections.
 */
export function evaluateFloors(summaries: readonly Summary[]): FloorResult[] {
  const c = floorConcurrency(summaries);
  const ours = find(summaries, 'ours-nginx/1', c);
  const peer = find(summaries, 'peer-nginx/1', c);
  const ceiling = find(summaries, 'ceiling-service/1', c);
  const on = find(
    summaries,
    'heavy-batching-on/1',
    floorConcurrency(summaries.filter((s) => s.group === 'batching')),
  );
  const off = on && find(summaries, 'heavy-batching-off/1', on.connections);
  return [
    floor(
      'ours (nginx) req/s ≥ 15 × peer (nginx) req/s',
      c,
      ratio(ours?.requestsPerSec, peer?.requestsPerSec),
      15,
      `${fmt(ours?.requestsPerSec)} vs ${fmt(peer?.requestsPerSec)} req/s`,
    ),
    floor(
      'ours (nginx) p99 ≤ 1/10 of peer (nginx) p99',
      c,
      ratio(peer?.p99Ms, ours?.p99Ms),
      10,
      `${fmt(ours?.p99Ms, 2)} vs ${fmt(peer?.p99Ms, 2)} ms`,
    ),
    floor(
      'ours (nginx) req/s ≥ 70% of nginx → our Node service stack answering a constant',
      c,
      ratio(ours?.requestsPerSec, ceiling?.requestsPerSec),
      0.7,
      `${fmt(ours?.requestsPerSec)} vs ${fmt(ceiling?.requestsPerSec)} req/s`,
    ),
    floor(
      'batching on ≥ 1.3 × batching off (heavy model, direct)',
      on?.connections ?? c,
      ratio(on?.requestsPerSec, off?.requestsPerSec),
      1.3,
      `${fmt(on?.requestsPerSec)} vs ${fmt(off?.requestsPerSec)} req/s`,
    ),
  ];
}
