import type { FeatureRecord, MatrixFeature } from '@modelship/feature-schema';
import { fitLinear } from './linear/fit.ts';
import { type LinearModel, predictLinear } from './linear/model.ts';
import { meanMetrics, type RegressionMetrics, regressionMetrics } from './metrics.ts';
import { holdoutSplit, kFold } from './splits.ts';

/** Rows to learn from: records and their targets, index-aligned. */
export interface Dataset {
  readonly records: readonly FeatureRecord[];
  readonly targets: readonly number[];
}

/** Actual and predicted values of a set of rows (for metrics and the chart). */
export interface Predictions {
  readonly rows: readonly number[];
  readonly actual: readonly number[];
  readonly predicted: readonly number[];
}

/** Fits on `train` rows and predicts `test` rows with the float32 reference. */
export function fitAndPredict(
  data: Dataset,
  features: readonly MatrixFeature[],
  train: readonly number[],
  test: readonly number[],
): { model: LinearModel; predictions: Predictions } {
  const model = fitLinear(
    features,
    train.map((i) => data.records[i] as FeatureRecord),
    train.map((i) => data.targets[i] as number),
  );
  const predictions = {
    rows: test,
    actual: test.map((i) => data.targets[i] as number),
    predicted: test.map((i) => predictLinear(model, data.records[i] as FeatureRecord)),
  };
  return { model, predictions };
}

/** One CV fold's figures. */
export interface FoldResult extends RegressionMetrics {
  readonly fold: number;
  readonly trainRows: number;
  readonly testRows: number;
}

/** Shuffled k-fold CV over `rows`; `onFold` reports each fold as it completes. */
export function crossValidate(
  data: Dataset,
  features: readonly MatrixFeature[],
  rows: readonly number[],
  options: { folds: number; seed: number; onFold?: (fold: FoldResult) => void },
): { folds: FoldResult[]; mean: RegressionMetrics; outOfFold: Predictions } {
  const results: FoldResult[] = [];
  const oof = { rows: [] as number[], actual: [] as number[], predicted: [] as number[] };
  kFold(rows, options.folds, options.seed).forEach(({ train, test }, f) => {
    const { predictions } = fitAndPredict(data, features, train, test);
    const fold = {
      fold: f + 1,
      trainRows: train.length,
      testRows: test.length,
      ...regressionMetrics(predictions.actual, predictions.predicted),
    };
    results.push(fold);
    options.onFold?.(fold);
    oof.rows.push(...predictions.rows);
    oof.actual.push(...predictions.actual);
    oof.predicted.push(...predictions.predicted);
  });
  return { folds: results, mean: meanMetrics(results), outOfFold: oof };
}

/** Distribution of holdout R²/MAE over many seeded splits: how noisy one holdout is. */
export interface RepeatedHoldout {
  readonly splits: number;
  readonly r2: {
    readonly mean: number;
    readonly sd: number;
    readonly min: number;
    readonly max: number;
  };
  readonly mae: { readonly mean: number; readonly sd: number };
  /** Share of splits whose R² reaches the floor. */
  readonly shareAtFloor: number;
}

function summary(xs: readonly number[]) {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
  return { mean, sd, min: Math.min(...xs), max: Math.max(...xs) };
}

/** Repeats the holdout evaluation with seeds `1..splits`. */
export function repeatedHoldout(
  data: Dataset,
  features: readonly MatrixFeature[],
  options: { splits: number; fraction: number; r2Floor: number },
): RepeatedHoldout {
  const figures = Array.from({ length: options.splits }, (_, s) => {
    const { train, holdout } = holdoutSplit(data.records.length, options.fraction, s + 1);
    const { predictions } = fitAndPredict(data, features, train, holdout);
    return regressionMetrics(predictions.actual, predictions.predicted);
  });
  const r2 = summary(figures.map((m) => m.r2));
  const mae = summary(figures.map((m) => m.mae));
  return {
    splits: options.splits,
    r2,
    mae: { mean: mae.mean, sd: mae.sd },
    shareAtFloor: figures.filter((m) => m.r2 >= options.r2Floor).length / figures.length,
  };
}
