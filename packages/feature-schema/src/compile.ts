import { createEncoder, type Encoder } from './encode.ts';
import { schemaFingerprint } from './fingerprint.ts';
import { type FormDescription, formDescription } from './form.ts';
import { type JsonSchema, recordJsonSchema } from './json-schema.ts';
import type { FeatureRecord, ModelSchema } from './types.ts';
import { createValidator, type Validator } from './validate.ts';

/** Everything derived from one schema: the single source of truth, compiled once. */
export interface CompiledSchema<T extends FeatureRecord = FeatureRecord> extends Validator<T> {
  readonly schema: ModelSchema;
  /** N validated records → the model's input tensors (plain data, see {@link Encoder}). */
  readonly encode: Encoder;
  /** JSON Schema of one record (draft 2020-12, for OpenAPI 3.1). */
  readonly jsonSchema: JsonSchema;
  /** Labels, input types, options, ranges, units and help for the web form. */
  readonly form: FormDescription;
  /** A valid record built from the fields' examples. */
  readonly example: T;
  /** sha256 hex of the canonical schema; stamped into the ONNX metadata at training. */
  readonly fingerprint: string;
}

/**
 * Compiles a schema (from `parseSchema`, or a typed constant) into its validator, encoder,
 * JSON Schema, form description, example and fingerprint.
 *
 * @example
 * const compiled = compileSchema(parseSchema(json));
 * const r = compiled.validate(body);
 * if (r.ok) session.run(toOrtFeeds(compiled.encode([r.value])));
 */
export function compileSchema<T extends FeatureRecord = FeatureRecord>(
  schema: ModelSchema,
): CompiledSchema<T> {
  const example = Object.fromEntries(schema.fields.map((f) => [f.name, f.example])) as T;
  return {
    schema,
    ...createValidator<T>(schema),
    encode: createEncoder(schema),
    jsonSchema: recordJsonSchema(schema),
    form: formDescription(schema),
    example,
    fingerprint: schemaFingerprint(schema),
  };
}
