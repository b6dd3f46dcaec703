import type { FeatureRecord } from '@modelship/feature-schema';

/** How contributions are computed; chosen once per model from its graph. */
export const EXPLAIN_METHODS = ['additive', 'tree-shap', 'exact', 'sampling'] as const;
/** One of {@link EXPLAIN_METHODS}. */
export type ExplainMethod = (typeof EXPLAIN_METHODS)[number];

/**
 * What the contributions add up to: a regression's `value`; a classifier's raw score before
 * its LOGISTIC/SOFTMAX post-transform (`margin`) or its `probability`.
 */
export type ExplainSpace = 'value' | 'margin' | 'probability';

/** One record's explanation: per output (1, or one per class), in `space`. */
export interface Explanation {
  /** The mean output over the background rows. */
  readonly baseline: readonly number[];
  /** `[output][field]`, fields in the schema's order. */
  readonly contributions: readonly (readonly number[])[];
  /** The model's output for the record: `baseline + Σ contributions`. */
  readonly output: readonly number[];
  /** `sampling` only: the standard error of each contribution, `[output][field]`. */
  readonly standardErrors?: readonly (readonly number[])[];
}

/** Explains records of one model against its background rows. */
export interface Explainer {
  readonly method: ExplainMethod;
  readonly space: ExplainSpace;
  /** Outputs explained: 1 (regression) or the number of classes. */
  readonly outputs: number;
  /** Background rows the values are computed against. */
  readonly backgroundRows: number;
  /** Why the graph's closed form was not used (a tree layout it cannot read), when it was not. */
  readonly note?: string;
  /** One explanation per validated record, in order. */
  explain(records: readonly FeatureRecord[]): Promise<Explanation[]>;
  /** Frees its onnxruntime session. */
  release(): Promise<void>;
}
