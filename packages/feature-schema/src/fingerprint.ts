import { createHash } from 'node:crypto';
import type { ModelSchema } from './types.ts';

/** The ONNX `metadata_props` key that carries the schema fingerprint. */
export const FINGERPRINT_METADATA_KEY = 'modelship.schema_fingerprint';

/**
 * Canonical JSON: object keys sorted by code unit, no whitespace, `undefined` members
 * dropped, numbers as `JSON.stringify` writes them (shortest round-trip form).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) {
      throw new TypeError(`cannot canonicalize ${value}`);
    }
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v ?? null)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** sha256 (hex) of the schema's canonical JSON: any change to `schema.json` changes it. */
export function schemaFingerprint(schema: ModelSchema): string {
  return createHash('sha256').update(canonicalJson(schema)).digest('hex');
}

/** Thrown when a model file was not trained against the schema next to it. */
export class FingerprintMismatchError extends Error {
  constructor(
    readonly expected: string,
    readonly actual: string | undefined,
  ) {
    super(
      actual === undefined
        ? `model metadata has no '${FINGERPRINT_METADATA_KEY}': cannot tie it to schema ${expected}`
        : `model was trained for schema ${actual}, but schema.json has fingerprint ${expected}`,
    );
    this.name = 'FingerprintMismatchError';
  }
}

/**
 * Throws unless the model's `metadata_props[modelship.schema_fingerprint]` equals the
 * schema's fingerprint. `schema` is a `ModelSchema` or anything carrying its `fingerprint`
 * (such as a `CompiledSchema`).
 *
 * @throws {FingerprintMismatchError}
 */
export function verifyFingerprint(
  metadata: Readonly<Record<string, string>>,
  schema: ModelSchema | { readonly fingerprint: string },
): void {
  const expected = 'fingerprint' in schema ? schema.fingerprint : schemaFingerprint(schema);
  const actual = metadata[FINGERPRINT_METADATA_KEY];
  if (actual !== expected) throw new FingerprintMismatchError(expected, actual);
}
