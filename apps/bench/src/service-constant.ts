import {
  type AppDeps,
  type AppEnv,
  jsonBody,
  predictRoutes,
  type RouteModule,
  requireServing,
  routeModules,
} from '@modelship/inference';
import { Hono } from 'hono';

/**
 * `/predict` answering a constant: the same guards as the service's route (503 unless
 * serving, 415/413/400 from `jsonBody`), then the service's response shapes, without
 * validating, encoding, batching or running the model.
 */
export function constantPredictRoutes(prediction = 12345.678): RouteModule {
  return (deps: AppDeps) => {
    const model = { name: deps.model.identity.name, version: deps.model.identity.version };
    const app = new Hono<AppEnv>();
    app.post(
      '/predict',
      requireServing(deps.readiness),
      jsonBody({ maxBytes: deps.config.BODY_LIMIT }),
      (c) => {
        const body = c.get('jsonBody') as { instances?: unknown };
        if (Array.isArray(body?.instances)) {
          return c.json({ predictions: body.instances.map(() => prediction), model });
        }
        return c.json({ prediction, model });
      },
    );
    return app;
  };
}

/**
 * The service's own route table with its predict module swapped for
 * {@link constantPredictRoutes}: every other route (probes, metrics, OpenAPI, form) and the
 * whole middleware stack stay as shipped.
 */
export function constantServiceRoutes(prediction?: number): readonly RouteModule[] {
  const constant = constantPredictRoutes(prediction);
  return routeModules.map((module) => (module === predictRoutes ? constant : module));
}
