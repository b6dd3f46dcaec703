import type { AppDeps } from '../deps.ts';
import { ValidationError } from '../errors.ts';
import type { Prediction } from '../model/task.ts';
import { parsePredictRequest } from '../predict/parse-request.ts';
import { predictedValue, presentMany, presentOne } from '../predict/present.ts';
import type { AnswerOfBody } from './prediction-route.ts';

/** What the prediction answers read. */
export type PredictDeps = Pick<
  AppDeps,
  'config' | 'model' | 'models' | 'predict' | 'monitoring' | 'metrics'
>;

/**
 * What `POST /predict` answers for a parsed body: one record → `{ prediction, model }`;
 * `{ instances: [...] }` → `{ predictions, model }` in input order.
 *
 * @throws {ValidationError} (422) listing every invalid field.
 */
export function predictAnswer(deps: PredictDeps): AnswerOfBody {
  const { config, model, models, predict } = deps;
  const { payload } = deps.monitoring;
  const options = { schema: model.compiled, maxBatch: config.MAX_BATCH };
  // Not async: one `then` per request instead of a suspended frame; a parse error throws.
  return (body, requestId, client) => {
    // One read of the pointer: this version computes the answer and labels it.
    const version = models.current;
    const request = parsePredictRequest(body, options);
    const records = request.kind === 'batch' ? request.records : [request.record];
    return predict(records, version).then((predictions) => {
      // The payload request is built only for a sampled request (nothing at sampling 0).
      if (payload.sampled())
        payload.log({ requestId, model: version.ref, records, predictions, client });
      const answer =
        request.kind === 'batch'
          ? presentMany(model.task, predictions, version.ref)
          : presentOne(model.task, predictions[0] as Prediction, version.ref);
      return { body: answer, headers: version.headers };
    });
  };
}

/**
 * What `POST /predict_api` (the replaced tutorial app's endpoint) answers for a parsed body:
 * one record in, the bare predicted value out.
 *
 * @throws {ValidationError} (422) listing every invalid field.
 */
export function predictApiAnswer(deps: PredictDeps): AnswerOfBody {
  const { model, models, predict } = deps;
  const { payload } = deps.monitoring;
  return (body, requestId, client) => {
    const version = models.current;
    const result = model.compiled.validate(body);
    if (!result.ok) throw new ValidationError(result.issues);
    const records = [result.value];
    return predict(records, version).then((predictions) => {
      if (payload.sampled())
        payload.log({ requestId, model: version.ref, records, predictions, client });
      return { body: predictedValue(predictions[0] as Prediction), headers: version.headers };
    });
  };
}
