import type { CompiledSchema, FeatureRecord } from '@modelship/feature-schema';
import * as ort from 'onnxruntime-node';

/** Options of {@link createRunner}. */
export interface RunnerOptions {
  readonly session: ort.InferenceSession;
  readonly compiled: Pick<CompiledSchema, 'encode'>;
  /** The ONNX output holding the prediction. */
  readonly output: string;
}

/**
 * Builds the function that predicts validated records in one onnxruntime run: the schema's
 * encoder makes the input tensors, the named output gives one number per record.
 */
export function createRunner(
  options: RunnerOptions,
): (records: readonly FeatureRecord[]) => Promise<number[]> {
  const { session, compiled, output } = options;
  return async (records) => {
    const feeds: Record<string, ort.Tensor> = {};
    for (const [name, t] of Object.entries(compiled.encode(records))) {
      // The encoder pairs each data array with its matching type; the union defeats overloads.
      feeds[name] = new ort.Tensor(t.type as 'float32', t.data as Float32Array, t.dims);
    }
    const results = await session.run(feeds, [output]);
    const tensor = results[output];
    if (!(tensor instanceof ort.Tensor) || tensor.data.length !== records.length) {
      throw new Error(
        `output "${output}" has ${tensor instanceof ort.Tensor ? tensor.data.length : 'no'} values for ${records.length} records`,
      );
    }
    return Array.from(tensor.data as Float32Array | Float64Array, Number);
  };
}
