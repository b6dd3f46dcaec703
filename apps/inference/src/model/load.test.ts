import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compileSchema, type MatrixLayout, type ModelSchema } from '@modelship/feature-schema';
import { insuranceSchema } from '@modelship/insurance-model';
import { describe, expect, it } from 'vitest';
import { linearModel, writeModelDir } from '@modelship/testkit';
import { loadModel, ModelLoadError } from './load.ts';

const records = [
  { age: 19, sex: 'male', bmi: 27.9, children: 0, smoker: 'yes', region: 'southwest' },
  { age: 64, sex: 'female', bmi: 40.1, children: 3, smoker: 'no', region: 'northeast' },
];

/** A second, matrix-layout schema: a float matrix model, with standardization and a product. */
const matrixSchema: ModelSchema = {
  ...insuranceSchema,
  model: { name: 'insurance-linear', version: '2.0.0' },
  inputs: {
    layout: 'matrix',
    input: 'X',
    features: [
      { kind: 'numeric', field: 'age', mean: 39, std: 14 },
      { kind: 'one-hot', field: 'smoker', level: 'yes' },
      {
        kind: 'product',
        of: [
          { kind: 'one-hot', field: 'smoker', level: 'yes' },
          { kind: 'numeric', field: 'bmi' },
        ],
      },
    ],
  },
};

async function expectLoadError(dir: string, message: RegExp) {
  const error = await loadModel({ dir }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ModelLoadError);
  expect((error as Error).message).toMatch(message);
}

describe('loadModel', () => {
  it('serves a per-field model (one input per column, string categoricals)', async () => {
    const fixture = linearModel(insuranceSchema);
    const model = await loadModel({ dir: await writeModelDir(insuranceSchema, fixture.bytes) });
    expect(model.identity).toMatchObject({ name: 'insurance-charges', version: '1.0.0' });
    expect(model.identity.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(model.inputs.map((i) => i.name)).toEqual([
      'age',
      'sex',
      'bmi',
      'children',
      'smoker',
      'region',
    ]);
    expect(await model.run(records)).toEqual(fixture.reference(records));
    await model.release();
  });

  it('serves a float-matrix model with no code change', async () => {
    const fixture = linearModel(matrixSchema, { weights: [2, 3, 0.5], bias: 1 });
    const model = await loadModel({ dir: await writeModelDir(matrixSchema, fixture.bytes) });
    expect(model.identity.name).toBe('insurance-linear');
    const predicted = await model.run(records);
    const expected = fixture.reference(records);
    predicted.forEach((p, i) => {
      expect(p).toBeCloseTo(expected[i] as number, 4);
    });
    await model.release();
  });

  it('fails clearly when the directory or a file is missing', async () => {
    await expectLoadError('/nonexistent/model-dir', /schema not found: .*schema\.json/);
    await expectLoadError(await writeModelDir(insuranceSchema, null), /model not found: .*model\.onnx/);
  });

  it('fails clearly on a corrupt model file', async () => {
    const dir = await writeModelDir(insuranceSchema, 'this is not an onnx model');
    await expectLoadError(dir, /model\.onnx is not a valid ONNX model/);
    const truncated = linearModel(insuranceSchema).bytes.subarray(0, 100);
    await expectLoadError(await writeModelDir(insuranceSchema, truncated), /model\.onnx/);
  });

  it('fails clearly on an invalid schema.json', async () => {
    const dir = await writeModelDir(insuranceSchema, linearModel(insuranceSchema).bytes);
    await writeFile(join(dir, 'schema.json'), '{ not json');
    await expectLoadError(dir, /schema\.json is not valid JSON/);
    await writeModelDir({ ...insuranceSchema, fields: 'none' }, null, dir);
    await expectLoadError(dir, /schema\.json is not a valid model schema/);
  });

  it('refuses a model trained for another schema, or without a fingerprint', async () => {
    const other = linearModel(insuranceSchema, { fingerprint: 'f'.repeat(64) });
    await expectLoadError(await writeModelDir(insuranceSchema, other.bytes), /does not belong to schema\.json/);
    const none = linearModel(insuranceSchema, { fingerprint: null });
    await expectLoadError(await writeModelDir(insuranceSchema, none.bytes), /schema_fingerprint/);
  });

  it('refuses a model whose inputs or output do not match the schema layout', async () => {
    // Each model is built from a schema A, stamped with the fingerprint of schema B and served
    // with B: the fingerprint check passes, so the layout check must catch the difference.
    const served = (changes: Partial<ModelSchema>): ModelSchema => ({ ...insuranceSchema, ...changes });
    const perField = insuranceSchema.inputs.inputs;
    const cases: [ModelSchema, RegExp][] = [
      [
        served({
          inputs: {
            layout: 'per-field',
            inputs: perField.map((i) => (i.field === 'bmi' ? { ...i, type: 'float64' } : i)),
          },
        }),
        /input "bmi" has element type float32, expected float64/,
      ],
      [
        served({
          inputs: {
            layout: 'per-field',
            inputs: perField.map((i) => (i.field === 'age' ? { ...i, input: 'age_years' } : i)),
          },
        }),
        /no input named "age_years".*model input "age" is not in the schema/,
      ],
      [served({ output: { name: 'prediction' } }), /no output named "prediction"/],
      [
        served({ inputs: { ...matrixSchema.inputs } as ModelSchema['inputs'] }),
        /no input named "X"/,
      ],
    ];
    for (const [schema, message] of cases) {
      const bytes = linearModel(insuranceSchema, {
        fingerprint: compileSchema(schema).fingerprint,
      }).bytes;
      await expectLoadError(await writeModelDir(schema, bytes), message);
    }
  });

  it('refuses a matrix model with the wrong number of columns', async () => {
    const wider: ModelSchema = {
      ...matrixSchema,
      inputs: {
        layout: 'matrix',
        input: 'X',
        features: [
          ...(matrixSchema.inputs as MatrixLayout).features,
          { kind: 'numeric', field: 'children' },
        ],
      },
    };
    const bytes = linearModel(matrixSchema, { fingerprint: compileSchema(wider).fingerprint }).bytes;
    await expectLoadError(await writeModelDir(wider, bytes), /input "X" has shape \[N, 3\], expected \[N, 4\]/);
  });
});
