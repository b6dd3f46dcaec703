import { type AppDeps, type PredictionRoute, predictionRoutes } from '@modelship/inference';

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
 * The service's prediction routes with `/predict` answering a constant in the service's answer
 * shapes, without validating, encoding, batching or running the model. Served as the service
 * serves its own (the fast lane and Hono, the same guards and body checks), so the ceiling pays
 * what the service pays per request apart from the model path.
 */
export function constantPredictions(
  prediction = 12345.678,
): (deps: AppDeps) => readonly PredictionRoute[] {
  return (deps) => {
    const answer = constantAnswer(deps, prediction);
    const constant = async (body: unknown) => ({ body: answer(body), headers: {} });
    return predictionRoutes(deps).map((route) =>
      route.path === '/predict' ? { ...route, answer: constant } : route,
    );
  };
}
