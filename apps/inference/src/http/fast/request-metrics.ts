import type { Registry } from 'prom-client';

/** One `{method, route, status}` series: its count, sum and (non-cumulative) bucket counts. */
export interface RequestSeries {
  readonly labels: Readonly<{ method: string; route: string; status: string }>;
  count: number;
  sum: number;
  /** Per bucket, observations that fell in it; the last slot is above every bound. */
  readonly buckets: Float64Array;
}

/** The HTTP request metrics: `…_requests_total` and `…_request_duration_seconds`. */
export interface RequestMetrics {
  /** The series of a method, route template and status, created on first use and kept. */
  series(method: string, route: string, status: number): RequestSeries;
  /** Counts one answered request of `series` that took `seconds`. */
  observe(series: RequestSeries, seconds: number): void;
}

/** Options of {@link registerRequestMetrics}. */
export interface RequestMetricsOptions {
  readonly registry: Registry;
  /** The counter's name (`http_requests_total`). */
  readonly countName: string;
  /** The histogram's name (`http_request_duration_seconds`). */
  readonly durationName: string;
  /** The histogram's upper bounds, ascending, in seconds. */
  readonly buckets: readonly number[];
}

interface MetricValue {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}

/**
 * The per-request HTTP metrics without per-request label work. prom-client's `inc(labels)` and
 * `observe(labels, v)` (and the children `labels()` returns) validate the label object and hash
 * it into a string key on every call; here a series is looked up by its three values in nested
 * maps and its label object is built once. The series are exposed through the registry as an
 * ordinary counter and histogram (the same names, types, labels and `le` buckets prom-client
 * writes), so `/metrics` and `getMetricsAsJSON` read them like any other metric.
 */
export function registerRequestMetrics(options: RequestMetricsOptions): RequestMetrics {
  const { registry, countName, durationName, buckets: bounds } = options;
  const countHelp = 'HTTP requests answered, by route template and status code.';
  const durationHelp =
    'Time from receiving a request to its response, by route template and status code.';
  const byRoute = new Map<string, Map<string, Map<number, RequestSeries>>>();
  const all: RequestSeries[] = [];

  const create = (method: string, route: string, status: number): RequestSeries => {
    const series: RequestSeries = {
      labels: Object.freeze({ method, route, status: String(status) }),
      count: 0,
      sum: 0,
      buckets: new Float64Array(bounds.length + 1),
    };
    all.push(series);
    return series;
  };

  const counterValues = (): MetricValue[] =>
    all.map((s) => ({ labels: { ...s.labels }, value: s.count }));
  const histogramValues = (): MetricValue[] => {
    const values: MetricValue[] = [];
    for (const s of all) {
      let cumulative = 0;
      bounds.forEach((le, i) => {
        cumulative += s.buckets[i] ?? 0;
        values.push({
          labels: { le, ...s.labels },
          value: cumulative,
          metricName: `${durationName}_bucket`,
        });
      });
      values.push({
        labels: { le: '+Inf', ...s.labels },
        value: s.count,
        metricName: `${durationName}_bucket`,
      });
      values.push({ labels: { ...s.labels }, value: s.sum, metricName: `${durationName}_sum` });
      values.push({ labels: { ...s.labels }, value: s.count, metricName: `${durationName}_count` });
    }
    return values;
  };
  const reset = () => {
    for (const s of all) {
      s.count = 0;
      s.sum = 0;
      s.buckets.fill(0);
    }
  };

  // The registry's metric interface: a name, `get()` and `reset()` (prom-client calls these).
  const register = (name: string, help: string, type: string, values: () => MetricValue[]) => {
    const get = async () => ({ name, help, type, values: values(), aggregator: 'sum' });
    registry.registerMetric({ name, help, type, get, reset } as unknown as Parameters<
      Registry['registerMetric']
    >[0]);
  };
  register(countName, countHelp, 'counter', counterValues);
  register(durationName, durationHelp, 'histogram', histogramValues);

  return {
    series(method, route, status) {
      let byMethod = byRoute.get(route);
      if (byMethod === undefined) {
        byMethod = new Map();
        byRoute.set(route, byMethod);
      }
      let byStatus = byMethod.get(method);
      if (byStatus === undefined) {
        byStatus = new Map();
        byMethod.set(method, byStatus);
      }
      let series = byStatus.get(status);
      if (series === undefined) {
        series = create(method, route, status);
        byStatus.set(status, series);
      }
      return series;
    },
    observe(series, seconds) {
      series.count += 1;
      series.sum += seconds;
      let i = 0;
      while (i < bounds.length && seconds > (bounds[i] as number)) i += 1;
      (series.buckets as Float64Array)[i] = (series.buckets[i] ?? 0) + 1;
    },
  };
}
