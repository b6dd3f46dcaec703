import type { qualityFloor, replacedAppReference } from './config.ts';
import type { FoldResult, repeatedHoldout } from './evaluate.ts';
import type { RegressionMetrics } from './metrics.ts';

/** Everything a run measured; serialized as `metrics.json`. */
export interface TrainingReport {
  readonly model: { readonly name: string; readonly version: string; readonly family: string };
  readonly trainingDate: string;
  readonly data: { readonly rows: number; readonly sha256: string };
  readonly schemaFingerprint: string;
  readonly protocol: {
    readonly seed: number;
    readonly folds: number;
    readonly holdoutFraction: number;
    readonly trainRows: number;
    readonly holdoutRows: number;
  };
  readonly cv: { readonly folds: readonly FoldResult[]; readonly mean: RegressionMetrics };
  readonly holdout: RegressionMetrics;
  readonly robustness: {
    readonly fullDataCv: RegressionMetrics;
    readonly repeatedHoldout: ReturnType<typeof repeatedHoldout>;
  };
  readonly floor: typeof qualityFloor;
  readonly reference: typeof replacedAppReference;
  readonly coefficients: readonly { readonly feature: string; readonly weight: number }[];
}
