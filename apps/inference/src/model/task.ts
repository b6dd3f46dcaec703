import type { ClassLabel } from '@modelship/feature-schema';

/** A regression model: one number per record. */
export interface RegressionTask {
  readonly kind: 'regression';
}

/** A classifier, with what the loader resolved from `schema.json` and the graph. */
export interface ClassificationTask {
  readonly kind: 'classification';
  /** The class labels, in the order of the probability columns. */
  readonly classes: readonly ClassLabel[];
  /** The element type of the label output: strings or int64 (answered as JSON integers). */
  readonly labelType: 'string' | 'int64';
  /**
   * The `[N,C]` tensor the probabilities are read from: `output.probabilities` itself, or the
   * input of the ZipMap that makes it (onnxruntime-node returns no `seq(map)` values).
   */
  readonly probabilitiesTensor: string;
  /** Whether `output.probabilities` is a ZipMap (read through `probabilitiesTensor`). */
  readonly zipMap: boolean;
  /** Where each record's label comes from. */
  readonly labelSource: LabelSource;
}

/**
 * Where a classifier's label comes from: the graph's label output, whose values are `codes`
 * (`codes[i]` is served as `classes[i]`), or the argmax of the probabilities (`output.label:
 * 'argmax'`, for graphs without a label output; the first class wins a tie).
 */
export type LabelSource =
  | {
      readonly kind: 'output';
      readonly name: string;
      /** The label output's element type. */
      readonly type: 'string' | 'int64';
      /** The graph's label values, in the order of the probability columns. */
      readonly codes: readonly ClassLabel[];
    }
  | { readonly kind: 'argmax' };

/** What the served model predicts. */
export type ServedTask = RegressionTask | ClassificationTask;

/** A classifier's prediction for one record. */
export interface ClassPrediction {
  readonly label: ClassLabel;
  /** One probability per class, in `classes` order. */
  readonly probabilities: readonly number[];
}

/** One record's prediction: a number (regression) or a class with its probabilities. */
export type Prediction = number | ClassPrediction;

/** The class labels' element type. */
export function labelTypeOf(classes: readonly ClassLabel[]): 'string' | 'int64' {
  return typeof classes[0] === 'string' ? 'string' : 'int64';
}
