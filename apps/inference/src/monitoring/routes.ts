import { OPERATIONAL_ROUTES } from '@modelship/contract';
import { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../deps.ts';
import { explainSummary } from '../explain/explanations.ts';
import { monitoringPage, noProfilePage, PAGE_CSP } from './page.ts';

/**
 * `GET /monitoring`: the drift page (training vs live shares, PSI, window). Like `/metrics`,
 * nginx serves it on the metrics port only; the public port answers 404.
 */
export function monitoringRoutes(deps: Pick<AppDeps, 'models' | 'monitoring'>): Hono<AppEnv> {
  const { models, monitoring } = deps;
  const app = new Hono<AppEnv>();
  app.get(OPERATIONAL_ROUTES.monitoring, async (c) => {
    c.header('Content-Security-Policy', PAGE_CSP);
    c.header('Cache-Control', 'no-store');
    const { drift } = monitoring;
    const version = models.current;
    const { identity } = version.model;
    const explain = explainSummary(version.explainer);
    return c.html(
      drift ? monitoringPage(drift, identity, explain) : noProfilePage(identity, explain),
    );
  });
  return app;
}
