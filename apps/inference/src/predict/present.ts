import type { ClassLabel } from '@modelship/feature-schema';
import type { Prediction, ServedTask } from '../model/task.ts';

/** A class's probability, keyed by its label (as JSON object keys are: strings). */
export type ClassProbabilities = Record<string, number>;

/** The predicted value (regression) or class label of one prediction. */
export function predictedValue(prediction: Prediction): number | ClassLabel {
  return typeof prediction === 'number' ? prediction : prediction.label;
}

/** A classifier's probabilities as `{label: probability}`, in the classes' order. */
export function probabilitiesOf(task: ServedTask, prediction: Prediction): ClassProbabilities {
  if (task.kind !== 'classification' || typeof prediction === 'number') return {};
  return Object.fromEntries(
    task.classes.map((label, i) => [String(label), prediction.probabilities[i] ?? 0]),
  );
}

/**
 * The body of `/predict` for one record: `{prediction, model}` for regression,
 * `{prediction, probabilities, model}` for a classifier (one literal each: no object copied).
 *
 * @example
 * presentOne(task, { label: 'yes', probabilities: [0.21, 0.79] }, ref);
 * // { prediction: 'yes', probabilities: { no: 0.21, yes: 0.79 }, model: ref }
 */
export function presentOne<M>(task: ServedTask, prediction: Prediction, model: M) {
  if (task.kind === 'regression') return { prediction: predictedValue(prediction), model };
  return {
    prediction: predictedValue(prediction),
    probabilities: probabilitiesOf(task, prediction),
    model,
  };
}

/**
 * The body of `/predict` for a batch: `{predictions, model}` for regression,
 * `{predictions, probabilities, model}` (one object per record, in input order) for a
 * classifier.
 */
export function presentMany<M>(task: ServedTask, predictions: readonly Prediction[], model: M) {
  const values = predictions.map(predictedValue);
  if (task.kind === 'regression') return { predictions: values, model };
  return {
    predictions: values,
    probabilities: predictions.map((p) => probabilitiesOf(task, p)),
    model,
  };
}
