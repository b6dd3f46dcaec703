import { describe, expect, it } from 'vitest';
import { matrixSchema, perFieldSchema } from '../test-fixtures/schemas.ts';
import type { RecordOf } from './types.ts';
import { createValidator, EXTRA_KEYS_ALLOWED, MAX_LISTED_ISSUES } from './validate.ts';

const { validate, validateMany } = createValidator<RecordOf<typeof perFieldSchema>>(perFieldSchema);
const good = { age: 40, bmi: 28.5, children: 2, score: -3.25, smoker: 'yes' };

function issuesOf(body: unknown, path?: string) {
  const r = validate(body, path);
  if (r.ok) throw new Error('expected validation to fail');
  return r.issues.map(({ path, message }) => ({ path, message }));
}

/** `field:reason` of each issue. */
function reasonsOf(body: unknown) {
  const r = validate(body);
  if (r.ok) throw new Error('expected validation to fail');
  return r.issues.map((i) => `${i.field}:${i.reason}`);
}

describe('validate', () => {
  it('accepts a valid record and returns it typed', () => {
    const r = validate(good);
    expect(r).toEqual({ ok: true, value: good });
    if (r.ok) {
      const smoker: 'no' | 'yes' = r.value.smoker;
      expect(smoker).toBe('yes');
    }
  });

  it('accepts range bounds (inclusive) and unbounded floats', () => {
    expect(validate({ ...good, age: 18, bmi: 80, children: 0, score: -1e300 }).ok).toBe(true);
    expect(validate({ ...good, children: 1e6 }).ok).toBe(true);
  });

  it('accepts 3.0 for an integer field (JSON cannot tell it from 3)', () => {
    expect(
      validate(JSON.parse('{"age":40.0,"bmi":28.5,"children":3.0,"score":0,"smoker":"no"}')).ok,
    ).toBe(true);
  });

  it('rejects a fractional integer', () => {
    expect(issuesOf({ ...good, age: 40.5 })).toEqual([
      { path: 'age', message: 'must be an integer (got 40.5)' },
    ]);
  });

  it('rejects values below min and above max, naming the bound', () => {
    expect(issuesOf({ ...good, age: 17, bmi: 80.01 })).toEqual([
      { path: 'age', message: 'must be >= 18 (got 17)' },
      { path: 'bmi', message: 'must be <= 80 (got 80.01)' },
    ]);
    expect(issuesOf({ ...good, children: -1 })).toEqual([
      { path: 'children', message: 'must be >= 0 (got -1)' },
    ]);
  });

  it('rejects NaN and Infinity', () => {
    expect(
      issuesOf({ ...good, bmi: Number.NaN, score: Number.POSITIVE_INFINITY, age: -Infinity }),
    ).toEqual([
      { path: 'age', message: 'must be a finite number (got -Infinity)' },
      { path: 'bmi', message: 'must be a finite number (got NaN)' },
      { path: 'score', message: 'must be a finite number (got Infinity)' },
    ]);
  });

  it('rejects numbers given as strings, booleans, null, arrays and objects', () => {
    expect(issuesOf({ ...good, age: '40', bmi: true, children: null, score: [1] })).toEqual([
      { path: 'age', message: 'must be a finite number (got a string)' },
      { path: 'bmi', message: 'must be a finite number (got a boolean)' },
      { path: 'children', message: 'must be a finite number (got null)' },
      { path: 'score', message: 'must be a finite number (got an array)' },
    ]);
  });

  it('rejects unknown categories and non-string categories', () => {
    expect(issuesOf({ ...good, smoker: 'sometimes' })).toEqual([
      { path: 'smoker', message: 'must be one of: no, yes (got "sometimes")' },
    ]);
    expect(issuesOf({ ...good, smoker: 1 })).toEqual([
      { path: 'smoker', message: 'must be one of: no, yes (got a number)' },
    ]);
    expect(issuesOf({ ...good, smoker: 'Yes' })[0]?.path).toBe('smoker');
  });

  it('reports missing fields as required', () => {
    const { bmi: _b, smoker: _s, ...rest } = good;
    expect(issuesOf(rest)).toEqual([
      { path: 'bmi', message: 'is required' },
      { path: 'smoker', message: 'is required' },
    ]);
  });

  it('rejects unknown fields, one issue per field (strict contract)', () => {
    expect(issuesOf({ ...good, Age: 40, extra: 'x' })).toEqual([
      { path: 'Age', message: 'unknown field' },
      { path: 'extra', message: 'unknown field' },
    ]);
  });

  it('rejects bodies that are not objects', () => {
    expect(issuesOf(null)).toEqual([{ path: '', message: 'must be a JSON object (got null)' }]);
    expect(issuesOf([good], 'inputs')).toEqual([
      { path: 'inputs', message: 'must be a JSON object (got an array)' },
    ]);
    expect(issuesOf('x')[0]?.message).toBe('must be a JSON object (got a string)');
  });

  it('reports every problem at once, with the prefix', () => {
    const issues = issuesOf(
      { age: 2.5, bmi: 'x', smoker: 'maybe', score: 0, foo: 1 },
      'instances[3]',
    );
    expect(issues.map((i) => i.path)).toEqual([
      'instances[3].age',
      'instances[3].bmi',
      'instances[3].children',
      'instances[3].smoker',
      'instances[3].foo',
    ]);
  });

  it('does not mutate or coerce the input', () => {
    const body = { ...good };
    const r = validate(body);
    expect(body).toEqual(good);
    expect(r.ok && r.value).toEqual(good);
  });
});

describe('validation reasons', () => {
  it('names the field and why, for the validation-failure metric', () => {
    expect(reasonsOf({ ...good, age: 17, bmi: 'x', smoker: 'sometimes' })).toEqual([
      'age:out_of_range',
      'bmi:wrong_type',
      'smoker:unknown_level',
    ]);
    const { children: _, ...rest } = good;
    expect(reasonsOf({ ...rest, age: 40.5, smoker: 3, extra: 1 })).toEqual(
      expect.arrayContaining([
        'children:missing',
        'age:wrong_type',
        'smoker:wrong_type',
        'extra:unknown_field',
      ]),
    );
  });
});

describe('validateMany', () => {
  it('returns all records when every one is valid', () => {
    expect(validateMany([good, { ...good, age: 60 }], 'instances')).toEqual({
      ok: true,
      value: [good, { ...good, age: 60 }],
    });
  });

  it('reports issues of every record with indexed paths', () => {
    const r = validateMany([good, { ...good, age: 5 }, 7, { ...good, smoker: 'x' }], 'instances');
    expect(r.ok).toBe(false);
    expect(r.ok ? [] : r.issues.map(({ path, message }) => ({ path, message }))).toEqual([
      { path: 'instances[1].age', message: 'must be >= 18 (got 5)' },
      { path: 'instances[2]', message: 'must be a JSON object (got a number)' },
      { path: 'instances[3].smoker', message: 'must be one of: no, yes (got "x")' },
    ]);
  });

  it('uses bare indexes without a prefix and accepts an empty batch', () => {
    const r = validateMany([{}], '');
    expect(!r.ok && r.issues[0]?.path).toBe('[0].age');
    expect(validateMany([])).toEqual({ ok: true, value: [] });
  });
});

describe('bounded work and answers', () => {
  const unknownKeys = (n: number) =>
    Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]));

  it('refuses a record with far more keys than the schema has in one issue', () => {
    const r = validate({ ...good, ...unknownKeys(95_000) }, 'instances[0]');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues).toHaveLength(1);
    expect(r.issues[0]?.path).toBe('instances[0]');
    expect(r.issues[0]?.message).toBe(
      `has more than ${5 + EXTRA_KEYS_ALLOWED} keys; a record has the schema's 5 fields`,
    );
    expect(r.unlisted ?? 0).toBe(0);
  });

  it('still lists a few unknown keys one by one', () => {
    const r = validate({ ...good, ...unknownKeys(EXTRA_KEYS_ALLOWED) });
    expect(!r.ok && r.issues.length).toBe(EXTRA_KEYS_ALLOWED);
  });

  it(`lists at most ${MAX_LISTED_ISSUES} issues of a batch and counts the rest`, () => {
    const records = Array.from({ length: 300 }, () => ({ ...good, age: 5 }));
    const r = validateMany(records, 'instances');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues).toHaveLength(MAX_LISTED_ISSUES);
    expect(r.issues.at(-1)?.path).toBe(`instances[${MAX_LISTED_ISSUES - 1}].age`);
    expect(r.unlisted).toBe(300 - MAX_LISTED_ISSUES);
  });

  it('gives one issue for an integer beyond 2^53, with a bound or without', () => {
    expect(issuesOf({ ...good, age: 2 ** 53 })).toEqual([
      { path: 'age', message: `must be <= 100 (got ${2 ** 53})` },
    ]);
    expect(issuesOf({ ...good, children: 2 ** 60 })).toHaveLength(1);
    expect(issuesOf({ ...good, age: -(2 ** 60) })).toHaveLength(1);
  });
});

describe('sensitive fields', () => {
  const sensitive = createValidator({
    ...perFieldSchema,
    fields: perFieldSchema.fields.map((f) =>
      f.name === 'age' || f.name === 'bmi' || f.name === 'smoker' ? { ...f, sensitive: true } : f,
    ),
  });

  it('never echo their values in issues, and still say what is wrong', () => {
    const messages = (body: unknown) => {
      const r = sensitive.validate(body);
      return r.ok ? [] : r.issues.map(({ path, message }) => ({ path, message }));
    };
    expect(messages({ ...good, age: 17, bmi: 80.25, smoker: 'sometimes' })).toEqual([
      { path: 'age', message: 'must be >= 18' },
      { path: 'bmi', message: 'must be <= 80' },
      { path: 'smoker', message: 'must be one of: no, yes' },
    ]);
    expect(messages({ ...good, age: 40.5, bmi: '31.5', smoker: 7 })).toEqual([
      { path: 'age', message: 'must be an integer' },
      { path: 'bmi', message: 'must be a finite number (got a string)' },
      { path: 'smoker', message: 'must be one of: no, yes (got a number)' },
    ]);
    expect(messages({ ...good, age: 2 ** 60 })).toEqual([
      { path: 'age', message: 'must be <= 100' },
    ]);
  });

  it('other fields still show the value', () => {
    const r = sensitive.validate({ ...good, children: -1 });
    expect(!r.ok && r.issues[0]?.message).toBe('must be >= 0 (got -1)');
  });
});

describe('validate (matrix schema)', () => {
  it('validates the fields, independent of the input layout', () => {
    const v = createValidator(matrixSchema);
    expect(v.validate({ age: 30, bmi: 20, region: 'east', smoker: 'no' }).ok).toBe(true);
    expect(v.validate({ age: 30, bmi: 20, region: 'west', smoker: 'no' }).ok).toBe(false);
  });
});
