/**
 * The benchmark's open-loop phase: ours and the FastAPI peer, each behind its nginx, at fixed
 * shares of the FastAPI peer's capacity (its best closed-loop req/s in the same run), rounds
 * interleaved; p50, p99, p99.9 and max of the latency from each request's due time.
 */
import { cpuMeter } from '../cpu-time.ts';
import type { QuietResult } from '../quiet.ts';
import type { ProgressSink } from '../runner.ts';
import { median } from '../stats.ts';
import type { Summary } from '../summarize.ts';
import type { Target, TargetId } from '../targets.ts';
import type { OpenLoopResult } from './client.ts';
import { runOpenLoopProcess } from './run.ts';

/** Shares of the peer's capacity the open loop runs at. */
export const OPEN_LOOP_SHARES = [0.25, 0.5, 0.75] as const;

/** The targets measured open-loop: ours and the FastAPI peer, behind nginx, one record. */
export const OPEN_LOOP_TARGETS: readonly TargetId[] = ['ours-nginx/1', 'fastapi-nginx/1'];

/** Keep-alive connections the generator opens (more than any rate here needs at once). */
export const OPEN_LOOP_CONNECTIONS = 64;

/** The closed-loop figure the rates are shares of. */
export interface Capacity {
  readonly target: TargetId;
  /** Its highest median req/s over the measured concurrencies. */
  readonly requestsPerSec: number;
  readonly connections: number;
}

/** The FastAPI peer's capacity behind nginx, from the closed-loop summaries; undefined if not measured. */
export function peerCapacity(summaries: readonly Summary[]): Capacity | undefined {
  const runs = summaries.filter((s) => s.id === 'fastapi-nginx/1' && s.requestsPerSec > 0);
  const best = runs.reduce<Summary | undefined>(
    (a, s) => (a === undefined || s.requestsPerSec > a.requestsPerSec ? s : a),
    undefined,
  );
  return (
    best && { target: best.id, requestsPerSec: best.requestsPerSec, connections: best.connections }
  );
}

/** One open-loop run. */
export interface OpenLoopRun {
  readonly target: TargetId;
  readonly share: number;
  readonly round: number;
  readonly result: OpenLoopResult;
  /** CPU seconds of the server's and of nginx's processes during the run (warm-up included). */
  readonly appCpuS?: number;
  readonly proxyCpuS?: number;
}

/** Options of {@link measureOpenLoop}. */
export interface OpenLoopPhaseOptions {
  readonly targets: readonly Target[];
  readonly capacity: Capacity;
  readonly runs: number;
  readonly durationS: number;
  /** Seconds at the run's rate before the measured ones. */
  readonly warmupS: number;
  readonly settle?: () => Promise<QuietResult>;
  readonly progress: ProgressSink;
}

/** Runs every (share, target) `runs` times, rounds interleaved and the target order rotated. */
export async function measureOpenLoop(options: OpenLoopPhaseOptions): Promise<OpenLoopRun[]> {
  const { targets, capacity } = options;
  const out: OpenLoopRun[] = [];
  for (let round = 0; round < options.runs; round++) {
    for (const share of OPEN_LOOP_SHARES) {
      const ratePerSec = Math.max(1, Math.round(capacity.requestsPerSec * share));
      for (let i = 0; i < targets.length; i++) {
        const target = targets[(i + round) % targets.length] as Target;
        await options.settle?.();
        const app = cpuMeter(target.running.app.map((p) => p.pid));
        const proxy = target.running.proxy ? cpuMeter([target.running.proxy.pid]) : undefined;
        const result = await runOpenLoopProcess({
          url: target.url,
          body: target.body,
          ratePerSec,
          durationS: options.durationS,
          warmupS: options.warmupS,
          connections: OPEN_LOOP_CONNECTIONS,
        });
        const proxyCpuS = proxy?.stop();
        out.push({
          target: target.id,
          share,
          round,
          result,
          appCpuS: app.stop(),
          ...(proxyCpuS !== undefined && { proxyCpuS }),
        });
        const l = result.latencyMs;
        const errors = result.scheduled - result.ok;
        options.progress(
          `open loop round ${round + 1}/${options.runs} ${Math.round(share * 100)} % (${ratePerSec} req/s) ${target.id}: ` +
            `p50 ${l.p50.toFixed(2)}, p99 ${l.p99.toFixed(2)}, p99.9 ${l.p999.toFixed(2)} ms` +
            `${errors > 0 ? `, ${errors} errors` : ''}`,
        );
      }
    }
  }
  return out;
}

/** Medians over the runs of one (target, share). */
export interface OpenLoopSummary {
  readonly target: TargetId;
  readonly label: string;
  readonly share: number;
  readonly ratePerSec: number;
  readonly runs: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly p999Ms: number;
  /** The highest latency of any run. */
  readonly maxMs: number;
  /** The generator's own lateness (due → taken), p99, median of the runs. */
  readonly sendLagP99Ms: number;
  /** Requests not answered with a 2xx, over all runs. */
  readonly errors: number;
  /** CPU per request of server + nginx (µs), median of the runs. */
  readonly cpuUsPerRequest?: number;
}

/** Summarizes the open-loop runs per (target, share), in the order of `targets`. */
export function summarizeOpenLoop(
  runs: readonly OpenLoopRun[],
  targets: readonly Pick<Target, 'id' | 'label'>[],
): OpenLoopSummary[] {
  const out: OpenLoopSummary[] = [];
  for (const share of OPEN_LOOP_SHARES) {
    for (const target of targets) {
      const mine = runs.filter((r) => r.target === target.id && r.share === share);
      if (mine.length === 0) continue;
      const of = (f: (r: OpenLoopRun) => number) => median(mine.map(f));
      // The CPU covers the warm-up's requests too: per request of the whole run.
      const cpu = mine.flatMap((r) => {
        if (r.appCpuS === undefined) return [];
        const requests = r.result.ratePerSec * (r.result.durationS + r.result.warmupS);
        return [(((r.appCpuS ?? 0) + (r.proxyCpuS ?? 0)) / requests) * 1e6];
      });
      out.push({
        target: target.id,
        label: target.label,
        share,
        ratePerSec: (mine[0] as OpenLoopRun).result.ratePerSec,
        runs: mine.length,
        p50Ms: of((r) => r.result.latencyMs.p50),
        p99Ms: of((r) => r.result.latencyMs.p99),
        p999Ms: of((r) => r.result.latencyMs.p999),
        maxMs: Math.max(...mine.map((r) => r.result.latencyMs.max)),
        sendLagP99Ms: of((r) => r.result.sendLagMs.p99),
        errors: mine.reduce((sum, r) => sum + r.result.scheduled - r.result.ok, 0),
        ...(cpu.length > 0 && { cpuUsPerRequest: median(cpu) }),
      });
    }
  }
  return out;
}
