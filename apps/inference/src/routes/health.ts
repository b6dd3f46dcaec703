import { OPERATIONAL_ROUTES } from '@modelship/contract';
import { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../deps.ts';

/**
 * Probes. `/healthz` (liveness): the process is up and its event loop answers.
 * `/readyz` (readiness): the model is loaded and warmed and the service is not draining;
 * otherwise 503 with the lifecycle state.
 */
export function healthRoutes(deps: Pick<AppDeps, 'readiness' | 'models'>): Hono<AppEnv> {
  const { readiness, models } = deps;
  const app = new Hono<AppEnv>();
  app.get(OPERATIONAL_ROUTES.health, (c) => c.json({ status: 'ok' }));
  app.get(OPERATIONAL_ROUTES.ready, (c) => {
    const body = { status: readiness.state, model: models.current.model.identity };
    return c.json(body, readiness.ready ? 200 : 503);
  });
  return app;
}
