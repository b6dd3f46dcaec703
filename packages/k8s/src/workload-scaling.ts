import { SERVICE_METRICS } from '@modelship/contract';
import { k8s } from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import { commonLabels, selectorLabels } from './metadata.ts';
import { assertInt, fail, InvalidPropError, show, withDefaults } from './validate.ts';
import type {
  AutoscalingOptions,
  InferenceWorkloadProps,
  RequestAutoscalingOptions,
} from './workload-props.ts';
import type { WorkloadSettings } from './workload-settings.ts';

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

/** How many pods a rollout adds and a voluntary disruption removes at once. */
export interface Rollout {
  readonly maxSurge: number | string;
  readonly maxUnavailableDuringDisruption: number;
}

/** The defaults of {@link Rollout}. */
export const ROLLOUT_DEFAULTS = {
  maxSurge: '25%',
  maxUnavailableDuringDisruption: 1,
} as const satisfies Rollout;

/** Applies the defaults of `maxSurge` and `maxUnavailableDuringDisruption` and validates them. */
export function resolveRollout(
  props: Pick<InferenceWorkloadProps, 'maxSurge' | 'maxUnavailableDuringDisruption'>,
): Rollout {
  const r: Rollout = withDefaults(ROLLOUT_DEFAULTS, props);
  assertInt('maxUnavailableDuringDisruption', r.maxUnavailableDuringDisruption, 1);
  const surge = r.maxSurge;
  if (
    typeof surge === 'number'
      ? !Number.isInteger(surge) || surge < 1
      : !/^([1-9]\d?|100)%$/.test(surge)
  ) {
    fail(
      'maxSurge',
      surge,
      "must be a positive integer or a percentage '1%'..'100%' (maxUnavailable is 0)",
    );
  }
  return r;
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
 * pod average would count nginx, whose CPU request is small and mostly idle). Scale-up reacts at once (no stabilization) but is bounded to
 * doubling or `scaleUpMaxPodsPer15Seconds` pods per 15 s; scale-down waits for a stabilization
 * window and removes at most a percentage per minute, so noise does not make it flap.
 * @see https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/#container-resource-metrics
 * @see https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/#configurable-scaling-behavior
 */
export function horizontalPodAutoscaler(
  scope: Construct,
  s: WorkloadSettings,
  deploymentName: string,
): k8s.KubeHorizontalPodAutoscalerV2 {
  const a = s.autoscaling;
  return new k8s.KubeHorizontalPodAutoscalerV2(scope, 'hpa', {
    metadata: { name: s.name, namespace: s.namespace, labels: commonLabels(s) },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: deploymentName },
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
  s: WorkloadSettings,
): k8s.KubePodDisruptionBudget {
  return new k8s.KubePodDisruptionBudget(scope, 'pdb', {
    metadata: { name: s.name, namespace: s.namespace, labels: commonLabels(s) },
    spec: {
      maxUnavailable: k8s.IntOrString.fromNumber(s.rollout.maxUnavailableDuringDisruption),
      selector: { matchLabels: selectorLabels(s) },
      unhealthyPodEvictionPolicy: 'AlwaysAllow',
    },
  });
}
