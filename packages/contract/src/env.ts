import { z } from 'zod';
import { API_KEYS_OPENABLE } from './api-keys.ts';

/** A whole number (seconds, bytes, rows...) from an environment string. */
const count = (min: number) => z.coerce.number().int().min(min);

/** `on`/`off` (also true/false, 1/0, yes/no), case-insensitive. */
const onOff = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.enum(['on', 'off', 'true', 'false', '1', '0', 'yes', 'no']))
  .transform((value) => ['on', 'true', '1', 'yes'].includes(value));

/** The service's log levels, most severe first. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
/** One of {@link LOG_LEVELS}. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * A Google Cloud project id: 6-30 lowercase letters, digits and hyphens, starting with a
 * letter (optionally domain-scoped, `example.com:project`).
 * @see https://cloud.google.com/resource-manager/docs/creating-managing-projects#before_you_begin
 */
export const GOOGLE_CLOUD_PROJECT_ID = /^(?:[a-z0-9.-]+:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$/;

/** Seconds per unit of a `MONITOR_WINDOW` duration. */
const DURATION_UNITS = { s: 1, m: 60, h: 3600 } as const;

/**
 * The drift monitor's sliding window: the last N records (`10000`), or the records of the
 * last duration (`30s`, `15m`, `1h`; at most 24 h).
 */
export const monitorWindowSchema = z
  .string()
  .trim()
  .regex(/^[1-9]\d*(s|m|h)?$/, "must be a number of records (10000) or a duration ('15m', '1h')")
  .transform((value) => {
    const unit = value.at(-1) as string;
    if (unit in DURATION_UNITS) {
      const seconds =
        Number(value.slice(0, -1)) * DURATION_UNITS[unit as keyof typeof DURATION_UNITS];
      return { kind: 'duration', seconds } as const;
    }
    return { kind: 'records', records: Number(value) } as const;
  })
  .refine((w) => (w.kind === 'records' ? w.records <= 1_000_000 : w.seconds <= 86_400), {
    message: 'must be at most 1000000 records or 24h',
  });

/** A `MONITOR_WINDOW`, parsed. */
export type MonitorWindow = z.infer<typeof monitorWindowSchema>;

/** Largest `MAX_BATCH` the service accepts. */
export const MAX_BATCH_LIMIT = 1_000_000;

/**
 * The service's environment variables: types, bounds and defaults, declared once. The service
 * parses its configuration with it (`parseServiceEnv`); `@modelship/k8s` builds the container's
 * `env` as a {@link ServiceEnvValues} (one entry per variable, so none can be forgotten) and
 * validates it with this same schema, so `cdk8s synth` refuses what the service would refuse.
 * `MODEL_DIR` has no default here: the service's own is the model beside its build.
 */
export const serviceEnvSchema = z.object({
  /** TCP port to listen on. In the pod: 8081 (nginx owns 8080). */
  PORT: count(0).max(65535).default(8080),
  /** Interface to bind. In the pod: 127.0.0.1, so only nginx reaches the service. */
  HOST: z.string().trim().min(1).default('0.0.0.0'),
  /** Directory holding `model.onnx` + `schema.json` (+ model card). */
  MODEL_DIR: z.string().trim().min(1).optional(),
  /** Most rows in one request's `instances` and in one onnxruntime run. */
  MAX_BATCH: count(1).max(MAX_BATCH_LIMIT).default(1000),
  /** Largest accepted request body, in bytes (nginx's client_max_body_size matches it). */
  BODY_LIMIT: count(1).default(1_048_576),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  /** Seconds to keep serving after SIGTERM (in the pod: until nginx has stopped). */
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
  /**
   * The listener of the operational routes (`/metrics`, `/monitoring`, `POST /admin/reload`),
   * which are never served on `PORT`; 0 picks a free port. Unset: they are served nowhere.
   */
  OPS_PORT: count(0).max(65535).optional(),
  /** Interface of the operational listener. Loopback: in the pod, nginx's metrics server proxies it. */
  OPS_HOST: z.string().trim().min(1).default('127.0.0.1'),
  /** Seconds allowed for the drain after the delay; past it the process exits non-zero. */
  SHUTDOWN_TIMEOUT: z.coerce.number().positive().max(3600).default(20),
  /** Seconds an idle keep-alive connection stays open; above nginx's upstream keepalive_timeout. */
  KEEPALIVE_TIMEOUT: z.coerce.number().positive().max(3600).default(65),
  /**
   * Seconds a request may take to arrive whole (header and body), checked every second; past it
   * the service answers 408 `request_timeout` and closes the connection. nginx passes prediction
   * bodies on as they arrive, so this is the pod's total bound on a trickled body.
   */
  REQUEST_TIMEOUT: z.coerce.number().positive().max(3600).default(90),
  /** Coalesce concurrent requests into one onnxruntime run. */
  BATCHING: onOff.default(true),
  /**
   * Most rows waiting for a run; beyond it, or beyond a request's share of the free rows (it
   * must leave at least its own row count minus one), requests get 503 + Retry-After.
   */
  MAX_QUEUE: count(1).default(10_000),
  /**
   * The drift monitor's sliding window (with a `profile.json` in the model directory): the
   * last N records, or a duration (`15m`). PSI is computed over it at each scrape.
   */
  MONITOR_WINDOW: monitorWindowSchema.prefault('10000'),
  /**
   * The share of prediction requests logged as one JSON payload line each (request id, model,
   * validated inputs with sensitive fields redacted, outputs): 0 (none) to 1 (every one).
   */
  PAYLOAD_LOG_SAMPLE: z.coerce.number().min(0).max(1).default(0),
  /**
   * Sampled payload lines of `POST /explain` also carry each record's explanation (method,
   * space, baseline, contributions per field; sensitive fields' contributions redacted).
   * `/predict`'s lines never do: explaining is never on its path.
   */
  PAYLOAD_LOG_EXPLAIN: onOff.default(false),
  /** Most records in one `POST /explain` (each costs far more than a prediction). */
  EXPLAIN_MAX_BATCH: count(1).max(MAX_BATCH_LIMIT).default(16),
  /** Largest accepted `POST /explain` body, in bytes (nginx still refuses more than `BODY_LIMIT`). */
  EXPLAIN_BODY_LIMIT: count(1).default(65_536),
  /**
   * Most fields a model without a closed form is explained for exactly (every coalition of
   * fields against every background row: 2^F × rows evaluations); above it, by sampling.
   */
  EXPLAIN_MAX_EXACT_FIELDS: count(1).max(20).default(12),
  /** Sampled explanations: permutations per record (antithetic pairs); more is slower and tighter. */
  EXPLAIN_SAMPLES: count(2).max(100_000).default(256),
  /**
   * Seconds between two reads of a versioned model source's `current` file (a new name there
   * loads, checks and switches to that version); 0: no polling (the admin route still
   * reloads). A plain model directory is never polled.
   */
  MODEL_POLL_INTERVAL: z.coerce.number().min(0).max(3600).default(5),
  /**
   * The key file of API keys (one client per line: name, SHA-256 of its key, optional
   * `rate=`/`burst=`; see `api-keys.ts`). Set: every prediction route (`/predict`,
   * `/predict_api`, `/explain`, the Open Inference Protocol's infer routes) answers 401
   * without a valid `Authorization: Bearer KEY` or `X-API-Key`, and each client is limited
   * to its rate. Unset: no keys (the local default). In the pod: the mounted Secret.
   */
  API_KEYS_FILE: z.string().trim().min(1).optional(),
  /**
   * With `API_KEYS_FILE`: the routes that stay open without a key, a comma-separated list of
   * `form` (the web form, whose server-side prediction is then open too) and `docs` (`/docs`,
   * `/openapi.json` and the Open Inference Protocol's metadata). Empty: every route but the
   * probes needs a key.
   */
  API_KEYS_OPEN: z
    .string()
    .transform((value) =>
      value
        .split(',')
        .map((part) => part.trim().toLowerCase())
        .filter((part) => part !== ''),
    )
    .pipe(z.array(z.enum(API_KEYS_OPENABLE)))
    .prefault(''),
  /**
   * Requests per second allowed to a client whose key file line has no `rate=`, per replica
   * (each process keeps its own buckets); 0: unlimited. Beyond it: 429 + Retry-After.
   */
  API_KEYS_RATE: z.coerce.number().min(0).max(1_000_000).default(0),
  /**
   * Requests a client may send at once above its rate (the bucket's size) when its line has no
   * `burst=`. Unset: its rate rounded up (one second's worth), at least 1.
   */
  API_KEYS_BURST: count(1).max(1_000_000).optional(),
  /**
   * Seconds between two checks of `API_KEYS_FILE` for a new content (a mounted Secret is
   * swapped by a symlink, which file watchers miss); a good new file replaces the keys at
   * once, a bad one is logged and the keys in use are kept. 0: read once at startup.
   */
  API_KEYS_POLL_INTERVAL: z.coerce.number().min(0).max(3600).default(2),
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
      GOOGLE_CLOUD_PROJECT_ID,
      'must be a Google Cloud project id (6-30 lowercase letters, digits and hyphens)',
    )
    .optional(),
});

/** The name of one of the service's environment variables. */
export type ServiceEnvName = Extract<keyof typeof serviceEnvSchema.shape, string>;
/** Every environment variable of the service. */
export const SERVICE_ENV_NAMES = Object.keys(serviceEnvSchema.shape) as readonly ServiceEnvName[];
/** The service's settings, parsed, with defaults applied. */
export type ServiceEnv = z.infer<typeof serviceEnvSchema>;
/**
 * A value for every variable, as the environment would carry it: `undefined` leaves it unset
 * (the service's default). A mapped type over the schema's keys, so a builder of this record
 * fails to compile until it decides what to do with a new variable.
 */
export type ServiceEnvValues = { readonly [K in ServiceEnvName]: string | undefined };

/** One variable with a bad value. */
export interface ServiceEnvIssue {
  readonly name: ServiceEnvName;
  readonly value: string | undefined;
  /** What is wrong, e.g. `Too big: expected number to be <=1000000`. */
  readonly message: string;
}

/** The outcome of {@link checkServiceEnv}. */
export type ServiceEnvResult =
  | { readonly ok: true; readonly env: ServiceEnv }
  | { readonly ok: false; readonly issues: readonly ServiceEnvIssue[] };

/**
 * Parses the service's variables out of an environment. Empty strings count as unset;
 * variables the schema does not know are ignored. Every bad variable is reported at once.
 */
export function checkServiceEnv(
  env: Readonly<Record<string, string | undefined>>,
): ServiceEnvResult {
  const input = Object.fromEntries(
    SERVICE_ENV_NAMES.map((name) => [name, env[name]] as const).filter(
      ([, value]) => value !== undefined && value !== '',
    ),
  );
  const result = serviceEnvSchema.safeParse(input);
  if (result.success) return { ok: true, env: result.data };
  return {
    ok: false,
    issues: result.error.issues.map((issue) => {
      const name = String(issue.path[0]) as ServiceEnvName;
      return { name, value: env[name], message: issue.message };
    }),
  };
}
