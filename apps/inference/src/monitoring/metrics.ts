import { SERVICE_METRICS } from '@modelship/contract';
import { type FieldIssue, PSI_MIN_EXPECTED_COUNT } from '@modelship/feature-schema';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { DriftMonitor, MonitoredDistribution } from './drift-monitor.ts';

/** The monitoring counters the service increments itself (the rest is computed at scrapes). */
export interface MonitoringMetrics {
  /** `modelship_validation_failures_total{field,reason}` */
  readonly validationFailures: Counter<'field' | 'reason'>;
  /** `modelship_payload_log_dropped_total` */
  readonly payloadLogDropped: Counter;
  /** `modelship_log_dropped_total`: other log lines (request lines...) dropped the same way. */
  readonly logDropped: Counter;
}

/** The label of a field the schema does not have: never the client's key (bounded cardinality). */
export const UNKNOWN_FIELD_LABEL = '(unknown)';

/**
 * Registers the monitoring metrics. Without a drift monitor (no `profile.json`): the
 * validation-failure and dropped-line counters only. With one: the PSI gauges and the bin
 * counters too, all computed from the monitor's arrays when Prometheus scrapes, so that a
 * request pays nothing for them.
 */
export function registerMonitoringMetrics(
  registry: Registry,
  monitor: DriftMonitor | undefined,
  current: () => DriftMonitor | undefined = () => monitor,
): MonitoringMetrics {
  const registers = [registry];
  const validationFailures = new Counter({
    name: 'modelship_validation_failures_total',
    help: 'Fields refused by validation (422), by field and reason: missing, wrong_type, out_of_range, unknown_level, unknown_field.',
    labelNames: ['field', 'reason'],
    registers,
  });
  const payloadLogDropped = new Counter({
    name: 'modelship_payload_log_dropped_total',
    help: 'Sampled payload log lines dropped because stdout did not keep up (the log buffer was full).',
    registers,
  });
  const logDropped = new Counter({
    name: 'modelship_log_dropped_total',
    help: 'Other log lines dropped because stdout did not keep up (the log buffer was full).',
    registers,
  });
  if (monitor) registerDriftMetrics(registry, monitor, current);
  return { validationFailures, payloadLogDropped, logDropped };
}

/**
 * Registers the drift gauges and bin counters. They read the monitor `current()` returns at
 * each scrape (the served model version's, after a reload), `first` names the window.
 */
export function registerDriftMetrics(
  registry: Registry,
  first: DriftMonitor,
  current: () => DriftMonitor | undefined,
): void {
  const registers = [registry];
  const monitor = {
    get fields() {
      return current()?.fields ?? [];
    },
    get prediction() {
      return current()?.prediction;
    },
    window: first.window,
    needed: () => current()?.prediction.minRecords ?? 0,
    psi: (d: MonitoredDistribution) => current()?.psi(d) ?? Number.NaN,
    windowRecords: () => current()?.windowRecords() ?? 0,
  };
  new Gauge({
    name: 'modelship_feature_drift_psi',
    help: `Population stability index of each field over ${monitor.window} against the training profile (NaN: fewer records than its bins need).`,
    labelNames: ['feature'],
    registers,
    collect() {
      for (const d of monitor.fields) this.set({ feature: d.name }, monitor.psi(d));
    },
  });
  new Gauge({
    name: 'modelship_prediction_drift_psi',
    help: `Population stability index of the predictions over ${monitor.window} against the predictions on the training rows (NaN: fewer records than its bins need).`,
    registers,
    collect() {
      const { prediction } = monitor;
      if (prediction) this.set(monitor.psi(prediction));
    },
  });
  new Gauge({
    name: SERVICE_METRICS.driftWindowRecords,
    help: `Records within the drift window (${monitor.window}).`,
    registers,
    collect() {
      this.set(monitor.windowRecords());
    },
  });
  new Gauge({
    name: SERVICE_METRICS.driftWindowRecordsNeeded,
    help: `Records the drift window must hold before every PSI is reported (${PSI_MIN_EXPECTED_COUNT} expected in each bin).`,
    registers,
    collect() {
      this.set(monitor.needed());
    },
  });
  // Counters from cumulative arrays: each scrape adds what was counted since the last one.
  // What each distribution (of each version's monitor) had counted at the last scrape.
  const reported = new WeakMap<MonitoredDistribution, Float64Array>();
  const cumulativeCounter = (
    name: string,
    help: string,
    distributions: () => readonly MonitoredDistribution[],
    labels: (d: MonitoredDistribution, bin: string) => Record<string, string>,
    labelNames: string[],
  ) => {
    new Counter({
      name,
      help,
      labelNames,
      registers,
      collect() {
        distributions().forEach((d) => {
          const seen = reported.get(d) ?? new Float64Array(d.total.length);
          reported.set(d, seen);
          d.bins.forEach((bin, b) => {
            const delta = (d.total[b] as number) - (seen[b] as number);
            this.inc(labels(d, bin), delta);
            seen[b] = d.total[b] as number;
          });
        });
      },
    });
  };
  cumulativeCounter(
    'modelship_feature_bin_records_total',
    'Valid records per field and profile bin (edges or level), since the start: any window in PromQL.',
    () => monitor.fields,
    (d, bin) => ({ feature: d.name, bin }),
    ['feature', 'bin'],
  );
  cumulativeCounter(
    'modelship_prediction_bin_records_total',
    'Predictions per profile bin (edges or class), since the start.',
    () => (monitor.prediction ? [monitor.prediction] : []),
    (_, bin) => ({ bin }),
    ['bin'],
  );
}

/** Counts a 422's field issues by field and reason. */
export function countValidationFailures(
  counter: Counter<'field' | 'reason'>,
  known: ReadonlySet<string>,
  issues: readonly FieldIssue[],
): void {
  for (const issue of issues) {
    if (issue.reason === undefined || issue.field === undefined) continue;
    const field = known.has(issue.field) ? issue.field : UNKNOWN_FIELD_LABEL;
    counter.inc({ field, reason: issue.reason });
  }
}
