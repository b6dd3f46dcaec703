import { OPERATIONAL_ROUTES } from '@modelship/contract';
import { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../deps.ts';

/**
 * `POST /admin/reload`: reload a versioned model source now (read `current`; a new name is
 * loaded, checked and switched to). Never public: nginx proxies it on the metrics port only.
 * 200 `{ outcome: "switched" | "unchanged", version, model }`; 409 with `outcome: "refused"`
 * and the reason (the served version stays), or `"not_versioned"` for a plain model directory.
 */
export function adminRoutes(deps: Pick<AppDeps, 'models'>): Hono<AppEnv> {
  const { models } = deps;
  const app = new Hono<AppEnv>();
  app.post(OPERATIONAL_ROUTES.reload, async (c) => {
    const result = await models.reload();
    const model = models.current.model.identity;
    const ok = result.outcome === 'switched' || result.outcome === 'unchanged';
    c.header('Cache-Control', 'no-store');
    return c.json({ ...result, model }, ok ? 200 : 409);
  });
  return app;
}
