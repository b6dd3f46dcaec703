import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { registerRequestMetrics } from './request-metrics.ts';

const buckets = [0.001, 0.01, 0.1, 1];
const observations: [string, string, number, number][] = [
  ['POST', '/predict', 200, 0.0004],
  ['POST', '/predict', 200, 0.001],
  ['POST', '/predict', 200, 0.05],
  ['POST', '/predict', 422, 0.002],
  ['GET', '/healthz', 200, 3],
  ['POST', '/v2/models/:name/infer', 200, 0.1],
];

/** The same observations through prom-client's own Counter and Histogram. */
async function withPromClient(): Promise<string> {
  const registry = new Registry();
  const labelNames = ['method', 'route', 'status'] as const;
  const count = new Counter({ name: 'c_total', help: 'h', labelNames, registers: [registry] });
  const histogram = new Histogram({
    name: 'd_seconds',
    help: 'h',
    labelNames,
    buckets,
    registers: [registry],
  });
  for (const [method, route, status, seconds] of observations) {
    const labels = { method, route, status: String(status) };
    count.inc(labels);
    histogram.observe(labels, seconds);
  }
  return registry.metrics();
}

/** Our series in a fresh registry, under the names the reference uses. */
function ourSeries() {
  const registry = new Registry();
  const metrics = registerRequestMetrics({
    registry,
    countName: 'c_total',
    durationName: 'd_seconds',
    buckets,
  });
  return { registry, metrics };
}

describe('registerRequestMetrics', () => {
  it('writes what prom-client writes for the same observations (values, labels, le buckets)', async () => {
    const { registry, metrics } = ourSeries();
    for (const [method, route, status, seconds] of observations) {
      metrics.observe(metrics.series(method, route, status), seconds);
    }
    const ours = await registry.metrics();
    const reference = await withPromClient();
    const samples = (text: string) =>
      text
        .split('\n')
        .filter((l) => !l.startsWith('#'))
        .sort();
    expect(samples(ours)).toEqual(samples(reference));
    expect(ours).toContain('# TYPE d_seconds histogram');
    expect(ours).toContain('# TYPE c_total counter');
  });

  it('returns one series per method, route and status, and resets with the registry', async () => {
    const { registry, metrics } = ourSeries();
    const a = metrics.series('POST', '/predict', 200);
    expect(metrics.series('POST', '/predict', 200)).toBe(a);
    expect(metrics.series('POST', '/predict', 422)).not.toBe(a);
    metrics.observe(a, 0.5);
    expect(await registry.getSingleMetricAsString('c_total')).toContain(
      'c_total{method="POST",route="/predict",status="200"} 1',
    );
    registry.resetMetrics();
    expect(await registry.getSingleMetricAsString('c_total')).toContain(
      'c_total{method="POST",route="/predict",status="200"} 0',
    );
  });
});
