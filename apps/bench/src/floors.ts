import { ratio } from './stats.ts';
import { find, type Summary } from './summarize.ts';

/** One floor of the issue, evaluated on ratios measured in the same run. */
export interface FloorResult {
  readonly name: string;
  /** The concurrency it was evaluated at (32, or the closest measured). */
  readonly connections: number;
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
