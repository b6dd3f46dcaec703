import type { k8s } from 'cdk8s-plus-27';
import { selectorLabels } from './metadata.ts';
import { assertInt, fail, InvalidPropError, show, withDefaults } from './validate.ts';
import type {
  ContainerResources,
  InferenceWorkloadProps,
  TopologySpreadOptions,
} from './workload-props.ts';
import type { WorkloadSettings } from './workload-settings.ts';

/**
 * Default requests and limits. The pod requests 600m CPU and 640 MiB in all, above GKE
 * Autopilot's general-purpose minimum (250m / 512 MiB per pod) and within its CPU:memory ratio
 * (1 vCPU : 1-6.5 GiB). Memory limits equal requests (no overcommit, no surprise OOM kill under
 * node pressure); CPU limits exceed requests so short spikes can burst.
 * @see https://cloud.google.com/kubernetes-engine/docs/concepts/autopilot-resource-requests
 */
export const DEFAULT_RESOURCES: {
  readonly nginx: ContainerResources;
  readonly inference: ContainerResources;
} = {
  nginx: {
    requests: { cpuMillis: 100, memoryMiB: 128, ephemeralStorageMiB: 64 },
    limits: { cpuMillis: 500, memoryMiB: 128, ephemeralStorageMiB: 256 },
  },
  inference: {
    requests: { cpuMillis: 500, memoryMiB: 512, ephemeralStorageMiB: 128 },
    limits: { cpuMillis: 1000, memoryMiB: 512, ephemeralStorageMiB: 512 },
  },
};

/** Both containers' requests and limits. */
export type Resources = typeof DEFAULT_RESOURCES;

/** Applies {@link DEFAULT_RESOURCES} per container and validates the amounts. */
export function resolveResources(options: InferenceWorkloadProps['resources'] = {}): Resources {
  const resources = withDefaults(DEFAULT_RESOURCES, options);
  for (const container of ['nginx', 'inference'] as const) {
    const r = resources[container];
    for (const key of ['cpuMillis', 'memoryMiB', 'ephemeralStorageMiB'] as const) {
      const prefix = `resources.${container}`;
      assertInt(`${prefix}.requests.${key}`, r.requests[key], 1);
      assertInt(`${prefix}.limits.${key}`, r.limits[key], 1);
      if (r.limits[key] < r.requests[key]) {
        throw new InvalidPropError(
          `${show(`${prefix}.limits.${key}`, r.limits[key])} must be >= ${show(`${prefix}.requests.${key}`, r.requests[key])}`,
        );
      }
    }
  }
  return resources;
}

/** The defaults of {@link TopologySpreadOptions} (`minZones` has none). */
export const TOPOLOGY_SPREAD_DEFAULTS = {
  zones: 'ScheduleAnyway',
  nodes: 'ScheduleAnyway',
} as const satisfies Required<Omit<TopologySpreadOptions, 'minZones'>>;

/** {@link TopologySpreadOptions} with defaults applied. */
export type ResolvedTopologySpread = Required<Omit<TopologySpreadOptions, 'minZones'>> &
  Pick<TopologySpreadOptions, 'minZones'>;

/** Applies the defaults of {@link TopologySpreadOptions} and validates them. */
export function resolveTopologySpread(options: TopologySpreadOptions = {}): ResolvedTopologySpread {
  const spread: ResolvedTopologySpread = withDefaults(TOPOLOGY_SPREAD_DEFAULTS, options);
  const { zones, minZones } = spread;
  if (minZones !== undefined) {
    assertInt('topologySpread.minZones', minZones, 1, 100);
    if (zones !== 'DoNotSchedule') {
      fail(
        'topologySpread.minZones',
        minZones,
        `requires 'topologySpread.zones' DoNotSchedule (Kubernetes rejects minDomains with ${zones})`,
      );
    }
  }
  return spread;
}

function constraint(
  s: WorkloadSettings,
  topologyKey: string,
  mode: string,
  minDomains?: number,
): k8s.TopologySpreadConstraint {
  return {
    maxSkew: 1,
    topologyKey,
    whenUnsatisfiable: mode,
    // Counts zones without pods (or nodes) yet, so the minimum replicas cannot share one.
    ...(minDomains === undefined ? {} : { minDomains }),
    labelSelector: { matchLabels: selectorLabels(s) },
    // Balance each ReplicaSet on its own, so a rollout does not skew the new pods.
    matchLabelKeys: ['pod-template-hash'],
  };
}

/** The pods' spread over zones and nodes. */
export function topologySpreadConstraints(s: WorkloadSettings): k8s.TopologySpreadConstraint[] {
  const { zones, nodes, minZones } = s.topologySpread;
  return [
    constraint(s, 'topology.kubernetes.io/zone', zones, minZones),
    constraint(s, 'kubernetes.io/hostname', nodes),
  ];
}
