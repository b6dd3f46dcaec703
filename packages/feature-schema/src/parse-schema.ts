import { modelSchemaSchema } from './meta-schema.ts';
import type { ModelSchema } from './types.ts';

/** Thrown by {@link parseSchema}; `issues` names every bad path in the schema document. */
export class SchemaError extends Error {
  /** Every problem found, with dotted paths such as `fields.2.min`. */
  readonly issues: readonly { path: string; message: string }[];
  constructor(issues: readonly { path: string; message: string }[]) {
    super(
      `invalid model schema: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`,
    );
    this.name = 'SchemaError';
    this.issues = issues;
  }
}

/**
 * Validates a `schema.json` document and returns it typed.
 *
 * @throws {SchemaError} naming every bad path, e.g. `fields.1.levels: levels must be unique`.
 * @example
 * const schema = parseSchema(JSON.parse(readFileSync('model/schema.json', 'utf8')));
 */
export function parseSchema(json: unknown): ModelSchema {
  const result = modelSchemaSchema.safeParse(json);
  if (!result.success) {
    throw new SchemaError(
      result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    );
  }
  return result.data;
}
