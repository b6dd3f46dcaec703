import type { z } from 'zod';
import type { Field, FieldIssue, ValidationReason } from './types.ts';

/** Joins a prefix and a field name into a request path (`instances[3]` + `bmi`). */
export function joinPath(prefix: string, key: string): string {
  return prefix ? `${prefix}.${key}` : key;
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'NaN';
    if (!Number.isFinite(value)) return String(value);
  }
  return `a ${typeof value}`;
}

/**
 * A user-facing message for one zod issue on one field's value. A field marked `sensitive`
 * gets the rule without the value (only its type, when the type is what is wrong).
 */
function fieldMessage(issue: z.core.$ZodIssue, field: Field, value: unknown): string {
  if (value === undefined) return 'is required';
  const got = (shown: string) => (field.sensitive ? '' : ` (got ${shown})`);
  if (field.kind === 'categorical') {
    const levels = `must be one of: ${field.levels.join(', ')}`;
    if (typeof value !== 'string') return `${levels} (got ${describeType(value)})`;
    return `${levels}${got(JSON.stringify(value))}`;
  }
  switch (issue.code) {
    case 'too_small':
      return `must be >= ${field.min ?? String(issue.minimum)}${got(String(value))}`;
    case 'too_big':
      return `must be <= ${field.max ?? String(issue.maximum)}${got(String(value))}`;
    case 'invalid_type':
      if (typeof value === 'number' && Number.isFinite(value)) {
        return `must be an integer${got(String(value))}`;
      }
      return `must be a finite number (got ${describeType(value)})`;
    default:
      return issue.message;
  }
}

/** Why a field's value was refused, for counting. */
function fieldReason(issue: z.core.$ZodIssue, field: Field, value: unknown): ValidationReason {
  if (value === undefined) return 'missing';
  if (field.kind === 'categorical')
    return typeof value === 'string' ? 'unknown_level' : 'wrong_type';
  return issue.code === 'too_small' || issue.code === 'too_big' ? 'out_of_range' : 'wrong_type';
}

/**
 * Turns zod issues on one record into field-level issues with request paths.
 * `body` is the record as received, used to tell "missing" from "wrong".
 */
export function toFieldIssues(
  issues: readonly z.core.$ZodIssue[],
  fields: ReadonlyMap<string, Field>,
  body: unknown,
  prefix: string,
): FieldIssue[] {
  const out: FieldIssue[] = [];
  // zod can report one value twice (an integer beyond 2^53 breaks both the safe-integer range
  // and the field's bound): the first issue per field says it.
  const reported = new Set<PropertyKey>();
  for (const issue of issues) {
    const key = issue.path[0];
    if (key !== undefined) {
      if (reported.has(key)) continue;
      reported.add(key);
    }
    if (issue.code === 'unrecognized_keys' && issue.path.length === 0) {
      for (const k of issue.keys) {
        out.push({
          path: joinPath(prefix, k),
          message: 'unknown field',
          field: k,
          reason: 'unknown_field',
        });
      }
      continue;
    }
    if (key === undefined) {
      out.push({ path: prefix, message: `must be a JSON object (got ${describeType(body)})` });
      continue;
    }
    const field = fields.get(String(key));
    const value = (body as Record<string, unknown>)[String(key)];
    out.push({
      path: joinPath(prefix, String(key)),
      message: field ? fieldMessage(issue, field, value) : issue.message,
      field: String(key),
      ...(field ? { reason: fieldReason(issue, field, value) } : {}),
    });
  }
  return out;
}
