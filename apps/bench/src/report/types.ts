import type { BenchOptions } from '../config.ts';
import type { FloorResult } from '../floors.ts';
import type { Machine } from '../machine.ts';
import type { ModelAloneResult } from '../model-alone.ts';
import type { Capacity, OpenLoopRun, OpenLoopSummary } from '../open-loop/phase.ts';
import type { Measurement } from '../runner.ts';
import type { Ratio, Summary, TargetInfo } from '../summarize.ts';
import type { StackId } from '../targets.ts';

/** Time to ready and idle memory of one stack, over several fresh starts. */
export interface StartupResult {
  readonly stack: StackId;
  readonly label: string;
  /** What "ready" means for this stack. */
  readonly readyCheck: string;
  /** Milliseconds from spawn to the first 200 of the ready check, one per start. */
  readonly readyMs: readonly number[];
  readonly medianReadyMs: number;
  /** Memory of the application server's process tree just after ready (MiB). */
  readonly idlePssMiB: number;
  readonly idleRssMiB: number;
  readonly processes: number;
}

/** Everything one benchmark run produced: written as `latest.json`, rendered as `latest.md`. */
export interface BenchReport {
  readonly machine: Machine;
  readonly options: Omit<BenchOptions, 'outDir'>;
  /** How the run was set up (pinning, threads, bodies), for the reader. */
  readonly method: readonly string[];
  readonly targets: readonly TargetInfo[];
  readonly startup: readonly StartupResult[];
  readonly modelAlone: readonly ModelAloneResult[];
  readonly summaries: readonly Summary[];
  readonly ratios: readonly Ratio[];
  readonly floors: readonly FloorResult[];
  readonly measurements: readonly Measurement[];
  /** The open-loop phase, when it ran. */
  readonly openLoop?: {
    readonly capacity: Capacity;
    readonly summaries: readonly OpenLoopSummary[];
    readonly runs: readonly OpenLoopRun[];
  };
  /** File name of the chart, beside the report. */
  readonly chartFile: string;
}
