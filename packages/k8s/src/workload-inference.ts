import {
  checkServiceEnv,
  POD_PORTS,
  SERVICE_ENV_NAMES,
  type ServiceEnvName,
} from '@modelship/contract';
import { assertInt, assertPort, fail, withDefaults } from './validate.ts';
import type { InferenceServiceOptions } from './workload-props.ts';
import type { WorkloadSettings } from './workload-settings.ts';

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
  | 'ortIntraOpThreads'
  | 'monitorWindow'
  | 'payloadLogSample'
  | 'modelPollIntervalSeconds';

/** {@link InferenceServiceOptions} with defaults applied. */
export type ResolvedInference = Required<Omit<InferenceServiceOptions, OptionalInferenceSetting>> &
  Pick<InferenceServiceOptions, OptionalInferenceSetting>;

/** The contract's variables the construct decides (`WORKERS` leaves the contract with cluster mode). */
export type ManagedEnvName = Exclude<ServiceEnvName, 'WORKERS'>;

/** A value for each {@link ManagedEnvName}; `undefined` leaves it unset (the service's default). */
export type ManagedEnvValues = { readonly [K in ManagedEnvName]: string | undefined };

/**
 * Where each of the service's variables comes from, for error messages. A mapped type over the
 * contract: a new variable does not compile until it is given a source here and a value in
 * {@link serviceEnv}.
 */
const ENV_SOURCES: { readonly [K in ManagedEnvName]: string } = {
  PORT: 'inference.port',
  HOST: 'the construct (127.0.0.1)',
  MODEL_DIR: 'inference.modelDir',
  MAX_BATCH: 'inference.maxBatch',
  BODY_LIMIT: 'inference.bodyLimitBytes',
  LOG_LEVEL: 'inference.logLevel',
  SHUTDOWN_DELAY: 'termination.loadBalancerLagSeconds + nginx.workerShutdownTimeoutSeconds',
  SHUTDOWN_READINESS: 'service.externalTrafficPolicy',
  PROBE_PORT: 'inference.probePort',
  SHUTDOWN_TIMEOUT: 'termination.drainTimeoutSeconds',
  KEEPALIVE_TIMEOUT: 'inference.keepaliveTimeoutSeconds',
  BATCHING: 'inference.batching',
  MAX_QUEUE: 'inference.maxQueueRows',
  ORT_INTRA_OP_THREADS: 'inference.ortIntraOpThreads',
  GOOGLE_CLOUD_PROJECT: 'inference.googleCloudProject',
  MONITOR_WINDOW: 'inference.monitorWindow',
  PAYLOAD_LOG_SAMPLE: 'inference.payloadLogSample',
  MODEL_POLL_INTERVAL: 'inference.modelPollIntervalSeconds',
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
    ORT_INTRA_OP_THREADS: text(i.ortIntraOpThreads),
    GOOGLE_CLOUD_PROJECT: i.googleCloudProject,
    MONITOR_WINDOW: text(i.monitorWindow),
    PAYLOAD_LOG_SAMPLE: text(i.payloadLogSample),
    MODEL_POLL_INTERVAL: text(i.modelPollIntervalSeconds),
  } as const satisfies Partial<ManagedEnvValues>;
}

/**
 * Throws unless the service would accept these values at startup (the contract's bounds),
 * naming the prop each bad value comes from, the variable and the bound.
 */
export function assertServiceAccepts(values: Partial<ManagedEnvValues>): void {
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
    ENV_SOURCES[issue.name as ManagedEnvName] ?? issue.name,
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
export function serviceEnv(s: WorkloadSettings): ManagedEnvValues {
  const values: ManagedEnvValues = {
    ...inferenceEnv(s.inference),
    HOST: '127.0.0.1',
    SHUTDOWN_DELAY: text(s.termination.serviceDelaySeconds),
    SHUTDOWN_TIMEOUT: text(s.termination.drainTimeoutSeconds),
    SHUTDOWN_READINESS: s.termination.keepReadyDuringDelay ? 'keep' : 'fail',
  };
  assertServiceAccepts(values);
  return values;
}
