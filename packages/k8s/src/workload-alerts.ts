import { SERVICE_METRICS } from '@modelship/contract';
import { ApiObject } from 'cdk8s';
import type { Construct } from 'constructs';
import { objectMeta, type WorkloadMeta } from './metadata.ts';
import { fail, withDefaults } from './validate.ts';

/**
 * Alerting rules evaluated by Google Cloud Managed Service for Prometheus
 * (`monitoring.googleapis.com/v1` `Rules`, namespaced: they see this namespace's series only).
 * Firing alerts go to an Alertmanager, not to Cloud Monitoring's notification channels: the
 * managed Alertmanager reads its routes and receivers from the Secret `alertmanager`
 * (key `alertmanager.yaml`) in the `gmp-public` namespace (docs/monitoring.md, "Alerts").
 * @see https://cloud.google.com/stackdriver/docs/managed-prometheus/rules-managed
 */
export interface AlertRulesOptions {
  /** Create the `Rules` resource (needs `metrics.podMonitoring`). @default false */
  readonly enabled?: boolean;
  /**
   * Alert when a field's `modelship_feature_drift_psi` stays above this, on a pod whose drift
   * window holds the records its bins need (`modelship_monitor_window_records` at least
   * `modelship_monitor_window_records_needed`). @default 0.25
   */
  readonly driftPsi?: number;
  /** ... for this long. @default '30m' */
  readonly driftFor?: string;
  /** Alert when the share of 5xx answers stays above this (0..1). @default 0.05 */
  readonly errorRatio?: number;
  /** ... for this long. @default '10m' */
  readonly errorFor?: string;
  /** Alert when the p99 latency of the prediction routes stays above this. @default 0.5 */
  readonly p99LatencySeconds?: number;
  /** ... for this long. @default '10m' */
  readonly latencyFor?: string;
  /** The `rate()` window of the 5xx and latency expressions. @default '5m' */
  readonly rateWindow?: string;
}

/** The defaults of {@link AlertRulesOptions}. */
export const ALERT_RULES_DEFAULTS = {
  enabled: false,
  driftPsi: 0.25,
  driftFor: '30m',
  errorRatio: 0.05,
  errorFor: '10m',
  p99LatencySeconds: 0.5,
  latencyFor: '10m',
  rateWindow: '5m',
} as const satisfies Required<AlertRulesOptions>;

const DURATION = /^[1-9]\d*(s|m|h)$/;

/** Applies the defaults of {@link AlertRulesOptions} and validates them. */
export function resolveAlertRules(options: AlertRulesOptions = {}): Required<AlertRulesOptions> {
  const a = withDefaults(ALERT_RULES_DEFAULTS, options);
  const at = (key: keyof AlertRulesOptions) => `metrics.alertRules.${key}`;
  for (const key of ['driftFor', 'errorFor', 'latencyFor', 'rateWindow'] as const) {
    if (!DURATION.test(a[key])) fail(at(key), a[key], "must be a duration like '10m' or '1h'");
  }
  if (!(a.driftPsi > 0 && Number.isFinite(a.driftPsi)))
    fail(at('driftPsi'), a.driftPsi, 'must be > 0');
  if (!(a.errorRatio > 0 && a.errorRatio <= 1))
    fail(at('errorRatio'), a.errorRatio, 'must be in (0, 1]');
  if (!(a.p99LatencySeconds > 0 && Number.isFinite(a.p99LatencySeconds))) {
    fail(at('p99LatencySeconds'), a.p99LatencySeconds, 'must be > 0');
  }
  return a;
}

/** One Prometheus alerting rule. */
export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

/** The rules of {@link AlertRulesOptions} over the series of one PodMonitoring (`job`). */
export function alertRules(job: string, a: Required<AlertRulesOptions>): AlertRule[] {
  const sel = `job="${job}"`;
  const w = a.rateWindow;
  // A pod's PSI counts once its drift window holds the records the bins need.
  const enoughRecords = `${SERVICE_METRICS.driftWindowRecords}{${sel}} >= ${SERVICE_METRICS.driftWindowRecordsNeeded}{${sel}}`;
  return [
    {
      alert: 'ModelshipFeatureDrift',
      expr: `max by (feature) (modelship_feature_drift_psi{${sel}} > ${a.driftPsi} and on (namespace, instance) (${enoughRecords}))`,
      for: a.driftFor,
      labels: { severity: 'warning' },
      annotations: {
        summary: `${job}: the inputs of field {{ $labels.feature }} have drifted from the training data`,
        description: `PSI {{ $value | humanize }} above ${a.driftPsi} for ${a.driftFor}; see the pods' /monitoring page on the metrics port.`,
      },
    },
    {
      alert: 'ModelshipServerErrors',
      expr: `sum(rate(http_requests_total{${sel},status=~"5.."}[${w}])) / sum(rate(http_requests_total{${sel}}[${w}])) > ${a.errorRatio}`,
      for: a.errorFor,
      labels: { severity: 'critical' },
      annotations: {
        summary: `${job}: more than ${a.errorRatio * 100}% of answers are 5xx`,
        description: `5xx share {{ $value | humanizePercentage }} for ${a.errorFor}.`,
      },
    },
    {
      alert: 'ModelshipLatencyP99',
      expr: `histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{${sel},route=~"/predict|/predict_api|/v2/models/.*"}[${w}]))) > ${a.p99LatencySeconds}`,
      for: a.latencyFor,
      labels: { severity: 'warning' },
      annotations: {
        summary: `${job}: p99 prediction latency above ${a.p99LatencySeconds}s`,
        description: `p99 {{ $value | humanizeDuration }} for ${a.latencyFor}.`,
      },
    },
  ];
}

/**
 * The `Rules` (monitoring.googleapis.com/v1) beside the PodMonitoring: Managed Service for
 * Prometheus evaluates them on the series that PodMonitoring collects (its `job` label is the
 * PodMonitoring's name).
 * @see https://cloud.google.com/stackdriver/docs/managed-prometheus/rules-managed
 */
export function rulesResource(
  scope: Construct,
  meta: WorkloadMeta,
  rules: Required<AlertRulesOptions>,
  interval: string,
): ApiObject {
  return new ApiObject(scope, 'alert-rules', {
    apiVersion: 'monitoring.googleapis.com/v1',
    kind: 'Rules',
    metadata: objectMeta(meta),
    spec: {
      groups: [
        {
          name: `${meta.name}-modelship`,
          interval,
          rules: alertRules(meta.name, rules),
        },
      ],
    },
  });
}
