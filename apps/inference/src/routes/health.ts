import { OPERATIONAL_ROUTES } from '@modelship/contract';
import { Hono } from 'hono';
import { podReadiness } from '../cluster/worker.ts';
import type { AppDeps, AppEnv } from '../deps.ts';

/**
 * Probes. `/healthz` (liveness): the process is up and its event loop answers.
 * `/readyz` (readiness): the model is loaded and warmed and the service is not draining;
 * otherwise 503 with the lifecycle state. With several worker processes, `/readyz` is the pod's:
 * 200 only while this worker and every other one (as the primary last reported) are ready.
 */
export function healthRoutes(
  deps: Pick<AppDeps, 'readiness' | 'models' | 'cluster'>,
): Hono<AppEnv> {
  const { readiness, models, cluster } = deps;
  const app = new Hono<AppEnv>();
  app.get(OPERATIONAL_ROUTES.health, (c) => c.json({ status: 'ok' }));
  app.get(OPERATIONAL_ROUTES.ready, (c) => {
    if (cluster) {
      const pod = podReadiness(cluster, deps);
      return c.json(pod.body, pod.status);
    }
    const body = { status: readiness.state, model: models.current.model.identity };
    return c.json(body, readiness.ready ? 200 : 503);
  });
  return app;
}
