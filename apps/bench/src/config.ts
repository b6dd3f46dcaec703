import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { CPU_LAYOUTS, type CpuLayout } from './cpu-layout.ts';
import { resultsDir } from './paths.ts';
import { QUIET_MAX_BUSY_CORES } from './quiet.ts';

/** Everything a benchmark run can vary; `fullOptions` and `smokeOptions` are the two presets. */
export interface BenchOptions {
  /** `full` writes `results/latest.*`; `smoke` is the short CI run. */
  readonly mode: 'full' | 'smoke';
  /** Open connections per measurement (wrk `-c`). */
  readonly concurrencies: readonly number[];
  /** Measured runs per target and concurrency; the report shows their median. */
  readonly runs: number;
  /** Seconds per measured run (whole seconds: wrk takes no fractions). */
  readonly durationS: number;
  /** Seconds of warm-up load per target and concurrency before the first round (whole seconds; 0: none). */
  readonly warmupS: number;
  /** Process starts measured per stack (time to ready). */
  readonly startupRuns: number;
  /** Seconds per onnxruntime-alone measurement. */
  readonly modelAloneS: number;
  /** Connections for the batching on/off comparison on the heavy model. */
  readonly batchingConcurrencies: readonly number[];
  /** The heavy model used for the batching floor. */
  readonly heavyModel: { readonly trees: number; readonly depth: number };
  /** Only run targets whose id contains one of these strings (all when empty). */
  readonly only: readonly string[];
  /** Where latest.md / latest.json / the chart are written. */
  readonly outDir: string;
  /** Load-generator threads (wrk `-t`, capped by the connection count). */
  readonly wrkThreads: number;
  /** The model "ours" serves (`MODEL_DIR`); the bundled insurance model when undefined. */
  readonly modelDir?: string;
  /** Another build of the service to run (to compare a change); `apps/inference/dist/server.js` when undefined. */
  readonly serviceEntry?: string;
  /**
   * Before every measured run, wait until the machine is quiet (under `quietCores` cores busy
   * over 200 ms, at most 5 s); 0 measures right after the previous run, as before.
   */
  readonly quietCores: number;
  /**
   * Seconds per open-loop run (ours and the FastAPI peer at 25/50/75 % of the peer's measured
   * capacity, `src/open-loop/`); 0 skips the phase.
   */
  readonly openLoopS: number;
  /** Seconds at each open-loop run's rate before its measured ones. */
  readonly openLoopWarmupS: number;
  /** Where the servers and the load generator run (`src/cpu-layout.ts`). */
  readonly layout: CpuLayout;
}

/** The full run: `pnpm bench` (about 15 minutes on 2 cores). */
export const fullOptions: BenchOptions = {
  mode: 'full',
  concurrencies: [1, 8, 32, 128],
  runs: 3,
  durationS: 8,
  warmupS: 2,
  startupRuns: 3,
  modelAloneS: 4,
  batchingConcurrencies: [8, 32],
  heavyModel: { trees: 2000, depth: 8 },
  only: [],
  outDir: resultsDir,
  wrkThreads: 1,
  quietCores: QUIET_MAX_BUSY_CORES,
  openLoopS: 10,
  openLoopWarmupS: 2,
  layout: 'auto',
};

/** The CI smoke run: one concurrency, one short run per target; proves the harness works. */
export const smokeOptions: BenchOptions = {
  ...fullOptions,
  mode: 'smoke',
  concurrencies: [8],
  runs: 1,
  // CPU time comes from /proc in 10 ms clock ticks: in 1 s under CI's other tests, the Flask
  // peer's nginx once measured 0 ticks. 2 s gives every process enough to be counted.
  durationS: 2,
  warmupS: 0,
  startupRuns: 1,
  modelAloneS: 0.3,
  batchingConcurrencies: [8],
  heavyModel: { trees: 50, depth: 6 },
  // CI tests other packages beside it: the machine is never quiet, and the smoke run only
  // proves the harness.
  quietCores: 0,
  openLoopS: 1,
  openLoopWarmupS: 0.5,
  // Beside CI's other tests no CPU is the load generator's own.
  layout: 'shared',
};

/** Thrown for a bad command-line flag; the message names it. */
export class OptionsError extends Error {
  override name = 'OptionsError';
}

/**
 * Runs a command's `main` when its file is the entry point (`meta` is its `import.meta.url`):
 * a wrong flag is the user's to fix (its message and the usage on stderr, exit 2, no stack
 * trace); any other failure is printed whole (exit 1).
 */
export async function runCommand(
  meta: string,
  name: string,
  usage: string,
  main: () => Promise<void>,
): Promise<void> {
  if (meta !== `file://${process.argv[1]}`) return;
  try {
    await main();
  } catch (error) {
    const wrongFlag =
      error instanceof OptionsError ||
      (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    console.error(wrongFlag ? `${name}: ${(error as Error).message}\n\n${usage}` : error);
    process.exitCode = wrongFlag ? 2 : 1;
  }
}

function numberList(flag: string, value: string): number[] {
  const list = value.split(',').map((part) => Number(part.trim()));
  if (list.length === 0 || list.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new OptionsError(`--${flag} "${value}" must be a comma-separated list of integers >= 1`);
  }
  return list;
}

/**
 * The named flags' values as integers >= 1, in order (the measuring tools' counts).
 *
 * @throws {OptionsError} naming the first flag whose value is not one.
 */
export function countFlags<K extends string>(
  values: Readonly<Record<K, string | undefined>>,
  flags: readonly K[],
): number[] {
  return flags.map((flag) => {
    const n = Number(values[flag]);
    if (!Number.isInteger(n) || n < 1) {
      throw new OptionsError(`--${flag} must be an integer >= 1, not "${values[flag]}"`);
    }
    return n;
  });
}

function cpuLayout(value: string): CpuLayout {
  const layout = CPU_LAYOUTS.find((l) => l === value);
  if (!layout)
    throw new OptionsError(`--layout "${value}" must be one of: ${CPU_LAYOUTS.join(', ')}`);
  return layout;
}

function positive(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new OptionsError(`--${flag} "${value}" must be > 0`);
  return n;
}

function nonNegative(flag: string, value: string | undefined, fallback: number): number {
  return value === '0' ? 0 : positive(flag, value, fallback);
}

/**
 * Parses the command line (`pnpm bench [--smoke] [--runs 3] [--duration 8] ...`) over a preset.
 * @example parseOptions(['--smoke', '--out', '/tmp/bench'])
 */
export function parseOptions(argv: readonly string[]): BenchOptions {
  const { values } = parseArgs({
    // `pnpm bench -- --flag` passes the `--` separator through: ignore it.
    args: argv.filter((arg) => arg !== '--'),
    options: {
      smoke: { type: 'boolean', default: false },
      concurrency: { type: 'string' },
      runs: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      only: { type: 'string' },
      out: { type: 'string' },
      trees: { type: 'string' },
      depth: { type: 'string' },
      'wrk-threads': { type: 'string' },
      'model-dir': { type: 'string' },
      service: { type: 'string' },
      'quiet-cores': { type: 'string' },
      'open-loop-duration': { type: 'string' },
      layout: { type: 'string' },
    },
    strict: true,
  });
  const base = values.smoke ? smokeOptions : fullOptions;
  return {
    ...base,
    concurrencies: values.concurrency
      ? numberList('concurrency', values.concurrency)
      : base.concurrencies,
    runs: Math.round(positive('runs', values.runs, base.runs)),
    durationS: Math.max(1, Math.round(positive('duration', values.duration, base.durationS))),
    warmupS: Math.round(nonNegative('warmup', values.warmup, base.warmupS)),
    only: values.only ? values.only.split(',').map((s) => s.trim()) : base.only,
    outDir: values.out ?? base.outDir,
    heavyModel: {
      trees: Math.round(positive('trees', values.trees, base.heavyModel.trees)),
      depth: Math.round(positive('depth', values.depth, base.heavyModel.depth)),
    },
    wrkThreads: Math.round(positive('wrk-threads', values['wrk-threads'], base.wrkThreads)),
    quietCores: nonNegative('quiet-cores', values['quiet-cores'], base.quietCores),
    openLoopS: nonNegative('open-loop-duration', values['open-loop-duration'], base.openLoopS),
    layout: values.layout === undefined ? base.layout : cpuLayout(values.layout),
    ...(values['model-dir'] !== undefined && { modelDir: values['model-dir'] }),
    ...(values.service !== undefined && { serviceEntry: values.service }),
  };
}

/** The environment children inherit (PATH, locale); the only read of `process.env`. */
export function inheritedEnv(): NodeJS.ProcessEnv {
  return { ...process.env };
}

/** Whether missing binaries must fail (CI) rather than skip the smoke test. */
export function isCi(): boolean {
  return process.env.CI === 'true';
}

/** The machine's CPUs (not only those this process may use: an `apart` run narrows its own). */
export function cores(): number {
  return cpus().length;
}
