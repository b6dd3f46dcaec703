import type { FeatureRecord, MatrixFeature } from '@modelship/feature-schema';

/**
 * A fitted linear model over engineered features: `intercept + Σ weights[j] · feature_j`.
 * Every number is float32-representable: it is exactly what the ONNX graph holds.
 */
export interface LinearModel {
  /** The features with their standardization (`mean`, `std`) fitted on the training rows. */
  readonly features: readonly MatrixFeature[];
  readonly weights: readonly number[];
  readonly intercept: number;
}

const f32 = Math.fround;

function standardizeF32(x: number, mean: number | undefined, std: number | undefined): number {
  let v = x;
  if (mean !== undefined) v = f32(v - f32(mean));
  if (std !== undefined) v = f32(v / f32(std));
  return v;
}

/**
 * The value of one feature computed exactly as the ONNX graph computes it: float32 inputs,
 * one float32 rounding per operation (Sub, Div, Mul, GreaterOrEqual, LabelEncoder).
 */
export function featureValueF32(feature: MatrixFeature, record: FeatureRecord): number {
  switch (feature.kind) {
    case 'one-hot':
      return record[feature.field] === feature.level ? 1 : 0;
    case 'threshold':
      return f32(record[feature.field] as number) >= f32(feature.min) ? 1 : 0;
    case 'numeric':
      return standardizeF32(f32(record[feature.field] as number), feature.mean, feature.std);
    case 'product': {
      const [first, ...rest] = feature.of.map((g) => featureValueF32(g, record));
      const v = rest.reduce((acc, x) => f32(acc * x), first ?? 1);
      return standardizeF32(v, feature.mean, feature.std);
    }
  }
}

/**
 * The training-time reference prediction of one record: float32 features, the dot product
 * accumulated in double and rounded to float32 (as a float32 MatMul output is), plus the
 * float32 intercept.
 */
export function predictLinear(model: LinearModel, record: FeatureRecord): number {
  let dot = 0;
  model.features.forEach((feature, j) => {
    dot += featureValueF32(feature, record) * (model.weights[j] as number);
  });
  return f32(f32(dot) + model.intercept);
}
