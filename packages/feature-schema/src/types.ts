import type { z } from 'zod';
import type {
  categoricalFieldSchema,
  MatrixFeature,
  matrixLayoutSchema,
  modelOutputSchema,
  modelSchemaShape,
  numericFieldSchema,
  perFieldLayoutSchema,
  tensorTypeSchema,
} from './meta-schema.ts';

/**
 * The types of a schema document are inferred from its zod schema (`meta-schema.ts`), never
 * declared a second time; made deeply read-only, since a parsed schema is never changed.
 */
type DeepReadonly<T> = T extends readonly (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/** A numeric feature: a JSON number, optionally restricted to integers and to a range. */
export type NumericField = DeepReadonly<z.infer<typeof numericFieldSchema>>;
/** A categorical feature: a JSON string taken from a fixed set of levels. */
export type CategoricalField = DeepReadonly<z.infer<typeof categoricalFieldSchema>>;
/** Any field of a schema. */
export type Field = NumericField | CategoricalField;
/** ONNX element types a per-field input tensor may have. */
export type TensorType = z.infer<typeof tensorTypeSchema>;
/** How one field feeds one ONNX input of a per-field model. */
export type PerFieldInput = PerFieldLayout['inputs'][number];
/** Layout (a): one ONNX input per field, shape [N,1]. */
export type PerFieldLayout = DeepReadonly<z.infer<typeof perFieldLayoutSchema>>;
/** Layout (b): one float32 matrix input [N,D] built by the schema's encoder. */
export type MatrixLayout = DeepReadonly<z.infer<typeof matrixLayoutSchema>>;
/** A model's complete, JSON-serializable feature contract (`schema.json`). */
export type ModelSchema = DeepReadonly<z.infer<typeof modelSchemaShape>>;
/** The versions of the `schema.json` format this package reads. */
export type SchemaVersion = ModelSchema['schemaVersion'];
/** What a model predicts: a number (`regression`) or a class (`classification`). */
export type ModelTaskKind = NonNullable<ModelSchema['task']>;
/** The ONNX outputs a model is read from. */
export type ModelOutput = DeepReadonly<z.infer<typeof modelOutputSchema>>;
/** One column of a matrix-layout model; recursive, so declared beside its zod schema. */
export type { MatrixFeature };
/** A class label: a string, or an integer (an ONNX int64 label). */
export type ClassLabel = string | number;

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

/**
 * Why a field was refused: no value, a value of the wrong type (a string for a number, NaN, a
 * fraction for an integer), a number outside `[min, max]`, a string that is not a level, or a
 * field the schema does not have.
 */
export type ValidationReason =
  | 'missing'
  | 'wrong_type'
  | 'out_of_range'
  | 'unknown_level'
  | 'unknown_field';

/** One problem in a request body: where (`bmi`, `instances[3].bmi`) and what. */
export interface FieldIssue {
  readonly path: string;
  readonly message: string;
  /** The field concerned (absent for a body that is not an object). */
  readonly field?: string;
  /** Why, for counting (`modelship_validation_failures_total{field,reason}`). */
  readonly reason?: ValidationReason;
}

/** The outcome of validating one record: the typed value, or every problem found. */
export type ValidationResult<T> =
  | { readonly ok: true; readonly value: T }
  | {
      readonly ok: false;
      readonly issues: readonly FieldIssue[];
      /** Issues found beyond those listed (a validator lists a bounded number). */
      readonly unlisted?: number;
    };

/** Plain tensor data; the caller wraps it in `new ort.Tensor(type, data, dims)`. */
export interface EncodedTensor {
  readonly type: TensorType;
  readonly data: Float32Array | Float64Array | BigInt64Array | string[];
  readonly dims: number[];
}
