import { describe, expect, it } from 'vitest';
import { matrixSchema, perFieldSchema } from '../test-fixtures/schemas.ts';
import { compileSchema } from './compile.ts';
import { schemaFingerprint } from './fingerprint.ts';
import { parseSchema } from './parse-schema.ts';
import type { RecordOf } from './types.ts';

describe('compileSchema', () => {
  const compiled = compileSchema<RecordOf<typeof perFieldSchema>>(parseSchema(perFieldSchema));

  it('builds a valid example from the fields’ examples', () => {
    expect(compiled.example).toEqual({
      age: 40,
      bmi: 28.5,
      children: 1,
      score: -1.5,
      smoker: 'no',
    });
    expect(compiled.validate(compiled.example)).toEqual({ ok: true, value: compiled.example });
  });

  it('exposes the fingerprint, form, JSON Schema and encoder of the schema', () => {
    expect(compiled.fingerprint).toBe(schemaFingerprint(perFieldSchema));
    expect(compiled.form.fields).toHaveLength(5);
    expect(compiled.jsonSchema.required).toEqual(['age', 'bmi', 'children', 'score', 'smoker']);
    const enc = compiled.encode([compiled.example]);
    expect(enc.smoker_in?.data).toEqual(['no']);
  });

  it('compiles matrix schemas too', () => {
    const m = compileSchema(matrixSchema);
    expect(m.encode([m.example]).X?.dims).toEqual([1, 6]);
    expect(m.fingerprint).not.toBe(compiled.fingerprint);
  });
});
