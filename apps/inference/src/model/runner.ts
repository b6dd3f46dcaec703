import type { CompiledSchema, FeatureRecord } from '@modelship/feature-schema';
import * as ort from 'onnxruntime-node';
import type { ClassificationTask, Prediction, ServedTask } from './task.ts';

/** Options of {@link createRunner}. */
export interface RunnerOptions {
  readonly session: ort.InferenceSession;
  readonly compiled: Pick<CompiledSchema, 'encode'>;
  /** The ONNX output holding the prediction (regression) or the class label. */
  readonly output: string;
  /** What the model predicts. @default { kind: 'regression' } */
  readonly task?: ServedTask;
}

function feedsOf(compiled: RunnerOptions['compiled'], records: readonly FeatureRecord[]) {
  const feeds: Record<string, ort.Tensor> = {};
  for (const [name, t] of Object.entries(compiled.encode(records))) {
    // The encoder pairs each data array with its matching type; the union defeats overloads.
    feeds[name] = new ort.Tensor(t.type as 'float32', t.data as Float32Array, t.dims);
  }
  return feeds;
}

function tensorOf(results: ort.InferenceSession.ReturnType, name: string, size: number) {
  const tensor = results[name];
  if (!(tensor instanceof ort.Tensor) || tensor.data.length !== size) {
    const count = tensor instanceof ort.Tensor ? tensor.data.length : 'no';
    throw new Error(`output "${name}" has ${count} values where ${size} were expected`);
  }
  return tensor;
}

/** Labels and probability rows from one classifier run. */
function classPredictions(
  results: ort.InferenceSession.ReturnType,
  output: string,
  task: ClassificationTask,
  n: number,
): Prediction[] {
  const labels = tensorOf(results, output, n).data as string[] | BigInt64Array;
  const c = task.classes.length;
  const probabilities = tensorOf(results, task.probabilitiesTensor, n * c).data as
    | Float32Array
    | Float64Array;
  return Array.from({ length: n }, (_, i) => ({
    label: typeof labels[i] === 'bigint' ? Number(labels[i]) : (labels[i] as string),
    probabilities: Array.from(probabilities.subarray(i * c, (i + 1) * c), Number),
  }));
}

/**
 * Builds the function that predicts validated records in one onnxruntime run: the schema's
 * encoder makes the input tensors; a regression model's output gives one number per record, a
 * classifier's label output and probabilities tensor one {@link ClassPrediction} per record.
 */
export function createRunner(
  options: RunnerOptions,
): (records: readonly FeatureRecord[]) => Promise<Prediction[]> {
  const { session, compiled, output, task = { kind: 'regression' } } = options;
  if (task.kind === 'classification') {
    const fetches = [output, task.probabilitiesTensor];
    return async (records) => {
      const results = await session.run(feedsOf(compiled, records), fetches);
      return classPredictions(results, output, task, records.length);
    };
  }
  return async (records) => {
    const results = await session.run(feedsOf(compiled, records), [output]);
    const tensor = tensorOf(results, output, records.length);
    return Array.from(tensor.data as Float32Array | Float64Array, Number);
  };
}
