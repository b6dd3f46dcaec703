import { collectDefaultMetrics } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { mergeDrift } from './pod-drift.ts';
import { aggregatePodMetrics, type MetricJson } from './pod-metrics.ts';
import { fakeProfile, profiledDeps, skewedRecords } from './testing.ts';
import { collectHandlers, type MetricsPayload } from './worker.ts';

/** The value of one sample line of the text format (`name{labels} value`). */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe("the pod's metrics, aggregated over the workers", () => {
  it('sums counters, histograms and gauges, counts a served version once, keeps per-worker series, and computes PSI over the pod window', async () => {
    const profile = fakeProfile();
    const [a, b, whole] = [profiledDeps(profile), profiledDeps(profile), profiledDeps(profile)];
    await a.predict(skewedRecords(0, 40));
    await b.predict(skewedRecords(40, 100));
    await whole.predict(skewedRecords(0, 100));
    // 40 requests answered by one worker (one of them within 1 ms), 60 by the other.
    const answer = (deps: typeof a, seconds: readonly number[]) => {
      const series = deps.metrics.http.series('POST', '/predict', 200);
      for (const s of seconds) deps.metrics.http.observe(series, s);
    };
    answer(a, [0.001, ...Array<number>(39).fill(0.05)]);
    answer(b, Array<number>(60).fill(0.2));
    // Requests in flight: 2 in one worker, 3 in the other.
    for (const [deps, n] of [
      [a, 2],
      [b, 3],
    ] as const) {
      for (let i = 0; i < n; i += 1) deps.requests.start();
    }
    // The process metrics each worker collects, labelled with its slot.
    for (const [deps, worker] of [
      [a, '1'],
      [b, '2'],
    ] as const) {
      collectDefaultMetrics({ register: deps.metrics.registry, labels: { worker } });
    }
    const payloads = [
      (await collectHandlers(a).metrics()) as MetricsPayload,
      (await collectHandlers(b).metrics()) as MetricsPayload,
    ];
    const fingerprint = a.models.current.model.identity.fingerprint;
    const drift = a.monitoring.drift;
    if (!drift) throw new Error('no drift monitor');
    const pod = mergeDrift(
      drift,
      fingerprint,
      payloads.flatMap((p) => (p.drift ? [p.drift] : [])),
    );
    const text = await aggregatePodMetrics(
      payloads.map((p) => p.metrics),
      pod,
    ).metrics();

    const http = 'http_requests_total{method="POST",route="/predict",status="200"}';
    expect(sample(text, http)).toBe(100);
    expect(sample(text, 'inference_predicted_rows_total')).toBe(100);
    expect(sample(text, 'http_requests_in_flight')).toBe(5);
    expect(
      sample(
        text,
        'http_request_duration_seconds_count{method="POST",route="/predict",status="200"}',
      ),
    ).toBe(100);
    expect(
      sample(
        text,
        'http_request_duration_seconds_bucket{le="0.001",method="POST",route="/predict",status="200"}',
      ),
    ).toBe(1);
    const { name, version } = a.models.current.model.identity;
    expect(
      sample(
        text,
        `inference_model_info{name="${name}",version="${version}",fingerprint="${fingerprint}"}`,
      ),
    ).toBe(1);
    expect(sample(text, 'modelship_monitor_window_records')).toBe(100);
    for (const worker of ['1', '2']) {
      expect(sample(text, `process_start_time_seconds{worker="${worker}"}`)).toBeGreaterThan(0);
      expect(sample(text, `nodejs_heap_size_used_bytes{worker="${worker}"}`)).toBeGreaterThan(0);
    }
    // PSI over the pod's window equals that of one process that saw all 100 records.
    const reference = await whole.metrics.registry.metrics();
    for (const series of [
      'modelship_feature_drift_psi{feature="age"}',
      'modelship_feature_drift_psi{feature="smoker"}',
      'modelship_prediction_drift_psi',
    ]) {
      expect(sample(reference, series)).toBeGreaterThan(0);
      expect(sample(text, series)).toBeCloseTo(sample(reference, series) ?? Number.NaN, 12);
    }
  });

  it('counts each of two versions served during a reload once, and uses the sum for metrics without an aggregator', async () => {
    const info = (version: string): MetricJson => ({
      name: 'inference_model_info',
      help: 'The served model; the value is always 1.',
      type: 'gauge',
      aggregator: 'sum',
      values: [{ value: 1, labels: { name: 'm', version, fingerprint: 'f' } }],
    });
    const custom = (value: number): MetricJson => ({
      name: 'custom_total',
      help: 'A metric object whose get() names no aggregator.',
      type: 'counter',
      values: [{ value, labels: {} }],
    });
    const text = await aggregatePodMetrics([
      [info('1'), custom(2)],
      [info('2'), custom(3)],
      [info('2'), custom(4)],
    ]).metrics();
    expect(sample(text, 'inference_model_info{name="m",version="1",fingerprint="f"}')).toBe(1);
    expect(sample(text, 'inference_model_info{name="m",version="2",fingerprint="f"}')).toBe(1);
    expect(sample(text, 'custom_total')).toBe(9);
  });
});
