import { toFieldIssues } from './issues.ts';
import { recordSchema } from './record-schema.ts';
import type { FeatureRecord, FieldIssue, ModelSchema, ValidationResult } from './types.ts';

/** Validates one record (`validate`) or a batch (`validateMany`) against a schema. */
export interface Validator<T extends FeatureRecord = FeatureRecord> {
  /**
   * Every problem at once: missing and unknown fields, wrong types, NaN/Infinity,
   * non-integers, out-of-range numbers and unknown levels. Paths are the field name,
   * prefixed with `path` when given (`instances[3].bmi`); a non-object body is reported
   * at `path` itself (`''` without a prefix).
   */
  validate(body: unknown, path?: string): ValidationResult<T>;
  /** Validates each record, reporting paths as `${prefix}[i].field`. */
  validateMany(records: readonly unknown[], prefix?: string): ValidationResult<T[]>;
}

/**
 * Builds the validator of a schema. Numbers given as strings (`"40"`) are rejected: the
 * JSON contract is strict (use `coerceFormValues` for urlencoded forms).
 */
export function createValidator<T extends FeatureRecord = FeatureRecord>(
  schema: ModelSchema,
): Validator<T> {
  const zodSchema = recordSchema(schema);
  const fields = new Map(schema.fields.map((f) => [f.name, f]));

  const validate = (body: unknown, path = ''): ValidationResult<T> => {
    const result = zodSchema.safeParse(body);
    if (result.success) return { ok: true, value: result.data as T };
    return { ok: false, issues: toFieldIssues(result.error.issues, fields, body, path) };
  };

  const validateMany = (records: readonly unknown[], prefix = ''): ValidationResult<T[]> => {
    const values: T[] = [];
    const issues: FieldIssue[] = [];
    records.forEach((record, i) => {
      const r = validate(record, `${prefix}[${i}]`);
      if (r.ok) values.push(r.value);
      else issues.push(...r.issues);
    });
    return issues.length ? { ok: false, issues } : { ok: true, value: values };
  };

  return { validate, validateMany };
}
