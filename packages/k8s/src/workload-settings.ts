import { assertPinnedImage, defaultPullPolicy } from './image-reference.ts';
import {
  GOOGLE_LOAD_BALANCER_CIDRS,
  type ResolvedNginxConfOptions,
  resolveNginxConfOptions,
} from './nginx-conf-options.ts';
import {
  assertCidr,
  assertDnsLabel,
  assertInt,
  assertPort,
  fail,
  InvalidPropError,
  show,
} from './validate.ts';
import {
  type AutoscalingOptions,
  type ContainerResources,
  DEFAULT_NGINX_IMAGE,
  type EgressOptions,
  type InferenceServiceOptions,
  type InferenceWorkloadProps,
  type IngressOptions,
  type MetricsOptions,
  type ModelMetadata,
  type ServiceOptions,
  type TopologySpreadOptions,
} from './workload-props.ts';
import { resolveTermination, type TerminationTimeline } from './workload-termination.ts';

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

/** Environment variables the construct sets itself; `inference.env` may not redefine them. */
export const MANAGED_ENV = [
  'PORT',
  'HOST',
  'BODY_LIMIT',
  'SHUTDOWN_DELAY',
  'SHUTDOWN_TIMEOUT',
  'SHUTDOWN_READINESS',
  'PROBE_PORT',
  'KEEPALIVE_TIMEOUT',
  'MAX_BATCH',
  'LOG_LEVEL',
  'MODEL_DIR',
  'GOOGLE_CLOUD_PROJECT',
] as const;

/**
 * A Google Cloud project id: 6-30 lowercase letters, digits and hyphens, starting with a
 * letter (optionally domain-scoped, `example.com:project`).
 */
export const GOOGLE_CLOUD_PROJECT_ID = /^(?:[a-z0-9.-]+:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$/;

/** Every prop of {@link InferenceWorkloadProps} with defaults applied and validated. */
export interface WorkloadSettings {
  readonly name: string;
  readonly namespace: string | undefined;
  readonly image: string;
  readonly imagePullPolicy: NonNullable<InferenceWorkloadProps['imagePullPolicy']>;
  readonly nginxImage: string;
  readonly nginxImagePullPolicy: NonNullable<InferenceWorkloadProps['nginxImagePullPolicy']>;
  readonly model: ModelMetadata | undefined;
  readonly appVersion: string | undefined;
  readonly inference: Required<Omit<InferenceServiceOptions, 'modelDir' | 'googleCloudProject'>> & {
    readonly modelDir: string | undefined;
    readonly googleCloudProject: string | undefined;
  };
  readonly nginx: ResolvedNginxConfOptions;
  readonly metrics: Required<MetricsOptions>;
  readonly resources: {
    readonly nginx: ContainerResources;
    readonly inference: ContainerResources;
  };
  readonly autoscaling: Required<AutoscalingOptions>;
  readonly service: Required<Omit<ServiceOptions, 'loadBalancerSourceRanges'>> & {
    readonly loadBalancerSourceRanges: readonly string[] | undefined;
  };
  readonly ingress: Required<Omit<IngressOptions, 'host' | 'staticIpName'>> &
    Pick<IngressOptions, 'host' | 'staticIpName'>;
  readonly topologySpread: Required<Omit<TopologySpreadOptions, 'minZones'>> & {
    readonly minZones: number | undefined;
  };
  readonly termination: TerminationTimeline;
  readonly maxSurge: number | string;
  readonly maxUnavailableDuringDisruption: number;
  readonly egress: Required<EgressOptions>;
  readonly serviceAccountAnnotations: Readonly<Record<string, string>>;
}

/** Applies defaults to {@link InferenceWorkloadProps} and throws on any invalid or inconsistent prop. */
export function resolveWorkloadSettings(props: InferenceWorkloadProps): WorkloadSettings {
  const i = props.inference ?? {};
  const inference: WorkloadSettings['inference'] = {
    port: i.port ?? 8081,
    bodyLimitBytes: i.bodyLimitBytes ?? 1_048_576,
    probePort: i.probePort ?? 8082,
    keepaliveTimeoutSeconds: i.keepaliveTimeoutSeconds ?? 65,
    maxBatch: i.maxBatch ?? 1000,
    logLevel: i.logLevel ?? 'info',
    modelDir: i.modelDir,
    googleCloudProject: i.googleCloudProject,
    env: i.env ?? {},
    startupTimeoutSeconds: i.startupTimeoutSeconds ?? 120,
  };
  // Checked before nginx's options are derived from them, so errors name these props.
  assertPort('inference.port', inference.port);
  assertInt('inference.bodyLimitBytes', inference.bodyLimitBytes, 1);
  const nginxOptions = (props.nginx ?? {}) as Record<string, unknown>;
  const m = props.metrics ?? {};
  const metrics: WorkloadSettings['metrics'] = {
    enabled: m.enabled ?? true,
    port: m.port ?? 9090,
    scraperNamespaces: m.scraperNamespaces ?? DEFAULT_SCRAPER_NAMESPACES,
    podMonitoring: m.podMonitoring ?? false,
    scrapeInterval: m.scrapeInterval ?? '30s',
  };
  validateMetrics(metrics, inference.port);
  const derivedNginxOptions = [
    'listenPort',
    'upstreamHost',
    'upstreamPort',
    'bodyLimitBytes',
    'metricsPort',
    'metricsPath',
  ];
  for (const derived of derivedNginxOptions) {
    if (nginxOptions[derived] !== undefined) {
      fail(
        `nginx.${derived}`,
        nginxOptions[derived],
        'is derived by the construct and may not be set',
      );
    }
  }
  const nginx = withPrefix('nginx', () =>
    resolveNginxConfOptions({
      ...loadBalancerNginxDefaults(props.ingress?.enabled ?? false),
      ...props.nginx,
      listenPort: 8080,
      upstreamHost: '127.0.0.1',
      upstreamPort: inference.port,
      bodyLimitBytes: inference.bodyLimitBytes,
      metricsPort: metrics.enabled ? metrics.port : false,
      metricsPath: '/metrics',
    }),
  );
  const a = props.autoscaling ?? {};
  const s = props.service ?? {};
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
    appVersion: props.appVersion ?? props.model?.version,
    inference,
    nginx,
    metrics,
    resources: {
      nginx: props.resources?.nginx ?? DEFAULT_RESOURCES.nginx,
      inference: props.resources?.inference ?? DEFAULT_RESOURCES.inference,
    },
    autoscaling: {
      minReplicas: a.minReplicas ?? 2,
      maxReplicas: a.maxReplicas ?? 10,
      cpuUtilizationPercent: a.cpuUtilizationPercent ?? 70,
      scaleDownStabilizationSeconds: a.scaleDownStabilizationSeconds ?? 300,
      scaleDownMaxPercentPerMinute: a.scaleDownMaxPercentPerMinute ?? 50,
      scaleUpMaxPodsPer15Seconds: a.scaleUpMaxPodsPer15Seconds ?? 4,
    },
    service: {
      type: s.type ?? 'LoadBalancer',
      port: s.port ?? 80,
      loadBalancer: s.loadBalancer ?? 'external',
      backendServiceBased: s.backendServiceBased ?? true,
      externalTrafficPolicy: s.externalTrafficPolicy ?? 'Cluster',
      loadBalancerSourceRanges: s.loadBalancerSourceRanges,
      annotations: s.annotations ?? {},
    },
    ingress: {
      enabled: props.ingress?.enabled ?? false,
      host: props.ingress?.host,
      staticIpName: props.ingress?.staticIpName,
      timeoutSeconds: props.ingress?.timeoutSeconds ?? 60,
    },
    topologySpread: {
      zones: props.topologySpread?.zones ?? 'ScheduleAnyway',
      nodes: props.topologySpread?.nodes ?? 'ScheduleAnyway',
      minZones: props.topologySpread?.minZones,
    },
    termination: resolveTermination(props.termination ?? {}, {
      externalTrafficPolicy: s.externalTrafficPolicy ?? 'Cluster',
      nginxStopSeconds: nginx.workerShutdownTimeoutSeconds,
    }),
    maxSurge: props.maxSurge ?? '25%',
    maxUnavailableDuringDisruption: props.maxUnavailableDuringDisruption ?? 1,
    egress: resolveEgress(props),
    serviceAccountAnnotations: props.serviceAccountAnnotations ?? {},
  };
  validateSettings(settings);
  return settings;
}

/**
 * Where Google Cloud Managed Service for Prometheus runs its collectors: `gke-gmp-system` with
 * GKE's managed collection, `gmp-system` when self-deployed.
 * @see https://cloud.google.com/stackdriver/docs/managed-prometheus/setup-managed
 */
export const DEFAULT_SCRAPER_NAMESPACES: readonly string[] = ['gke-gmp-system', 'gmp-system'];

/** The ServiceAccount annotation that binds the pods to a Google service account. */
export const WORKLOAD_IDENTITY_ANNOTATION = 'iam.gke.io/gcp-service-account';

/** `egress` as two switches; Workload Identity turns on what it needs unless set false. */
function resolveEgress(props: InferenceWorkloadProps): Required<EgressOptions> {
  const e = props.egress ?? 'none';
  const options: EgressOptions = e === 'none' ? {} : e === 'dns' ? { dns: true } : e;
  const workloadIdentity = props.serviceAccountAnnotations?.[WORKLOAD_IDENTITY_ANNOTATION];
  const needed = workloadIdentity !== undefined;
  return { dns: options.dns ?? needed, metadataServer: options.metadataServer ?? needed };
}

/**
 * The request header through which the Ingress's load balancer passes the client's address
 * (a BackendConfig custom request header). Its `X-Forwarded-For` ends with the load balancer's
 * own address, which nginx cannot tell from a client's, so that header is not used.
 * @see https://cloud.google.com/load-balancing/docs/https/custom-headers#variables
 */
export const CLIENT_IP_HEADER = 'X-Client-Ip';

/**
 * nginx defaults that depend on the load balancers in front (props the user sets win):
 * - keep-alive: a passthrough Network Load Balancer leaves connections to the clients, so idle
 *   ones are closed after 75 s; the Ingress's Application Load Balancer keeps its own for 600 s,
 *   and nginx must not close them first (620 s);
 * - the client's address: a passthrough load balancer passes none in a header (nginx sees the
 *   client itself with `externalTrafficPolicy: Local`, a node with `Cluster`), so no header is
 *   trusted; behind the Ingress, {@link CLIENT_IP_HEADER} from Google's proxies only.
 */
function loadBalancerNginxDefaults(ingress: boolean) {
  return ingress
    ? {
        clientKeepaliveTimeoutSeconds: 620,
        realIp: { trustedCidrs: GOOGLE_LOAD_BALANCER_CIDRS, header: CLIENT_IP_HEADER },
      }
    : { clientKeepaliveTimeoutSeconds: 75, realIp: false as const };
}

/** Checked before nginx's options are derived from them, so errors name these props. */
function validateMetrics(m: WorkloadSettings['metrics'], inferencePort: number): void {
  assertPort('metrics.port', m.port);
  if (m.port === 8080 || m.port === inferencePort) {
    fail('metrics.port', m.port, `must differ from nginx's port 8080 and 'inference.port'`);
  }
  m.scraperNamespaces.forEach((namespace, index) => {
    assertDnsLabel(`metrics.scraperNamespaces[${index}]`, namespace);
  });
  if (!/^[1-9]\d*(ms|s|m|h)$/.test(m.scrapeInterval)) {
    fail('metrics.scrapeInterval', m.scrapeInterval, "must be a duration like '30s' or '1m'");
  }
  if (m.podMonitoring && !m.enabled) {
    fail('metrics.podMonitoring', m.podMonitoring, "requires 'metrics.enabled'");
  }
}

/** Re-throws an option error from a nested resolver with the prop's full path. */
function withPrefix<T>(prefix: string, run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof InvalidPropError) {
      throw new InvalidPropError(error.message.replace(/^'/, `'${prefix}.`));
    }
    throw error;
  }
}

function validateSettings(s: WorkloadSettings): void {
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
  validateInference(s);
  validateResources(s);
  validateAutoscaling(s);
  validatePlacement(s);
  validateNetworking(s);
}

function validateInference(s: WorkloadSettings): void {
  const i = s.inference;
  if (i.port === s.nginx.listenPort) {
    fail('inference.port', i.port, `must differ from nginx's port ${s.nginx.listenPort}`);
  }
  assertPort('inference.probePort', i.probePort);
  const taken = [s.nginx.listenPort, i.port, s.nginx.metricsPort];
  if (taken.includes(i.probePort)) {
    fail(
      'inference.probePort',
      i.probePort,
      `must differ from nginx's ports and 'inference.port' (${taken.filter((p) => p !== false).join(', ')})`,
    );
  }
  assertInt('inference.maxBatch', i.maxBatch, 1);
  assertInt('inference.startupTimeoutSeconds', i.startupTimeoutSeconds, 2);
  assertInt('inference.keepaliveTimeoutSeconds', i.keepaliveTimeoutSeconds, 1);
  if (s.nginx.upstreamKeepaliveTimeoutSeconds >= i.keepaliveTimeoutSeconds) {
    fail(
      'nginx.upstreamKeepaliveTimeoutSeconds',
      s.nginx.upstreamKeepaliveTimeoutSeconds,
      `must be < 'inference.keepaliveTimeoutSeconds' (${i.keepaliveTimeoutSeconds}) so that nginx never reuses a connection the service is closing`,
    );
  }
  if (i.googleCloudProject !== undefined && !GOOGLE_CLOUD_PROJECT_ID.test(i.googleCloudProject)) {
    fail('inference.googleCloudProject', i.googleCloudProject, 'must be a Google Cloud project id');
  }
  for (const key of Object.keys(i.env)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key))
      fail(`inference.env.${key}`, i.env[key], 'has an invalid name');
    if ((MANAGED_ENV as readonly string[]).includes(key)) {
      fail(
        `inference.env.${key}`,
        i.env[key],
        'is set by the construct; use the typed prop instead',
      );
    }
  }
}

function validateResources(s: WorkloadSettings): void {
  for (const container of ['nginx', 'inference'] as const) {
    const r = s.resources[container];
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
}

function validateAutoscaling(s: WorkloadSettings): void {
  const a = s.autoscaling;
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
  assertInt('maxUnavailableDuringDisruption', s.maxUnavailableDuringDisruption, 1);
  const surge = s.maxSurge;
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
}

function validatePlacement(s: WorkloadSettings): void {
  const { zones, minZones } = s.topologySpread;
  if (minZones === undefined) return;
  assertInt('topologySpread.minZones', minZones, 1, 100);
  if (zones !== 'DoNotSchedule') {
    fail(
      'topologySpread.minZones',
      minZones,
      `requires 'topologySpread.zones' DoNotSchedule (Kubernetes rejects minDomains with ${zones})`,
    );
  }
}

function validateNetworking(s: WorkloadSettings): void {
  assertPort('service.port', s.service.port);
  s.service.loadBalancerSourceRanges?.forEach((cidr, index) => {
    assertCidr(`service.loadBalancerSourceRanges[${index}]`, cidr);
  });
  if (s.service.loadBalancerSourceRanges && s.service.type !== 'LoadBalancer') {
    fail(
      'service.loadBalancerSourceRanges',
      s.service.loadBalancerSourceRanges.join(','),
      "requires 'service.type' LoadBalancer",
    );
  }
  assertInt('ingress.timeoutSeconds', s.ingress.timeoutSeconds, 1, 86400);
  if (
    s.ingress.host !== undefined &&
    !/^(\*\.)?[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(s.ingress.host)
  ) {
    fail('ingress.host', s.ingress.host, 'must be a DNS name');
  }
}
