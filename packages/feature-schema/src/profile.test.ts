import { describe, expect, it } from 'vitest';
import { classificationSchema, perFieldSchema } from '../test-fixtures/schemas.ts';
import { schemaFingerprint } from './fingerprint.ts';
import { parseSchema } from './parse-schema.ts';
import {
  backgroundSample,
  binLabels,
  buildProfile,
  numericBin,
  numericProfile,
  profileMismatches,
  psi,
  psiMinRecords,
} from './profile.ts';
import { ProfileError, parseProfile } from './profile-schema.ts';

const range = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));

describe('numericProfile', () => {
  it('uses the deciles as edges, open-ended first and last bins, a tenth of the rows each', () => {
    const p = numericProfile(range(1000, (i) => i));
    expect(p.edges).toEqual([100, 200, 300, 400, 500, 600, 700, 800, 900]);
    expect(p.shares).toEqual(range(10, () => 0.1));
    expect(numericBin(p.edges, -1e9)).toBe(0);
    expect(numericBin(p.edges, 100)).toBe(1);
    expect(numericBin(p.edges, 1e9)).toBe(9);
  });

  it('collapses tied deciles and never leaves a training bin empty', () => {
    // Like `children`: mostly 0, then 1..5.
    const values = [
      ...range(430, () => 0),
      ...range(240, () => 1),
      ...range(180, () => 2),
      ...range(150, (i) => 3 + (i % 3)),
    ];
    const p = numericProfile(values);
    expect(p.edges).toEqual([1, 2, 4]);
    expect(p.shares.every((s) => s > 0)).toBe(true);
    expect(p.shares.reduce((a, b) => a + b)).toBeCloseTo(1, 6);
  });
});

describe('psi', () => {
  const expected = [0.25, 0.25, 0.25, 0.25];
  it('is 0 for the same distribution and grows with the shift', () => {
    expect(psi(expected, [10, 10, 10, 10])).toBeCloseTo(0, 12);
    const small = psi(expected, [11, 10, 10, 9]);
    const large = psi(expected, [40, 0, 0, 0]);
    expect(small).toBeGreaterThan(0);
    expect(small).toBeLessThan(0.05);
    expect(large).toBeGreaterThan(0.25);
    expect(Number.isFinite(large)).toBe(true);
  });
  it('is NaN when nothing was counted', () => {
    expect(psi(expected, [0, 0, 0, 0])).toBeNaN();
  });
  // Exact values, worked by hand, so that another logarithm, floor or loop bound cannot pass.
  it('is (0.75 - 0.5) ln(0.75 / 0.5) + (0.25 - 0.5) ln(0.25 / 0.5) for 30 and 10 records', () => {
    expect(psi([0.5, 0.5], [30, 10])).toBeCloseTo(0.25 * Math.log(3), 12);
    expect(psi([0.5, 0.5], [10, 30])).toBeCloseTo(0.25 * Math.log(3), 12);
  });
  it('floors an empty live bin at 1e-4', () => {
    const floored = 0.5 * Math.log(2) + (1e-4 - 0.5) * Math.log(1e-4 / 0.5);
    expect(psi([0.5, 0.5], [40, 0])).toBeCloseTo(floored, 12);
    expect(psi([0.5, 0.5], [0, 40])).toBeCloseTo(floored, 12);
  });
});

describe('psiMinRecords', () => {
  it('is the records for 5 expected in the smallest training bin', () => {
    expect(psiMinRecords([0.5, 0.5])).toBe(10);
    expect(psiMinRecords(range(10, () => 0.1))).toBe(50);
    expect(psiMinRecords([0.05, 0.95])).toBe(100);
    expect(psiMinRecords([0.03, 0.97])).toBe(167);
  });
  it('ignores bins that training never saw', () => {
    expect(psiMinRecords([0, 0.25, 0.75])).toBe(20);
  });
});

describe('buildProfile', () => {
  const schema = parseSchema(perFieldSchema);
  const fingerprint = schemaFingerprint(schema);
  const records = range(500, (i) => ({
    age: 18 + (i % 60),
    bmi: 15 + (i % 50),
    children: i % 4,
    score: i / 7,
    smoker: i % 5 === 0 ? 'yes' : 'no',
  }));
  const predictions = records.map((r) => r.age * 10);

  it('profiles every field and the predictions, and parses back', () => {
    const profile = buildProfile(schema, records, predictions, { fingerprint });
    expect(profile.rows).toBe(500);
    expect(profile.fields.smoker).toEqual({
      kind: 'categorical',
      levels: ['no', 'yes'],
      shares: [0.8, 0.2],
    });
    expect(profile.fields.age?.kind).toBe('numeric');
    expect(profile.prediction.kind).toBe('numeric');
    expect(parseProfile(JSON.parse(JSON.stringify(profile)))).toEqual(profile);
    expect(profileMismatches(profile, schema, fingerprint)).toEqual([]);
    expect(profileMismatches(profile, schema, 'f'.repeat(64))).toHaveLength(1);
  });

  it('profiles a classifier by predicted class share', () => {
    const cls = parseSchema(classificationSchema);
    const classes = cls.output.classes ?? [];
    const labels = records.map((_, i) => classes[i % 2] as string | number);
    const profile = buildProfile(cls, records, labels, { fingerprint, classes });
    expect(profile.prediction).toEqual({
      kind: 'classes',
      classes: [...classes],
      shares: [0.5, 0.5],
    });
  });

  it('keeps an evenly spaced, deterministic sample of the rows as background when asked', () => {
    expect(buildProfile(schema, records, predictions, { fingerprint }).background).toBeUndefined();
    const profile = buildProfile(schema, records, predictions, { fingerprint, backgroundRows: 4 });
    expect(profile.background).toEqual([records[0], records[125], records[250], records[375]]);
    expect(parseProfile(JSON.parse(JSON.stringify(profile)))).toEqual(profile);
    expect(profileMismatches(profile, schema, fingerprint)).toEqual([]);
    expect(backgroundSample(records, 1000)).toEqual(records);
    const bad = { ...profile, background: [{ ...records[0], smoker: 'sometimes' }] };
    expect(profileMismatches(bad, schema, fingerprint)).toEqual([
      `background row 0: field 'smoker' is "sometimes"`,
    ]);
  });

  it('refuses a malformed profile, naming the path', () => {
    const profile = buildProfile(schema, records, predictions, { fingerprint });
    const bad = structuredClone(profile) as { fields: Record<string, { shares: number[] }> };
    (bad.fields.bmi as { shares: number[] }).shares = [1, 1];
    expect(() => parseProfile(bad)).toThrow(ProfileError);
    expect(() => parseProfile(bad)).toThrow(/fields\.bmi/);
  });
});

describe('binLabels', () => {
  it('labels the bins by their edges', () => {
    expect(binLabels([18, 30.5])).toEqual(['(-Inf,18)', '[18,30.5)', '[30.5,+Inf)']);
  });
});

describe('sensitive fields', () => {
  it('keep the fingerprint of a schema that does not mark any', () => {
    const before = schemaFingerprint(perFieldSchema);
    expect(schemaFingerprint(parseSchema(structuredClone(perFieldSchema)))).toBe(before);
    const marked = structuredClone(perFieldSchema) as unknown as {
      fields: { sensitive?: boolean }[];
    };
    (marked.fields[0] as { sensitive?: boolean }).sensitive = true;
    const parsed = parseSchema(marked);
    expect(parsed.fields[0]?.sensitive).toBe(true);
    expect(schemaFingerprint(parsed)).not.toBe(before);
  });
});
