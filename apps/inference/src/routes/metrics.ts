import { OPERATIONAL_ROUTES } from '@modelship/contract';
import { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../deps.ts';

/** `GET /metrics`: the Prometheus text exposition of the service's registry. */
export function metricsRoutes(deps: Pick<AppDeps, 'metrics'>): Hono<AppEnv> {
  const { registry } = deps.metrics;
  const app = new Hono<AppEnv>();
  app.get(OPERATIONAL_ROUTES.metrics, async (c) => {
    const text = await registry.metrics();
    return c.body(text, 200, { 'Content-Type': registry.contentType });
  });
  return app;
}
