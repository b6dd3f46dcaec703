import { OPERATIONAL_ROUTES, POD_PORTS } from '@modelship/contract';
import { assertPinnedImage, defaultPullPolicy } from './image-reference.ts';
import {
  DERIVED_NGINX_OPTIONS,
  type ResolvedNginxConfOptions,
  resolveNginxConfOptions,
} from './nginx-conf-options.ts';
import { assertDnsLabel, fail } from './validate.ts';
import { type ResolvedInference, resolveInference } from './workload-inference.ts';
import { type ResolvedModelSource, resolveModelSource } from './workload-model-source.ts';
import { resolveMetrics } from './workload-monitoring.ts';
import {
  loadBalancerNginxDefaults,
  type ResolvedIngress,
  type ResolvedService,
  resolveEgress,
  resolveIngress,
  resolveService,
} from './workload-networking.ts';
import {
  type ResolvedTopologySpread,
  type Resources,
  resolveResources,
  resolveTopologySpread,
} from './workload-placement.ts';
import {
  DEFAULT_NGINX_IMAGE,
  type EgressOptions,
  type InferenceWorkloadProps,
  type MetricsOptions,
  type ModelMetadata,
} from './workload-props.ts';
import {
  type ResolvedAutoscaling,
  type Rollout,
  resolveAutoscaling,
  resolveRollout,
} from './workload-scaling.ts';
import { resolveTermination, type TerminationTimeline } from './workload-termination.ts';

/** Every prop of {@link InferenceWorkloadProps} with defaults applied and validated. */
export interface WorkloadSettings {
  readonly name: string;
  readonly namespace: string | undefined;
  readonly image: string;
  readonly imagePullPolicy: NonNullable<InferenceWorkloadProps['imagePullPolicy']>;
  readonly nginxImage: string;
  readonly nginxImagePullPolicy: NonNullable<InferenceWorkloadProps['nginxImagePullPolicy']>;
  readonly model: ModelMetadata | undefined;
  readonly modelSource: ResolvedModelSource;
  readonly appVersion: string | undefined;
  readonly inference: ResolvedInference;
  readonly nginx: ResolvedNginxConfOptions;
  readonly metrics: ReturnType<typeof resolveMetrics>;
  readonly resources: Resources;
  readonly autoscaling: ResolvedAutoscaling;
  readonly service: ResolvedService;
  readonly ingress: ResolvedIngress;
  readonly topologySpread: ResolvedTopologySpread;
  readonly termination: TerminationTimeline;
  readonly rollout: Rollout;
  readonly egress: Required<EgressOptions>;
  readonly serviceAccountAnnotations: Readonly<Record<string, string>>;
}

/**
 * Applies defaults to {@link InferenceWorkloadProps} and throws on any invalid or inconsistent
 * prop. Each section resolves and validates its own props (`resolveInference`,
 * `resolveNginxConfOptions`, `resolveMetrics`, `resolveService`, ...); what ties sections
 * together is checked here: the pod's ports, the options nginx takes from the other sections,
 * the keep-alive order between nginx and the service, and the termination timeline.
 */
export function resolveWorkloadSettings(props: InferenceWorkloadProps): WorkloadSettings {
  const modelSource = resolveModelSource(props.modelSource);
  const inference = withModelDir(resolveInference(props.inference), modelSource);
  const metrics = resolveMetrics(props.metrics);
  const service = resolveService(props.service);
  const ingress = resolveIngress(props.ingress);
  assertDistinctPorts(inference, metrics);
  const nginx = resolveNginx(props, { inference, metrics, ingress });
  if (nginx.upstreamKeepaliveTimeoutSeconds >= inference.keepaliveTimeoutSeconds) {
    fail(
      'nginx.upstreamKeepaliveTimeoutSeconds',
      nginx.upstreamKeepaliveTimeoutSeconds,
      `must be < 'inference.keepaliveTimeoutSeconds' (${inference.keepaliveTimeoutSeconds}) so that nginx never reuses a connection the service is closing`,
    );
  }
  const image = assertPinnedImage('image', props.image);
  const nginxImage = props.nginxImage ?? DEFAULT_NGINX_IMAGE;
  const nginxImageReference = assertPinnedImage('nginxImage', nginxImage);
  const settings: WorkloadSettings = {
    name: props.name ?? 'inference',
    namespace: props.namespace,
    image: props.image,
    imagePullPolicy: props.imagePullPolicy ?? defaultPullPolicy(image),
    nginxImage,
    nginxImagePullPolicy: props.nginxImagePullPolicy ?? defaultPullPolicy(nginxImageReference),
    model: props.model,
    modelSource,
    appVersion: props.appVersion ?? props.model?.version,
    inference,
    nginx,
    metrics,
    resources: resolveResources(props.resources),
    autoscaling: resolveAutoscaling(props.autoscaling),
    service,
    ingress,
    topologySpread: resolveTopologySpread(props.topologySpread),
    termination: resolveTermination(props.termination ?? {}, {
      externalTrafficPolicy: service.externalTrafficPolicy,
      nginxStopSeconds: nginx.workerShutdownTimeoutSeconds,
    }),
    rollout: resolveRollout(props),
    egress: resolveEgress(props, modelSource),
    serviceAccountAnnotations: props.serviceAccountAnnotations ?? {},
  };
  validateIdentity(settings);
  if (settings.autoscaling.requests !== undefined && !settings.metrics.podMonitoring) {
    fail(
      'autoscaling.requests',
      settings.autoscaling.requests.signal,
      "needs 'metrics.podMonitoring' (the metric is read from Managed Service for Prometheus)",
    );
  }
  return settings;
}

/** MODEL_DIR at the bucket's mount for a `gcs` source (which `inference.modelDir` may not contradict). */
function withModelDir(
  inference: ResolvedInference,
  source: ResolvedModelSource,
): ResolvedInference {
  if (source.source === 'image') return inference;
  if (inference.modelDir !== undefined && inference.modelDir !== source.mountPath) {
    fail(
      'inference.modelDir',
      inference.modelDir,
      `is set by 'modelSource' (the bucket is mounted at ${source.mountPath}); set 'modelSource.mountPath' instead`,
    );
  }
  return { ...inference, modelDir: source.mountPath };
}

/** nginx's options: the user's, over the load balancers' defaults, with the derived ones. */
function resolveNginx(
  props: InferenceWorkloadProps,
  sections: {
    readonly inference: ResolvedInference;
    readonly metrics: ReturnType<typeof resolveMetrics>;
    readonly ingress: ResolvedIngress;
  },
): ResolvedNginxConfOptions {
  const own = (props.nginx ?? {}) as Readonly<Record<string, unknown>>;
  for (const derived of DERIVED_NGINX_OPTIONS) {
    if (own[derived] !== undefined) {
      fail(`nginx.${derived}`, own[derived], 'is derived by the construct and may not be set');
    }
  }
  const { inference, metrics, ingress } = sections;
  return resolveNginxConfOptions(
    {
      ...loadBalancerNginxDefaults(ingress),
      ...props.nginx,
      listenPort: POD_PORTS.nginx,
      upstreamHost: '127.0.0.1',
      upstreamPort: inference.port,
      bodyLimitBytes: inference.bodyLimitBytes,
      metricsPort: metrics.enabled ? metrics.port : false,
      metricsPath: OPERATIONAL_ROUTES.metrics,
    },
    'nginx.',
  );
}

/** The pod's ports: nginx's, the service's, its probe port and the metrics port all differ. */
function assertDistinctPorts(
  inference: ResolvedInference,
  metrics: Required<MetricsOptions>,
): void {
  if (inference.port === POD_PORTS.nginx) {
    fail('inference.port', inference.port, `must differ from nginx's port ${POD_PORTS.nginx}`);
  }
  if (metrics.port === POD_PORTS.nginx || metrics.port === inference.port) {
    fail('metrics.port', metrics.port, `must differ from nginx's port 8080 and 'inference.port'`);
  }
  const taken = [POD_PORTS.nginx, inference.port, ...(metrics.enabled ? [metrics.port] : [])];
  if (taken.includes(inference.probePort)) {
    fail(
      'inference.probePort',
      inference.probePort,
      `must differ from nginx's ports and 'inference.port' (${taken.join(', ')})`,
    );
  }
}

function validateIdentity(s: WorkloadSettings): void {
  // Derived names (`<name>-nginx`, `<name>-backendconfig`) must stay valid DNS labels.
  assertDnsLabel('name', s.name, 40);
  if (!/^[a-z]/.test(s.name)) fail('name', s.name, 'must start with a letter (Service names)');
  if (s.namespace !== undefined) assertDnsLabel('namespace', s.namespace);
  if (
    s.appVersion !== undefined &&
    !/^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)$/.test(s.appVersion)
  ) {
    fail(
      'appVersion',
      s.appVersion,
      'must be a valid label value (63 characters: letters, digits, -_.)',
    );
  }
}
