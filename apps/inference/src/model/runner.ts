import type { ClassLabel, CompiledSchema, FeatureRecord } from '@modelship/feature-schema';
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
  /**
   * The model's fixed batch size, when its inputs' first dimension is a number: records are run
   * in chunks of that size, the last one padded with copies of its last record.
   */
  readonly batch?: number;
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

/** The index of the highest value (the first one on a tie). */
function argmax(row: Row): number {
  let best = 0;
  for (let j = 1; j < row.length; j++) if ((row[j] as number) > (row[best] as number)) best = j;
  return best;
}

type Row = Float32Array | Float64Array;
/** Record `i`'s label, from the label output's values or the record's probabilities. */
type LabelOf = (labels: string[] | BigInt64Array, i: number, row: Row) => ClassLabel;

/** The function that reads each record's label. */
function labelReader(task: ClassificationTask): LabelOf {
  const source = task.labelSource;
  if (source.kind === 'argmax') return (_labels, _i, row) => task.classes[argmax(row)] as ClassLabel;
  const same = source.codes.every((code, i) => code === task.classes[i]);
  const names = new Map(source.codes.map((code, i) => [code, task.classes[i] as ClassLabel]));
  return (labels, i) => {
    const value = labels[i];
    const code = typeof value === 'bigint' ? Number(value) : (value as string);
    return same ? code : (names.get(code) ?? code);
  };
}

/** Labels and probability rows from one classifier run. */
function classPredictions(
  results: ort.InferenceSession.ReturnType,
  task: ClassificationTask,
  n: number,
  label: LabelOf,
): Prediction[] {
  const c = task.classes.length;
  const probabilities = tensorOf(results, task.probabilitiesTensor, n * c).data as Row;
  const labels =
    task.labelSource.kind === 'output'
      ? (tensorOf(results, task.labelSource.name, n).data as string[] | BigInt64Array)
      : [];
  return Array.from({ length: n }, (_, i) => {
    const row = probabilities.subarray(i * c, (i + 1) * c);
    return { label: label(labels, i, row), probabilities: Array.from(row, Number) };
  });
}

/** Runs `run` over chunks of exactly `size` records (the last one padded), keeping N results. */
function inChunks<T>(
  size: number,
  run: (records: readonly FeatureRecord[]) => Promise<T[]>,
): (records: readonly FeatureRecord[]) => Promise<T[]> {
  return async (records) => {
    const out: T[] = [];
    for (let start = 0; start < records.length; start += size) {
      const chunk = records.slice(start, start + size);
      const real = chunk.length;
      const last = chunk[real - 1] as FeatureRecord;
      while (chunk.length < size) chunk.push(last);
      out.push(...(await run(chunk)).slice(0, real));
    }
    return out;
  };
}

/**
 * Builds the function that predicts validated records in one onnxruntime run (one per chunk
 * for a model with a fixed batch size): the schema's encoder makes the input tensors; a
 * regression model's output gives one number per record, a classifier's probabilities (and
 * its label output, or their argmax) one {@link ClassPrediction} per record.
 */
export function createRunner(
  options: RunnerOptions,
): (records: readonly FeatureRecord[]) => Promise<Prediction[]> {
  const { session, compiled, output, task = { kind: 'regression' }, batch } = options;
  let run: (records: readonly FeatureRecord[]) => Promise<Prediction[]>;
  if (task.kind === 'classification') {
    const label = labelReader(task);
    const fetches =
      task.labelSource.kind === 'output'
        ? [task.labelSource.name, task.probabilitiesTensor]
        : [task.probabilitiesTensor];
    run = async (records) => {
      const results = await session.run(feedsOf(compiled, records), fetches);
      return classPredictions(results, task, records.length, label);
    };
  } else {
    run = async (records) => {
      const results = await session.run(feedsOf(compiled, records), [output]);
      const tensor = tensorOf(results, output, records.length);
      return Array.from(tensor.data as Float32Array | Float64Array, Number);
    };
  }
  return batch === undefined ? run : inChunks(batch, run);
}
