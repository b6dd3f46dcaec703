import { describe, expect, it } from 'vitest';
import { holdoutSplit, kFold, shuffledIndexes } from './splits.ts';

describe('shuffledIndexes', () => {
  it('is a permutation, fixed by the seed', () => {
    const a = shuffledIndexes(100, 42);
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(shuffledIndexes(100, 42)).toEqual(a);
    expect(shuffledIndexes(100, 43)).not.toEqual(a);
    expect(a).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
  });
});

describe('holdoutSplit', () => {
  it('holds out round(n · fraction) rows, disjoint from the training rows', () => {
    const { train, holdout } = holdoutSplit(1338, 0.3, 42);
    expect(holdout).toHaveLength(401);
    expect(train).toHaveLength(937);
    expect(new Set([...train, ...holdout]).size).toBe(1338);
  });
});

describe('kFold', () => {
  it('partitions the rows into k test folds of near-equal size', () => {
    const rows = Array.from({ length: 937 }, (_, i) => i * 2);
    const folds = kFold(rows, 10, 42);
    expect(folds.map((f) => f.test.length)).toEqual([94, 94, 94, 94, 94, 94, 94, 93, 93, 93]);
    expect(folds.flatMap((f) => f.test).sort((a, b) => a - b)).toEqual(rows);
    for (const f of folds) {
      expect(f.train.length + f.test.length).toBe(937);
      expect(f.train.some((i) => f.test.includes(i))).toBe(false);
    }
    expect(kFold(rows, 10, 42)).toEqual(folds);
  });
});
