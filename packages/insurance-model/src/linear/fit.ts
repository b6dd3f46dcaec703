import type { FeatureRecord, MatrixFeature } from '@modelship/feature-schema';
import { Matrix, solve } from 'ml-matrix';
import { featureValueF32, type LinearModel } from './model.ts';

const f32 = Math.fround;

/** Mean and population standard deviation, rounded to float32 (they live in the graph). */
function moments(values: readonly number[]): { mean: number; std: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
  return { mean: f32(mean), std: f32(Math.sqrt(variance) || 1) };
}

/**
 * Standardizes the continuous features (`numeric`, `product`) with moments of the training
 * rows; indicator features (`one-hot`, `threshold`) stay 0/1.
 */
export function fitStandardization(
  features: readonly MatrixFeature[],
  records: readonly FeatureRecord[],
): MatrixFeature[] {
  return features.map((feature) => {
    if (feature.kind !== 'numeric' && feature.kind !== 'product') return feature;
    const raw = records.map((r) => featureValueF32(feature, r));
    return { ...feature, ...moments(raw) };
  });
}

/**
 * Fits ordinary least squares on the features (standardized on `records`) by QR
 * decomposition (ml-matrix), then rounds the coefficients to float32.
 */
export function fitLinear(
  features: readonly MatrixFeature[],
  records: readonly FeatureRecord[],
  targets: readonly number[],
): LinearModel {
  const scaled = fitStandardization(features, records);
  const design = new Matrix(
    records.map((r) => [1, ...scaled.map((feature) => featureValueF32(feature, r))]),
  );
  const beta = solve(design, Matrix.columnVector([...targets])).to1DArray();
  const [intercept = 0, ...weights] = beta.map((b) => f32(b));
  return { features: scaled, weights, intercept };
}
