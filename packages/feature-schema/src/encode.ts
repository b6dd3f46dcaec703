import type {
  EncodedTensor,
  FeatureRecord,
  MatrixFeature,
  MatrixLayout,
  ModelSchema,
  PerFieldLayout,
  TensorType,
} from './types.ts';

/**
 * Turns N validated records into the model's input tensors, keyed by ONNX input name. Given
 * `into`, an earlier result for the same number of records that nothing reads any more, it
 * fills that result's arrays in place and returns it (no new arrays).
 */
export type Encoder = (
  records: readonly FeatureRecord[],
  into?: Record<string, EncodedTensor>,
) => Record<string, EncodedTensor>;

/** The value of one matrix column for one record (computed in double precision). */
export function matrixFeatureValue(feature: MatrixFeature, record: FeatureRecord): number {
  let x: number;
  if (feature.kind === 'one-hot') return record[feature.field] === feature.level ? 1 : 0;
  if (feature.kind === 'threshold') return (record[feature.field] as number) >= feature.min ? 1 : 0;
  if (feature.kind === 'numeric') x = Number(record[feature.field]);
  else x = feature.of.reduce((acc, g) => acc * matrixFeatureValue(g, record), 1);
  // `+ 0` turns -0 into 0, so equal inputs always encode to identical bits
  return (x - (feature.mean ?? 0)) / (feature.std ?? 1) + 0;
}

type TensorData = EncodedTensor['data'];

/** `into[input]`'s array, checked to hold `size` values, or a new one of `type`. */
function dataFor(
  into: Record<string, EncodedTensor> | undefined,
  input: string,
  type: TensorType,
  size: number,
): TensorData | undefined {
  if (into === undefined) return undefined;
  const data = into[input]?.data;
  if (data === undefined || data.length !== size) {
    throw new Error(`encode: "into" has no ${size}-value ${type} array for input "${input}"`);
  }
  return data;
}

function newData(type: TensorType, size: number): TensorData {
  if (type === 'string') return new Array<string>(size).fill('');
  if (type === 'int64') return new BigInt64Array(size);
  return type === 'float32' ? new Float32Array(size) : new Float64Array(size);
}

function perFieldEncoder(layout: PerFieldLayout): Encoder {
  const { inputs } = layout;
  return (records, into) => {
    const n = records.length;
    const out = into ?? {};
    for (let k = 0; k < inputs.length; k++) {
      const { field, input, type } = inputs[k] as PerFieldLayout['inputs'][number];
      let data = dataFor(into, input, type, n);
      if (data === undefined) {
        data = newData(type, n);
        out[input] = { type, dims: [n, 1], data };
      }
      if (type === 'string') {
        const strings = data as string[];
        for (let i = 0; i < n; i++) strings[i] = String((records[i] as FeatureRecord)[field]);
      } else if (type === 'int64') {
        const ints = data as BigInt64Array;
        for (let i = 0; i < n; i++)
          ints[i] = BigInt((records[i] as FeatureRecord)[field] as number);
      } else {
        const floats = data as Float32Array | Float64Array;
        for (let i = 0; i < n; i++) floats[i] = (records[i] as FeatureRecord)[field] as number;
      }
    }
    return out;
  };
}

function matrixEncoder(layout: MatrixLayout): Encoder {
  const { features, input } = layout;
  const d = features.length;
  const type = layout.type ?? 'float32';
  return (records, into) => {
    const n = records.length;
    let data = dataFor(into, input, type, n * d);
    const out = into ?? {};
    if (data === undefined) {
      data = newData(type, n * d);
      out[input] = { type, data, dims: [n, d] };
    }
    for (let i = 0; i < n; i++) {
      const r = records[i] as FeatureRecord;
      for (let j = 0; j < d; j++) {
        const value = matrixFeatureValue(features[j] as MatrixFeature, r);
        if (type === 'int64') (data as BigInt64Array)[i * d + j] = BigInt(value);
        else (data as Float32Array | Float64Array)[i * d + j] = value;
      }
    }
    return out;
  };
}

/**
 * Builds the encoder of a schema's input layout. Records must already be validated:
 * the encoder does no checks of its own.
 *
 * @example
 * const feeds = Object.fromEntries(Object.entries(encode(records))
 *   .map(([name, t]) => [name, new ort.Tensor(t.type, t.data, t.dims)]));
 */
export function createEncoder(schema: ModelSchema): Encoder {
  return schema.inputs.layout === 'per-field'
    ? perFieldEncoder(schema.inputs)
    : matrixEncoder(schema.inputs);
}
