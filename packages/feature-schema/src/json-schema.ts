import { z } from 'zod';
import { recordSchema } from './record-schema.ts';
import type { ModelSchema } from './types.ts';

/** A JSON Schema document (draft 2020-12). */
export type JsonSchema = Record<string, unknown>;

/**
 * The JSON Schema (draft 2020-12, usable in OpenAPI 3.1) of one record, generated from the
 * same zod schema that validates requests: titles, descriptions, examples, `x-unit`, ranges,
 * `enum`s, `required` and `additionalProperties: false`.
 */
export function recordJsonSchema(schema: ModelSchema): JsonSchema {
  return z.toJSONSchema(recordSchema(schema), { target: 'draft-2020-12' }) as JsonSchema;
}
