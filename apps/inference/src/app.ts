import { Hono } from 'hono';
import { apiKeyGuard } from './auth/guard.ts';
import { keyedPaths } from './auth/keyed-paths.ts';
import type { AppDeps, AppEnv } from './deps.ts';
import { allowedMethods, allowOnly } from './http/allowed-methods.ts';
import { createRequestScopes, requestEnvelope } from './http/envelope.ts';
import {
  type ErrorMappingOptions,
  errorHandler,
  errorMapper,
  notFoundHandler,
} from './http/error-handler.ts';
import { type NativeLane, nativeLane } from './http/fast/native-lane.ts';
import { bodyLimits } from './http/json-body.ts';
import { predictionRoutes, type RouteModule, routeModules } from './routes/index.ts';
import { type PredictionRoute, predictionApp } from './routes/prediction-route.ts';

/** Options of {@link createApp}. */
export interface CreateAppOptions {
  /** The route modules to mount. @default routeModules (the service's route table) */
  readonly routes?: readonly RouteModule[];
  /**
   * Whether `deps.apiKeys` guards this app (the prediction routes and the keyed pages).
   * @default true (the operational listener's app passes false)
   */
  readonly apiKeys?: boolean;
  /**
   * The prediction routes to serve.
   * @default predictionRoutes(deps) with the service's route table, none with other `routes`
   */
  readonly predictions?: readonly PredictionRoute[];
}

/**
 * Builds the HTTP application from its dependencies; `startService` listens with it.
 * Every request gets a request id (from `X-Request-Id` or generated, echoed back), one log line,
 * its metrics and security headers; errors are mapped to JSON in one place. A known path asked
 * with another method is 405 (with `Allow`). With API keys (`deps.apiKeys`), the prediction
 * routes and the keyed modules' routes then admit a request first.
 *
 * @example
 * const app = createApp(deps);
 * const res = await app.request('/predict', { method: 'POST', body, headers });
 */
export function createApp(deps: AppDeps, options: CreateAppOptions = {}): Hono<AppEnv> {
  const { routes = routeModules } = options;
  const predictions = options.predictions ?? (options.routes ? [] : predictionRoutes(deps));
  const routed = new Hono<AppEnv>();
  for (const module of routes) routed.route('/', module(deps));
  routed.route('/', predictionApp(deps, predictions, errorOptions(deps)));
  const app = new Hono<AppEnv>();
  app.use(requestEnvelope(envelopeOptions(deps)));
  // Another method on a known path is 405, ahead of the key check (the route table is no secret).
  for (const [path, allow] of allowedMethods(routed.routes)) app.use(path, allowOnly(allow));
  if (deps.apiKeys && options.apiKeys !== false) {
    const guard = apiKeyGuard(deps.apiKeys);
    const paths = predictions.map((route) => route.path);
    for (const path of keyedPaths(paths, deps.config.API_KEYS_OPEN)) {
      app.use(path, guard);
    }
  }
  app.route('/', routed);
  app.notFound(notFoundHandler);
  app.onError(errorHandler(deps.logger, errorOptions(deps)));
  return app;
}

/**
 * The fast lane (`src/http/fast/`) in front of {@link createApp}'s app, for the same prediction
 * routes, with the same envelope and error mapping.
 *
 * @example
 * await listen(createApp(deps), { port: 8080, lane: createPredictionLane(deps) });
 */
export function createPredictionLane(
  deps: AppDeps,
  routes: readonly PredictionRoute[] = predictionRoutes(deps),
): NativeLane {
  return nativeLane({
    scopes: createRequestScopes(envelopeOptions(deps)),
    mapError: errorMapper(deps.logger, errorOptions(deps)),
    readiness: deps.readiness,
    apiKeys: deps.apiKeys,
    ...bodyLimits(deps),
    routes,
  });
}

function envelopeOptions(deps: AppDeps) {
  return { ...deps, traceProject: deps.config.GOOGLE_CLOUD_PROJECT };
}

function errorOptions(deps: AppDeps): ErrorMappingOptions {
  return { onValidationFailure: (issues) => deps.monitoring.countValidationFailures(issues) };
}
