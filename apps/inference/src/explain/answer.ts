import type { AppDeps } from '../deps.ts';
import type { Prediction, ServedTask } from '../model/task.ts';
import { parsePredictRequest } from '../predict/parse-request.ts';
import { predictedValue, probabilitiesOf } from '../predict/present.ts';
import type { AnswerOfBody } from '../routes/prediction-route.ts';
import type { Explainer, Explanation } from './types.ts';

type ExplainDeps = Pick<
  AppDeps,
  'config' | 'model' | 'models' | 'predict' | 'metrics' | 'monitoring'
>;

/**
 * One record's explanation as `/explain` answers it: the prediction (and a classifier's
 * probabilities) as `/predict` gives them; the baseline, the contributions per field and
 * `output` (baseline + Σ contributions, in the explained space), per class for a classifier;
 * standard errors when sampled.
 */
export function presentExplanation(
  task: ServedTask,
  fields: readonly string[],
  prediction: Prediction,
  e: Explanation,
) {
  const named = (row: readonly number[] | undefined) =>
    Object.fromEntries(fields.map((f, i) => [f, row?.[i] ?? 0]));
  if (task.kind === 'regression') {
    const se = e.standardErrors?.[0];
    return {
      prediction: predictedValue(prediction),
      baseline: e.baseline[0],
      contributions: named(e.contributions[0]),
      output: e.output[0],
      ...(se ? { standardErrors: named(se) } : {}),
    };
  }
  const perClass = <T>(value: (k: number) => T) =>
    Object.fromEntries(task.classes.map((label, k) => [String(label), value(k)]));
  return {
    prediction: predictedValue(prediction),
    probabilities: probabilitiesOf(task, prediction),
    baseline: perClass((k) => e.baseline[k]),
    contributions: perClass((k) => named(e.contributions[k])),
    output: perClass((k) => e.output[k]),
    ...(e.standardErrors ? { standardErrors: perClass((k) => named(e.standardErrors?.[k])) } : {}),
  };
}

/** What an explanation says about how it was computed. */
const methodOf = (explainer: Explainer) => ({
  method: explainer.method,
  space: explainer.space,
  backgroundRows: explainer.backgroundRows,
});

/**
 * What `POST /explain` answers for a parsed body (the same bodies as `/predict`, with its own
 * batch limit): one record → `{ prediction, baseline, contributions, output, method, space,
 * model }`; `{ instances: [...] }` → `{ explanations: [...], method, space, model }`.
 *
 * @throws {ValidationError} (422) listing every invalid field.
 * @throws {ExplainUnavailableError} (409) when the model has no background rows.
 */
export function explainAnswer(deps: ExplainDeps): AnswerOfBody {
  const { config, model, models, predict, metrics } = deps;
  const { payload } = deps.monitoring;
  const fields = model.schema.fields.map((f) => f.name);
  const options = { schema: model.compiled, maxBatch: config.EXPLAIN_MAX_BATCH };
  return async (body, requestId, client) => {
    const version = models.current;
    const request = parsePredictRequest(body, options);
    const records = request.kind === 'batch' ? request.records : [request.record];
    const started = performance.now();
    // Explained first: a version that cannot explain answers 409 without predicting.
    const { explainer, explanations } = await version.explain(records);
    const labels = { method: explainer.method };
    metrics.explanationDuration.observe(labels, (performance.now() - started) / 1000);
    const predictions = await predict(records, version);
    metrics.explainedRows.inc(labels, records.length);
    const present = (i: number) =>
      presentExplanation(
        model.task,
        fields,
        predictions[i] as Prediction,
        explanations[i] as Explanation,
      );
    const about = { ...methodOf(explainer), model: version.ref };
    const { method, space } = explainer;
    payload.maybeLog({
      requestId,
      model: version.ref,
      records,
      predictions,
      explanations: () =>
        records.map((_, i) => {
          const {
            prediction: _p,
            probabilities: _q,
            ...e
          } = present(i) as ReturnType<typeof present> & { probabilities?: unknown };
          return { method, space, ...e };
        }),
      client,
    });
    const answer =
      request.kind === 'batch'
        ? { explanations: records.map((_, i) => present(i)), ...about }
        : { ...present(0), ...about };
    return { body: answer, headers: version.headers };
  };
}
