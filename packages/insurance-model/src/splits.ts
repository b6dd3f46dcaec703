import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

/** A seeded Fisher–Yates permutation of `0..n-1` (xoroshiro128+ from pure-rand). */
export function shuffledIndexes(n: number, seed: number): number[] {
  const rng = xoroshiro128plus(seed);
  const idx = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = uniformInt(rng, 0, i);
    [idx[i], idx[j]] = [idx[j] as number, idx[i] as number];
  }
  return idx;
}

/** A shuffled train/holdout split of `0..n-1`; the holdout has `round(n · fraction)` rows. */
export function holdoutSplit(
  n: number,
  fraction: number,
  seed: number,
): { train: number[]; holdout: number[] } {
  const idx = shuffledIndexes(n, seed);
  const size = Math.round(n * fraction);
  return {
    holdout: idx.slice(0, size).sort((a, b) => a - b),
    train: idx.slice(size).sort((a, b) => a - b),
  };
}

/**
 * Shuffled k-fold cross-validation over the given row indexes: each fold's `test` part is
 * a contiguous slice of one seeded permutation (sizes differ by at most one, as in
 * scikit-learn's KFold(shuffle=True)).
 */
export function kFold(
  indexes: readonly number[],
  k: number,
  seed: number,
): { train: number[]; test: number[] }[] {
  const order = shuffledIndexes(indexes.length, seed).map((i) => indexes[i] as number);
  const folds: { train: number[]; test: number[] }[] = [];
  let start = 0;
  for (let f = 0; f < k; f++) {
    const size = Math.floor(order.length / k) + (f < order.length % k ? 1 : 0);
    const test = order.slice(start, start + size);
    const inTest = new Set(test);
    folds.push({ test, train: indexes.filter((i) => !inTest.has(i)) });
    start += size;
  }
  return folds;
}
