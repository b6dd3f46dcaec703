import type { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../deps.ts';
import { formRoutes } from '../form/routes.ts';
import { monitoringRoutes } from '../monitoring/routes.ts';
import { docsRoutes } from '../openapi/docs.ts';
import { openApiRoutes } from '../openapi/routes.ts';
import { v2Routes } from '../v2/routes.ts';
import { adminRoutes } from './admin.ts';
import { healthRoutes } from './health.ts';
import { metricsRoutes } from './metrics.ts';
import { predictRoutes } from './predict.ts';

/** A route module: builds its own Hono sub-app from the shared deps; mounted at `/`. */
export type RouteModule = (deps: AppDeps) => Hono<AppEnv>;

/**
 * The one route table: every route module of the service, in mounting order. New modules
 * (the Open Inference Protocol in `src/v2/`, the OpenAPI document in `src/openapi/`, the web
 * form in `src/form/`) are added here and nowhere else.
 */
export const routeModules: readonly RouteModule[] = [
  healthRoutes,
  metricsRoutes,
  monitoringRoutes,
  adminRoutes,
  predictRoutes,
  v2Routes,
  openApiRoutes,
  docsRoutes,
  formRoutes,
];
