import { toFieldIssues } from './issues.ts';
import { recordSchema } from './record-schema.ts';
import type { FeatureRecord, Field, FieldIssue, ModelSchema, ValidationResult } from './types.ts';

/** Whether one field's value is valid: the same rules as its zod schema ({@link fieldSchema}). */
function valueCheck(field: Field): (value: unknown) => boolean {
  if (field.kind === 'categorical') {
    const levels = new Set<unknown>(field.levels);
    return (value) => typeof value === 'string' && levels.has(value);
  }
  const min = field.min ?? Number.NEGATIVE_INFINITY;
  const max = field.max ?? Number.POSITIVE_INFINITY;
  if (field.dtype === 'integer') {
    return (value) =>
      typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= max;
  }
  return (value) =>
    typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max;
}

/**
 * A fast parse of one record, specialized to the schema: a plain object with exactly the
 * schema's fields, each valid, gives the record (fields in the schema's order, as zod's parse
 * gives it); anything else gives `undefined`. It accepts only what the zod schema accepts (a
 * test checks it on generated records), without zod's per-call parse state and issue
 * collection; zod still runs for every body this refuses, so that the issues stay zod's.
 */
export function createRecordParser(
  schema: ModelSchema,
): (body: unknown) => FeatureRecord | undefined {
  const checks = schema.fields.map((field) => [field.name, valueCheck(field)] as const);
  const count = checks.length;
  return (body) => {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
    if (Object.getPrototypeOf(body) !== Object.prototype) return undefined;
    const input = body as Record<string, unknown>;
    let keys = 0;
    for (const key in input) {
      if (!Object.hasOwn(input, key)) return undefined;
      keys += 1;
    }
    if (keys !== count) return undefined;
    const record: Record<string, unknown> = {};
    for (const [name, check] of checks) {
      const value = input[name];
      if (!Object.hasOwn(input, name) || !check(value)) return undefined;
      record[name] = value;
    }
    return record as FeatureRecord;
  };
}

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
  const fastParse = createRecordParser(schema);

  const validate = (body: unknown, path = ''): ValidationResult<T> => {
    const record = fastParse(body);
    if (record !== undefined) return { ok: true, value: record as T };
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
