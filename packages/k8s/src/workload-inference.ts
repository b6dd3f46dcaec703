import {
  checkServiceEnv,
  type LogLevel,
  OPERATIONAL_ROUTES,
  POD_PORTS,
  SERVICE_ENV_NAMES,
  type ServiceEnvName,
  type ServiceEnvValues,
} from '@modelship/contract';
import { k8s } from 'cdk8s-plus-27';
import { httpProbe, securityContext } from './container-parts.ts';
import { assertPinnedImage, defaultPullPolicy } from './image-reference.ts';
import { assertInt, assertPort, fail, withDefaults } from './validate.ts';
import { apiKeysEnv, apiKeysMounts, type ResolvedApiKeys } from './workload-api-keys.ts';
import { type ContainerResources, resourceRequirements } from './workload-placement.ts';
import type { TerminationTimeline } from './workload-termination.ts';

/** uid/gid of the `node` user in the official Node image (the inference image's user). */
export const INFERENCE_UID = 1000;

/** The inference container's image. */
export interface InferenceImageProps {
  /** Image of the inference service, e.g. `REGION-docker.pkg.dev/PROJECT/REPO/IMAGE:TAG`. */
  readonly image: string;
  /**
   * Pull policy of the inference container. By default it follows `image`: `Always` for a tag,
   * which may be pushed again (with `IfNotPresent` a node holding the old image would keep
   * running it), `IfNotPresent` for a digest, which cannot change. Set `IfNotPresent` for an
   * image loaded into a local cluster.
   * @see https://kubernetes.io/docs/concepts/containers/images/#image-pull-policy
   * @default 'Always' for `name:tag`, 'IfNotPresent' for `name[:tag]@sha256:...`
   */
  readonly imagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
}

/** The inference image with its pull policy. */
export interface ResolvedInferenceImage {
  readonly image: string;
  readonly imagePullPolicy: NonNullable<InferenceImageProps['imagePullPolicy']>;
}

/** Validates `image` and applies the default of `imagePullPolicy`. */
export function resolveInferenceImage(props: InferenceImageProps): ResolvedInferenceImage {
  const reference = assertPinnedImage('image', props.image);
  return {
    image: props.image,
    imagePullPolicy: props.imagePullPolicy ?? defaultPullPolicy(reference),
  };
}

/** Limits and methods of the service's explanations (`POST /explain`). */
export interface ExplainSettings {
  /** Most records per request (`EXPLAIN_MAX_BATCH`). @default 16 */
  readonly maxBatch?: number;
  /** Largest request body in bytes (`EXPLAIN_BODY_LIMIT`). @default 65536 */
  readonly bodyLimitBytes?: number;
  /** Most fields explained exactly; more are sampled (`EXPLAIN_MAX_EXACT_FIELDS`). @default 12 */
  readonly maxExactFields?: number;
  /** Permutations per sampled explanation (`EXPLAIN_SAMPLES`). @default 256 */
  readonly samples?: number;
}

/** The inference container's runtime settings (see the service's environment contract). */
export interface InferenceServiceOptions {
  /** Port the service binds on 127.0.0.1. @default 8081 */
  readonly port?: number;
  /** Largest request body in bytes (`BODY_LIMIT`, and nginx `client_max_body_size`). @default 1048576 */
  readonly bodyLimitBytes?: number;
  /**
   * The service's probe port (`PROBE_PORT`) on the pod IP: `/healthz` and `/readyz` only, for
   * the kubelet's liveness probe, which thus never depends on nginx.
   * @default 8082
   */
  readonly probePort?: number;
  /** Keep-alive timeout of the service's HTTP server in seconds (`KEEPALIVE_TIMEOUT`). @default 65 */
  readonly keepaliveTimeoutSeconds?: number;
  /** Rows per request and per onnxruntime run (`MAX_BATCH`). @default 1000 */
  readonly maxBatch?: number;
  /** Log level (`LOG_LEVEL`). @default 'info' */
  readonly logLevel?: LogLevel;
  /** Coalesce concurrent requests into one onnxruntime run (`BATCHING`). @default undefined (the service's: on) */
  readonly batching?: boolean;
  /** Most rows waiting for a run before 503 (`MAX_QUEUE`). @default undefined (the service's: 10000) */
  readonly maxQueueRows?: number;
  /**
   * Seconds a request may take to arrive whole (`REQUEST_TIMEOUT`): nginx passes prediction
   * bodies on as they arrive, so this ends a trickled body (408 in the error contract).
   * @default undefined (the service's: 90)
   */
  readonly requestTimeoutSeconds?: number;
  /** onnxruntime intra-op threads (`ORT_INTRA_OP_THREADS`). @default undefined (the service's: 1) */
  readonly ortIntraOpThreads?: number;
  /**
   * Model directory inside the image (`MODEL_DIR`); set by the construct with a `gcs`
   * `modelSource`. @default undefined (the image's own)
   */
  readonly modelDir?: string;
  /**
   * Google Cloud project id (`GOOGLE_CLOUD_PROJECT`): traced requests' log lines then link to
   * Cloud Trace (Cloud Logging's `logging.googleapis.com/trace` field).
   * @default undefined (trace and span ids are logged without the link)
   */
  readonly googleCloudProject?: string;
  /**
   * The drift monitor's sliding window (`MONITOR_WINDOW`): a number of records (`10000`) or a
   * duration (`'15m'`, `'1h'`, at most 24 h). Used when the model directory has a
   * `profile.json`.
   * @default undefined (the service's: the last 10000 records)
   */
  readonly monitorWindow?: number | string;
  /**
   * The share of prediction requests written as one JSON payload line each
   * (`PAYLOAD_LOG_SAMPLE`, 0..1; sensitive fields redacted). Lines beyond what stdout takes
   * are dropped and counted, never queued without bound.
   * @default undefined (the service's: 0, no payload logs)
   */
  readonly payloadLogSample?: number;
  /**
   * `POST /explain`'s limits (`EXPLAIN_MAX_BATCH`, `EXPLAIN_BODY_LIMIT`) and methods
   * (`EXPLAIN_MAX_EXACT_FIELDS`, `EXPLAIN_SAMPLES`).
   * @default undefined (the service's: 16 records, 64 KiB, exact up to 12 fields, 256 samples)
   */
  readonly explain?: ExplainSettings;
  /**
   * Seconds between two reads of a versioned model source's `current` file
   * (`MODEL_POLL_INTERVAL`, 0..3600; 0: reload on the admin route only).
   * @default undefined (the service's: 5 s)
   */
  readonly modelPollIntervalSeconds?: number;
  /** Further environment variables; may not redefine the ones above. @default {} */
  readonly env?: Readonly<Record<string, string>>;
  /** Seconds the model may take to load before the pod is restarted. @default 120 */
  readonly startupTimeoutSeconds?: number;
}

/** The defaults of {@link InferenceServiceOptions} (the optional settings have none). */
export const INFERENCE_DEFAULTS = {
  port: POD_PORTS.service,
  probePort: POD_PORTS.probes,
  bodyLimitBytes: 1_048_576,
  keepaliveTimeoutSeconds: 65,
  maxBatch: 1000,
  logLevel: 'info',
  env: {},
  startupTimeoutSeconds: 120,
} as const satisfies Required<Omit<InferenceServiceOptions, OptionalInferenceSetting>>;

/** Settings left unset (the service's own default) unless given. */
type OptionalInferenceSetting =
  | 'modelDir'
  | 'googleCloudProject'
  | 'batching'
  | 'maxQueueRows'
  | 'requestTimeoutSeconds'
  | 'ortIntraOpThreads'
  | 'monitorWindow'
  | 'payloadLogSample'
  | 'explain'
  | 'modelPollIntervalSeconds';

/** {@link InferenceServiceOptions} with defaults applied. */
export type ResolvedInference = Required<Omit<InferenceServiceOptions, OptionalInferenceSetting>> &
  Pick<InferenceServiceOptions, OptionalInferenceSetting>;

/**
 * Where each of the service's variables comes from, for error messages. A mapped type over the
 * contract: a new variable does not compile until it is given a source here and a value in
 * {@link serviceEnv}.
 */
const ENV_SOURCES: { readonly [K in ServiceEnvName]: string } = {
  PORT: 'inference.port',
  HOST: 'the construct (127.0.0.1)',
  MODEL_DIR: 'inference.modelDir',
  MAX_BATCH: 'inference.maxBatch',
  BODY_LIMIT: 'inference.bodyLimitBytes',
  LOG_LEVEL: 'inference.logLevel',
  SHUTDOWN_DELAY: 'termination.loadBalancerLagSeconds + nginx.workerShutdownTimeoutSeconds',
  SHUTDOWN_READINESS: 'service.externalTrafficPolicy',
  PROBE_PORT: 'inference.probePort',
  OPS_PORT: 'the construct (POD_PORTS.operations)',
  OPS_HOST: 'the construct (127.0.0.1)',
  SHUTDOWN_TIMEOUT: 'termination.drainTimeoutSeconds',
  KEEPALIVE_TIMEOUT: 'inference.keepaliveTimeoutSeconds',
  BATCHING: 'inference.batching',
  MAX_QUEUE: 'inference.maxQueueRows',
  REQUEST_TIMEOUT: 'inference.requestTimeoutSeconds',
  ORT_INTRA_OP_THREADS: 'inference.ortIntraOpThreads',
  GOOGLE_CLOUD_PROJECT: 'inference.googleCloudProject',
  MONITOR_WINDOW: 'inference.monitorWindow',
  PAYLOAD_LOG_SAMPLE: 'inference.payloadLogSample',
  PAYLOAD_LOG_EXPLAIN: 'the construct (unset: no explanations in payload lines)',
  EXPLAIN_MAX_BATCH: 'inference.explain.maxBatch',
  EXPLAIN_BODY_LIMIT: 'inference.explain.bodyLimitBytes',
  EXPLAIN_MAX_EXACT_FIELDS: 'inference.explain.maxExactFields',
  EXPLAIN_SAMPLES: 'inference.explain.samples',
  MODEL_POLL_INTERVAL: 'inference.modelPollIntervalSeconds',
  API_KEYS_FILE: 'the construct (unset: API keys off)',
  API_KEYS_OPEN: 'the construct (unset)',
  API_KEYS_RATE: 'the construct (unset)',
  API_KEYS_BURST: 'the construct (unset)',
  API_KEYS_POLL_INTERVAL: 'the construct (unset)',
};

const text = (value: string | number | undefined) =>
  value === undefined ? undefined : String(value);

/** The variables that the inference props alone decide. */
function inferenceEnv(i: ResolvedInference) {
  return {
    PORT: text(i.port),
    MODEL_DIR: i.modelDir,
    MAX_BATCH: text(i.maxBatch),
    BODY_LIMIT: text(i.bodyLimitBytes),
    LOG_LEVEL: i.logLevel,
    PROBE_PORT: text(i.probePort),
    KEEPALIVE_TIMEOUT: text(i.keepaliveTimeoutSeconds),
    BATCHING: i.batching === undefined ? undefined : i.batching ? 'on' : 'off',
    MAX_QUEUE: text(i.maxQueueRows),
    REQUEST_TIMEOUT: text(i.requestTimeoutSeconds),
    ORT_INTRA_OP_THREADS: text(i.ortIntraOpThreads),
    GOOGLE_CLOUD_PROJECT: i.googleCloudProject,
    MONITOR_WINDOW: text(i.monitorWindow),
    PAYLOAD_LOG_SAMPLE: text(i.payloadLogSample),
    EXPLAIN_MAX_BATCH: text(i.explain?.maxBatch),
    EXPLAIN_BODY_LIMIT: text(i.explain?.bodyLimitBytes),
    EXPLAIN_MAX_EXACT_FIELDS: text(i.explain?.maxExactFields),
    EXPLAIN_SAMPLES: text(i.explain?.samples),
    MODEL_POLL_INTERVAL: text(i.modelPollIntervalSeconds),
  } as const satisfies Partial<ServiceEnvValues>;
}

/**
 * Throws unless the service would accept these values at startup (the contract's bounds),
 * naming the prop each bad value comes from, the variable and the bound.
 */
function assertServiceAccepts(values: Partial<ServiceEnvValues>): void {
  const result = checkServiceEnv(values);
  if (result.ok) return;
  const [issue] = result.issues;
  if (issue === undefined) return;
  // Shown as the prop was given: numbers bare, strings quoted.
  const value =
    issue.value !== undefined && /^-?\d+(\.\d+)?$/.test(issue.value)
      ? Number(issue.value)
      : issue.value;
  fail(
    ENV_SOURCES[issue.name],
    value,
    `is refused by the service: ${issue.name} ${issue.message.replace(/^Invalid input: /, '')}`,
  );
}

/** Applies the defaults of {@link InferenceServiceOptions} and validates them. */
export function resolveInference(options: InferenceServiceOptions = {}): ResolvedInference {
  const i: ResolvedInference = withDefaults(INFERENCE_DEFAULTS, options);
  assertPort('inference.port', i.port);
  assertPort('inference.probePort', i.probePort);
  if (i.probePort === i.port) {
    fail('inference.probePort', i.probePort, "must differ from 'inference.port'");
  }
  assertInt('inference.startupTimeoutSeconds', i.startupTimeoutSeconds, 2);
  // Whole numbers where the service takes any number: a pod spec should not carry 0.5 rows.
  for (const [key, value] of [
    ['maxBatch', i.maxBatch],
    ['bodyLimitBytes', i.bodyLimitBytes],
    ['keepaliveTimeoutSeconds', i.keepaliveTimeoutSeconds],
  ] as const) {
    if (!Number.isInteger(value)) fail(`inference.${key}`, value, 'must be a whole number');
  }
  assertServiceAccepts(inferenceEnv(i));
  for (const key of Object.keys(i.env)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
      fail(`inference.env.${key}`, i.env[key], 'has an invalid name');
    }
    if ((SERVICE_ENV_NAMES as readonly string[]).includes(key)) {
      fail(
        `inference.env.${key}`,
        i.env[key],
        'is set by the construct; use the typed prop instead',
      );
    }
  }
  return i;
}

/**
 * The inference container's environment: one value for every variable of the service's
 * contract (`undefined`: the service's default), validated with the contract's bounds.
 */
function serviceEnv(
  inference: ResolvedInference,
  apiKeys: ResolvedApiKeys,
  termination: TerminationTimeline,
): ServiceEnvValues {
  const values: ServiceEnvValues = {
    ...inferenceEnv(inference),
    HOST: '127.0.0.1',
    // Metrics, the drift page and reloads: reached through nginx's metrics server only.
    OPS_PORT: text(POD_PORTS.operations),
    OPS_HOST: undefined,
    SHUTDOWN_DELAY: text(termination.serviceDelaySeconds),
    SHUTDOWN_TIMEOUT: text(termination.drainTimeoutSeconds),
    SHUTDOWN_READINESS: termination.keepReadyDuringDelay ? 'keep' : 'fail',
    // The key Secret's mount (the `apiKeys` prop), or API keys off.
    ...apiKeysEnv(apiKeys),
    API_KEYS_POLL_INTERVAL: undefined,
    PAYLOAD_LOG_EXPLAIN: undefined,
  };
  assertServiceAccepts(values);
  return values;
}

/** The inference container's writable `/tmp`. */
export function inferenceVolumes(): k8s.Volume[] {
  return [{ name: 'inference-tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('64Mi') } }];
}

/** What the inference container takes from the other sections. */
export interface InferencePod {
  readonly resources: ContainerResources;
  readonly termination: TerminationTimeline;
  /** nginx's port: startup and readiness go through nginx. */
  readonly nginxPort: number;
  /** The model source's mounts. */
  readonly volumeMounts: readonly k8s.VolumeMount[];
  /** The API key Secret, mounted and named by `API_KEYS_FILE`, or `false`. */
  readonly apiKeys: ResolvedApiKeys;
}

/**
 * The inference container. The service binds 127.0.0.1, which the kubelet cannot reach (it
 * probes the pod IP), so its startup and readiness probes ask `/readyz` through nginx: the pod
 * is ready exactly when the whole path works (nginx reaches the service, the model is loaded
 * and not draining). Liveness asks `/healthz` on the service's own probe port, not through
 * nginx: a saturated nginx must never get the service, and its loaded model, restarted. The
 * NetworkPolicy needs no rule for it: traffic from the pod's own node (the kubelet) is always
 * allowed. The startup probe holds the other probes off while the model loads.
 * @see https://kubernetes.io/docs/concepts/configuration/liveness-readiness-startup-probes/
 * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/
 */
export function inferenceContainer(
  image: ResolvedInferenceImage,
  i: ResolvedInference,
  pod: InferencePod,
): k8s.Container {
  const port = pod.nginxPort;
  const startupPeriod = 2;
  // Every variable of the service's contract that is set, in the contract's order, then the
  // user's own (which may not redefine them).
  const contract = serviceEnv(i, pod.apiKeys, pod.termination);
  const env = [
    ...SERVICE_ENV_NAMES.flatMap((name) => {
      const value = contract[name];
      return value === undefined ? [] : [{ name, value }];
    }),
    ...Object.entries(i.env).map(([name, value]) => ({ name, value })),
  ];
  return {
    name: 'inference',
    image: image.image,
    imagePullPolicy: image.imagePullPolicy,
    // The service listens on 127.0.0.1 only (nginx is the pod's only entry for requests).
    env,
    resources: resourceRequirements(pod.resources),
    securityContext: securityContext(INFERENCE_UID),
    startupProbe: httpProbe(OPERATIONAL_ROUTES.ready, port, {
      periodSeconds: startupPeriod,
      timeoutSeconds: 2,
      failureThreshold: Math.ceil(i.startupTimeoutSeconds / startupPeriod),
    }),
    readinessProbe: httpProbe(OPERATIONAL_ROUTES.ready, port, {
      periodSeconds: 5,
      timeoutSeconds: 2,
      failureThreshold: 2,
      successThreshold: 1,
    }),
    // Only the kubelet connects here (the NetworkPolicy admits no one else to this port).
    ports: [{ name: 'probes', containerPort: i.probePort, protocol: 'TCP' }],
    livenessProbe: httpProbe(OPERATIONAL_ROUTES.health, i.probePort, {
      periodSeconds: 10,
      timeoutSeconds: 5,
      failureThreshold: 6,
    }),
    volumeMounts: [
      { name: 'inference-tmp', mountPath: '/tmp' },
      ...pod.volumeMounts,
      ...apiKeysMounts(pod.apiKeys),
    ],
  };
}
