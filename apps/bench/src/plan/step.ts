/** One load level's figures, as the plan needs them. */
export interface Level {
  /** Open connections (wrk `-c`). */
  readonly connections: number;
  readonly requestsPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Socket errors, timeouts and non-2xx answers. */
  readonly errors: number;
  readonly requests: number;
  readonly durationS: number;
  /** CPU seconds of the service's process tree during the level. */
  readonly serviceCpuS: number;
  /** CPU seconds of nginx during the level. */
  readonly nginxCpuS: number;
  /** Peak PSS of the service's process tree, MiB. */
  readonly servicePssMiB?: number;
}

/** Measures one level: `connections` open connections for a fixed time. */
export type MeasureLevel = (connections: number) => Promise<Level>;

/** Why the stepping stopped. */
export type StopReason = 'p99' | 'errors' | 'plateau' | 'max-connections';

/** Options for {@link stepLoad}. */
export interface StepOptions {
  /** The p99 latency a level must stay within, ms. */
  readonly p99LimitMs: number;
  /** The connection counts to try, ascending. */
  readonly ladder: readonly number[];
  /** A level "rises" when it beats the best req/s so far by this fraction. @default 0.05 */
  readonly minGain?: number;
  /** Stop after this many levels in a row that do not rise. @default 2 */
  readonly patience?: number;
  /** Re-measure a level that fails once before believing it (a noisy machine). @default true */
  readonly confirm?: boolean;
  /** Called after every measured level (progress). */
  readonly onLevel?: (level: Level, verdict: string) => void;
}

/** What {@link stepLoad} found. */
export interface StepResult {
  /** Every measured level in order (a confirmed failure appears twice). */
  readonly levels: readonly Level[];
  /** The level with the highest req/s among those within the limit; undefined if none was. */
  readonly capacity: Level | undefined;
  readonly stop: StopReason;
}

/** Within the latency limit and without errors. */
export function levelPasses(level: Level, p99LimitMs: number): boolean {
  return level.errors === 0 && level.p99Ms <= p99LimitMs;
}

/** Connection counts 1, 2, 4, ... up to `max` (and `max` itself). */
export function connectionLadder(max: number): number[] {
  const ladder: number[] = [];
  for (let c = 1; c < max; c *= 2) ladder.push(c);
  ladder.push(max);
  return ladder;
}

/**
 * Raises the load level by level until p99 crosses the limit (or errors appear), throughput
 * stops rising (`patience` levels in a row gain less than `minGain`), or the ladder ends. The
 * capacity is the passing level with the highest throughput: on a monotonic curve the last one
 * under the limit, and on a noisy one not a lucky dip's neighbour.
 */
export async function stepLoad(measure: MeasureLevel, options: StepOptions): Promise<StepResult> {
  const minGain = options.minGain ?? 0.05;
  const patience = options.patience ?? 2;
  const confirm = options.confirm ?? true;
  const levels: Level[] = [];
  let best: Level | undefined;
  let flat = 0;
  const record = (level: Level, verdict: string): void => {
    levels.push(level);
    options.onLevel?.(level, verdict);
  };
  for (const connections of options.ladder) {
    let level = await measure(connections);
    if (!levelPasses(level, options.p99LimitMs) && confirm) {
      record(level, 'over the limit; measuring again');
      level = await measure(connections);
    }
    if (!levelPasses(level, options.p99LimitMs)) {
      record(level, level.errors > 0 ? 'errors: stop' : 'p99 over the limit: stop');
      return { levels, capacity: best, stop: level.errors > 0 ? 'errors' : 'p99' };
    }
    const rises = best === undefined || level.requestsPerSec >= best.requestsPerSec * (1 + minGain);
    if (best === undefined || level.requestsPerSec > best.requestsPerSec) best = level;
    flat = rises ? 0 : flat + 1;
    if (flat >= patience) {
      record(level, 'throughput stopped rising: stop');
      return { levels, capacity: best, stop: 'plateau' };
    }
    record(level, rises ? 'ok' : 'ok (not rising)');
  }
  return { levels, capacity: best, stop: 'max-connections' };
}
