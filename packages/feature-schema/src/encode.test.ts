import { describe, expect, it } from 'vitest';
import { matrixSchema, perFieldSchema } from '../test-fixtures/schemas.ts';
import { createEncoder, matrixFeatureValue } from './encode.ts';

const records = [
  { age: 40, bmi: 28.5, children: 2, score: 0.1, smoker: 'yes' },
  { age: 18, bmi: 33.77, children: 0, score: -3, smoker: 'no' },
];

describe('createEncoder (per-field layout)', () => {
  const out = createEncoder(perFieldSchema)(records);

  it('emits one [N,1] tensor per mapped input, named by the mapping', () => {
    expect(Object.keys(out)).toEqual(['age_in', 'bmi_in', 'children_in', 'score_in', 'smoker_in']);
    for (const t of Object.values(out)) expect(t.dims).toEqual([2, 1]);
  });

  it('encodes int64 as BigInt64Array', () => {
    expect(out.age_in?.type).toBe('int64');
    expect(out.age_in?.data).toEqual(new BigInt64Array([40n, 18n]));
  });

  it('encodes float32 with float32 rounding and float64 exactly', () => {
    expect(out.bmi_in?.type).toBe('float32');
    expect(out.bmi_in?.data).toBeInstanceOf(Float32Array);
    expect(Array.from(out.bmi_in?.data as Float32Array)).toEqual([28.5, Math.fround(33.77)]);
    expect(out.children_in?.data).toEqual(new Float32Array([2, 0]));
    expect(out.score_in?.type).toBe('float64');
    expect(out.score_in?.data).toEqual(new Float64Array([0.1, -3]));
  });

  it('encodes categoricals as string tensors', () => {
    expect(out.smoker_in).toEqual({ type: 'string', data: ['yes', 'no'], dims: [2, 1] });
  });

  it('encodes an empty batch as [0,1] tensors', () => {
    const empty = createEncoder(perFieldSchema)([]);
    expect(empty.bmi_in?.dims).toEqual([0, 1]);
    expect(empty.smoker_in?.data).toEqual([]);
  });
});

describe('createEncoder (matrix layout)', () => {
  const encode = createEncoder(matrixSchema);
  const rows = [
    { age: 50, bmi: 34, region: 'east', smoker: 'yes' },
    { age: 30, bmi: 25.5, region: 'north', smoker: 'no' },
    { age: 40, bmi: 20, region: 'south', smoker: 'yes' },
  ];

  it('builds one float32 [N,D] matrix with standardization, one-hot and products', () => {
    const out = encode(rows);
    expect(Object.keys(out)).toEqual(['X']);
    expect(out.X?.type).toBe('float32');
    expect(out.X?.dims).toEqual([3, 6]);
    // columns: (age-40)/10, bmi, region=south, region=east, (smoker=yes)*(bmi-30)/2, bmi>=30
    const matrix = Array.from(out.X?.data as Float32Array);
    expect(matrix.slice(0, 6)).toEqual([1, 34, 0, 1, 2, 1]);
    expect(matrix.slice(6, 12)).toEqual([-1, 25.5, 0, 0, 0, 0]);
    expect(matrix.slice(12, 18)).toEqual([0, 20, 1, 0, -5, 0]);
  });

  it('treats the threshold as inclusive', () => {
    const t = { kind: 'threshold', field: 'bmi', min: 30 } as const;
    expect([29.99, 30, 30.01].map((bmi) => matrixFeatureValue(t, { bmi }))).toEqual([0, 1, 1]);
  });

  it('computes each column in double precision', () => {
    expect(
      matrixFeatureValue({ kind: 'numeric', field: 'bmi', mean: 0.1, std: 3 }, { bmi: 0.7 }),
    ).toBeCloseTo(0.2, 15);
  });
});

describe('createEncoder with `into` (an earlier result filled again)', () => {
  const other = [
    { age: 61, bmi: 22.25, children: 4, score: 2.5, smoker: 'no' },
    { age: 33, bmi: 41, children: 1, score: 0, smoker: 'yes' },
  ];

  it('per-field: fills the same arrays with the new records, as a fresh encoding would', () => {
    const encode = createEncoder(perFieldSchema);
    const first = encode(records);
    const arrays = Object.values(first).map((t) => t.data);
    const again = encode(other, first);
    expect(again).toBe(first);
    for (const [i, t] of Object.values(again).entries()) expect(t.data).toBe(arrays[i]);
    expect(again).toEqual(encode(other));
  });

  it('matrix: fills the same matrix with the new records, as a fresh encoding would', () => {
    const encode = createEncoder(matrixSchema);
    const rows = [
      { age: 50, bmi: 34, region: 'east', smoker: 'yes' },
      { age: 30, bmi: 25.5, region: 'north', smoker: 'no' },
    ];
    const first = encode(rows);
    const matrix = first.X?.data;
    const again = encode([rows[1], rows[0]] as typeof rows, first);
    expect(again.X?.data).toBe(matrix);
    expect(again).toEqual(encode([rows[1], rows[0]] as typeof rows));
  });

  it('refuses an earlier result made for another number of records', () => {
    const encode = createEncoder(perFieldSchema);
    const one = encode([records[0] as (typeof records)[number]]);
    expect(() => encode(records, one)).toThrow(/no 2-value int64 array for input "age_in"/);
  });
});
