import {
  type AppDeps,
  type AppEnv,
  assertServing,
  jsonBodyReader,
  type NativeRoute,
  predictRoutes,
  type RouteModule,
  respondJson,
  routeModules,
} from '@modelship/inference';
import { Hono } from 'hono';

/** The service's answer shapes with a constant: one record → `prediction`, a batch → `predictions`. */
function constantAnswer(deps: AppDeps, prediction: number): (body: unknown) => unknown {
  const model = { name: deps.model.identity.name, version: deps.model.identity.version };
  return (body) => {
    const instances = (body as { instances?: unknown } | null)?.instances;
    if (Array.isArray(instances)) return { predictions: instances.map(() => prediction), model };
    return { prediction, model };
  };
}

/**
 * `/predict` answering a constant the way the service's route answers: the same guards (503
 * unless serving, 415/413/400 from the JSON body reader) and the same `respondJson`, then the
 * service's response shapes, without validating, encoding, batching or running the model.
 */
export function constantPredictRoutes(prediction = 12345.678): RouteModule {
  return (deps: AppDeps) => {
    const answer = constantAnswer(deps, prediction);
    const app = new Hono<AppEnv>();
    const readBody = jsonBodyReader({ maxBytes: deps.config.BODY_LIMIT });
    app.post('/predict', async (c) => {
      assertServing(deps.readiness);
      return respondJson(c, answer(await readBody(c)));
    });
    return app;
  };
}

/**
 * The same constant `/predict` as a route of the service's native lane, which answers the
 * service's own `/predict` in front of Hono: with it, the ceiling pays what the service pays
 * per request apart from validating, batching and running the model.
 */
export function constantLaneRoutes(prediction = 12345.678): (deps: AppDeps) => NativeRoute[] {
  return (deps) => {
    const answer = constantAnswer(deps, prediction);
    return [{ path: '/predict', answer: async (body) => ({ body: answer(body), headers: {} }) }];
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
