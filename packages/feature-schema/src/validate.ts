import { toFieldIssues } from './issues.ts';
import { recordSchema } from './record-schema.ts';
import type { FeatureRecord, Field, FieldIssue, ModelSchema, ValidationResult } from './types.ts';

/** Most issues a failed validation lists; it counts the others (`unlisted`) without listing them. */
export const MAX_LISTED_ISSUES = 100;

/**
 * Keys a record may have beyond its schema's fields and still be checked field by field (each
 * unknown key then gets its own issue); with more, the record is refused in one issue, so that
 * a body of many keys costs a count, not an issue per key.
 */
export const EXTRA_KEYS_ALLOWED = 32;

/** Most keys a record of `schema` may have and still be checked field by field. */
export function maxRecordKeys(schema: ModelSchema): number {
  return schema.fields.length + EXTRA_KEYS_ALLOWED;
}

/** Whether a plain object has more than `limit` own enumerable keys, stopping at `limit + 1`. */
function hasMoreKeys(input: object, limit: number): boolean {
  let keys = 0;
  for (const _ in input) if (++keys > limit) return true;
  return false;
}

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
      if (!Object.hasOwn(input, key) || ++keys > count) return undefined;
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
  /**
   * Validates each record, reporting paths as `${prefix}[i].field`; lists the first
   * {@link MAX_LISTED_ISSUES} issues and counts the others in `unlisted`.
   */
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
  const maxKeys = maxRecordKeys(schema);
  const tooManyKeys = `has more than ${maxKeys} keys; a record has the schema's ${schema.fields.length} fields`;

  const validate = (body: unknown, path = ''): ValidationResult<T> => {
    const record = fastParse(body);
    if (record !== undefined) return { ok: true, value: record as T };
    if (typeof body === 'object' && body !== null && hasMoreKeys(body, maxKeys)) {
      return { ok: false, issues: [{ path, message: tooManyKeys }] };
    }
    const result = zodSchema.safeParse(body);
    if (result.success) return { ok: true, value: result.data as T };
    const issues = toFieldIssues(result.error.issues, fields, body, path);
    if (issues.length <= MAX_LISTED_ISSUES) return { ok: false, issues };
    return {
      ok: false,
      issues: issues.slice(0, MAX_LISTED_ISSUES),
      unlisted: issues.length - MAX_LISTED_ISSUES,
    };
  };

  const validateMany = (records: readonly unknown[], prefix = ''): ValidationResult<T[]> => {
    const values: T[] = [];
    const issues: FieldIssue[] = [];
    let unlisted = 0;
    records.forEach((record, i) => {
      const r = validate(record, `${prefix}[${i}]`);
      if (r.ok) {
        values.push(r.value);
        return;
      }
      const room = MAX_LISTED_ISSUES - issues.length;
      issues.push(...r.issues.slice(0, room));
      unlisted += Math.max(0, r.issues.length - room) + (r.unlisted ?? 0);
    });
    if (issues.length === 0) return { ok: true, value: values };
    return unlisted ? { ok: false, issues, unlisted } : { ok: false, issues };
  };

  return { validate, validateMany };
}
