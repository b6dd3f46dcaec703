import type {
  EncodedTensor,
  FeatureRecord,
  MatrixFeature,
  MatrixLayout,
  ModelSchema,
  PerFieldLayout,
} from './types.ts';

/** Turns N validated records into the model's input tensors, keyed by ONNX input name. */
export type Encoder = (records: readonly FeatureRecord[]) => Record<string, EncodedTensor>;

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

function perFieldEncoder(layout: PerFieldLayout): Encoder {
  return (records) => {
    const n = records.length;
    const out: Record<string, EncodedTensor> = {};
    for (const { field, input, type } of layout.inputs) {
      const dims = [n, 1];
      if (type === 'string') {
        out[input] = { type, dims, data: records.map((r) => String(r[field])) };
      } else if (type === 'int64') {
        const data = new BigInt64Array(n);
        records.forEach((r, i) => {
          data[i] = BigInt(r[field] as number);
        });
        out[input] = { type, dims, data };
      } else {
        const data = type === 'float32' ? new Float32Array(n) : new Float64Array(n);
        records.forEach((r, i) => {
          data[i] = r[field] as number;
        });
        out[input] = { type, dims, data };
      }
    }
    return out;
  };
}

function matrixEncoder(layout: MatrixLayout): Encoder {
  const d = layout.features.length;
  const type = layout.type ?? 'float32';
  return (records) => {
    const n = records.length * d;
    if (type === 'int64') {
      const data = new BigInt64Array(n);
      records.forEach((r, i) => {
        layout.features.forEach((f, j) => {
          data[i * d + j] = BigInt(matrixFeatureValue(f, r));
        });
      });
      return { [layout.input]: { type, data, dims: [records.length, d] } };
    }
    const data = type === 'float64' ? new Float64Array(n) : new Float32Array(n);
    records.forEach((r, i) => {
      layout.features.forEach((f, j) => {
        data[i * d + j] = matrixFeatureValue(f, r);
      });
    });
    return { [layout.input]: { type, data, dims: [records.length, d] } };
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
