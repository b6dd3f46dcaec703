import { Hono } from 'hono';
import type { AppDeps, AppEnv } from './deps.ts';
import { requestEnvelope } from './http/envelope.ts';
import { errorHandler, notFoundHandler } from './http/error-handler.ts';
import { type RouteModule, routeModules } from './routes/index.ts';

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
  app.use(requestEnvelope({ ...deps, traceProject: deps.config.GOOGLE_CLOUD_PROJECT }));
  for (const module of routes) app.route('/', module(deps));
  app.notFound(notFoundHandler);
  app.onError(
    errorHandler(deps.logger, {
      onValidationFailure: (issues) => deps.monitoring.countValidationFailures(issues),
    }),
  );
  return app;
}
