import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FeatureRecord } from '@modelship/feature-schema';
import { modelDir } from './config.ts';
import { type LinearModel, predictLinear } from './linear/model.ts';

let cached: LinearModel | undefined;

/** The trained weights as written by `pnpm train` (`model/reference.json`). */
export function loadReferenceModel(dir: string = modelDir): LinearModel {
  if (dir !== modelDir) return JSON.parse(readFileSync(join(dir, 'reference.json'), 'utf8'));
  cached ??= JSON.parse(readFileSync(join(modelDir, 'reference.json'), 'utf8')) as LinearModel;
  return cached;
}

/**
 * The training-time reference prediction, computed in TypeScript from the same weights as
 * `model.onnx` (float32 like the graph): what a served prediction must equal within float32
 * rounding. Records must be valid (see `compileSchema(insuranceSchema).validate`).
 */
export function referencePredict(records: readonly FeatureRecord[]): number[] {
  const model = loadReferenceModel();
  return records.map((r) => predictLinear(model, r));
}
