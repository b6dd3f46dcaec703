import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { meanMetrics, regressionMetrics } from './metrics.ts';

describe('regressionMetrics', () => {
  it('computes R², MAE and RMSE on a worked example', () => {
    // residuals 1, -1, 2, 0; mean of actual 5, SST = 9+1+1+9 = 20, SSE = 6
    const m = regressionMetrics([2, 4, 6, 8], [1, 5, 4, 8]);
    expect(m.r2).toBeCloseTo(1 - 6 / 20, 12);
    expect(m.mae).toBeCloseTo(1, 12);
    expect(m.rmse).toBeCloseTo(Math.sqrt(6 / 4), 12);
  });

  it('gives R² = 1 for perfect predictions and rejects mismatched inputs', () => {
    expect(regressionMetrics([1, 2, 3], [1, 2, 3])).toEqual({ r2: 1, mae: 0, rmse: 0 });
    expect(() => regressionMetrics([1, 2], [1])).toThrow(RangeError);
    expect(() => regressionMetrics([], [])).toThrow(RangeError);
  });

  it('averages folds column-wise', () => {
    const m = meanMetrics([
      { r2: 0.8, mae: 10, rmse: 20 },
      { r2: 0.9, mae: 30, rmse: 40 },
    ]);
    expect(m.r2).toBeCloseTo(0.85, 12);
    expect([m.mae, m.rmse]).toEqual([20, 30]);
  });

  const python = '/usr/bin/python3';
  const hasSklearn =
    existsSync(python) &&
    spawnSync(python, ['-c', 'import sklearn'], { encoding: 'utf8' }).status === 0;
  if (!hasSklearn && process.env.CI === 'true') throw new Error('CI: python3-sklearn is missing');
  it.skipIf(!hasSklearn)(
    'agrees with scikit-learn on random data (python3-sklearn)',
    () => {
      const actual = Array.from({ length: 50 }, (_, i) => 1000 + ((i * 7919) % 997) * 13.7);
      const predicted = actual.map((a, i) => a + ((i * 31) % 17) * 41.3 - 300);
      const script = `import json,sys
from sklearn.metrics import r2_score, mean_absolute_error, mean_squared_error
a,p=json.load(sys.stdin)
print(json.dumps([r2_score(a,p), mean_absolute_error(a,p), mean_squared_error(a,p)**0.5]))`;
      const run = spawnSync(python, ['-c', script], {
        input: JSON.stringify([actual, predicted]),
        encoding: 'utf8',
      });
      expect(run.status, run.stderr).toBe(0);
      const [r2, mae, rmse] = JSON.parse(run.stdout) as number[];
      const m = regressionMetrics(actual, predicted);
      expect(m.r2).toBeCloseTo(r2 as number, 10);
      expect(m.mae).toBeCloseTo(mae as number, 8);
      expect(m.rmse).toBeCloseTo(rmse as number, 8);
    },
    60_000,
  ); // importing scikit-learn takes seconds on a busy machine
});
