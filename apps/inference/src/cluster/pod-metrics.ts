// The whole pod's metrics (WORKERS > 1): every worker's registry, as JSON, aggregated with
// prom-client's AggregatorRegistry.aggregate (by each metric's `aggregator`, `sum` unless the
// metric says otherwise), with three adjustments:
// - series labelled per worker (prom-client's process and Node metrics carry `worker`) are kept
//   as they are, one per worker (`first` of a label set that only one worker has);
// - `inference_model_info` is 1 per served version, however many workers serve it (`max`);
// - the drift PSI gauges are recomputed over the pod's window (the workers' windows added up),
//   never summed or averaged over the workers' PSIs.
import { AggregatorRegistry, type Registry } from 'prom-client';
import type { PodDrift } from './pod-drift.ts';

/** One metric as `registry.getMetricsAsJSON()` gives it (and IPC carries it). */
export interface MetricJson {
  readonly name: string;
  readonly help: string;
  readonly type: string;
  readonly aggregator?: string;
  readonly values: readonly {
    readonly value: number;
    readonly labels: Readonly<Record<string, string | number>>;
    readonly metricName?: string;
  }[];
}

/** The label prom-client's default metrics carry in a worker (its slot). */
export const WORKER_LABEL = 'worker';

/** The gauges whose pod-wide value is computed from the pod's drift window. */
const PSI_METRICS = {
  features: 'modelship_feature_drift_psi',
  prediction: 'modelship_prediction_drift_psi',
} as const;

/** Aggregators that differ from the metric's own, by metric name. */
const AGGREGATOR_OVERRIDES: Readonly<Record<string, string>> = {
  inference_model_info: 'max',
};

function aggregatorOf(metric: MetricJson): string | undefined {
  const override = AGGREGATOR_OVERRIDES[metric.name];
  if (override) return override;
  const perWorker =
    metric.values.length > 0 && metric.values.every((v) => WORKER_LABEL in v.labels);
  return perWorker ? 'first' : (metric.aggregator ?? 'sum');
}

/** The PSI gauges over the pod's window, in the shape the workers' registries give them. */
function podPsi(drift: PodDrift, like: ReadonlyMap<string, MetricJson>): MetricJson[] {
  const gauge = (name: string, values: MetricJson['values']): MetricJson => ({
    name,
    help: like.get(name)?.help ?? name,
    type: 'gauge',
    aggregator: 'first',
    values,
  });
  return [
    gauge(
      PSI_METRICS.features,
      drift.fields.map((d) => ({ value: drift.psi(d), labels: { feature: d.name } })),
    ),
    gauge(PSI_METRICS.prediction, [{ value: drift.psi(drift.prediction), labels: {} }]),
  ];
}

/**
 * Aggregates the workers' metrics into one registry (read it with `.metrics()`). `drift` is the
 * pod's drift window, when the asking worker's model has a profile: the PSI gauges are computed
 * from it; without it they are left out (they could only be summed, which means nothing).
 */
export function aggregatePodMetrics(
  workers: readonly (readonly MetricJson[])[],
  drift?: PodDrift,
): Registry {
  const psiNames = new Set<string>(Object.values(PSI_METRICS));
  const psiLike = new Map<string, MetricJson>();
  const adjusted = workers.map((metrics) =>
    metrics.flatMap((metric) => {
      if (psiNames.has(metric.name)) {
        psiLike.set(metric.name, metric);
        return [];
      }
      const aggregator = aggregatorOf(metric);
      return [aggregator === metric.aggregator ? metric : { ...metric, aggregator }];
    }),
  );
  if (drift && psiLike.size > 0) adjusted.push(podPsi(drift, psiLike));
  return AggregatorRegistry.aggregate(adjusted);
}
