/** A numeric feature: a JSON number, optionally restricted to integers and to a range. */
export interface NumericField {
  readonly kind: 'numeric';
  /** Field name as it appears in request bodies and CSV headers. */
  readonly name: string;
  /** `integer` rejects fractional values. */
  readonly dtype: 'float' | 'integer';
  readonly min?: number;
  readonly max?: number;
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
  readonly levels: readonly string[];
  readonly label?: string;
  readonly description: string;
  readonly example: string;
}

export type Field = NumericField | CategoricalField;

/** ONNX element types a per-field input tensor may have. */
export type TensorType = 'float32' | 'float64' | 'int64' | 'string';

/**
 * Layout (a): one ONNX input per field, shape [N,1], all preprocessing inside the graph
 * (what skl2onnx produces for a ColumnTransformer pipeline).
 */
export interface PerFieldLayout {
  readonly layout: 'per-field';
  readonly inputs: readonly {
    readonly field: string;
    readonly input: string;
    readonly type: TensorType;
  }[];
}

/** One column of a matrix-layout model, computed from validated fields. */
export type MatrixFeature =
  | {
      readonly kind: 'numeric';
      readonly field: string;
      readonly mean?: number;
      readonly std?: number;
    }
  | { readonly kind: 'one-hot'; readonly field: string; readonly level: string }
  | {
      readonly kind: 'product';
      readonly of: readonly MatrixFeature[];
      readonly mean?: number;
      readonly std?: number;
    };

/** Layout (b): one float32 matrix input [N,D] built by the schema's encoder. */
export interface MatrixLayout {
  readonly layout: 'matrix';
  readonly input: string;
  readonly features: readonly MatrixFeature[];
}

/** A model's complete, JSON-serializable feature contract (`schema.json`). */
export interface ModelSchema {
  readonly schemaVersion: 1;
  readonly model: {
    readonly name: string;
    readonly version: string;
    readonly description?: string;
  };
  readonly fields: readonly Field[];
  readonly target: { readonly name: string; readonly unit?: string; readonly description?: string };
  readonly inputs: PerFieldLayout | MatrixLayout;
  /** The ONNX output holding the prediction, shape [N,1] or [N]. */
  readonly output: { readonly name: string };
}
