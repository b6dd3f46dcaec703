import { OPERATIONAL_ROUTES } from '@modelship/contract';
import { Hono } from 'hono';
import { podReload, type WorkerDeps } from '../cluster/worker.ts';
import type { AppDeps, AppEnv } from '../deps.ts';

/**
 * `POST /admin/reload`: reload a versioned model source now (read `current`; a new name is
 * loaded, checked and switched to). Never public: nginx proxies it on the metrics port only.
 * 200 `{ outcome: "switched" | "unchanged", version, model }`; 409 with `outcome: "refused"`
 * and the reason (the served version stays), or `"not_versioned"` for a plain model directory.
 * With several worker processes, every worker reloads and the answer is the pod's (`podReload`:
 * the same shape, plus each worker's outcome in `workers`).
 */
export function adminRoutes(deps: WorkerDeps & Pick<AppDeps, 'cluster'>): Hono<AppEnv> {
  const { models, cluster } = deps;
  const app = new Hono<AppEnv>();
  app.post(OPERATIONAL_ROUTES.reload, async (c) => {
    if (cluster) {
      const pod = await podReload(cluster, deps);
      c.header('Cache-Control', 'no-store');
      return c.json(pod.body, pod.status);
    }
    const result = await models.reload();
    const model = models.current.model.identity;
    const ok = result.outcome === 'switched' || result.outcome === 'unchanged';
    c.header('Cache-Control', 'no-store');
    return c.json({ ...result, model }, ok ? 200 : 409);
  });
  return app;
}
