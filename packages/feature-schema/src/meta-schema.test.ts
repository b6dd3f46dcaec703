import { describe, expect, it } from 'vitest';
import {
  classificationSchema,
  matrixSchema,
  mutable,
  perFieldSchema,
} from '../test-fixtures/schemas.ts';
import { parseSchema, SchemaError } from './parse-schema.ts';

const clone = <T>(x: T): T => structuredClone(x) as T;

function issuesOf(json: unknown) {
  try {
    parseSchema(json);
  } catch (e) {
    if (e instanceof SchemaError) return e.issues;
    throw e;
  }
  throw new Error('expected parseSchema to throw');
}

describe('parseSchema', () => {
  it('accepts both layouts and returns an equal object', () => {
    expect(parseSchema(clone(perFieldSchema))).toEqual(perFieldSchema);
    expect(parseSchema(JSON.parse(JSON.stringify(matrixSchema)))).toEqual(matrixSchema);
  });

  it('rejects non-objects and wrong versions', () => {
    expect(issuesOf(null)[0]?.path).toBe('');
    expect(issuesOf({ ...clone(perFieldSchema), schemaVersion: 3 })[0]?.path).toBe('schemaVersion');
  });

  it('reads format 1 as before and format 2 with its task', () => {
    const v1 = parseSchema(clone(perFieldSchema));
    expect(v1.task).toBeUndefined();
    expect(Object.keys(v1)).toEqual(Object.keys(perFieldSchema));
    expect(parseSchema(clone(classificationSchema))).toEqual(classificationSchema);
    const regression = { ...clone(perFieldSchema), schemaVersion: 2, task: 'regression' };
    expect(parseSchema(regression)).toEqual(regression);
  });

  it('checks the task against the format version and the outputs', () => {
    const v2 = { ...clone(perFieldSchema), schemaVersion: 2 };
    expect(issuesOf(v2)).toEqual([
      { path: 'task', message: "is required by schemaVersion 2: 'regression' or 'classification'" },
    ]);
    expect(issuesOf({ ...clone(perFieldSchema), task: 'classification' })).toEqual(
      expect.arrayContaining([
        { path: 'task', message: 'needs schemaVersion 2 (format 1 is regression only)' },
      ]),
    );
    const regression = {
      ...v2,
      task: 'regression',
      output: { name: 'y', probabilities: 'p', classes: [0, 1] },
    };
    expect(issuesOf(regression).map((i) => i.path)).toEqual([
      'output.probabilities',
      'output.classes',
    ]);
    const c = mutable(classificationSchema);
    c.output = { name: 'label', classes: ['a', 'a'] };
    expect(issuesOf(c)).toEqual([
      {
        path: 'output.probabilities',
        message: 'a classification model needs its probabilities output',
      },
      { path: 'output.classes', message: 'class labels must be unique' },
    ]);
    c.output = { name: 'label', probabilities: 'label', classes: ['a', 1] };
    expect(issuesOf(c).map((i) => i.path)).toEqual(['output.classes']);
    c.output.classes = [0, 1.5];
    expect(issuesOf(c).map((i) => i.path)).toEqual(['output.classes']);
    c.output.classes = [0, 1];
    expect(issuesOf(c)).toEqual([
      { path: 'output.probabilities', message: 'must differ from output.name (the label output)' },
    ]);
  });

  it('names the bad path for structural errors', () => {
    const s = mutable(perFieldSchema);
    s.fields[1].dtype = 'double';
    s.fields[4].levels = [];
    s.extra = true;
    const paths = issuesOf(s).map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['fields.1.dtype', 'fields.4.levels', '']));
    expect(() => parseSchema(s)).toThrow(/fields\.1\.dtype/);
  });

  it('rejects inconsistent fields', () => {
    const s = mutable(perFieldSchema);
    s.fields[0].min = 200;
    s.fields[2].example = 1.5;
    s.fields[4].levels = ['no', 'no', 'yes'];
    s.fields[4].example = 'maybe';
    s.fields.push({ ...s.fields[1] });
    s.inputs.inputs.push({ field: 'bmi', input: 'bmi2', type: 'float32' });
    expect(issuesOf(s)).toEqual(
      expect.arrayContaining([
        { path: 'fields.0.min', message: 'min (200) must be <= max (100)' },
        { path: 'fields.0.example', message: 'must lie within [min, max]' },
        { path: 'fields.2.example', message: 'must be an integer' },
        { path: 'fields.4.levels', message: 'levels must be unique' },
        { path: 'fields.4.example', message: 'must be one of the levels' },
        { path: 'fields.5.name', message: "duplicate field 'bmi'" },
        { path: 'inputs.inputs.5.field', message: 'mapped twice' },
      ]),
    );
  });

  it('rejects per-field mappings that do not fit the fields', () => {
    const s = mutable(perFieldSchema);
    s.inputs.inputs[1].type = 'int64'; // bmi is a float field
    s.inputs.inputs[4].type = 'float32'; // smoker is categorical
    s.inputs.inputs[2].type = 'string'; // children is numeric
    s.inputs.inputs[3] = { field: 'nope', input: 'age_in', type: 'float32' };
    expect(issuesOf(s)).toEqual(
      expect.arrayContaining([
        { path: 'inputs.inputs.1.type', message: 'int64 needs an integer field' },
        { path: 'inputs.inputs.4.type', message: 'a categorical field needs a string tensor' },
        { path: 'inputs.inputs.2.type', message: 'a numeric field needs a numeric tensor' },
        { path: 'inputs.inputs.3.field', message: "unknown field 'nope'" },
        { path: 'inputs.inputs.3.input', message: 'duplicate input' },
        { path: 'inputs.inputs', message: "field 'score' is not mapped" },
      ]),
    );
  });

  it('rejects matrix features that do not fit the fields', () => {
    const s = mutable(matrixSchema);
    s.inputs.features[0].std = 0;
    s.inputs.features[1].field = 'region';
    s.inputs.features[2].level = 'west';
    s.inputs.features[4].of[1].field = 'ghost';
    s.inputs.features.push({ kind: 'one-hot', field: 'age', level: '1' });
    s.inputs.features.push({ kind: 'threshold', field: 'smoker', min: 1 });
    expect(issuesOf(s)).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: 'inputs.features.0.std' })]),
    );
    s.inputs.features[0].std = 1;
    expect(issuesOf(s)).toEqual([
      { path: 'inputs.features.1.field', message: "'region' is not numeric" },
      { path: 'inputs.features.2.level', message: "'west' is not a level of 'region'" },
      { path: 'inputs.features.4.of.1.field', message: "unknown field 'ghost'" },
      { path: 'inputs.features.6.field', message: "'age' is not categorical" },
      { path: 'inputs.features.7.field', message: "'smoker' is not numeric" },
    ]);
  });
});
