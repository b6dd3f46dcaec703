/** A numeric feature: a JSON number, optionally restricted to integers and to a range. */
export interface NumericField {
  readonly kind: 'numeric';
  /** Field name as it appears in request bodies and CSV headers. */
  readonly name: string;
  /** `integer` rejects fractional values (3.0 is accepted: JSON cannot tell it from 3). */
  readonly dtype: 'float' | 'integer';
  /** Inclusive lower bound. */
  readonly min?: number;
  /** Inclusive upper bound. */
  readonly max?: number;
  /** Short human label for the form and docs; defaults to the name. */
  readonly label?: string;
  readonly description: string;
  readonly unit?: string;
  /** A typical value: used for docs, the form and to warm the model. */
  readonly example: number;
}

/** A categorical feature: a JSON string taken from a fixed set of levels. */
export interface CategoricalField {
  readonly kind: 'categorical';
  readonly name: string;
  /** The accepted values, in display order (also the one-hot column order). */
  readonly levels: readonly string[];
  readonly label?: string;
  readonly description: string;
  readonly example: string;
}

/** Any field of a schema. */
export type Field = NumericField | CategoricalField;

/**
 * ONNX element types a per-field input tensor may have. Numeric fields may use `float32`,
 * `float64` or (integer fields only) `int64`; categorical fields use `string`.
 */
export type TensorType = 'float32' | 'float64' | 'int64' | 'string';

/** How one field feeds one ONNX input of a per-field model. */
export interface PerFieldInput {
  readonly field: string;
  readonly input: string;
  readonly type: TensorType;
}

/**
 * Layout (a): one ONNX input per field, shape [N,1], all preprocessing inside the graph
 * (what skl2onnx produces for a ColumnTransformer pipeline).
 */
export interface PerFieldLayout {
  readonly layout: 'per-field';
  readonly inputs: readonly PerFieldInput[];
}

/**
 * One column of a matrix-layout model, computed from validated fields.
 * `numeric` and `product` columns are standardized as `(x - mean) / std` when given
 * (`mean` defaults to 0, `std` to 1); `one-hot` is 1 when the field equals `level`, else 0;
 * `threshold` is 1 when the numeric field is >= `min`, else 0 (e.g. BMI >= 30, obesity).
 */
export type MatrixFeature =
  | {
      readonly kind: 'numeric';
      readonly field: string;
      readonly mean?: number;
      readonly std?: number;
    }
  | { readonly kind: 'one-hot'; readonly field: string; readonly level: string }
  | { readonly kind: 'threshold'; readonly field: string; readonly min: number }
  | {
      readonly kind: 'product';
      readonly of: readonly MatrixFeature[];
      readonly mean?: number;
      readonly std?: number;
    };

/**
 * Layout (b): one float32 matrix input [N,D] built by the schema's encoder, D being the number
 * of `features`.
 *
 * @example
 * { layout: 'matrix', input: 'X', features: [
 *   { kind: 'numeric', field: 'age', mean: 39.2, std: 14.0 },
 *   { kind: 'one-hot', field: 'smoker', level: 'yes' },
 *   { kind: 'product', of: [{ kind: 'one-hot', field: 'smoker', level: 'yes' },
 *                           { kind: 'numeric', field: 'bmi' }] },
 * ] }
 */
export interface MatrixLayout {
  readonly layout: 'matrix';
  readonly input: string;
  readonly features: readonly MatrixFeature[];
}

/** The versions of the `schema.json` format this package reads. */
export type SchemaVersion = 1 | 2;

/** What a model predicts: a number (`regression`) or a class (`classification`). */
export type ModelTaskKind = 'regression' | 'classification';

/** A class label: a string, or an integer (an ONNX int64 label). */
export type ClassLabel = string | number;

/**
 * The ONNX outputs a model is read from.
 * - regression: `name` holds the prediction, float32/float64, shape [N,1] or [N];
 * - classification: `name` holds the predicted class (int64 or string, [N] or [N,1]) and
 *   `probabilities` the class probabilities: a float [N,C] tensor, or a ZipMap
 *   `seq(map(int64|string, float))` as skl2onnx exports by default.
 */
export interface ModelOutput {
  /** The ONNX output holding the prediction (regression) or the predicted class label. */
  readonly name: string;
  /** Classification only: the ONNX output holding the class probabilities. */
  readonly probabilities?: string;
  /**
   * Classification only: the class labels in the order of the probability columns. When
   * omitted, the server reads them from the graph (the ZipMap's or the classifier node's
   * `classlabels_*` attributes); when given, they must agree with the graph's.
   */
  readonly classes?: readonly string[] | readonly number[];
}

/**
 * A model's complete, JSON-serializable feature contract (`schema.json`).
 *
 * Format 1 (no `task`) is a regression model; format 2 declares `task` (`regression` or
 * `classification`). A format-1 file keeps loading, and keeps its fingerprint, unchanged.
 */
export interface ModelSchema {
  readonly schemaVersion: SchemaVersion;
  /** Format 2 only (required there); format 1 means regression. */
  readonly task?: ModelTaskKind;
  readonly model: {
    readonly name: string;
    readonly version: string;
    readonly description?: string;
  };
  readonly fields: readonly Field[];
  readonly target: { readonly name: string; readonly unit?: string; readonly description?: string };
  readonly inputs: PerFieldLayout | MatrixLayout;
  /** The ONNX output(s) holding the prediction. */
  readonly output: ModelOutput;
}

/** One validated record: field name → number (numeric fields) or level (categorical fields). */
export type FeatureRecord = Readonly<Record<string, number | string>>;

/**
 * The TypeScript type of a validated record of a schema declared `as const`.
 *
 * @example
 * type InsuranceRecord = RecordOf<typeof insuranceSchema>;
 * // { age: number; sex: 'female' | 'male'; ... }
 */
export type RecordOf<S extends ModelSchema> = {
  readonly [F in S['fields'][number] as F['name']]: F extends CategoricalField
    ? F['levels'][number]
    : number;
};

/** One problem in a request body: where (`bmi`, `instances[3].bmi`) and what. */
export interface FieldIssue {
  readonly path: string;
  readonly message: string;
}

/** The outcome of validating one record: the typed value, or every problem found. */
export type ValidationResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly issues: readonly FieldIssue[] };

/** Plain tensor data; the caller wraps it in `new ort.Tensor(type, data, dims)`. */
export interface EncodedTensor {
  readonly type: TensorType;
  readonly data: Float32Array | Float64Array | BigInt64Array | string[];
  readonly dims: number[];
}
