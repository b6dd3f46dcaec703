import type { ContainerResources } from '@modelship/k8s';
import type { PlanArgs } from './args.ts';
import type { CapacityPlan, MeasuredCapacity } from './arithmetic.ts';
import type { CapacityOverrides } from './capacity-file.ts';
import type { Level, StepResult } from './step.ts';

/** Everything `pnpm plan` found and recommends (its `--json` output). */
export interface PlanResult {
  readonly args: PlanArgs;
  readonly machine: {
    readonly cpuModel: string;
    readonly cores: number;
    readonly loadAverage: number;
  };
  readonly step: StepResult;
  readonly capacityLevel: Level;
  readonly measured: MeasuredCapacity;
  readonly plan: CapacityPlan;
  /** The environment's own values the plan replaces. */
  readonly base: CapacityOverrides;
  /** Whether the requests-per-second target is written (the environment has podMonitoring). */
  readonly requestsSignalApplied: boolean;
  /** The file written with `--write`. */
  readonly written?: string;
}

const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const ms = (n: number): string => (n < 10 ? n.toFixed(2) : n.toFixed(1));
const us = (s: number): string => `${Math.round(s * 1e6)} µs`;

function resources(name: string, r: ContainerResources, before: ContainerResources): string {
  const change = (now: number, was: number): string => (now === was ? '' : ` (was ${was}m)`);
  return (
    `${name.padEnd(10)} cpu request ${r.requests.cpuMillis}m${change(r.requests.cpuMillis, before.requests.cpuMillis)}, ` +
    `limit ${r.limits.cpuMillis}m${change(r.limits.cpuMillis, before.limits.cpuMillis)}; ` +
    `memory ${r.requests.memoryMiB}Mi / ${r.limits.memoryMiB}Mi kept`
  );
}

const STOPS: Readonly<Record<StepResult['stop'], string>> = {
  p99: 'p99 went over the limit',
  errors: 'errors appeared',
  plateau: 'throughput stopped rising',
  'max-connections': 'reached --max-connections',
};

/** The text `pnpm plan` prints on stdout. */
export function formatPlan(r: PlanResult): string {
  const { args, measured, plan, capacityLevel: c } = r;
  const before = r.base.resources;
  const perS = (cpuS: number): string => (cpuS / c.durationS).toFixed(2);
  const lines = [
    'Levels (wrk → nginx with the shipped config → service, one record per request):',
    '  connections      req/s   p50 ms   p99 ms  errors',
    ...r.step.levels.map(
      (l) =>
        `  ${String(l.connections).padStart(11)} ${int(l.requestsPerSec).padStart(10)} ${ms(l.p50Ms).padStart(8)} ${ms(l.p99Ms).padStart(8)} ${String(l.errors).padStart(7)}${l === c ? '  ← capacity' : ''}`,
    ),
    `  stopped: ${STOPS[r.step.stop]}`,
    '',
    `Capacity of one pod: ${int(measured.capacityRps)} req/s with p99 ${ms(c.p99Ms)} ms <= ${args.p99Ms} ms (${c.connections} connections)`,
    `  CPU per request: service ${us(measured.serviceCpuPerRequestS)} + nginx ${us(measured.nginxCpuPerRequestS)}` +
      ` (at capacity: service ${perS(c.serviceCpuS)} cores, nginx ${perS(c.nginxCpuS)} cores)` +
      (c.servicePssMiB === undefined
        ? ''
        : `; service memory ${Math.round(c.servicePssMiB)} MiB PSS`),
    '',
    `Plan for ${int(args.rps)} req/s in '${args.env}' (each pod planned at ${args.utilizationPercent} % of its capacity):`,
    `  per-pod target:   ${int(plan.targetPerPodRps)} req/s`,
    `  replicas needed:  ${plan.replicasNeeded}`,
    `  HPA:              minReplicas ${plan.autoscaling.minReplicas}, maxReplicas ${plan.autoscaling.maxReplicas}, ` +
      `CPU target ${plan.autoscaling.cpuUtilizationPercent} % of the inference container's request`,
    `  requests signal:  autoscaling.requests: { signal: 'requestsPerSecond', targetPerPod: ${plan.autoscaling.requestsPerSecondPerPod} }`,
    r.requestsSignalApplied
      ? '                    (written with --write: the environment has metrics.podMonitoring)'
      : `                    (optional: needs metrics.podMonitoring in '${args.env}'; --write leaves it out)`,
    `  resources:        ${resources('inference', plan.resources.inference, before.inference)}`,
    `                    ${resources('nginx', plan.resources.nginx, before.nginx)}`,
    '',
    `Measured on this machine (${r.machine.cpuModel}, ${r.machine.cores} cores, load average ${r.machine.loadAverage}),`,
    '  with wrk, nginx and the service sharing its cores and no CPU limit applied: a GKE node',
    "  has other cores. Run `pnpm plan` on a machine like your nodes (a VM of the node pool's",
    '  machine type with this repository built; no cluster access or `kubectl run` needed) and',
    '  --write from there. A shared, busy machine gives conservative numbers.',
    r.written
      ? `Wrote ${r.written} ('${args.env}'); run \`pnpm synth\` to apply it to dist/.`
      : 'Nothing written: add --write to put these numbers into charts/src/capacity.ts.',
  ];
  return `${lines.join('\n')}\n`;
}
