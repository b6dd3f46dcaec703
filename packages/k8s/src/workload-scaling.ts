import { SERVICE_METRICS } from '@modelship/contract';
import { k8s } from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import { objectMeta, type WorkloadMeta } from './metadata.ts';
import { assertInt, fail, InvalidPropError, show, withDefaults } from './validate.ts';

/**
 * Scaling on the service's own load (besides CPU), read from Google Cloud Managed Service for
 * Prometheus through the Custom Metrics Stackdriver Adapter (which must be installed: see
 * docs/gke.md, "Autoscaling on requests").
 */
export interface RequestAutoscalingOptions {
  /**
   * `requestsPerSecond`: the rate of the service's `http_requests_total` per pod;
   * `inFlight`: its `http_requests_in_flight` gauge per pod (requests being answered).
   */
  readonly signal: 'requestsPerSecond' | 'inFlight';
  /** The average per pod to aim for, e.g. 80 % of one pod's measured capacity (`pnpm plan`). */
  readonly targetPerPod: number;
}

/** HorizontalPodAutoscaler settings. */
export interface AutoscalingOptions {
  /**
   * Also scale on requests per second or in-flight requests per pod (a `Pods` metric from
   * Managed Service for Prometheus); the HPA follows whichever of CPU and this asks for more
   * pods. Needs `metrics.podMonitoring`.
   * @see https://cloud.google.com/stackdriver/docs/managed-prometheus/hpa
   * @default undefined (CPU only)
   */
  readonly requests?: RequestAutoscalingOptions;
  /** @default 2 */
  readonly minReplicas?: number;
  /** @default 10 */
  readonly maxReplicas?: number;
  /**
   * Average CPU utilization of the `inference` container, in percent of its CPU request, to aim
   * for (an autoscaling/v2 `ContainerResource` metric: nginx's mostly idle CPU does not dilute
   * it, as it would a pod-level average). Needs Kubernetes ≥ 1.30 (GA), which every supported GKE
   * version has.
   * @see https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/#container-resource-metrics
   * @default 70
   */
  readonly cpuUtilizationPercent?: number;
  /** How long the recommendation must stay lower before scaling down, in seconds. @default 300 */
  readonly scaleDownStabilizationSeconds?: number;
  /** At most this percentage of pods removed per minute. @default 50 */
  readonly scaleDownMaxPercentPerMinute?: number;
  /** At most this many pods added per 15 s (or doubling, whichever is more). @default 4 */
  readonly scaleUpMaxPodsPer15Seconds?: number;
}

/** How many pods a voluntary disruption (a node drain, an upgrade) removes at once. */
export interface DisruptionOptions {
  /** Pods a voluntary disruption may take down at once (PodDisruptionBudget). @default 1 */
  readonly maxUnavailableDuringDisruption?: number;
}

/** The defaults of {@link AutoscalingOptions}. */
export const AUTOSCALING_DEFAULTS = {
  minReplicas: 2,
  maxReplicas: 10,
  cpuUtilizationPercent: 70,
  scaleDownStabilizationSeconds: 300,
  scaleDownMaxPercentPerMinute: 50,
  scaleUpMaxPodsPer15Seconds: 4,
} as const satisfies Required<Omit<AutoscalingOptions, 'requests'>>;

/** {@link AutoscalingOptions} with defaults applied (`requests` has none: CPU only). */
export type ResolvedAutoscaling = Required<Omit<AutoscalingOptions, 'requests'>> &
  Pick<AutoscalingOptions, 'requests'>;

/** Applies the defaults of {@link AutoscalingOptions} and validates them. */
export function resolveAutoscaling(options: AutoscalingOptions = {}): ResolvedAutoscaling {
  const a: ResolvedAutoscaling = withDefaults(AUTOSCALING_DEFAULTS, options);
  assertInt('autoscaling.minReplicas', a.minReplicas, 1);
  assertInt('autoscaling.maxReplicas', a.maxReplicas, 1);
  if (a.minReplicas > a.maxReplicas) {
    throw new InvalidPropError(
      `${show('autoscaling.minReplicas', a.minReplicas)} must be <= ${show('autoscaling.maxReplicas', a.maxReplicas)}`,
    );
  }
  assertInt('autoscaling.cpuUtilizationPercent', a.cpuUtilizationPercent, 1, 100);
  assertInt('autoscaling.scaleDownStabilizationSeconds', a.scaleDownStabilizationSeconds, 0, 3600);
  assertInt('autoscaling.scaleDownMaxPercentPerMinute', a.scaleDownMaxPercentPerMinute, 1, 100);
  assertInt('autoscaling.scaleUpMaxPodsPer15Seconds', a.scaleUpMaxPodsPer15Seconds, 1);
  if (a.requests !== undefined) {
    const { signal, targetPerPod } = a.requests;
    if (signal !== 'requestsPerSecond' && signal !== 'inFlight') {
      fail('autoscaling.requests.signal', signal, "must be 'requestsPerSecond' or 'inFlight'");
    }
    if (!Number.isFinite(targetPerPod) || targetPerPod <= 0 || targetPerPod > 1e6) {
      fail('autoscaling.requests.targetPerPod', targetPerPod, 'must be a number in (0, 1000000]');
    }
  }
  return a;
}

/** {@link DisruptionOptions} with defaults applied. */
export type ResolvedDisruption = Required<DisruptionOptions>;

/** The defaults of {@link DisruptionOptions}. */
export const DISRUPTION_DEFAULTS = {
  maxUnavailableDuringDisruption: 1,
} as const satisfies ResolvedDisruption;

/** Applies the defaults of {@link DisruptionOptions} and validates them. */
export function resolveDisruption(props: DisruptionOptions): ResolvedDisruption {
  const max =
    props.maxUnavailableDuringDisruption ?? DISRUPTION_DEFAULTS.maxUnavailableDuringDisruption;
  assertInt('maxUnavailableDuringDisruption', max, 1);
  return { maxUnavailableDuringDisruption: max };
}

/**
 * The HPA's name for one of the service's Prometheus metrics as Managed Service for Prometheus
 * stores it (`prometheus.googleapis.com|NAME|KIND`); the Custom Metrics Stackdriver Adapter
 * serves a counter as its rate per second.
 * @see https://cloud.google.com/stackdriver/docs/managed-prometheus/hpa
 */
export function managedPrometheusMetric(name: string, kind: 'counter' | 'gauge'): string {
  return `prometheus.googleapis.com|${name}|${kind}`;
}

/** The `Pods` metric for {@link RequestAutoscalingOptions}: an average per pod. */
function requestsMetric(r: RequestAutoscalingOptions): k8s.MetricSpecV2 {
  const name =
    r.signal === 'requestsPerSecond'
      ? managedPrometheusMetric(SERVICE_METRICS.requests, 'counter')
      : managedPrometheusMetric(SERVICE_METRICS.inFlight, 'gauge');
  return {
    type: 'Pods',
    pods: {
      metric: { name },
      target: {
        type: 'AverageValue',
        averageValue: k8s.Quantity.fromString(String(r.targetPerPod)),
      },
    },
  };
}

/** The container whose CPU the HPA measures (the pod template's inference container). */
export const AUTOSCALED_CONTAINER = 'inference';

/**
 * An autoscaling/v2 HPA on the inference container's CPU (a `ContainerResource` metric: the
 * pod average would count nginx, whose CPU request is small and mostly idle). Scale-up reacts at
 * once (no stabilization) but is bounded to doubling or `scaleUpMaxPodsPer15Seconds` pods per 15 s; scale-down waits for a stabilization
 * window and removes at most a percentage per minute, so noise does not make it flap.
 * @see https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/#container-resource-metrics
 * @see https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/#configurable-scaling-behavior
 */
export function horizontalPodAutoscaler(
  scope: Construct,
  meta: WorkloadMeta,
  a: ResolvedAutoscaling,
): k8s.KubeHorizontalPodAutoscalerV2 {
  return new k8s.KubeHorizontalPodAutoscalerV2(scope, 'hpa', {
    metadata: objectMeta(meta),
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: meta.name },
      minReplicas: a.minReplicas,
      maxReplicas: a.maxReplicas,
      metrics: [
        {
          type: 'ContainerResource',
          containerResource: {
            name: 'cpu',
            container: AUTOSCALED_CONTAINER,
            target: { type: 'Utilization', averageUtilization: a.cpuUtilizationPercent },
          },
        },
        ...(a.requests ? [requestsMetric(a.requests)] : []),
      ],
      behavior: {
        scaleUp: {
          stabilizationWindowSeconds: 0,
          selectPolicy: 'Max',
          policies: [
            { type: 'Percent', value: 100, periodSeconds: 15 },
            { type: 'Pods', value: a.scaleUpMaxPodsPer15Seconds, periodSeconds: 15 },
          ],
        },
        scaleDown: {
          stabilizationWindowSeconds: a.scaleDownStabilizationSeconds,
          selectPolicy: 'Max',
          policies: [{ type: 'Percent', value: a.scaleDownMaxPercentPerMinute, periodSeconds: 60 }],
        },
      },
    },
  });
}

/**
 * A PodDisruptionBudget: node drains and upgrades evict at most `maxUnavailableDuringDisruption`
 * pods at a time. Unhealthy pods may always be evicted, so a broken rollout never blocks a drain.
 * @see https://kubernetes.io/docs/tasks/run-application/configure-pdb/
 */
export function podDisruptionBudget(
  scope: Construct,
  meta: WorkloadMeta,
  disruption: ResolvedDisruption,
): k8s.KubePodDisruptionBudget {
  return new k8s.KubePodDisruptionBudget(scope, 'pdb', {
    metadata: objectMeta(meta),
    spec: {
      maxUnavailable: k8s.IntOrString.fromNumber(disruption.maxUnavailableDuringDisruption),
      selector: { matchLabels: { ...meta.selector } },
      unhealthyPodEvictionPolicy: 'AlwaysAllow',
    },
  });
}
