import type { ContainerResources } from '@modelship/k8s';

/** What one pod was measured to sustain (see {@link stepLoad} in `step.ts`). */
export interface MeasuredCapacity {
  /** Requests per second at the capacity level (p99 within the limit, no errors). */
  readonly capacityRps: number;
  /** The service's CPU seconds per request at that level (its whole process tree). */
  readonly serviceCpuPerRequestS: number;
  /** nginx's CPU seconds per request at that level (master and workers). */
  readonly nginxCpuPerRequestS: number;
}

/** The choices a plan is computed with (the command's flags, the environment's floor). */
export interface PlanChoices {
  /** The traffic to serve, requests per second (`--rps`). */
  readonly targetRps: number;
  /** The share of a pod's capacity it is planned to carry, in percent (`--utilization`). @default 70 */
  readonly utilizationPercent: number;
  /** The fewest pods the environment runs whatever the traffic (2 on GKE: two zones). */
  readonly minReplicasFloor: number;
  /** `maxReplicas` is this many times `minReplicas`: room for that multiple of `--rps`. @default 2 */
  readonly burstFactor: number;
  /** The environment's current resources: memory and storage are kept, CPU limits only raised. */
  readonly current: { readonly nginx: ContainerResources; readonly inference: ContainerResources };
}

/** What the plan recommends for one environment. */
export interface CapacityPlan {
  /** Requests per second one pod is planned to carry: `utilization × capacity`. */
  readonly targetPerPodRps: number;
  /** Pods needed for `targetRps` at `targetPerPodRps` each. */
  readonly replicasNeeded: number;
  readonly autoscaling: {
    readonly minReplicas: number;
    readonly maxReplicas: number;
    /** The HPA's target, in percent of the inference container's CPU request. */
    readonly cpuUtilizationPercent: number;
    /** `autoscaling.requests.targetPerPod` for `signal: 'requestsPerSecond'`. */
    readonly requestsPerSecondPerPod: number;
  };
  readonly resources: {
    readonly nginx: ContainerResources;
    readonly inference: ContainerResources;
  };
}

/** CPU requests are rounded up to this many millicores. */
export const CPU_STEP_MILLIS = 50;

/** Thrown when a measurement or a choice cannot make a plan; the message says which. */
export class PlanError extends Error {
  override name = 'PlanError';
}

function roundUp(value: number, step: number): number {
  return Math.max(step, Math.ceil(value / step - 1e-9) * step);
}

function check(name: string, value: number, ok: boolean, rule: string): void {
  if (!Number.isFinite(value) || !ok) throw new PlanError(`${name} (${value}) ${rule}`);
}

/** Rejects measurements and choices no plan can be made from (zero capacity, no CPU, ...). */
export function validateInputs(m: MeasuredCapacity, c: PlanChoices): void {
  check('capacity', m.capacityRps, m.capacityRps > 0, 'must be > 0 req/s');
  check(
    'service CPU per request',
    m.serviceCpuPerRequestS,
    m.serviceCpuPerRequestS > 0,
    'must be > 0 s',
  );
  check(
    'nginx CPU per request',
    m.nginxCpuPerRequestS,
    m.nginxCpuPerRequestS >= 0,
    'must be >= 0 s',
  );
  check('--rps', c.targetRps, c.targetRps > 0, 'must be > 0');
  check(
    '--utilization',
    c.utilizationPercent,
    c.utilizationPercent >= 10 && c.utilizationPercent <= 95,
    'must be between 10 and 95 (percent)',
  );
  check(
    'minReplicasFloor',
    c.minReplicasFloor,
    Number.isInteger(c.minReplicasFloor) && c.minReplicasFloor >= 1,
    'must be an integer >= 1',
  );
  check('burstFactor', c.burstFactor, c.burstFactor >= 1, 'must be >= 1');
}

/** Requests per second one pod should carry: `utilization × capacity`, at least 1. */
export function targetPerPod(capacityRps: number, utilizationPercent: number): number {
  return Math.max(1, Math.floor((capacityRps * utilizationPercent) / 100));
}

/** Pods needed to carry `targetRps` at `perPodRps` each (at least one). */
export function replicasFor(targetRps: number, perPodRps: number): number {
  return Math.max(1, Math.ceil(targetRps / perPodRps - 1e-9));
}

/**
 * A container's CPU request: the millicores it used at capacity, rounded up to
 * {@link CPU_STEP_MILLIS}. Its limit is the current one, or the request if that is higher, so
 * that the limit never throttles a pod below its measured capacity.
 */
export function cpuFor(
  cpuPerRequestS: number,
  capacityRps: number,
  current: ContainerResources,
): ContainerResources {
  const cpuMillis = roundUp(cpuPerRequestS * capacityRps * 1000, CPU_STEP_MILLIS);
  return {
    requests: { ...current.requests, cpuMillis },
    limits: { ...current.limits, cpuMillis: Math.max(cpuMillis, current.limits.cpuMillis) },
  };
}

/**
 * The plan for `choices.targetRps` from one pod's measured capacity.
 *
 * - per-pod target = `utilization` (70 %) of capacity: the headroom absorbs the HPA's reaction
 *   time, a lost zone's share and measurement noise;
 * - minReplicas = max(environment floor, pods needed for `--rps`), so the planned traffic is
 *   served without waiting for a scale-up; maxReplicas = `burstFactor` (2) × minReplicas;
 * - the inference container requests the CPU it used at capacity, so the HPA's CPU target
 *   (`utilization` of the request) is reached at the per-pod target: the same point as the
 *   requests-per-second target (rounding moves it by at most {@link CPU_STEP_MILLIS}).
 */
export function planCapacity(measured: MeasuredCapacity, choices: PlanChoices): CapacityPlan {
  validateInputs(measured, choices);
  const perPod = targetPerPod(measured.capacityRps, choices.utilizationPercent);
  const needed = replicasFor(choices.targetRps, perPod);
  const minReplicas = Math.max(choices.minReplicasFloor, needed);
  const maxReplicas = Math.max(minReplicas, Math.ceil(minReplicas * choices.burstFactor));
  const inference = cpuFor(
    measured.serviceCpuPerRequestS,
    measured.capacityRps,
    choices.current.inference,
  );
  const nginx = cpuFor(measured.nginxCpuPerRequestS, measured.capacityRps, choices.current.nginx);
  const usedAtTargetMillis = perPod * measured.serviceCpuPerRequestS * 1000;
  const cpuUtilizationPercent = Math.min(
    100,
    Math.max(1, Math.round((100 * usedAtTargetMillis) / inference.requests.cpuMillis)),
  );
  return {
    targetPerPodRps: perPod,
    replicasNeeded: needed,
    autoscaling: {
      minReplicas,
      maxReplicas,
      cpuUtilizationPercent,
      requestsPerSecondPerPod: perPod,
    },
    resources: { nginx, inference },
  };
}
