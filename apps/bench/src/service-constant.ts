import {
  type AppDeps,
  type AppEnv,
  assertServing,
  jsonBodyReader,
  predictRoutes,
  type RouteModule,
  respondJson,
  routeModules,
} from '@modelship/inference';
import { Hono } from 'hono';

/**
 * `/predict` answering a constant the way the service's route answers: the same guards (503
 * unless serving, 415/413/400 from the JSON body reader) and the same `respondJson`, then the
 * service's response shapes, without validating, encoding, batching or running the model.
 */
export function constantPredictRoutes(prediction = 12345.678): RouteModule {
  return (deps: AppDeps) => {
    const model = { name: deps.model.identity.name, version: deps.model.identity.version };
    const app = new Hono<AppEnv>();
    const readBody = jsonBodyReader({ maxBytes: deps.config.BODY_LIMIT });
    app.post('/predict', async (c) => {
      assertServing(deps.readiness);
      const body = (await readBody(c)) as { instances?: unknown };
      if (Array.isArray(body?.instances)) {
        return respondJson(c, { predictions: body.instances.map(() => prediction), model });
      }
      return respondJson(c, { prediction, model });
    });
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
