import { OPERATIONAL_ROUTES } from '@modelship/contract';
import { Hono } from 'hono';
import { podDrift, type WorkerDeps } from '../cluster/worker.ts';
import type { AppDeps, AppEnv } from '../deps.ts';
import { monitoringPage, noProfilePage, PAGE_CSP } from './page.ts';

/**
 * `GET /monitoring`: the drift page (training vs live shares, PSI, window). Like `/metrics`,
 * nginx serves it on the metrics port only; the public port answers 404. With several worker
 * processes, the page shows the pod's window: every worker's window added up (`podDrift`).
 */
export function monitoringRoutes(deps: WorkerDeps & Pick<AppDeps, 'cluster'>): Hono<AppEnv> {
  const { models, monitoring, cluster } = deps;
  const app = new Hono<AppEnv>();
  app.get(OPERATIONAL_ROUTES.monitoring, async (c) => {
    c.header('Content-Security-Policy', PAGE_CSP);
    c.header('Cache-Control', 'no-store');
    const drift = cluster ? await podDrift(cluster, deps) : monitoring.drift;
    const { identity } = models.current.model;
    return c.html(drift ? monitoringPage(drift, identity) : noProfilePage(identity));
  });
  return app;
}
