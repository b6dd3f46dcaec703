import type { ServedModel } from '../model/served-model.ts';
import type { Prediction } from '../model/task.ts';
import { predictedValue } from '../predict/present.ts';
import { outputTensorInfo } from './datatypes.ts';

/** One output tensor of the protocol: how it is described, and its data for predictions. */
export interface OipOutput {
  readonly name: string;
  readonly datatype: 'FP32' | 'FP64' | 'INT64' | 'BYTES';
  /** The shape after the batch axis: `[]` for `[N]`, `[1]` for `[N,1]`, `[C]` for `[N,C]`. */
  readonly innerShape: readonly number[];
  /** The tensor's data for N predictions, flat in row-major order. */
  data(predictions: readonly Prediction[]): (number | string)[];
}

/** The name of a classifier's probabilities output: `probabilities` (unless the target is). */
export function probabilitiesOutputName(targetName: string): string {
  return targetName === 'probabilities' ? `${targetName}_p` : 'probabilities';
}

/**
 * The model's outputs as the protocol exposes them: a regression model's prediction, named as
 * the target (FP32 or FP64, `[N,1]` or `[N]` as the ONNX output); a classifier's label, named as
 * the target (BYTES for string labels, INT64 for integers, shaped as the ONNX label output, or
 * `[N]` for a label the server computes),
 * then its probabilities (FP32, `[N,C]`, columns in the order of the classes).
 */
export function oipOutputs(
  model: Pick<ServedModel, 'schema' | 'outputs'> & Partial<Pick<ServedModel, 'task'>>,
): OipOutput[] {
  const { schema, task = { kind: 'regression' } } = model;
  const target = schema.target.name;
  if (task.kind === 'regression') {
    const info = outputTensorInfo(model);
    return [{ name: target, ...info, data: (predictions) => predictions.map(predictedValue) }];
  }
  const source = task.labelSource;
  // A label computed from the probabilities (argmax) is one value per record: `[N]`.
  const label =
    source.kind === 'output' ? model.outputs.find((o) => o.name === source.name) : undefined;
  return [
    {
      name: target,
      datatype: task.labelType === 'string' ? 'BYTES' : 'INT64',
      innerShape: label?.isTensor && label.shape.length === 2 ? [1] : [],
      data: (predictions) => predictions.map(predictedValue),
    },
    {
      name: probabilitiesOutputName(target),
      datatype: 'FP32',
      innerShape: [task.classes.length],
      data: (predictions) =>
        predictions.flatMap((p) => (typeof p === 'number' ? [] : [...p.probabilities])),
    },
  ];
}
