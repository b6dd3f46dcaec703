import { OPERATIONAL_ROUTES } from '@modelship/contract';
import { Hono } from 'hono';
import { podMetrics, type WorkerDeps } from '../cluster/worker.ts';
import type { AppDeps, AppEnv } from '../deps.ts';

/**
 * `GET /metrics`: the Prometheus text exposition of the service's registry; with several
 * worker processes, of every worker's, aggregated (`podMetrics`).
 */
export function metricsRoutes(deps: WorkerDeps & Pick<AppDeps, 'cluster'>): Hono<AppEnv> {
  const { registry } = deps.metrics;
  const { cluster } = deps;
  const app = new Hono<AppEnv>();
  app.get(OPERATIONAL_ROUTES.metrics, async (c) => {
    if (cluster) {
      const pod = await podMetrics(cluster, deps);
      return c.body(pod.text, 200, { 'Content-Type': pod.contentType });
    }
    const text = await registry.metrics();
    return c.body(text, 200, { 'Content-Type': registry.contentType });
  });
  return app;
}
