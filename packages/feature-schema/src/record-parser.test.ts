import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { perFieldSchema } from '../test-fixtures/schemas.ts';
import { recordSchema } from './record-schema.ts';
import type { Field } from './types.ts';
import { createRecordParser } from './validate.ts';

const zodRecord = recordSchema(perFieldSchema);
const fastParse = createRecordParser(perFieldSchema);

/** Values near and across each field's rules, and of every JSON type. */
const value = fc.oneof(
  fc.constantFrom(18, 100, 17, 101, 0, -1, 10, 80, 9.99, 80.01, 40.5, 3, -0, 2 ** 53, 2 ** 53 - 1),
  fc.double(),
  fc.integer({ min: -1000, max: 1000 }),
  fc.constantFrom('yes', 'no', 'maybe', '', '40', 'YES'),
  fc.constantFrom(null, true, false, [], {}, [40], Number.NaN, Number.POSITIVE_INFINITY),
);

/** A value valid for the field (most of the time), or any value. */
const fieldValue = (field: Field) => {
  const valid =
    field.kind === 'categorical'
      ? fc.constantFrom(...field.levels)
      : field.dtype === 'integer'
        ? fc.integer({ min: field.min ?? -1e6, max: field.max ?? 1e6 })
        : fc.double({ min: field.min ?? -1e300, max: field.max ?? 1e300, noNaN: true });
  return fc.oneof({ weight: 4, arbitrary: valid }, { weight: 1, arbitrary: value });
};

/** Records of the schema's fields: values valid or not, fields removed, a field added. */
const body = fc
  .record(Object.fromEntries(perFieldSchema.fields.map((field) => [field.name, fieldValue(field)])))
  .chain((fields) =>
    fc.record({
      fields: fc.constant(fields),
      drop: fc.subarray(Object.keys(fields), { maxLength: 2 }),
      extra: fc.option(fc.constantFrom('extra', '__proto__', 'Age', 'constructor'), {
        nil: undefined,
      }),
    }),
  )
  .map(({ fields, drop, extra }) => {
    const record: Record<string, unknown> = { ...fields };
    for (const key of drop) delete record[key];
    // Through JSON.parse, as a request body arrives (an own "__proto__" key included).
    const text = JSON.stringify(record);
    return extra === undefined ? JSON.parse(text) : JSON.parse(`{"${extra}":1,${text.slice(1)}`);
  });

describe('createRecordParser', () => {
  it('accepts exactly what the zod record schema accepts, and returns the same record', () => {
    fc.assert(
      fc.property(body, (input) => {
        const fast = fastParse(input);
        const zod = zodRecord.safeParse(input);
        expect(fast !== undefined).toBe(zod.success);
        if (zod.success) {
          expect(fast).toEqual(zod.data);
          expect(Object.keys(fast ?? {})).toEqual(Object.keys(zod.data));
        }
      }),
      { numRuns: 5000 },
    );
  });

  it('finds valid records among the generated ones (the property is not vacuous)', () => {
    const valid = fc.sample(body, 5000).filter((input) => fastParse(input) !== undefined).length;
    expect(valid).toBeGreaterThan(100);
  });

  it('refuses what is not a plain JSON object, as zod does', () => {
    const good = { age: 40, bmi: 28.5, children: 2, score: 0, smoker: 'yes' };
    for (const input of [null, [good], 'x', 40, Object.assign(Object.create(null), good)]) {
      expect(fastParse(input)).toBeUndefined();
    }
    expect(fastParse(good)).toEqual(good);
  });
});
