import type { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../deps.ts';
import { explainAnswer } from '../explain/answer.ts';
import { formRoutes } from '../form/routes.ts';
import { monitoringRoutes } from '../monitoring/routes.ts';
import { docsRoutes } from '../openapi/docs.ts';
import { openApiRoutes } from '../openapi/routes.ts';
import { inferRoutes, v2Routes } from '../v2/routes.ts';
import { adminRoutes } from './admin.ts';
import { healthRoutes } from './health.ts';
import { metricsRoutes } from './metrics.ts';
import { type PredictDeps, predictAnswer, predictApiAnswer } from './predict.ts';
import type { PredictionRoute } from './prediction-route.ts';

/** A route module: builds its own Hono sub-app from the shared deps; mounted at `/`. */
export type RouteModule = (deps: AppDeps) => Hono<AppEnv>;

/** The routes of the serving listener (`PORT`), with {@link predictionRoutes}. */
export const servingModules: readonly RouteModule[] = [
  healthRoutes,
  v2Routes,
  openApiRoutes,
  docsRoutes,
  formRoutes,
];

/** The routes of the operational listener (`OPS_PORT`), never served on `PORT`. */
export const operationalModules: readonly RouteModule[] = [
  metricsRoutes,
  monitoringRoutes,
  adminRoutes,
];

/**
 * The service's route table, with {@link predictionRoutes}: every route module, in mounting
 * order (one app in process; `startService` serves the two lists on their own listeners). New
 * routes are added here and nowhere else.
 */
export const routeModules: readonly RouteModule[] = [...servingModules, ...operationalModules];

/**
 * The JSON `POST` routes that answer predictions. Hono serves each one, and the fast lane
 * those with a fixed request target, both from this list.
 */
export function predictionRoutes(deps: PredictDeps): readonly PredictionRoute[] {
  return [
    { path: '/predict', answer: predictAnswer(deps) },
    { path: '/predict_api', answer: predictApiAnswer(deps) },
    {
      path: '/explain',
      answer: explainAnswer(deps),
      maxBytes: Math.min(deps.config.EXPLAIN_BODY_LIMIT, deps.config.BODY_LIMIT),
    },
    ...inferRoutes(deps),
  ];
}
