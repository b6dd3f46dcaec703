import type { Field, ModelSchema, TensorType } from '@modelship/feature-schema';
import type { ServedModel } from '../model/served-model.ts';

/**
 * The tensor datatypes of the Open Inference Protocol.
 *
 * @see https://github.com/kserve/open-inference-protocol/blob/main/specification/protocol/inference_rest.md#tensor-data-types
 */
export const oipDatatypes = [
  'BOOL',
  'UINT8',
  'UINT16',
  'UINT32',
  'UINT64',
  'INT8',
  'INT16',
  'INT32',
  'INT64',
  'FP16',
  'FP32',
  'FP64',
  'BYTES',
] as const;

/** One Open Inference Protocol datatype. */
export type OipDatatype = (typeof oipDatatypes)[number];

/** The datatypes this service accepts: strings for categorical fields, numbers otherwise. */
export type AcceptedDatatype = 'BYTES' | 'FP32' | 'FP64' | 'INT64';

/** Datatypes accepted for a numeric field (whatever the model's own input type). */
export const numericDatatypes: readonly AcceptedDatatype[] = ['FP32', 'FP64', 'INT64'];

const fromTensorType: Record<TensorType, AcceptedDatatype> = {
  float32: 'FP32',
  float64: 'FP64',
  int64: 'INT64',
  string: 'BYTES',
};

/** The datatypes a request may use for `field`. */
export function acceptedDatatypes(field: Field): readonly AcceptedDatatype[] {
  return field.kind === 'categorical' ? ['BYTES'] : numericDatatypes;
}

/**
 * The datatype advertised for `field` in the model metadata: the ONNX input's own type for a
 * per-field model, otherwise INT64 for integer fields and FP32 (the matrix's type) for floats.
 */
export function fieldDatatype(schema: ModelSchema, field: Field): AcceptedDatatype {
  if (field.kind === 'categorical') return 'BYTES';
  if (schema.inputs.layout === 'per-field') {
    const input = schema.inputs.inputs.find((i) => i.field === field.name);
    if (input) return fromTensorType[input.type];
  }
  return field.dtype === 'integer' ? 'INT64' : 'FP32';
}

/** How the prediction tensor is described: its datatype and its shape after the batch axis. */
export interface OutputTensorInfo {
  readonly datatype: 'FP32' | 'FP64';
  /** `[1]` for an `[N, 1]` output, `[]` for an `[N]` output. */
  readonly innerShape: readonly number[];
}

/**
 * Describes the model's prediction output from onnxruntime's metadata: FP64 for a double
 * output, FP32 otherwise; shape `[N]` when the ONNX output has rank 1, else `[N, 1]`.
 */
export function outputTensorInfo(model: Pick<ServedModel, 'schema' | 'outputs'>): OutputTensorInfo {
  const meta = model.outputs.find((o) => o.name === model.schema.output.name);
  if (!meta?.isTensor) return { datatype: 'FP32', innerShape: [1] };
  return {
    datatype: meta.type === 'float64' ? 'FP64' : 'FP32',
    innerShape: meta.shape.length === 1 ? [] : [1],
  };
}
