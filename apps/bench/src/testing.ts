import type { Measurement } from './runner.ts';
import type { Summary, TargetInfo } from './summarize.ts';
import type { StackId, TargetId } from './targets.ts';
import type { LoadResult } from './wrk.ts';

/** A wrk result with the given throughput and p99 (test helper). */
export function fakeLoad(requestsPerSec: number, p99: number, statusErrors = 0): LoadResult {
  return {
    requests: requestsPerSec * 2,
    durationS: 2,
    requestsPerSec,
    latencyMs: { mean: p99 / 3, p50: p99 / 4, p90: p99 / 2, p99, max: p99 * 2 },
    errors: { connect: 0, read: 0, write: 0, timeout: 0, status: statusErrors },
  };
}

/** A measurement of `target` at `connections` (test helper). */
export function fakeMeasurement(
  target: string,
  connections: number,
  requestsPerSec: number,
  p99: number,
  round = 0,
): Measurement {
  return { target: target as TargetId, connections, round, load: fakeLoad(requestsPerSec, p99) };
}

/**
 * Target infos for target ids (test helper). Ids are plain strings here, so that tests can
 * also use made-up ones; the harness itself only knows {@link TargetId}s.
 */
export function fakeTargets(ids: readonly string[]): TargetInfo[] {
  return ids.map((id) => {
    const [stack = id, rows = '1'] = id.split('/');
    return {
      id: id as TargetId,
      stack: stack as StackId,
      label: id,
      group: stack.startsWith('heavy') ? 'batching' : 'main',
      rows: Number(rows),
    };
  });
}

/** A summary with the given throughput and p99 (test helper). */
export function fakeSummary(id: string, connections: number, rps: number, p99: number): Summary {
  const [info] = fakeTargets([id]) as [TargetInfo];
  return {
    ...info,
    connections,
    runs: 1,
    requestsPerSec: rps,
    rowsPerSec: rps * info.rows,
    p50Ms: p99 / 4,
    p90Ms: p99 / 2,
    p99Ms: p99,
    requests: rps,
    errors: 0,
  };
}
