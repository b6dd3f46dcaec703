import type { MatrixFeature } from '@modelship/feature-schema';
import { describe, expect, it } from 'vitest';
import { fitLinear, fitStandardization } from './fit.ts';
import { featureValueF32, predictLinear } from './model.ts';

const f32 = Math.fround;

describe('featureValueF32', () => {
  const record = { age: 40, bmi: 33.77, smoker: 'yes' };

  it('computes each kind in float32, one rounding per operation', () => {
    expect(featureValueF32({ kind: 'numeric', field: 'bmi' }, record)).toBe(f32(33.77));
    expect(featureValueF32({ kind: 'numeric', field: 'bmi', mean: 30.1, std: 6.1 }, record)).toBe(
      f32(f32(f32(33.77) - f32(30.1)) / f32(6.1)),
    );
    expect(featureValueF32({ kind: 'one-hot', field: 'smoker', level: 'yes' }, record)).toBe(1);
    expect(featureValueF32({ kind: 'one-hot', field: 'smoker', level: 'no' }, record)).toBe(0);
    expect(featureValueF32({ kind: 'threshold', field: 'bmi', min: 30 }, record)).toBe(1);
    expect(featureValueF32({ kind: 'threshold', field: 'bmi', min: 33.77 }, record)).toBe(1);
    expect(featureValueF32({ kind: 'threshold', field: 'bmi', min: 33.771 }, record)).toBe(0);
    const product: MatrixFeature = {
      kind: 'product',
      of: [
        { kind: 'one-hot', field: 'smoker', level: 'yes' },
        { kind: 'numeric', field: 'bmi' },
        { kind: 'numeric', field: 'age' },
      ],
    };
    expect(featureValueF32(product, record)).toBe(f32(f32(33.77) * 40));
  });
});

describe('fitLinear', () => {
  // y = 100 + 3·x + 50·[g = b] exactly: OLS must recover it
  const records = Array.from({ length: 40 }, (_, i) => ({ x: i, g: i % 3 === 0 ? 'b' : 'a' }));
  const targets = records.map((r) => 100 + 3 * r.x + (r.g === 'b' ? 50 : 0));
  const features: MatrixFeature[] = [
    { kind: 'numeric', field: 'x' },
    { kind: 'one-hot', field: 'g', level: 'b' },
  ];

  it('standardizes continuous features only', () => {
    const [x, g] = fitStandardization(features, records);
    expect(x).toMatchObject({ kind: 'numeric', mean: 19.5 });
    expect((x as { std: number }).std).toBeCloseTo(Math.sqrt((40 * 40 - 1) / 12), 5);
    expect(g).toEqual(features[1]);
  });

  it('recovers exact linear relations, with float32 coefficients', () => {
    const model = fitLinear(features, records, targets);
    for (const w of [model.intercept, ...model.weights]) expect(Math.fround(w)).toBe(w);
    records.forEach((r, i) => {
      expect(predictLinear(model, r)).toBeCloseTo(targets[i] as number, 2);
    });
  });
});
