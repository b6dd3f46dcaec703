import { describe, expect, it } from 'vitest';
import { mutable, perFieldSchema } from '../test-fixtures/schemas.ts';
import { recordJsonSchema } from './json-schema.ts';

describe('recordJsonSchema', () => {
  const js = mutable(recordJsonSchema(perFieldSchema));

  it('is a draft 2020-12 strict object schema with every field required', () => {
    expect(js.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(js.type).toBe('object');
    expect(js.additionalProperties).toBe(false);
    expect(js.required).toEqual(['age', 'bmi', 'children', 'score', 'smoker']);
  });

  it('maps numeric fields to integer/number with ranges, docs and units', () => {
    expect(js.properties.age).toEqual({
      type: 'integer',
      minimum: 18,
      maximum: 100,
      title: 'Age',
      description: 'Age in years.',
      examples: [40],
      'x-unit': 'years',
    });
    expect(js.properties.bmi).toMatchObject({ type: 'number', minimum: 10, maximum: 80 });
    expect(js.properties.score.type).toBe('number');
    expect(js.properties.score).not.toHaveProperty('minimum');
  });

  it('maps categorical fields to string enums', () => {
    expect(js.properties.smoker).toMatchObject({
      type: 'string',
      enum: ['no', 'yes'],
      examples: ['no'],
    });
  });

  it('is plain JSON', () => {
    expect(JSON.parse(JSON.stringify(js))).toEqual(js);
  });
});
