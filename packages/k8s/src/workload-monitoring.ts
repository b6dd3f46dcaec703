import { ApiObject } from 'cdk8s';
import type { Construct } from 'constructs';
import { commonLabels, selectorLabels } from './metadata.ts';
import type { WorkloadSettings } from './workload-settings.ts';

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
