import { k8s } from 'cdk8s-plus-27';
import type { WorkloadMeta } from './metadata.ts';
import { assertInt, fail, InvalidPropError, show, withDefaults } from './validate.ts';

/** CPU, memory and ephemeral storage of one container, requests or limits. */
export interface ResourceAmounts {
  /** CPU in millicores (1000 = one vCPU). */
  readonly cpuMillis: number;
  /** Memory in MiB. */
  readonly memoryMiB: number;
  /** Ephemeral storage (container writable layer, logs, emptyDir) in MiB. */
  readonly ephemeralStorageMiB: number;
}

/** Requests and limits of one container. */
export interface ContainerResources {
  readonly requests: ResourceAmounts;
  readonly limits: ResourceAmounts;
}

/** Requests and limits of the pod's two containers. */
export interface ResourcesOptions {
  /** @default DEFAULT_RESOURCES.nginx */
  readonly nginx?: ContainerResources;
  /** @default DEFAULT_RESOURCES.inference */
  readonly inference?: ContainerResources;
}

/**
 * Pod placement across failure domains (`maxSkew: 1` per zone and per node, counted per
 * ReplicaSet).
 * @see https://kubernetes.io/docs/concepts/scheduling-eviction/topology-spread-constraints/
 */
export interface TopologySpreadOptions {
  /**
   * What to do when zones cannot be balanced. `ScheduleAnyway` is only a preference: the
   * minimum replicas can all land in one zone. `DoNotSchedule` holds the spread, but a pod stays
   * Pending when no zone can take it, and nodes without a `topology.kubernetes.io/zone` label
   * (kind, minikube) cannot run the pods at all.
   * @default 'ScheduleAnyway'
   */
  readonly zones?: 'ScheduleAnyway' | 'DoNotSchedule';
  /**
   * Zones the pods must cover before any zone takes a second one (`minDomains`, requires
   * `zones: 'DoNotSchedule'`). The scheduler only counts zones that have nodes already, so
   * without it a regional cluster whose nodes sit in one zone (a new Autopilot cluster, a
   * Standard pool scaled down) gets every pod in that zone; with it the extra pods wait
   * Pending until the cluster autoscaler (or Autopilot) adds a node in another zone. Set it to
   * `min(autoscaling.minReplicas, zones in the region)` on regional clusters (GKE regions have
   * at least 3 zones). Never set it above the zones the cluster can reach: on a zonal cluster
   * the pods beyond the first would stay Pending.
   * @see https://kubernetes.io/docs/concepts/scheduling-eviction/topology-spread-constraints/#spread-constraint-definition
   * @see https://cloud.google.com/kubernetes-engine/docs/concepts/regional-clusters
   * @default undefined (no minDomains)
   */
  readonly minZones?: number;
  /** What to do when nodes cannot be balanced. @default 'ScheduleAnyway' */
  readonly nodes?: 'ScheduleAnyway' | 'DoNotSchedule';
}

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
export function resolveResources(options: ResourcesOptions = {}): Resources {
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

/** A container's requests and limits as Kubernetes quantities. */
export function resourceRequirements(r: ContainerResources): k8s.ResourceRequirements {
  const amounts = (a: ResourceAmounts) => ({
    cpu: k8s.Quantity.fromString(`${a.cpuMillis}m`),
    memory: k8s.Quantity.fromString(`${a.memoryMiB}Mi`),
    'ephemeral-storage': k8s.Quantity.fromString(`${a.ephemeralStorageMiB}Mi`),
  });
  return { requests: amounts(r.requests), limits: amounts(r.limits) };
}

function constraint(
  meta: WorkloadMeta,
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
    labelSelector: { matchLabels: { ...meta.selector } },
    // Balance each ReplicaSet on its own, so a rollout does not skew the new pods.
    matchLabelKeys: ['pod-template-hash'],
  };
}

/** The pods' spread over zones and nodes. */
export function topologySpreadConstraints(
  meta: WorkloadMeta,
  spread: ResolvedTopologySpread,
): k8s.TopologySpreadConstraint[] {
  const { zones, nodes, minZones } = spread;
  return [
    constraint(meta, 'topology.kubernetes.io/zone', zones, minZones),
    constraint(meta, 'kubernetes.io/hostname', nodes),
  ];
}
