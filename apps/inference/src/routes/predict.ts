import { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../deps.ts';
import { ValidationError } from '../errors.ts';
import { jsonBody } from '../http/json-body.ts';
import { requireServing } from '../http/lifecycle.ts';
import type { Prediction } from '../model/task.ts';
import { parsePredictRequest } from '../predict/parse-request.ts';
import { predictedValue, presentMany, presentOne } from '../predict/present.ts';

/**
 * The JSON prediction API.
 * - `POST /predict`: one record → `{ prediction, model }`; `{ instances: [...] }` →
 *   `{ predictions, model }` in input order.
 * - `POST /predict_api`: the replaced tutorial app's endpoint: one record in, the bare number out.
 */
export function predictRoutes(
  deps: Pick<AppDeps, 'config' | 'model' | 'predict' | 'readiness' | 'monitoring'>,
): Hono<AppEnv> {
  const { config, model, predict, readiness } = deps;
  const { payload } = deps.monitoring;
  const modelRef = { name: model.identity.name, version: model.identity.version };
  const options = { schema: model.compiled, maxBatch: config.MAX_BATCH };
  const guards = [requireServing(readiness), jsonBody({ maxBytes: config.BODY_LIMIT })] as const;
  const app = new Hono<AppEnv>();

  app.post('/predict', ...guards, async (c) => {
    const request = parsePredictRequest(c.get('jsonBody'), options);
    if (request.kind === 'batch') {
      const predictions = await predict(request.records);
      payload.maybeLog(c.get('requestId'), request.records, predictions);
      return c.json({ ...presentMany(model.task, predictions), model: modelRef });
    }
    const records = [request.record];
    const predictions = await predict(records);
    payload.maybeLog(c.get('requestId'), records, predictions);
    const [prediction] = predictions;
    return c.json({ ...presentOne(model.task, prediction as Prediction), model: modelRef });
  });

  app.post('/predict_api', ...guards, async (c) => {
    const result = model.compiled.validate(c.get('jsonBody'));
    if (!result.ok) throw new ValidationError(result.issues);
    const records = [result.value];
    const predictions = await predict(records);
    payload.maybeLog(c.get('requestId'), records, predictions);
    const [prediction] = predictions;
    return c.json(predictedValue(prediction as Prediction));
  });
  return app;
}
