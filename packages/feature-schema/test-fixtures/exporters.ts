// The exporter fixtures (see exporters/README.md): models trained by PyTorch, LightGBM, ...,
// in the ONNX layouts their exporters write, with the training data and the framework's own
// predictions for 64 of its rows.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ClassLabel, FeatureRecord } from '../src/types.ts';

/** The fixture directories under `test-fixtures/exporters/`. */
export const exporterFixtures = {
  /** PyTorch MLP, binary, softmax [N,2] only; dynamo exporter: weights in model.onnx.data. */
  torchBreastCancerDynamo: 'torch-breast-cancer-dynamo',
  /** The same model, `dynamo=False` (one file), dynamic batch. */
  torchBreastCancerLegacy: 'torch-breast-cancer-legacy',
  /** The same model, `dynamo=False` without dynamic_axes: a fixed batch, input [1, 30]. */
  torchBreastCancerFixedBatch: 'torch-breast-cancer-fixed-batch',
  /** PyTorch MLP, 3 classes, two outputs: argmax label (int64 [N]) and softmax [N,3]; dynamo. */
  torchWineLabelProbabilitiesDynamo: 'torch-wine-label-probabilities-dynamo',
  /** PyTorch MLP, 3 classes, softmax [N,3] only; `dynamo=False`. */
  torchWineProbabilitiesLegacy: 'torch-wine-probabilities-legacy',
  /** PyTorch MLP regression, output [N,1]; dynamo (side file). */
  torchDiabetesDynamo: 'torch-diabetes-dynamo',
  /** PyTorch MLP regression, output [N]; `dynamo=False`. */
  torchDiabetesLegacy: 'torch-diabetes-legacy',
  /** LightGBM binary in onnxmltools' layout: label int64 declared [1], ZipMap probabilities. */
  lightgbmBreastCancer: 'lightgbm-breast-cancer',
  /** LightGBM multiclass in onnxmltools' layout (SOFTMAX, ZipMap). */
  lightgbmWine: 'lightgbm-wine',
  /** LightGBM regression in onnxmltools' layout: output `variable` float [N,1]. */
  lightgbmDiabetes: 'lightgbm-diabetes',
  /** XGBoost binary in onnxmltools' layout: label int64 [N], probabilities float [N,2], no ZipMap. */
  xgboostBreastCancer: 'xgboost-breast-cancer',
  /** XGBoost multiclass in onnxmltools' layout (SOFTMAX, probabilities float [N,3]). */
  xgboostWine: 'xgboost-wine',
  /** XGBoost regression in onnxmltools' layout: output `variable` float [N,1]. */
  xgboostDiabetes: 'xgboost-diabetes',
  /** scikit-learn RandomForestClassifier, `to_onnx(model, X)`: input `X`, output_label + ZipMap. */
  sklearnBreastCancer: 'sklearn-breast-cancer',
  /** The same for 3 classes. */
  sklearnWine: 'sklearn-wine',
  /** scikit-learn RandomForestRegressor, `to_onnx(model, X)`: output `variable` float [N,1]. */
  sklearnDiabetes: 'sklearn-diabetes',
  /**
   * CatBoost's `save_model(format="onnx")` layout (input `features` [N,F], label + ZipMap,
   * IR 3, ai.onnx.ml 2 only), binary. NOT a CatBoost model: oblivious trees trained in numpy by
   * the generator (catboost is not installable); expected values are that model's.
   */
  catboostLayoutBreastCancer: 'catboost-layout-breast-cancer',
  /** The same layout for a regressor: output `predictions` declared float [N]. Not CatBoost. */
  catboostLayoutDiabetes: 'catboost-layout-diabetes',
  /** Keras 3 (torch backend) `model.export(format="onnx")`: softmax [N,3] only, output named `34`. */
  kerasWine: 'keras-wine',
  /** Keras 3 (torch backend) regression: output `32` float [N,1]. */
  kerasDiabetes: 'keras-diabetes',
} as const;

export type ExporterFixtureName = (typeof exporterFixtures)[keyof typeof exporterFixtures];

/** A fixture's `expected.json`: what a user passes to `modelship init` and what the framework predicts. */
export interface ExporterExpected {
  readonly framework: 'pytorch' | 'lightgbm' | 'xgboost' | 'catboost' | 'sklearn' | 'keras';
  /** How the model was exported, in one human line. */
  readonly exporter: string;
  /** The target column of data.csv. */
  readonly target: string;
  /** `modelship init` flags needed beyond `--data data.csv --target <target>` ([] when none). */
  readonly init: readonly string[];
  readonly task: 'classification' | 'regression';
  /** Classifiers: the served label of each probability column, in column order; else null. */
  readonly classes: readonly ClassLabel[] | null;
  /** 64 rows of data.csv without the target, keyed by the original column names. */
  readonly records: readonly FeatureRecord[];
  /** Classifiers: the framework's predicted label per record, as served. */
  readonly labels?: readonly ClassLabel[];
  /** Classifiers: the framework's probabilities per record (columns in `classes` order). */
  readonly probabilities?: readonly (readonly number[])[];
  /** Regressors: the framework's prediction per record. */
  readonly values?: readonly number[];
}

/** The absolute path of a fixture directory (model.onnx [+ model.onnx.data], data.csv, expected.json). */
export function exporterFixtureDir(name: string): string {
  return fileURLToPath(new URL(`./exporters/${name}/`, import.meta.url));
}

/** A fixture's `expected.json`. */
export function exporterExpected(name: string): ExporterExpected {
  return JSON.parse(readFileSync(`${exporterFixtureDir(name)}expected.json`, 'utf8'));
}

/** `modelship init`'s arguments for a fixture's model and data, as its expected.json asks. */
export function exporterInitArgs(
  expected: ExporterExpected,
  model = 'model.onnx',
  data = 'data.csv',
): string[] {
  return ['init', model, '--data', data, '--target', expected.target, ...expected.init];
}
