import type {
  ClassLabel,
  CompiledSchema,
  EncodedTensor,
  FeatureRecord,
} from '@modelship/feature-schema';
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

/** One record count's input tensors: the encoder's arrays, wrapped by onnxruntime tensors. */
interface FeedSet {
  readonly encoded: Record<string, EncodedTensor>;
  readonly feeds: Record<string, ort.Tensor>;
}

/** Record counts up to which a run's input tensors are kept for the next run of that count. */
const maxPooledRows = 64;

/**
 * Input tensors reused between runs of the same record count (a lone request, the batches of a
 * steady load), so that a run allocates no new arrays or tensors. A set is taken out while its
 * run is in flight (onnxruntime reads the arrays in a later turn) and put back only once that
 * run has settled, so concurrent runs never share one; every take refills every value.
 */
function feedPool(compiled: RunnerOptions['compiled']) {
  const idle = new Map<number, FeedSet>();
  return {
    take(records: readonly FeatureRecord[]): FeedSet {
      const kept = idle.get(records.length);
      if (kept !== undefined) {
        idle.delete(records.length);
        compiled.encode(records, kept.encoded);
        return kept;
      }
      const encoded = compiled.encode(records);
      const feeds: Record<string, ort.Tensor> = {};
      for (const name in encoded) {
        const t = encoded[name] as EncodedTensor;
        // The encoder pairs each data array with its matching type; the union defeats overloads.
        feeds[name] = new ort.Tensor(t.type as 'float32', t.data as Float32Array, t.dims);
      }
      return { encoded, feeds };
    },
    give(records: number, set: FeedSet): void {
      if (records <= maxPooledRows) idle.set(records, set);
    },
  };
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
  const pool = feedPool(compiled);
  type Read = (results: ort.InferenceSession.ReturnType, n: number) => Prediction[];
  let fetches: string[];
  let read: Read;
  if (task.kind === 'classification') {
    const label = labelReader(task);
    fetches =
      task.labelSource.kind === 'output'
        ? [task.labelSource.name, task.probabilitiesTensor]
        : [task.probabilitiesTensor];
    read = (results, n) => classPredictions(results, task, n, label);
  } else {
    fetches = [output];
    read = (results, n) =>
      Array.from(tensorOf(results, output, n).data as Float32Array | Float64Array, Number);
  }
  const run = async (records: readonly FeatureRecord[]): Promise<Prediction[]> => {
    const set = pool.take(records);
    try {
      return read(await session.run(set.feeds, fetches), records.length);
    } finally {
      pool.give(records.length, set);
    }
  };
  return batch === undefined ? run : inChunks(batch, run);
}
