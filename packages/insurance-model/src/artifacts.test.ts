import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  FINGERPRINT_METADATA_KEY,
  parseSchema,
  schemaFingerprint,
  verifyFingerprint,
} from '@modelship/feature-schema';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultTrainingConfig, modelDir, qualityFloor, replacedAppReference } from './config.ts';
import { dataSha256, loadInsuranceRows } from './data.ts';
import { predictLinear } from './linear/model.ts';
import { decodeModel } from './onnx/proto.ts';
import { runTraining, type TrainingResult } from './pipeline.ts';
import { referencePredict } from './reference.ts';
import { insuranceSchema } from './schema.ts';

let result: TrainingResult;
beforeAll(() => {
  result = runTraining();
}, 60_000);

describe('committed artifacts', () => {
  it('are exactly what `pnpm train` produces, byte for byte', () => {
    const committed = readdirSync(modelDir).sort();
    expect(committed).toEqual(Object.keys(result.files).sort());
    for (const [name, bytes] of Object.entries(result.files)) {
      const onDisk = readFileSync(join(modelDir, name));
      expect(
        Buffer.compare(onDisk, Buffer.from(bytes)),
        `model/${name} is stale: run pnpm train`,
      ).toBe(0);
    }
  });

  it('are deterministic: a second run gives the same bytes', () => {
    const again = runTraining();
    for (const [name, bytes] of Object.entries(result.files)) {
      expect(Buffer.from(again.files[name] as Uint8Array).equals(Buffer.from(bytes)), name).toBe(
        true,
      );
    }
    // A whole training run: a few seconds alone, more on a loaded 2-core machine.
  }, 60_000);

  it('ship a schema.json that is the insurance schema', () => {
    const schema = parseSchema(JSON.parse(readFileSync(join(modelDir, 'schema.json'), 'utf8')));
    expect(schema).toEqual(insuranceSchema);
  });
});

describe('ONNX metadata', () => {
  const metadata = () =>
    Object.fromEntries(
      decodeModel(readFileSync(join(modelDir, 'model.onnx'))).metadataProps.map((p) => [
        p.key,
        p.value,
      ]),
    );

  it('carries the fingerprint of schema.json, which verifyFingerprint accepts', () => {
    const schema = parseSchema(JSON.parse(readFileSync(join(modelDir, 'schema.json'), 'utf8')));
    const meta = metadata();
    expect(meta[FINGERPRINT_METADATA_KEY]).toBe(schemaFingerprint(schema));
    expect(() => verifyFingerprint(meta, schema)).not.toThrow();
    const edited = { ...schema, model: { ...schema.model, version: '9.9.9' } };
    expect(() => verifyFingerprint(meta, edited)).toThrow(/fingerprint/);
  });

  it('carries model name, version, training date, data hash and metrics', () => {
    const meta = metadata();
    expect(meta['modelship.model_name']).toBe('insurance-charges');
    expect(meta['modelship.model_version']).toBe(insuranceSchema.model.version);
    expect(meta['modelship.training_date']).toBe(defaultTrainingConfig.trainingDate);
    expect(meta['modelship.data_sha256']).toBe(dataSha256());
    expect(JSON.parse(meta['modelship.metrics'] as string)).toEqual({
      cv: result.report.cv.mean,
      holdout: result.report.holdout,
    });
  });
});

describe('model quality', () => {
  it(`meets the floor in 10-fold CV: R² >= ${qualityFloor.r2}, MAE <= ${qualityFloor.mae}`, () => {
    const { cv } = result.report;
    expect(cv.folds).toHaveLength(10);
    expect(cv.mean.r2).toBeGreaterThanOrEqual(qualityFloor.r2);
    expect(cv.mean.mae).toBeLessThanOrEqual(qualityFloor.mae);
    expect(result.report.robustness.fullDataCv.r2).toBeGreaterThanOrEqual(qualityFloor.r2);
  });

  it('meets the MAE floor on the 30% holdout, and the R² floor on average over 100 holdouts', () => {
    // One 30% holdout's R² has a standard deviation of ~0.018 on this data (see the model
    // card); the seed-42 holdout alone is reported as measured, not asserted.
    const { holdout, robustness } = result.report;
    expect(holdout.mae).toBeLessThanOrEqual(qualityFloor.mae);
    expect(robustness.repeatedHoldout.r2.mean).toBeGreaterThanOrEqual(qualityFloor.r2);
    expect(robustness.repeatedHoldout.mae.mean).toBeLessThanOrEqual(qualityFloor.mae);
  });

  it('beats the PyCaret app it replaces', () => {
    const [pycaret] = replacedAppReference;
    expect(result.report.cv.mean.r2).toBeGreaterThan(pycaret.r2);
    expect(result.report.cv.mean.mae).toBeLessThan(pycaret.mae);
  });

  it('has a reference predictor that is the freshly trained model', () => {
    const rows = loadInsuranceRows();
    expect(referencePredict(rows)).toEqual(rows.map((r) => predictLinear(result.model, r)));
    expect(JSON.parse(readFileSync(join(modelDir, 'reference.json'), 'utf8'))).toEqual(
      result.model,
    );
  });
});
