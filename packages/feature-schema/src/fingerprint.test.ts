import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { mutable, perFieldSchema } from '../test-fixtures/schemas.ts';
import {
  canonicalJson,
  FINGERPRINT_METADATA_KEY,
  FingerprintMismatchError,
  schemaFingerprint,
  verifyFingerprint,
} from './fingerprint.ts';
import { parseSchema } from './parse-schema.ts';

describe('canonicalJson', () => {
  it('sorts keys recursively, drops undefined members and writes no whitespace', () => {
    expect(canonicalJson({ b: [3, { z: 1, a: null }], a: 'x', u: undefined, c: 1.5 })).toBe(
      '{"a":"x","b":[3,{"a":null,"z":1}],"c":1.5}',
    );
  });

  it('refuses non-finite numbers', () => {
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(TypeError);
  });
});

describe('schemaFingerprint', () => {
  const fp = schemaFingerprint(perFieldSchema);

  it('is unchanged for format-1 schemas by format 2 (stamped models keep loading)', () => {
    // Pinned before format 2 existed: a format-1 document parses to an equal object, with no
    // defaults added, so models stamped for it keep their fingerprint.
    const before = '76d7ff0e5e479e1595689ea788c66a0828b3cfcec2d8013894ad6763c2b69137';
    expect(fp).toBe(before);
    expect(schemaFingerprint(parseSchema(JSON.parse(JSON.stringify(perFieldSchema))))).toBe(before);
  });

  it('is the sha256 hex of the canonical JSON', () => {
    expect(fp).toMatch(/^[0-9a-f]{64}$/);
    expect(fp).toBe(createHash('sha256').update(canonicalJson(perFieldSchema)).digest('hex'));
  });

  it('does not depend on key order or formatting', () => {
    const reordered = JSON.parse(JSON.stringify(perFieldSchema, null, 2));
    const { fields, ...rest } = reordered;
    expect(schemaFingerprint({ fields, ...rest })).toBe(fp);
  });

  it('changes when anything in the schema changes', () => {
    const s = mutable(perFieldSchema);
    s.fields[4].levels = ['no', 'yes', 'former'];
    expect(schemaFingerprint(s)).not.toBe(fp);
    expect(schemaFingerprint({ ...perFieldSchema, output: { name: 'y' } })).not.toBe(fp);
  });
});

describe('verifyFingerprint', () => {
  const fp = schemaFingerprint(perFieldSchema);

  it('passes when the model metadata carries the schema fingerprint', () => {
    expect(() =>
      verifyFingerprint({ [FINGERPRINT_METADATA_KEY]: fp, other: 'x' }, perFieldSchema),
    ).not.toThrow();
    expect(() =>
      verifyFingerprint({ [FINGERPRINT_METADATA_KEY]: fp }, { fingerprint: fp }),
    ).not.toThrow();
  });

  it('throws on a mismatch, naming both fingerprints', () => {
    const other = '0'.repeat(64);
    expect(() => verifyFingerprint({ [FINGERPRINT_METADATA_KEY]: other }, perFieldSchema)).toThrow(
      new FingerprintMismatchError(fp, other),
    );
    expect(() => verifyFingerprint({ [FINGERPRINT_METADATA_KEY]: other }, perFieldSchema)).toThrow(
      fp,
    );
  });

  it('throws when the metadata has no fingerprint', () => {
    expect(() => verifyFingerprint({}, perFieldSchema)).toThrow(
      /has no 'modelship.schema_fingerprint'/,
    );
  });
});
