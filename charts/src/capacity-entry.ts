/**
 * The shape of `capacity.ts`, which `pnpm plan --write` generates (apps/bench/src/plan): one
 * environment's measured capacity and the autoscaling and resources derived from it.
 */
import type { ContainerResources, InferenceWorkloadProps } from '@modelship/k8s';

/** What a plan sets in an environment's workload. */
export interface CapacityOverrides {
  readonly autoscaling: NonNullable<InferenceWorkloadProps['autoscaling']>;
  readonly resources: {
    readonly nginx: ContainerResources;
    readonly inference: ContainerResources;
  };
}

/** One environment's plan: the command that wrote it, what it measured, what it sets. */
export interface CapacityEntry {
  readonly command: string;
  readonly writtenAt: string;
  readonly measured: {
    readonly capacityRps: number;
    readonly p99Ms: number;
    readonly p99LimitMs: number;
    readonly connections: number;
    readonly serviceCpuUsPerRequest: number;
    readonly nginxCpuUsPerRequest: number;
    readonly machine: string;
  };
  readonly targetRps: number;
  readonly utilizationPercent: number;
  /** The environment's own values this plan replaces (a later plan starts from them again). */
  readonly replaces: CapacityOverrides;
  readonly workload: CapacityOverrides;
}
