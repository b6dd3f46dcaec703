import type { FieldIssue } from '@modelship/feature-schema';
import type { Registry } from 'prom-client';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { ServedModel } from '../model/served-model.ts';
import { createDriftMonitor, type DriftMonitor } from './drift-monitor.ts';
import {
  countValidationFailures,
  registerDriftMetrics,
  registerMonitoringMetrics,
} from './metrics.ts';
import { createPayloadLog, type PayloadLog, watchDroppedLines } from './payload-log.ts';

/** What the model sees in production: drift, validation failures and sampled payloads. */
export interface Monitoring {
  /** The served version's drift monitor, when its model directory has a `profile.json`. */
  readonly drift?: DriftMonitor;
  /** A drift monitor for a model version (none without a profile), for {@link follow}. */
  driftFor(model: Pick<ServedModel, 'schema' | 'profile'>): DriftMonitor | undefined;
  /** Makes `drift` (the page and the drift metrics) follow a newly served version's monitor. */
  follow(drift: DriftMonitor | undefined): void;
  /** Sampled payload logs (`PAYLOAD_LOG_SAMPLE`). */
  readonly payload: PayloadLog;
  /** Counts a 422's issues (`modelship_validation_failures_total{field,reason}`). */
  countValidationFailures(issues: readonly FieldIssue[]): void;
}

/** Options of {@link createMonitoring}. */
export interface CreateMonitoringOptions {
  readonly config: Pick<Config, 'MONITOR_WINDOW' | 'PAYLOAD_LOG_SAMPLE' | 'PAYLOAD_LOG_EXPLAIN'>;
  readonly logger: Logger;
  readonly model: Pick<ServedModel, 'schema' | 'profile'>;
  /** The service's metrics registry. */
  readonly registry: Registry;
  /** For the payload sampling. @default Math.random */
  readonly random?: () => number;
}

/** Wires the drift monitor (if profiled), the payload log and their metrics. */
export function createMonitoring(options: CreateMonitoringOptions): Monitoring {
  const { config, logger, model, registry, random } = options;
  const driftFor = (m: Pick<ServedModel, 'schema' | 'profile'>) =>
    m.profile
      ? createDriftMonitor({ schema: m.schema, profile: m.profile, window: config.MONITOR_WINDOW })
      : undefined;
  let drift = driftFor(model);
  let driftMetrics = drift !== undefined;
  const metrics = registerMonitoringMetrics(registry, drift, () => drift);
  watchDroppedLines(
    logger,
    () => metrics.payloadLogDropped.inc(),
    () => metrics.logDropped.inc(),
  );
  const known = new Set(model.schema.fields.map((f) => f.name));
  return {
    get drift() {
      return drift;
    },
    driftFor,
    follow(next) {
      drift = next;
      if (next && !driftMetrics) {
        driftMetrics = true;
        registerDriftMetrics(registry, next, () => drift);
      }
    },
    payload: createPayloadLog({
      logger,
      schema: model.schema,
      sample: config.PAYLOAD_LOG_SAMPLE,
      explain: config.PAYLOAD_LOG_EXPLAIN,
      ...(random ? { random } : {}),
    }),
    countValidationFailures: (issues) =>
      countValidationFailures(metrics.validationFailures, known, issues),
  };
}
