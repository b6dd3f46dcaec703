import { parseArgs } from 'node:util';
import { ENVIRONMENT_NAMES, type EnvironmentName } from '../../../../charts/src/environments.ts';

/** What `pnpm plan` was asked for. */
export interface PlanArgs {
  /** Requests per second to plan for (`--rps`, required). */
  readonly rps: number;
  /** The p99 latency one pod must stay within, ms (`--p99-ms`). */
  readonly p99Ms: number;
  /** The environment of `charts/src/environments.ts` to plan for (`--env`). */
  readonly env: EnvironmentName;
  /** Write the plan into `charts/src/capacity.ts` (`--write`). */
  readonly write: boolean;
  /** Share of a pod's capacity it is planned to carry, percent (`--utilization`). */
  readonly utilizationPercent: number;
  /** Seconds per load level (`--duration`). */
  readonly durationS: number;
  /** Seconds of warm-up before the first level (`--warmup`). */
  readonly warmupS: number;
  /** The highest connection count tried (`--max-connections`). */
  readonly maxConnections: number;
  /** Print the result as one JSON document instead of text (`--json`). */
  readonly json: boolean;
  /** Another build of the service to measure (`--service`). */
  readonly serviceEntry?: string;
}

/** The defaults of the optional flags. */
export const PLAN_DEFAULTS = {
  p99Ms: 50,
  env: 'gke',
  utilizationPercent: 70,
  durationS: 5,
  warmupS: 3,
  maxConnections: 256,
} as const satisfies Partial<PlanArgs>;

/** Thrown for a bad command line; the message names the flag. Exit status 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** `pnpm plan --help`. */
export const PLAN_HELP = `Usage: pnpm plan --rps N [--p99-ms L] [--env gke|local] [--write] [flags]

Measures one pod's capacity as the benchmark runs it (nginx with the shipped config in front
of the built service, wrk POSTing one record), raising the connections 1, 2, 4, ... until p99
exceeds L or throughput stops rising, then prints the replicas, HPA settings and resources
for N requests per second. With --write, writes them into charts/src/capacity.ts, which
charts/src/environments.ts applies to the chosen environment (then run pnpm synth).

Run it on a machine like your cluster's nodes: the capacity is this machine's.

Flags:
  --rps N               requests per second to plan for (required)
  --p99-ms L            p99 latency one pod must stay within, ms (default ${PLAN_DEFAULTS.p99Ms})
  --env NAME            environment of charts/src/environments.ts: ${ENVIRONMENT_NAMES.join(', ')} (default ${PLAN_DEFAULTS.env})
  --write               write the plan into charts/src/capacity.ts
  --utilization P       share of a pod's capacity to plan on, percent, 10-95 (default ${PLAN_DEFAULTS.utilizationPercent})
  --duration S          seconds of load per level (default ${PLAN_DEFAULTS.durationS})
  --warmup S            seconds of warm-up before the first level, 0 for none (default ${PLAN_DEFAULTS.warmupS})
  --max-connections C   the most connections tried (default ${PLAN_DEFAULTS.maxConnections})
  --service FILE        measure another build of the service (default apps/inference/dist/server.js)
  --json                print the result as JSON
  --help                this text

Example:
  pnpm plan --rps 1000 --p99-ms 50 --env gke --write && pnpm synth
`;

function number(
  flag: string,
  value: string | undefined,
  fallback: number | undefined,
  rule: { min: number; max?: number; integer?: boolean; minExclusive?: boolean },
): number {
  if (value === undefined) {
    if (fallback === undefined) throw new UsageError(`--${flag} is required (see --help)`);
    return fallback;
  }
  const n = Number(value);
  const what = rule.integer ? 'an integer' : 'a number';
  const range = rule.minExclusive
    ? `> ${rule.min}${rule.max === undefined ? '' : ` and <= ${rule.max}`}`
    : rule.max === undefined
      ? `>= ${rule.min}`
      : `from ${rule.min} to ${rule.max}`;
  if (
    value.trim() === '' ||
    !Number.isFinite(n) ||
    n < rule.min ||
    (rule.minExclusive && n === rule.min) ||
    (rule.max !== undefined && n > rule.max) ||
    (rule.integer && !Number.isInteger(n))
  ) {
    throw new UsageError(`--${flag} "${value}" must be ${what} ${range}`);
  }
  return n;
}

/**
 * Parses `pnpm plan`'s command line; `'help'` for `--help`. Throws {@link UsageError} naming
 * the flag for anything else that is wrong.
 * @example parsePlanArgs(['--rps', '1000', '--env', 'gke', '--write'])
 */
export function parsePlanArgs(argv: readonly string[]): PlanArgs | 'help' {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      // `pnpm plan -- --flag` passes the `--` separator through: ignore it.
      args: argv.filter((arg) => arg !== '--'),
      options: {
        rps: { type: 'string' },
        'p99-ms': { type: 'string' },
        env: { type: 'string' },
        write: { type: 'boolean', default: false },
        utilization: { type: 'string' },
        duration: { type: 'string' },
        warmup: { type: 'string' },
        'max-connections': { type: 'string' },
        service: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError(`${(error as Error).message} (see --help)`);
  }
  if (values.help) return 'help';
  const str = (key: string): string | undefined => values[key] as string | undefined;
  const env = str('env') ?? PLAN_DEFAULTS.env;
  if (!(ENVIRONMENT_NAMES as readonly string[]).includes(env)) {
    throw new UsageError(`--env "${env}" must be one of ${ENVIRONMENT_NAMES.join(', ')}`);
  }
  const service = str('service');
  if (service !== undefined && service.trim() === '') {
    throw new UsageError('--service must name the service entry file');
  }
  return {
    rps: number('rps', str('rps'), undefined, { min: 0, minExclusive: true, max: 1e7 }),
    p99Ms: number('p99-ms', str('p99-ms'), PLAN_DEFAULTS.p99Ms, { min: 0.1, max: 60_000 }),
    env: env as EnvironmentName,
    write: values.write === true,
    utilizationPercent: number(
      'utilization',
      str('utilization'),
      PLAN_DEFAULTS.utilizationPercent,
      { min: 10, max: 95 },
    ),
    durationS: number('duration', str('duration'), PLAN_DEFAULTS.durationS, {
      min: 1,
      max: 600,
      integer: true,
    }),
    warmupS: number('warmup', str('warmup'), PLAN_DEFAULTS.warmupS, {
      min: 0,
      max: 600,
      integer: true,
    }),
    maxConnections: number(
      'max-connections',
      str('max-connections'),
      PLAN_DEFAULTS.maxConnections,
      { min: 1, max: 4096, integer: true },
    ),
    json: values.json === true,
    ...(service !== undefined && { serviceEntry: service }),
  };
}
