import { cpuMeter } from './cpu-time.ts';
import { sampleMemory, type TreeMemory } from './memory.ts';
import type { QuietResult } from './quiet.ts';
import type { Target, TargetId } from './targets.ts';
import { type LoadResult, runWrk } from './wrk.ts';

/** One measured wrk run with the memory sampled during it. */
export interface Measurement {
  readonly target: TargetId;
  readonly connections: number;
  readonly round: number;
  readonly load: LoadResult;
  /** Peak PSS sample of the application server's process tree. */
  readonly appMemory?: TreeMemory;
  /** Peak PSS sample of nginx (master and workers). */
  readonly proxyMemory?: TreeMemory;
  /** CPU seconds the application server's processes used during the run. */
  readonly appCpuS?: number;
  /** CPU seconds nginx's processes used during the run. */
  readonly proxyCpuS?: number;
  /** The wait for a quiet machine before the run (when the matrix was given `settle`). */
  readonly settle?: QuietResult;
}

/** Receives one line per step. */
export type ProgressSink = (line: string) => void;

/**
 * Sends one request to each target and checks that it answers 200 with the expected JSON,
 * so that a broken stack fails loudly before minutes of load are spent on error pages.
 */
export async function probeTargets(targets: readonly Target[]): Promise<void> {
  for (const target of targets) {
    const res = await fetch(target.url, {
      method: 'POST',
      body: target.body,
      headers: { 'content-type': 'application/json' },
    });
    const text = await res.text();
    let answer: unknown;
    try {
      answer = JSON.parse(text);
    } catch {
      answer = undefined;
    }
    if (res.status !== 200 || !target.check(answer)) {
      throw new Error(`${target.id}: probe got HTTP ${res.status}: ${text.slice(0, 300)}`);
    }
  }
}

/** Options for {@link runMatrix}. */
export interface MatrixOptions {
  readonly targets: readonly Target[];
  readonly concurrencies: readonly number[];
  readonly runs: number;
  readonly durationS: number;
  readonly warmupS: number;
  readonly wrkThreads: number;
  readonly scratchDir: string;
  readonly progress: ProgressSink;
  /**
   * Awaited before every measured run: waits until the machine is quiet (see `waitForQuiet`),
   * so that no run starts while the previous one's leftovers still use the CPU.
   */
  readonly settle?: () => Promise<QuietResult>;
  /** Prefix of progress lines (the phase). */
  readonly phase: string;
}

function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/**
 * Warms every target up at every concurrency, then measures every (target, concurrency) `runs` times,
 * interleaved: each round visits every concurrency, and within it every target, in an order
 * rotated by one per round, so that slow drifts of a shared, noisy machine spread over all
 * stacks instead of biasing whichever ran last.
 */
export async function runMatrix(options: MatrixOptions): Promise<Measurement[]> {
  const { targets, concurrencies } = options;
  // Every concurrency is warmed, highest first: V8 optimizes code for what it sees, and a
  // service warmed only under load re-optimizes (and deoptimizes) during its first measured
  // run at one connection. The last warm-up of each target is at the first measured level.
  const warmupLevels = [...concurrencies].sort((a, b) => b - a);
  const measures = (target: Target, connections: number) =>
    target.levels === undefined || target.levels.includes(connections);
  for (const target of options.warmupS > 0 ? targets : []) {
    for (const connections of warmupLevels.filter((c) => measures(target, c))) {
      options.progress(
        `${options.phase} warm-up ${target.id} (${options.warmupS}s, c=${connections})`,
      );
      await runWrk({
        url: target.url,
        body: target.body,
        connections,
        durationS: options.warmupS,
        threads: options.wrkThreads,
        scratchDir: options.scratchDir,
      });
    }
  }
  const total =
    options.runs *
    concurrencies.reduce((sum, c) => sum + targets.filter((t) => measures(t, c)).length, 0);
  const measurements: Measurement[] = [];
  const started = performance.now();
  for (let round = 0; round < options.runs; round++) {
    for (const connections of concurrencies) {
      for (let i = 0; i < targets.length; i++) {
        const target = targets[(i + round) % targets.length] as Target;
        if (!measures(target, connections)) continue;
        const settle = await options.settle?.();
        const app = sampleMemory(target.running.app.map((p) => p.pid));
        const proxy = target.running.proxy ? sampleMemory([target.running.proxy.pid]) : undefined;
        const appCpu = cpuMeter(target.running.app.map((p) => p.pid));
        const proxyCpu = target.running.proxy ? cpuMeter([target.running.proxy.pid]) : undefined;
        let load: LoadResult;
        try {
          load = await runWrk({
            url: target.url,
            body: target.body,
            connections,
            durationS: options.durationS,
            threads: options.wrkThreads,
            scratchDir: options.scratchDir,
          });
        } catch (error) {
          app.stop();
          proxy?.stop();
          throw new Error(`${target.id} at c=${connections}: ${(error as Error).message}`);
        }
        const appCpuS = appCpu.stop();
        const proxyCpuS = proxyCpu?.stop();
        const appMemory = app.stop();
        const proxyMemory = proxy?.stop();
        measurements.push({
          target: target.id,
          connections,
          round,
          load,
          ...(appMemory && { appMemory }),
          ...(proxyMemory && { proxyMemory }),
          ...(target.running.app.length > 0 && { appCpuS }),
          ...(proxyCpuS !== undefined && { proxyCpuS }),
          ...(settle && { settle }),
        });
        const done = measurements.length;
        const elapsedS = (performance.now() - started) / 1000;
        const errors = Object.values(load.errors).reduce((a, b) => a + b, 0);
        options.progress(
          `${options.phase} [${String(done).padStart(String(total).length)}/${total}] ` +
            `round ${round + 1}/${options.runs} c=${connections} ${target.id}: ` +
            `${Math.round(load.requestsPerSec)} req/s, p99 ${load.latencyMs.p99.toFixed(2)} ms` +
            `${errors > 0 ? `, ${errors} errors` : ''}` +
            `${settle ? `, after ${Math.round(settle.waitedMs)} ms${settle.quiet ? '' : ` not quiet (${settle.busyCores.toFixed(2)} cores busy)`}` : ''}` +
            ` (eta ${formatDuration((elapsedS / done) * (total - done))})`,
        );
      }
    }
  }
  return measurements;
}
