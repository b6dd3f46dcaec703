import { describe, expect, it } from 'vitest';
import { foreignExpected, foreignFixtures, foreignSchemaJson } from '../test-fixtures/foreign.ts';
import { compileSchema } from './compile.ts';
import { parseSchema } from './parse-schema.ts';

describe('the foreign-model fixtures', () => {
  it.each(Object.values(foreignFixtures))(
    '%s: schema.json parses and validates every row',
    (name) => {
      const compiled = compileSchema(parseSchema(foreignSchemaJson(name)));
      const { records } = foreignExpected(name);
      expect(records.length).toBeGreaterThan(10);
      expect(compiled.validateMany(records).ok).toBe(true);
    },
  );
});
