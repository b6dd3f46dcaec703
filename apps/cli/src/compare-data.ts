import type { FeatureRecord } from '@modelship/feature-schema';

/** One model's prediction for a row: a number (regression) or a class label. */
export type ComparedPrediction = number | string | boolean;

/** One row whose prediction changed most. */
export interface RowChange {
  /** The CSV line (the header is line 1). */
  readonly line: number;
  readonly record: FeatureRecord;
  readonly stable: number;
  readonly candidate: number;
  /** candidate − stable */
  readonly difference: number;
}

/** How two regression models differ over the same rows (differences are candidate − stable). */
export interface RegressionComparison {
  readonly task: 'regression';
  readonly rows: number;
  /** Rows whose predictions are not equal. */
  readonly changedRows: number;
  readonly meanDifference: number;
  readonly meanAbsoluteDifference: number;
  /** Quantiles of the difference: min, p05, p25, p50, p75, p95, max. */
  readonly quantiles: Readonly<
    Record<'min' | 'p05' | 'p25' | 'p50' | 'p75' | 'p95' | 'max', number>
  >;
  /** The largest absolute changes, largest first. */
  readonly largest: readonly RowChange[];
}

/** How two classifiers differ over the same rows. */
export interface ClassificationComparison {
  readonly task: 'classification';
  readonly rows: number;
  /** Rows where both predict the same class. */
  readonly agreeing: number;
  /** agreeing / rows */
  readonly agreement: number;
  /** The classes, in the order of the confusion matrix's rows (stable) and columns (candidate). */
  readonly classes: readonly string[];
  /** `confusion[i][j]`: rows the stable model puts in `classes[i]` and the candidate in `classes[j]`. */
  readonly confusion: readonly (readonly number[])[];
}

export type Comparison = RegressionComparison | ClassificationComparison;

/** The linearly interpolated quantile `q` of sorted values. */
function quantile(sorted: Float64Array, q: number): number {
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  const a = sorted[lo] as number;
  return a + ((sorted[hi] as number) - a) * (at - lo);
}

/** Compares two regression models' predictions over the same records (same order). */
export function compareRegression(
  records: readonly FeatureRecord[],
  stable: readonly number[],
  candidate: readonly number[],
  top = 10,
): RegressionComparison {
  const n = records.length;
  const diffs = new Float64Array(n);
  let sum = 0;
  let sumAbs = 0;
  let changedRows = 0;
  for (let i = 0; i < n; i += 1) {
    const d = (candidate[i] as number) - (stable[i] as number);
    diffs[i] = d;
    sum += d;
    sumAbs += Math.abs(d);
    if (d !== 0) changedRows += 1;
  }
  const order = [...diffs.keys()].sort(
    (a, b) => Math.abs(diffs[b] as number) - Math.abs(diffs[a] as number),
  );
  const largest = order
    .slice(0, top)
    .filter((i) => diffs[i] !== 0)
    .map((i) => ({
      line: i + 2,
      record: records[i] as FeatureRecord,
      stable: stable[i] as number,
      candidate: candidate[i] as number,
      difference: diffs[i] as number,
    }));
  const sorted = Float64Array.from(diffs).sort();
  return {
    task: 'regression',
    rows: n,
    changedRows,
    meanDifference: sum / n,
    meanAbsoluteDifference: sumAbs / n,
    quantiles: {
      min: quantile(sorted, 0),
      p05: quantile(sorted, 0.05),
      p25: quantile(sorted, 0.25),
      p50: quantile(sorted, 0.5),
      p75: quantile(sorted, 0.75),
      p95: quantile(sorted, 0.95),
      max: quantile(sorted, 1),
    },
    largest,
  };
}

/** Compares two classifiers' predicted classes over the same records (same order). */
export function compareClassification(
  stable: readonly ComparedPrediction[],
  candidate: readonly ComparedPrediction[],
  knownClasses: readonly ComparedPrediction[] = [],
): ClassificationComparison {
  const classes = [...new Set([...knownClasses, ...stable, ...candidate].map(String))];
  const index = new Map(classes.map((c, i) => [c, i]));
  const confusion = classes.map(() => classes.map(() => 0));
  let agreeing = 0;
  stable.forEach((s, i) => {
    const c = candidate[i];
    if (String(s) === String(c)) agreeing += 1;
    const row = confusion[index.get(String(s)) as number] as number[];
    const j = index.get(String(c)) as number;
    row[j] = (row[j] as number) + 1;
  });
  return {
    task: 'classification',
    rows: stable.length,
    agreeing,
    agreement: stable.length ? agreeing / stable.length : 1,
    classes,
    confusion,
  };
}
