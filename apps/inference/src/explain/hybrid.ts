import type {
  CompiledSchema,
  EncodedTensor,
  FeatureRecord,
  MatrixFeature,
} from '@modelship/feature-schema';
import * as ort from 'onnxruntime-node';

/**
 * Rows that mix an explained record with background rows: row h takes field f from the
 * record when `masks[h * fields + f]` is 1, else from background row `rows[h]`.
 */
export interface Hybrids {
  readonly masks: Uint8Array;
  readonly rows: Int32Array;
}

/** Builds the model's input tensors of {@link Hybrids} for one record. */
export type HybridEncoder = (x: FeatureRecord, hybrids: Hybrids) => Record<string, ort.Tensor>;

type Data = EncodedTensor['data'];

function allocate(type: EncodedTensor['type'], n: number): Data {
  if (type === 'string') return new Array<string>(n);
  if (type === 'int64') return new BigInt64Array(n);
  return type === 'float64' ? new Float64Array(n) : new Float32Array(n);
}

const toTensor = (t: EncodedTensor) =>
  // The encoder pairs each data array with its matching type; the union defeats overloads.
  new ort.Tensor(t.type as 'float32', t.data as Float32Array, t.dims);

const singleField = (feature: MatrixFeature): string | undefined =>
  feature.kind === 'product' ? undefined : feature.field;

/**
 * A {@link HybridEncoder} over fixed background rows, encoded once. Each input column that
 * depends on one field (every per-field input; single-field matrix columns) is copied from
 * the encoded record or background row; a matrix with multi-field columns encodes each
 * hybrid record instead.
 */
export function hybridEncoder(
  compiled: CompiledSchema,
  background: readonly FeatureRecord[],
): HybridEncoder {
  const { schema } = compiled;
  const F = schema.fields.length;
  const fieldIndex = new Map(schema.fields.map((f, i) => [f.name, i]));
  const encodedBackground = compiled.encode(background);
  // Per input: the field of each of its columns, or undefined when one is multi-field.
  const columnFieldsOf = (input: string): number[] | undefined => {
    if (schema.inputs.layout === 'per-field') {
      const m = schema.inputs.inputs.find((i) => i.input === input);
      return m ? [fieldIndex.get(m.field) as number] : undefined;
    }
    const names = schema.inputs.features.map(singleField);
    if (names.some((n) => n === undefined)) return undefined;
    return names.map((n) => fieldIndex.get(n as string) as number);
  };
  const plans = Object.entries(encodedBackground).map(([input, t]) => ({
    input,
    type: t.type,
    width: t.dims[1] ?? 1,
    background: t.data,
    fields: columnFieldsOf(input),
  }));
  if (plans.some((p) => p.fields === undefined)) {
    return (x, { masks, rows }) => {
      const records = Array.from(rows, (r, h) => {
        const z = background[r] as FeatureRecord;
        const mixed: Record<string, number | string> = {};
        schema.fields.forEach((f, i) => {
          mixed[f.name] = (masks[h * F + i] ? x[f.name] : z[f.name]) as number | string;
        });
        return mixed;
      });
      const feeds: Record<string, ort.Tensor> = {};
      for (const [name, t] of Object.entries(compiled.encode(records))) feeds[name] = toTensor(t);
      return feeds;
    };
  }
  return (x, { masks, rows }) => {
    const own = compiled.encode([x]);
    const n = rows.length;
    const feeds: Record<string, ort.Tensor> = {};
    for (const plan of plans) {
      const { width, type } = plan;
      const fields = plan.fields as number[];
      const mine = (own[plan.input] as EncodedTensor).data;
      const from = plan.background;
      const data = allocate(type, n * width);
      const out = data as unknown as { [i: number]: unknown };
      const src = from as unknown as { [i: number]: unknown };
      const xs = mine as unknown as { [i: number]: unknown };
      for (let h = 0; h < n; h++) {
        const r = rows[h] as number;
        for (let j = 0; j < width; j++) {
          out[h * width + j] = masks[h * F + (fields[j] as number)] ? xs[j] : src[r * width + j];
        }
      }
      feeds[plan.input] = toTensor({ type, data, dims: [n, width] });
    }
    return feeds;
  };
}
