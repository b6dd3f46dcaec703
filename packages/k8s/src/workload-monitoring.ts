import { POD_PORTS } from '@modelship/contract';
import { ApiObject } from 'cdk8s';
import type { Construct } from 'constructs';
import { commonLabels, selectorLabels } from './metadata.ts';
import { assertDnsLabel, assertPort, fail, withDefaults } from './validate.ts';
import { ALERT_RULES_DEFAULTS, resolveAlertRules } from './workload-alerts.ts';
import type { AlertRulesOptions, MetricsOptions } from './workload-props.ts';
import type { WorkloadSettings } from './workload-settings.ts';

/**
 * Where Google Cloud Managed Service for Prometheus runs its collectors: `gke-gmp-system` with
 * GKE's managed collection, `gmp-system` when self-deployed.
 * @see https://cloud.google.com/stackdriver/docs/managed-prometheus/setup-managed
 */
export const DEFAULT_SCRAPER_NAMESPACES: readonly string[] = ['gke-gmp-system', 'gmp-system'];

/** The defaults of {@link MetricsOptions}. */
export const METRICS_DEFAULTS = {
  enabled: true,
  port: POD_PORTS.metrics,
  scraperNamespaces: DEFAULT_SCRAPER_NAMESPACES,
  podMonitoring: false,
  scrapeInterval: '30s',
  alertRules: ALERT_RULES_DEFAULTS,
} as const satisfies Required<MetricsOptions>;

/** Applies the defaults of {@link MetricsOptions} and validates them (ports: at the top). */
export function resolveMetrics(
  options: MetricsOptions = {},
): Required<MetricsOptions> & { readonly alertRules: Required<AlertRulesOptions> } {
  const m = {
    ...withDefaults(METRICS_DEFAULTS, options),
    alertRules: resolveAlertRules(options.alertRules),
  };
  assertPort('metrics.port', m.port);
  m.scraperNamespaces.forEach((namespace, index) => {
    assertDnsLabel(`metrics.scraperNamespaces[${index}]`, namespace);
  });
  if (!/^[1-9]\d*(ms|s|m|h)$/.test(m.scrapeInterval)) {
    fail('metrics.scrapeInterval', m.scrapeInterval, "must be a duration like '30s' or '1m'");
  }
  if (m.podMonitoring && !m.enabled) {
    fail('metrics.podMonitoring', m.podMonitoring, "requires 'metrics.enabled'");
  }
  if (m.alertRules.enabled && !m.podMonitoring) {
    fail(
      'metrics.alertRules.enabled',
      true,
      "requires 'metrics.podMonitoring' (the rules read its series)",
    );
  }
  return m;
}

/** The part of GKE's PodMonitoring (monitoring.googleapis.com/v1) this construct sets. */
export interface PodMonitoringSpec {
  readonly selector: { readonly matchLabels: Readonly<Record<string, string>> };
  readonly endpoints: readonly {
    /** Name of the container port to scrape. */
    readonly port: string;
    readonly path: string;
    readonly interval: string;
  }[];
}

/**
 * The PodMonitoring that tells GKE's managed collection (Google Cloud Managed Service for
 * Prometheus) to scrape the pods' `metrics` port.
 * @see https://cloud.google.com/stackdriver/docs/managed-prometheus/setup-managed
 */
export function podMonitoring(scope: Construct, s: WorkloadSettings): ApiObject {
  const spec: PodMonitoringSpec = {
    selector: { matchLabels: selectorLabels(s) },
    endpoints: [{ port: 'metrics', path: s.nginx.metricsPath, interval: s.metrics.scrapeInterval }],
  };
  return new ApiObject(scope, 'pod-monitoring', {
    apiVersion: 'monitoring.googleapis.com/v1',
    kind: 'PodMonitoring',
    metadata: { name: s.name, namespace: s.namespace, labels: commonLabels(s) },
    spec,
  });
}
