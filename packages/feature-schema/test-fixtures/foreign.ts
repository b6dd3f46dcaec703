// The foreign-model fixtures (see foreign/README.md): models exported with skl2onnx's graph
// layout from scikit-learn pipelines, with their schema and scikit-learn's own predictions.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ClassLabel, FeatureRecord } from '../src/types.ts';

/** The fixture directories under `test-fixtures/foreign/`. */
export const foreignFixtures = {
  /** Binary, string labels ("no"/"yes"), probabilities as a ZipMap. */
  churnBinary: 'churn-binary',
  /** Multiclass, integer labels (1, 2, 4), probabilities as a ZipMap. */
  plansMulticlass: 'plans-multiclass',
  /** The same model exported with `zipmap=False`: a [N,3] tensor; classes in schema.json. */
  plansMulticlassNoZipMap: 'plans-multiclass-nozipmap',
  /** Regression with an int64 input. */
  rentRegression: 'rent-regression',
} as const;

/** scikit-learn's predictions for a fixture's rows. */
export interface ForeignExpected {
  readonly records: readonly FeatureRecord[];
  /** Classifiers: `classes_`, `predict` and `predict_proba` (columns in `classes` order). */
  readonly classes?: readonly ClassLabel[];
  readonly labels?: readonly ClassLabel[];
  readonly probabilities?: readonly (readonly number[])[];
  /** Regressors: `predict`. */
  readonly predictions?: readonly number[];
}

/** The absolute path of a fixture directory (model.onnx, schema.json, data.csv, expected.json). */
export function foreignFixtureDir(name: string): string {
  return fileURLToPath(new URL(`./foreign/${name}/`, import.meta.url));
}

/** A fixture's `expected.json`. */
export function foreignExpected(name: string): ForeignExpected {
  return JSON.parse(readFileSync(`${foreignFixtureDir(name)}expected.json`, 'utf8'));
}

/** A fixture's `schema.json`, unparsed. */
export function foreignSchemaJson(name: string): unknown {
  return JSON.parse(readFileSync(`${foreignFixtureDir(name)}schema.json`, 'utf8'));
}
