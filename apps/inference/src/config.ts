import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/** The default model directory: the bundled model, copied beside the built server. */
const bundledModelDir = fileURLToPath(new URL('./model/', import.meta.url));

/** A whole number of seconds or bytes etc., from an environment string. */
const count = (min: number) => z.coerce.number().int().min(min);

/** `on`/`off` (also true/false, 1/0, yes/no), case-insensitive. */
const onOff = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.enum(['on', 'off', 'true', 'false', '1', '0', 'yes', 'no']))
  .transform((value) => ['on', 'true', '1', 'yes'].includes(value));

const schema = z.object({
  /** TCP port to listen on. In the pod: 8081 (nginx owns 8080). */
  PORT: count(0).max(65535).default(8080),
  /** Interface to bind. In the pod: 127.0.0.1, so only nginx reaches the service. */
  HOST: z.string().trim().min(1).default('0.0.0.0'),
  /** Directory holding `model.onnx` + `schema.json` (+ model card). */
  MODEL_DIR: z.string().trim().min(1).default(bundledModelDir),
  /** Most rows in one request's `instances` and in one onnxruntime run. */
  MAX_BATCH: count(1).max(1_000_000).default(1000),
  /** Largest accepted request body, in bytes (nginx's client_max_body_size matches it). */
  BODY_LIMIT: count(1).default(1_048_576),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Seconds to keep serving, not ready, after SIGTERM (the load balancer's reaction time). */
  SHUTDOWN_DELAY: z.coerce.number().min(0).max(3600).default(0),
  /**
   * Readiness during the delay: `fail` turns `/readyz` 503 at SIGTERM (the pod leaves every
   * endpoint list at once); `keep` stays ready until the delay ends, for load balancers that
   * still route a terminating pod's node to it only while it is ready (GKE's passthrough load
   * balancer with `externalTrafficPolicy: Local`).
   */
  SHUTDOWN_READINESS: z.enum(['fail', 'keep']).default('fail'),
  /**
   * A second listener, on every interface, that answers only `/healthz` and `/readyz`: the
   * kubelet's liveness probe reaches the process directly, so a saturated proxy in front can
   * never get it restarted. Unset: no such listener.
   */
  PROBE_PORT: count(1).max(65535).optional(),
  /** Seconds allowed for the drain after the delay; past it the process exits non-zero. */
  SHUTDOWN_TIMEOUT: z.coerce.number().positive().max(3600).default(20),
  /** Seconds an idle keep-alive connection stays open; above nginx's upstream keepalive_timeout. */
  KEEPALIVE_TIMEOUT: z.coerce.number().positive().max(3600).default(65),
  /** Coalesce concurrent requests into one onnxruntime run. */
  BATCHING: onOff.default(true),
  /** Most rows waiting for a run; beyond it requests get 503 + Retry-After. */
  MAX_QUEUE: count(1).default(10_000),
  /** onnxruntime intra-op threads; 1 avoids multi-millisecond tail spikes on small CPUs. */
  ORT_INTRA_OP_THREADS: count(1).max(256).default(1),
  /**
   * Google Cloud project id: request log lines of traced requests then carry Cloud Logging's
   * trace fields (`projects/<id>/traces/<trace>`). Unset: only `traceId`/`spanId` are logged.
   */
  GOOGLE_CLOUD_PROJECT: z
    .string()
    .trim()
    .regex(
      /^(?:[a-z0-9.-]+:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$/,
      'must be a Google Cloud project id (6-30 lowercase letters, digits and hyphens)',
    )
    .optional(),
});

/** Validated service configuration. */
export type Config = z.infer<typeof schema>;

/** Thrown when an environment variable has an invalid value; the message names it. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Parses the service configuration from an environment (default `process.env`).
 * This is the only place that reads the environment. Empty strings count as unset.
 *
 * @throws {ConfigError} naming every variable with a bad value.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const input = Object.fromEntries(
    Object.keys(schema.shape)
      .map((key) => [key, env[key]] as const)
      .filter(([, value]) => value !== undefined && value !== ''),
  );
  const result = schema.safeParse(input);
  if (!result.success) {
    const problems = result.error.issues.map(
      (issue) =>
        `${issue.path.join('.')}=${JSON.stringify(env[String(issue.path[0])])}: ${issue.message}`,
    );
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  return result.data;
}
