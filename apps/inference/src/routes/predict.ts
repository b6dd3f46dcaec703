import { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../deps.ts';
import { ValidationError } from '../errors.ts';
import { respondJson } from '../http/envelope.ts';
import { bodyLimits, jsonBodyReader } from '../http/json-body.ts';
import { assertServing } from '../http/lifecycle.ts';
import type { Prediction } from '../model/task.ts';
import { parsePredictRequest } from '../predict/parse-request.ts';
import { predictedValue, presentMany, presentOne } from '../predict/present.ts';

/** A prediction route's answer: the JSON body and the headers of the model version. */
export interface PredictionAnswer {
  readonly body: unknown;
  readonly headers: Readonly<Record<string, string>>;
}

/** What a prediction route answers for a parsed body and the request's id. */
export type AnswerOfBody = (body: unknown, requestId: string) => Promise<PredictionAnswer>;

type PredictDeps = Pick<AppDeps, 'config' | 'model' | 'models' | 'predict' | 'monitoring'>;

/**
 * What `POST /predict` answers for a parsed body, apart from the framework that carries it
 * (Hono's route below and the native lane, `src/http/native-lane.ts`): one record →
 * `{ prediction, model }`; `{ instances: [...] }` → `{ predictions, model }` in input order.
 *
 * @throws {ValidationError} (422) listing every invalid field.
 */
export function predictAnswer(deps: PredictDeps): AnswerOfBody {
  const { config, model, models, predict } = deps;
  const { payload } = deps.monitoring;
  const options = { schema: model.compiled, maxBatch: config.MAX_BATCH };
  return async (body, requestId) => {
    // One read of the pointer: this version computes the answer and labels it.
    const version = models.current;
    const request = parsePredictRequest(body, options);
    if (request.kind === 'batch') {
      const predictions = await predict(request.records, version);
      payload.maybeLog(requestId, request.records, predictions);
      const answer = Object.assign(presentMany(model.task, predictions), { model: version.ref });
      return { body: answer, headers: version.headers };
    }
    const records = [request.record];
    const predictions = await predict(records, version);
    payload.maybeLog(requestId, records, predictions);
    const [prediction] = predictions;
    const answer = Object.assign(presentOne(model.task, prediction as Prediction), {
      model: version.ref,
    });
    return { body: answer, headers: version.headers };
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
  return async (body, requestId) => {
    const version = models.current;
    const result = model.compiled.validate(body);
    if (!result.ok) throw new ValidationError(result.issues, result.unlisted);
    const records = [result.value];
    const predictions = await predict(records, version);
    payload.maybeLog(requestId, records, predictions);
    const [prediction] = predictions;
    return { body: predictedValue(prediction as Prediction), headers: version.headers };
  };
}

/**
 * The JSON prediction API's routes, each a `POST` of a JSON body: `/predict`
 * ({@link predictAnswer}) and `/predict_api` ({@link predictApiAnswer}). Served by Hono
 * ({@link predictRoutes}) and by the native lane (`createPredictionLane`), from this one table.
 */
export function predictionAnswers(
  deps: PredictDeps,
): readonly { readonly path: string; readonly answer: AnswerOfBody }[] {
  return [
    { path: '/predict', answer: predictAnswer(deps) },
    { path: '/predict_api', answer: predictApiAnswer(deps) },
  ];
}

/** The JSON prediction API ({@link predictionAnswers}) as Hono routes. */
export function predictRoutes(deps: PredictDeps & Pick<AppDeps, 'readiness'>): Hono<AppEnv> {
  const { readiness } = deps;
  const readBody = jsonBodyReader(bodyLimits(deps));
  const app = new Hono<AppEnv>();
  for (const { path, answer } of predictionAnswers(deps)) {
    app.post(path, async (c) => {
      assertServing(readiness);
      const { body, headers } = await answer(await readBody(c), c.get('requestId'));
      return respondJson(c, body, 200, headers);
    });
  }
  return app;
}
