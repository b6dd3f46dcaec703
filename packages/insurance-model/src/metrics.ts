/** Regression quality figures. */
export interface RegressionMetrics {
  /** Coefficient of determination, 1 - SSE/SST. */
  readonly r2: number;
  /** Mean absolute error, in the target's unit. */
  readonly mae: number;
  /** Root mean squared error, in the target's unit. */
  readonly rmse: number;
}

/** R², MAE and RMSE of predictions against actual values (same definitions as scikit-learn). */
export function regressionMetrics(
  actual: readonly number[],
  predicted: readonly number[],
): RegressionMetrics {
  const n = actual.length;
  if (n === 0 || predicted.length !== n) {
    throw new RangeError(`need equally long, non-empty arrays (got ${n} and ${predicted.length})`);
  }
  const mean = actual.reduce((a, b) => a + b, 0) / n;
  let sse = 0;
  let sst = 0;
  let sae = 0;
  actual.forEach((y, i) => {
    const e = y - (predicted[i] as number);
    sse += e * e;
    sae += Math.abs(e);
    sst += (y - mean) ** 2;
  });
  return { r2: 1 - sse / sst, mae: sae / n, rmse: Math.sqrt(sse / n) };
}

/** The column-wise mean of several metric sets (e.g. the CV folds). */
export function meanMetrics(all: readonly RegressionMetrics[]): RegressionMetrics {
  const avg = (k: keyof RegressionMetrics) => all.reduce((a, m) => a + m[k], 0) / all.length;
  return { r2: avg('r2'), mae: avg('mae'), rmse: avg('rmse') };
}
