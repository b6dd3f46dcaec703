import { z } from 'zod';
import type { Field, ModelSchema } from './types.ts';

/** The zod schema of one field's value, carrying the field's docs as JSON Schema metadata. */
export function fieldSchema(field: Field): z.ZodType {
  const meta = {
    title: field.label ?? field.name,
    description: field.description,
    examples: [field.example],
    ...(field.kind === 'numeric' && field.unit ? { 'x-unit': field.unit } : {}),
  };
  if (field.kind === 'categorical') {
    return z.enum(field.levels as [string, ...string[]]).meta(meta);
  }
  let n = field.dtype === 'integer' ? z.int() : z.number();
  if (field.min !== undefined) n = n.min(field.min);
  if (field.max !== undefined) n = n.max(field.max);
  return n.meta(meta);
}

/**
 * The zod schema of one record: every field required, unknown fields rejected
 * (a strict contract: a misspelt field must not be silently ignored).
 */
export function recordSchema(schema: ModelSchema): z.ZodObject {
  const shape: Record<string, z.ZodType> = {};
  for (const field of schema.fields) shape[field.name] = fieldSchema(field);
  return z.strictObject(shape).meta({
    title: `${schema.model.name} record`,
    description: `One input record of ${schema.model.name} ${schema.model.version}.`,
  });
}
