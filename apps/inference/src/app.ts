import { Hono } from 'hono';
import type { AppDeps, AppEnv } from './deps.ts';
import { createRequestScopes, requestEnvelope } from './http/envelope.ts';
import {
  type ErrorMappingOptions,
  errorHandler,
  errorMapper,
  notFoundHandler,
} from './http/error-handler.ts';
import { bodyLimits } from './http/json-body.ts';
import { type NativeLane, type NativeRoute, nativeLane } from './http/native-lane.ts';
import { type RouteModule, routeModules } from './routes/index.ts';
import { predictionAnswers } from './routes/predict.ts';
import { inferLaneRoute } from './v2/routes.ts';

/** Options of {@link createApp}. */
export interface CreateAppOptions {
  /** The route modules to mount. @default routeModules (the service's route table) */
  readonly routes?: readonly RouteModule[];
}

/**
 * Builds the HTTP application from its dependencies; starting it is `server.ts`'s job.
 * Every request gets a request id (from `X-Request-Id` or generated, echoed back), one log line
 * and its metrics, and security headers (a minimal set, the full set on HTML); errors are mapped to JSON in one place.
 *
 * @example
 * const app = createApp(deps);
 * const res = await app.request('/predict', { method: 'POST', body, headers });
 */
export function createApp(deps: AppDeps, options: CreateAppOptions = {}): Hono<AppEnv> {
  const { routes = routeModules } = options;
  const app = new Hono<AppEnv>();
  app.use(requestEnvelope(envelopeOptions(deps)));
  for (const module of routes) app.route('/', module(deps));
  app.notFound(notFoundHandler);
  app.onError(errorHandler(deps.logger, errorOptions(deps)));
  return app;
}

/** The routes the prediction lane takes: the JSON prediction API and the OIP infer route. */
export function predictionLaneRoutes(deps: AppDeps): readonly NativeRoute[] {
  return [...predictionAnswers(deps), inferLaneRoute(deps)];
}

/**
 * The lane (`src/http/native-lane.ts`) in front of {@link createApp}'s app for the prediction
 * routes ({@link predictionLaneRoutes}), with the same envelope, error mapping and answers as
 * the app's routes. Only for the app with the service's own route table, unless `routes` are
 * given for another table (the benchmark's constant ceiling answers its `/predict` here too).
 *
 * @example
 * await listen(createApp(deps), { port: 8080, lane: createPredictionLane(deps) });
 */
export function createPredictionLane(
  deps: AppDeps,
  routes: readonly NativeRoute[] = predictionLaneRoutes(deps),
): NativeLane {
  return nativeLane({
    scopes: createRequestScopes(envelopeOptions(deps)),
    mapError: errorMapper(deps.logger, errorOptions(deps)),
    readiness: deps.readiness,
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
