import {
  type CompiledSchema,
  EXTRA_KEYS_ALLOWED,
  type FeatureRecord,
} from '@modelship/feature-schema';
import { type ErrorDetail, ValidationError } from '../errors.ts';

/** A `/predict` body: one record, or a batch under `instances`. */
export type PredictRequest =
  | { readonly kind: 'single'; readonly record: FeatureRecord }
  | { readonly kind: 'batch'; readonly records: FeatureRecord[] };

/** Options of {@link parsePredictRequest}. */
export interface ParsePredictRequestOptions {
  /** The model's compiled schema. */
  readonly schema: Pick<CompiledSchema, 'validate' | 'validateMany'>;
  /** Most records under `instances` (MAX_BATCH). */
  readonly maxBatch: number;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Validates a parsed `/predict` body. An object with an `instances` key is a batch of
 * 1..maxBatch records (and nothing else); any other body is one record. Every problem is
 * reported at once, with paths like `instances[3].bmi`.
 *
 * @throws {ValidationError} (422) listing every invalid field.
 */
export function parsePredictRequest(
  body: unknown,
  options: ParsePredictRequestOptions,
): PredictRequest {
  const { schema, maxBatch } = options;
  if (!isPlainObject(body) || !Object.hasOwn(body, 'instances')) {
    const result = schema.validate(body);
    if (!result.ok) throw new ValidationError(result.issues, result.unlisted);
    return { kind: 'single', record: result.value };
  }
  const extra = extraKeys(body, EXTRA_KEYS_ALLOWED);
  if (extra === undefined) {
    throw new ValidationError([
      {
        path: '',
        message: `has more than ${EXTRA_KEYS_ALLOWED} keys beside "instances": a batch body holds only "instances"`,
      },
    ]);
  }
  const issues: ErrorDetail[] = extra.map((key) => ({
    path: key,
    message: 'unknown key: a batch body holds only "instances"',
  }));
  let unlisted = 0;
  const { instances } = body;
  if (!Array.isArray(instances)) {
    issues.push({ path: 'instances', message: 'must be an array of records' });
  } else if (instances.length === 0 || instances.length > maxBatch) {
    issues.push({
      path: 'instances',
      message: `must hold 1 to ${maxBatch} records, got ${instances.length}`,
    });
  } else {
    const result = schema.validateMany(instances, 'instances');
    if (!result.ok) {
      issues.push(...result.issues);
      unlisted = result.unlisted ?? 0;
    } else if (issues.length === 0) return { kind: 'batch', records: result.value };
  }
  throw new ValidationError(issues, unlisted);
}

/** The keys of a batch body other than `instances`, or `undefined` past `limit` of them. */
function extraKeys(body: Record<string, unknown>, limit: number): string[] | undefined {
  const keys: string[] = [];
  for (const key in body) {
    if (key === 'instances') continue;
    if (keys.push(key) > limit) return undefined;
  }
  return keys;
}
