import { OPERATIONAL_ROUTES, POD_PORTS } from '@modelship/contract';
import type { WorkloadMeta } from './metadata.ts';
import { fail } from './validate.ts';
import { type ApiKeysOptions, type ResolvedApiKeys, resolveApiKeys } from './workload-api-keys.ts';
import {
  type DeploymentOptions,
  type ResolvedDeployment,
  resolveDeployment,
} from './workload-deployment.ts';
import { type IdentityProps, type ResolvedIdentity, resolveIdentity } from './workload-identity.ts';
import {
  type InferenceImageProps,
  type InferenceServiceOptions,
  type ResolvedInference,
  type ResolvedInferenceImage,
  resolveInference,
  resolveInferenceImage,
} from './workload-inference.ts';
import {
  type IngressOptions,
  loadBalancerNginxDefaults,
  type ResolvedIngress,
  resolveIngress,
} from './workload-ingress.ts';
import {
  type ModelSourceOptions,
  type ResolvedModelSource,
  resolveModelSource,
} from './workload-model-source.ts';
import {
  type MetricsOptions,
  type ResolvedMetrics,
  resolveMetrics,
} from './workload-monitoring.ts';
import { type EgressProps, type ResolvedEgress, resolveEgress } from './workload-network-policy.ts';
import {
  DEFAULT_CONNECTION_LIMIT,
  DEFAULT_RATE_LIMIT,
  type NginxProps,
  type ResolvedNginx,
  resolveNginx,
} from './workload-nginx.ts';
import {
  type ResolvedTopologySpread,
  type Resources,
  type ResourcesOptions,
  resolveResources,
  resolveTopologySpread,
  type TopologySpreadOptions,
} from './workload-placement.ts';
import {
  type AutoscalingOptions,
  type DisruptionOptions,
  type ResolvedAutoscaling,
  type ResolvedDisruption,
  resolveAutoscaling,
  resolveDisruption,
} from './workload-scaling.ts';
import { type ResolvedService, resolveService, type ServiceOptions } from './workload-service.ts';
import {
  resolveTermination,
  type TerminationOptions,
  type TerminationTimeline,
} from './workload-termination.ts';
import { type ResolvedTls, resolveTls, type TlsOptions } from './workload-tls.ts';

/** Props for {@link InferenceWorkload}: each section's options, composed. */
export interface InferenceWorkloadProps
  extends IdentityProps,
    InferenceImageProps,
    NginxProps,
    DeploymentOptions,
    DisruptionOptions,
    EgressProps {
  /**
   * Where the served model comes from: the image (`{ source: 'image' }`), or a versioned source
   * in a Cloud Storage bucket mounted read-only by the GKE Cloud Storage FUSE CSI driver
   * (`{ source: 'gcs', bucket, prefix }`): MODEL_DIR then points at the mount and hot reload
   * follows the bucket's `current` object. The pods' ServiceAccount needs
   * `roles/storage.objectViewer` on the bucket (Workload Identity Federation; see docs/model-versions.md).
   * @default { source: 'image' }
   */
  readonly modelSource?: ModelSourceOptions;
  /** The inference container's settings. @default {} */
  readonly inference?: InferenceServiceOptions;
  /** Prometheus metrics for in-cluster scrapers. @default {} */
  readonly metrics?: MetricsOptions;
  /** Requests and limits. @default DEFAULT_RESOURCES */
  readonly resources?: ResourcesOptions;
  /** @default {} */
  readonly autoscaling?: AutoscalingOptions;
  /** @default {} */
  readonly service?: ServiceOptions;
  /** @default { enabled: false } */
  readonly ingress?: IngressOptions;
  /**
   * HTTPS at nginx (HTTP/1.1 and HTTP/2) from a `kubernetes.io/tls` Secret: the Service
   * exposes 443 and its plain port redirects to it; a renewed Secret is served without a
   * restart. `false` is plain HTTP. Required for a LoadBalancer Service without an Ingress (a
   * plain-HTTP load balancer must be asked for); not allowed with an Ingress, whose load
   * balancer terminates TLS.
   * @default false for a ClusterIP or NodePort Service or with an Ingress; required otherwise
   */
  readonly tls?: TlsOptions | false;
  /**
   * API keys: the Secret of hashed keys (`modelship apikey create` lines under the data key
   * `keys`), mounted read-only into the inference container and named by `API_KEYS_FILE`; a
   * changed Secret is picked up without a restart. `false`: no keys (anyone may call).
   * @default false
   */
  readonly apiKeys?: ApiKeysOptions | false;
  /** @default {} */
  readonly topologySpread?: TopologySpreadOptions;
  /**
   * The termination sequence (nginx's drain, the service's delay and drain, the grace period),
   * derived from these few numbers (`TerminationTimeline` in workload-termination.ts).
   * @default {}
   */
  readonly termination?: TerminationOptions;
}

/** Every section of {@link InferenceWorkloadProps} with defaults applied and validated. */
export interface WorkloadSettings {
  /** The names and labels of every object. */
  readonly meta: WorkloadMeta;
  readonly name: string;
  readonly namespace: string | undefined;
  readonly identity: ResolvedIdentity;
  readonly image: ResolvedInferenceImage;
  readonly modelSource: ResolvedModelSource;
  readonly inference: ResolvedInference;
  readonly nginx: ResolvedNginx;
  readonly metrics: ResolvedMetrics;
  readonly resources: Resources;
  readonly autoscaling: ResolvedAutoscaling;
  readonly service: ResolvedService;
  readonly ingress: ResolvedIngress;
  readonly tls: ResolvedTls;
  readonly apiKeys: ResolvedApiKeys;
  readonly topologySpread: ResolvedTopologySpread;
  readonly termination: TerminationTimeline;
  readonly deployment: ResolvedDeployment;
  readonly disruption: ResolvedDisruption;
  readonly egress: ResolvedEgress;
}

/**
 * nginx's workers for its container's CPU limit: one per whole CPU, at least one. Workers beyond
 * the CFS quota spend it in parallel and are throttled together, which shows as latency spikes.
 */
export function nginxWorkersFor(cpuLimitMillis: number): number {
  return Math.max(1, Math.ceil(cpuLimitMillis / 1000));
}

/**
 * Applies defaults to {@link InferenceWorkloadProps} and throws on any invalid or inconsistent
 * prop. Each section resolves and validates its own props; what ties sections together is
 * checked here: the pod's ports, the options nginx takes from the other sections, the
 * keep-alive order between nginx and the service, and the termination timeline.
 */
export function resolveWorkloadSettings(props: InferenceWorkloadProps): WorkloadSettings {
  const modelSource = resolveModelSource(props.modelSource);
  const inference = withModelDir(resolveInference(props.inference), modelSource);
  const metrics = resolveMetrics(props.metrics);
  const service = resolveService(props.service);
  const ingress = resolveIngress(props.ingress);
  const tls = resolveTls(props.tls, {
    loadBalancer: service.type === 'LoadBalancer',
    ingress: ingress.enabled,
  });
  assertDistinctPorts(inference, metrics, tls);
  const clientAddress = clientAddressSeen(service, ingress, props.nginx);
  const resources = resolveResources(props.resources);
  const nginxDefaults = {
    ...loadBalancerNginxDefaults(ingress),
    workerProcesses: nginxWorkersFor(resources.nginx.limits.cpuMillis),
    ...(clientAddress
      ? { rateLimit: DEFAULT_RATE_LIMIT, connectionLimit: DEFAULT_CONNECTION_LIMIT }
      : {}),
  };
  const nginx = resolveNginx(props, nginxDefaults, {
    listenPort: POD_PORTS.nginx,
    upstreamHost: '127.0.0.1',
    upstreamPort: inference.port,
    operationsPort: POD_PORTS.operations,
    bodyLimitBytes: inference.bodyLimitBytes,
    metricsPort: metrics.enabled ? metrics.port : false,
    metricsPath: OPERATIONAL_ROUTES.metrics,
    tls: tls === false ? undefined : { port: tls.port, certificateDir: tls.certificateDir },
  });
  if (nginx.options.upstreamKeepaliveTimeoutSeconds >= inference.keepaliveTimeoutSeconds) {
    fail(
      'nginx.upstreamKeepaliveTimeoutSeconds',
      nginx.options.upstreamKeepaliveTimeoutSeconds,
      `must be < 'inference.keepaliveTimeoutSeconds' (${inference.keepaliveTimeoutSeconds}) so that nginx never reuses a connection the service is closing`,
    );
  }
  const image = resolveInferenceImage(props);
  const autoscaling = resolveAutoscaling(props.autoscaling);
  const topologySpread = resolveTopologySpread(props.topologySpread);
  const termination = resolveTermination(props.termination ?? {}, {
    externalTrafficPolicy: service.externalTrafficPolicy,
    nginxStopSeconds: nginx.options.workerShutdownTimeoutSeconds,
    ingress: ingress.enabled,
  });
  const deployment = resolveDeployment(props);
  const disruption = resolveDisruption(props);
  const identity = resolveIdentity(props);
  const egress = resolveEgress(props.egress, {
    workloadIdentity: identity.workloadIdentity,
    gcs: modelSource.source === 'gcs' ? modelSource : undefined,
  });
  if (autoscaling.requests !== undefined && !metrics.podMonitoring) {
    fail(
      'autoscaling.requests',
      autoscaling.requests.signal,
      "needs 'metrics.podMonitoring' (the metric is read from Managed Service for Prometheus)",
    );
  }
  const apiKeys = resolveApiKeys(props.apiKeys);
  if (apiKeys !== false && ingress.enabled && ingress.iap !== undefined) {
    fail(
      'ingress.iap',
      'set',
      "and 'apiKeys' are alternatives: IAP signs people in, keys are for programs (a person behind IAP has no key)",
    );
  }
  const { meta } = identity;
  return {
    meta,
    name: meta.name,
    namespace: meta.namespace,
    identity,
    image,
    modelSource,
    inference,
    nginx,
    metrics,
    resources,
    autoscaling,
    service,
    ingress,
    tls,
    apiKeys,
    topologySpread,
    termination,
    deployment,
    disruption,
    egress,
  };
}

/**
 * Whether nginx sees each client's own address, which its per-address limits key on: behind
 * the Ingress (the load balancer's client-address header), or on a passthrough load balancer
 * with `externalTrafficPolicy: Local`. With `Cluster` the nodes SNAT, so every client behind a
 * node would share one budget: limits set there are refused. Elsewhere (ClusterIP behind a
 * Gateway or port-forward) the peer is a proxy: no limits unless asked for.
 */
function clientAddressSeen(
  service: ResolvedService,
  ingress: ResolvedIngress,
  nginx: NginxProps['nginx'],
): boolean {
  if (ingress.enabled) return true;
  if (service.type === 'ClusterIP') return false;
  if (service.externalTrafficPolicy === 'Local') return true;
  for (const name of ['rateLimit', 'connectionLimit'] as const) {
    const value = nginx?.[name];
    if (value !== undefined && value !== false) {
      fail(
        `nginx.${name}`,
        value,
        "keys on the client's address, which nginx does not see with 'service.externalTrafficPolicy' Cluster (nodes SNAT: every client behind a node would share one budget); set it to 'Local'",
      );
    }
  }
  return false;
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

/**
 * The pod's ports all differ: the fixed ones (nginx's, its HTTPS port, the service's operational
 * listener) and the props' (the service's port, its probe port, nginx's metrics port). A
 * collision names both ports, so that it fails at synth time rather than as a crash-looping pod.
 */
function assertDistinctPorts(
  inference: ResolvedInference,
  metrics: ResolvedMetrics,
  tls: ResolvedTls,
): void {
  const taken: { readonly port: number; readonly what: string }[] = [
    { port: POD_PORTS.nginx, what: `nginx's port ${POD_PORTS.nginx}` },
    ...(tls === false ? [] : [{ port: tls.port, what: `nginx's HTTPS port ${tls.port}` }]),
    {
      port: POD_PORTS.operations,
      what: `the service's operational port ${POD_PORTS.operations} (POD_PORTS.operations)`,
    },
  ];
  const chosen = [
    { prop: 'inference.port', port: inference.port, what: "the service's port" },
    ...(metrics.enabled
      ? [{ prop: 'metrics.port', port: metrics.port, what: "nginx's metrics port" }]
      : []),
    { prop: 'inference.probePort', port: inference.probePort, what: "the service's probe port" },
  ];
  for (const { prop, port, what } of chosen) {
    const other = taken.find((t) => t.port === port);
    if (other) fail(prop, port, `must differ from ${other.what}`);
    taken.push({ port, what: `${what} '${prop}' (${port})` });
  }
}
