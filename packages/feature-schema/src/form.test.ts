import { describe, expect, it } from 'vitest';
import { perFieldSchema } from '../test-fixtures/schemas.ts';
import { coerceFormValues, formDescription } from './form.ts';
import { createValidator } from './validate.ts';

describe('formDescription', () => {
  const form = formDescription(perFieldSchema);

  it('describes numeric fields as number inputs with step, range, unit and help', () => {
    expect(form.fields[0]).toEqual({
      name: 'age',
      label: 'Age',
      help: 'Age in years.',
      unit: 'years',
      input: 'number',
      step: 1,
      min: 18,
      max: 100,
      example: 40,
    });
    expect(form.fields[1]).toMatchObject({
      name: 'bmi',
      label: 'bmi',
      step: 'any',
      min: 10,
      max: 80,
    });
    expect(form.fields[3]).not.toHaveProperty('min');
    expect(form.fields[3]).not.toHaveProperty('max');
  });

  it('describes categorical fields as selects with their levels as options', () => {
    expect(form.fields[4]).toEqual({
      name: 'smoker',
      label: 'Smoker',
      help: 'Whether the person smokes.',
      input: 'select',
      options: [
        { value: 'no', label: 'no' },
        { value: 'yes', label: 'yes' },
      ],
      example: 'no',
    });
  });

  it('carries the title and the target', () => {
    expect(form.title).toBe('toy');
    expect(form.description).toBe('A toy model for tests.');
    expect(form.target).toEqual({ name: 'charges', label: 'Yearly charges.', unit: 'USD' });
  });
});

describe('coerceFormValues', () => {
  const { validate } = createValidator(perFieldSchema);

  it('parses numeric fields and keeps categoricals as strings', () => {
    const body = coerceFormValues(perFieldSchema, {
      age: ' 40 ',
      bmi: '28.5',
      children: '0',
      score: '-1e2',
      smoker: 'yes',
    });
    expect(body).toEqual({ age: 40, bmi: 28.5, children: 0, score: -100, smoker: 'yes' });
    expect(validate(body).ok).toBe(true);
  });

  it('leaves bad values for the validator to report', () => {
    const body = coerceFormValues(perFieldSchema, {
      age: 'forty',
      bmi: '',
      children: '1.5',
      score: 'Infinity',
      smoker: 'yes',
      submit: 'Predict',
    });
    expect(body).toEqual({
      age: 'forty',
      children: 1.5,
      score: 'Infinity',
      smoker: 'yes',
      submit: 'Predict',
    });
    const r = validate(body);
    expect(!r.ok && r.issues.map((i) => i.path)).toEqual([
      'age',
      'bmi',
      'children',
      'score',
      'submit',
    ]);
  });
});
