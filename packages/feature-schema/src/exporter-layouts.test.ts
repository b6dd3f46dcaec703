// What other exporters need of the schema: field names as the data has them, a plain matrix of
// float64 or int64 columns, and classifiers without a label output.
import { describe, expect, it } from 'vitest';
import { foreignFixtures, foreignSchemaJson } from '../test-fixtures/foreign.ts';
import { classificationSchema, mutable } from '../test-fixtures/schemas.ts';
import { compileSchema } from './compile.ts';
import { createEncoder } from './encode.ts';
import { schemaFingerprint } from './fingerprint.ts';
import { modelSchemaSchema } from './meta-schema.ts';
import { parseSchema } from './parse-schema.ts';
import type { ModelSchema } from './types.ts';

const issuesOf = (json: unknown) =>
  (modelSchemaSchema.safeParse(json).error?.issues ?? []).map((i) => ({
    path: i.path.join('.'),
    message: i.message,
  }));

/** Column names as scikit-learn's bundled data sets have them. */
const names = ['mean radius', 'od280/od315_of_diluted_wines', 'a.b', 'say "hi"', 'ñ <b>'];

const wideSchema = (type?: 'float32' | 'float64' | 'int64') =>
  ({
    schemaVersion: 2,
    task: 'regression',
    model: { name: 'wide', version: '1.0.0' },
    fields: names.map((name, i) => ({
      kind: 'numeric' as const,
      name,
      dtype: 'integer' as const,
      min: 0,
      max: 100,
      description: `Column ${i}.`,
      example: i,
    })),
    target: { name: 'progression' },
    inputs: {
      layout: 'matrix' as const,
      input: 'input',
      ...(type ? { type } : {}),
      features: names.map((field) => ({ kind: 'numeric' as const, field })),
    },
    output: { name: 'output' },
  }) satisfies ModelSchema;

describe('field names as the training data has them', () => {
  const compiled = compileSchema(parseSchema(wideSchema()));
  const record = Object.fromEntries(names.map((n, i) => [n, i * 10]));

  it('accepts any non-empty column name as a field and validates records keyed by it', () => {
    expect(compiled.validate(record)).toEqual({ ok: true, value: record });
    const bad = compiled.validate({ ...record, 'mean radius': 'x', 'mean  radius': 1 });
    expect(bad.ok).toBe(false);
    expect(bad.ok ? [] : bad.issues.map((i) => [i.field, i.reason])).toEqual(
      expect.arrayContaining([
        ['mean radius', 'wrong_type'],
        ['mean  radius', 'unknown_field'],
      ]),
    );
    expect(Object.keys(compiled.jsonSchema.properties as object)).toEqual(names);
    expect(compiled.form.fields.map((f) => f.name)).toEqual(names);
  });

  it('refuses an empty name and __proto__, saying why', () => {
    const s = mutable(wideSchema());
    s.fields[0].name = '';
    s.fields[1].name = '__proto__';
    expect(issuesOf(s)).toEqual(
      expect.arrayContaining([
        { path: 'fields.0.name', message: 'must not be empty' },
        {
          path: 'fields.1.name',
          message: 'is reserved (a JavaScript object cannot hold it as a plain key): rename it',
        },
      ]),
    );
  });

  it('keeps the fingerprints of existing schemas (pinned before names were relaxed)', () => {
    const pinned: Record<string, string> = {
      [foreignFixtures.churnBinary]:
        '4457299688ad2504950ee1f3c08ed0f8b2ee198b12cdc63cb2f1230d26a2a1f0',
      [foreignFixtures.plansMulticlass]:
        'a424171e4a452f7fafa950463aec59c8fd89bff8a7cf93eb85219d4a7671804b',
      [foreignFixtures.plansMulticlassNoZipMap]:
        '36572ac3dfcaaa16f6cb07f73e6ffbe0b35787f3228def3d4ff8e3549ed4f6b1',
      [foreignFixtures.rentRegression]:
        'e7184dbccbb15b2372f78e59a5495e5e1c144c00b65b359a7b355d539b794167',
    };
    for (const name of Object.values(foreignFixtures)) {
      expect(schemaFingerprint(parseSchema(foreignSchemaJson(name))), name).toBe(pinned[name]);
    }
  });
});

describe('a plain matrix input', () => {
  const records = [Object.fromEntries(names.map((n, i) => [n, i + 1]))];

  it('encodes float32 unless its type says float64 or int64, columns in feature order', () => {
    const f32 = createEncoder(wideSchema())(records).input;
    expect(f32?.type).toBe('float32');
    expect(f32?.data).toEqual(new Float32Array([1, 2, 3, 4, 5]));
    const f64 = createEncoder(wideSchema('float64'))(records).input;
    expect(f64).toEqual({ type: 'float64', dims: [1, 5], data: new Float64Array([1, 2, 3, 4, 5]) });
    const i64 = createEncoder(wideSchema('int64'))(records).input;
    expect(i64).toEqual({
      type: 'int64',
      dims: [1, 5],
      data: new BigInt64Array([1n, 2n, 3n, 4n, 5n]),
    });
  });

  it('keeps the fingerprint of a matrix schema without a type', () => {
    expect(JSON.stringify(parseSchema(wideSchema()).inputs)).not.toContain('"type"');
  });

  it('refuses an int64 matrix over float fields or scaled columns', () => {
    const s = mutable(wideSchema('int64'));
    s.fields[1].dtype = 'float';
    s.inputs.features[2].mean = 3;
    expect(issuesOf(s).map((i) => i.path)).toEqual(['inputs.features.1', 'inputs.features.2']);
  });
});

describe('a classifier without a label output', () => {
  const argmax = {
    ...classificationSchema,
    output: { name: 'probs', probabilities: 'probs', label: 'argmax', classes: ['a', 'b'] },
  };

  it("is declared with label 'argmax', name and probabilities the same output", () => {
    expect(issuesOf(argmax)).toEqual([]);
    expect(issuesOf({ ...argmax, output: { ...argmax.output, name: 'label' } })).toEqual([
      {
        path: 'output.name',
        message:
          "must equal output.probabilities with label 'argmax' (the graph has no label output)",
      },
    ]);
    const regression = { ...argmax, task: 'regression', output: { name: 'y', label: 'argmax' } };
    expect(issuesOf(regression)).toEqual([
      {
        path: 'output.label',
        message: 'only a classification model (task: classification) has it',
      },
    ]);
  });
});
