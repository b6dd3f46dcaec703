import { POD_PORTS } from '@modelship/contract';
import { ApiObject } from 'cdk8s';
import type { Construct } from 'constructs';
import { objectMeta, type WorkloadMeta } from './metadata.ts';
import { assertDnsLabel, assertPort, fail, withDefaults } from './validate.ts';
import {
  ALERT_RULES_DEFAULTS,
  type AlertRulesOptions,
  resolveAlertRules,
} from './workload-alerts.ts';

/**
 * Prometheus metrics. The public port never serves them (nginx answers 404 there); nginx serves
 * the service's `/metrics` on a port of its own (container port `metrics`), which only the
 * scrapers' namespaces may reach (NetworkPolicy).
 */
export interface MetricsOptions {
  /** Serve metrics on the metrics port. @default true */
  readonly enabled?: boolean;
  /** nginx's metrics-only port. @default 9090 */
  readonly port?: number;
  /**
   * Namespaces whose pods may scrape the metrics port. Google Cloud Managed Service for
   * Prometheus runs its collectors in `gke-gmp-system` when GKE manages the collection (the
   * default on GKE ≥ 1.27 and Autopilot, what `podMonitoring` uses) and in `gmp-system` when
   * it is deployed by hand (self-deployed or on non-GKE clusters); the default admits both.
   * @see https://cloud.google.com/stackdriver/docs/managed-prometheus/setup-managed
   * @see https://cloud.google.com/stackdriver/docs/managed-prometheus/setup-unmanaged
   * @default ['gke-gmp-system', 'gmp-system']
   */
  readonly scraperNamespaces?: readonly string[];
  /**
   * Also create a `PodMonitoring` (monitoring.googleapis.com/v1) so that GKE's managed
   * collection scrapes the pods. A custom resource: the cluster needs managed collection
   * (on by default on GKE ≥ 1.27 and Autopilot).
   * @see https://cloud.google.com/stackdriver/docs/managed-prometheus/setup-managed
   * @default false
   */
  readonly podMonitoring?: boolean;
  /** Scrape interval of the PodMonitoring. @default '30s' */
  readonly scrapeInterval?: string;
  /**
   * Alerting rules for Google Cloud Managed Service for Prometheus (a `Rules` custom
   * resource beside the PodMonitoring): input drift, the 5xx share, the p99 latency.
   * @default { enabled: false }
   */
  readonly alertRules?: AlertRulesOptions;
}

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

/** {@link MetricsOptions} with defaults applied. */
export type ResolvedMetrics = Required<MetricsOptions> & {
  readonly alertRules: Required<AlertRulesOptions>;
};

/** Applies the defaults of {@link MetricsOptions} and validates them (ports: at the top). */
export function resolveMetrics(options: MetricsOptions = {}): ResolvedMetrics {
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
export function podMonitoring(
  scope: Construct,
  meta: WorkloadMeta,
  metrics: ResolvedMetrics,
  path: string,
): ApiObject {
  const spec: PodMonitoringSpec = {
    selector: { matchLabels: { ...meta.selector } },
    endpoints: [{ port: 'metrics', path, interval: metrics.scrapeInterval }],
  };
  return new ApiObject(scope, 'pod-monitoring', {
    apiVersion: 'monitoring.googleapis.com/v1',
    kind: 'PodMonitoring',
    metadata: objectMeta(meta),
    spec,
  });
}
