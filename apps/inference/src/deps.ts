import type { FeatureRecord } from '@modelship/feature-schema';
import type { ApiKeys } from './auth/api-keys.ts';
import type { Config } from './config.ts';
import type { RequestTracker } from './http/request-tracker.ts';
import type { Logger } from './logger.ts';
import type { Metrics } from './metrics.ts';
import type { ServedModel } from './model/served-model.ts';
import type { ClassPrediction, Prediction } from './model/task.ts';
import type { Monitoring } from './monitoring/index.ts';
import type { Readiness } from './readiness.ts';
import type { LiveModel } from './reload/live-model.ts';
import type { ModelSlot } from './reload/slot.ts';

/**
 * Everything a route module needs, built once at startup and shared by every route.
 * Route modules receive it from `createApp` and never construct their own.
 */
export interface AppDeps {
  /** The validated configuration (MAX_BATCH, BODY_LIMIT, ...). */
  readonly config: Config;
  readonly logger: Logger;
  /** The Prometheus metrics; `/metrics` serves `metrics.registry`. */
  readonly metrics: Metrics;
  /** The lifecycle state: `/readyz` reports it, predict routes refuse unless serving. */
  readonly readiness: Readiness;
  /**
   * The model loaded at startup: its schema and compiled schema (validate/encode/jsonSchema/
   * form) are the service's contract, which a reload never changes. Which version answers
   * (its identity, its session) is `models.current`.
   */
  readonly model: ServedModel;
  /** The served version behind one pointer; a versioned source switches it on reload. */
  readonly models: ModelSlot;
  /**
   * Predicts validated records through the batcher (one request's records stay together) and
   * counts the predicted rows (and classes). A regression model's predictions are numbers, a
   * classifier's are {@link ClassPrediction}s. Rejects with `QueueFullError` (503) when the queue is full;
   * any other rejection is an internal failure (`onError` answers a generic 500).
   */
  readonly predict: (
    records: readonly FeatureRecord[],
    /** The version the request read from `models.current`. @default models.current */
    version?: LiveModel,
  ) => Promise<Prediction[]>;
  /** Drift (with a profile), validation failures and sampled payload logs. */
  readonly monitoring: Monitoring;
  /** Requests in flight (for the shutdown log). */
  readonly requests: RequestTracker;
  /** The API keys of `API_KEYS_FILE`; undefined: no keys (every route open). */
  readonly apiKeys: ApiKeys | undefined;
}

/** Hono's environment for this app: the per-request variables set by its middleware. */
export interface AppEnv {
  Variables: {
    /** From `X-Request-Id` or generated; echoed in the response and in every log line. */
    requestId: string;
    /** The request's trace fields for log lines (empty if untraced), set by the request log. */
    traceLogFields: Readonly<Record<string, string | boolean>>;
    /** The headers every answer carries (request id, security headers), set by the envelope. */
    baseHeaders: Readonly<Record<string, string>>;
    /** Whether the route's answer already carries `baseHeaders` (`respondJson`). */
    respondedWithBaseHeaders: boolean;
    /** The API key's client (a name of the key file), once the request presented a valid key. */
    client: string | undefined;
  };
}
