// Test fixtures: small dense models laid out as PyTorch, Keras and the tree converters export
// them (one [N, F] input; a regression output, a softmax without a label output, or an ArgMax
// label beside the probabilities), optionally with a fixed batch dimension or with their
// weights in a side file. Each has a JavaScript twin (`reference`).
import { FINGERPRINT_METADATA_KEY } from '@modelship/feature-schema';
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
const { DataType } = onnx.TensorProto;

/** What the model outputs. */
export type DenseModelKind = 'regression' | 'probabilities' | 'label+probabilities';

/** Options of {@link denseModel}. */
export interface DenseModelOptions {
  /** F, the width of the input. */
  readonly features: number;
  readonly kind: DenseModelKind;
  /** C, for classifiers. @default 2 */
  readonly classes?: number;
  /** The input's element type (anything but float32 is cast inside the graph). @default 'float32' */
  readonly inputType?: 'float32' | 'float64' | 'int64';
  /** A fixed batch dimension instead of a symbolic one. */
  readonly batch?: number;
  /** The file name of a side file holding the weights (as torch's dynamo exporter writes). */
  readonly externalData?: string;
  /** Explicit weights: `w` is F×C row-major, `b` has C values. @default deterministic ones */
  readonly weights?: { readonly w: readonly number[]; readonly b: readonly number[] };
  /** A fingerprint to stamp into metadata_props. @default none */
  readonly fingerprint?: string;
}

/** What a dense model predicts for one row. */
export interface DensePrediction {
  /** Regression: the value. */
  readonly value?: number;
  /** Classifiers: the class index of the highest probability (the first one on a tie). */
  readonly label?: number;
  readonly probabilities?: readonly number[];
}

/** A dense model, its side files and the JavaScript function that computes its predictions. */
export interface DenseModel {
  readonly bytes: Uint8Array;
  /** Side files by name (empty unless `externalData`). */
  readonly sideFiles: Readonly<Record<string, Uint8Array>>;
  /** The ONNX names of its input and outputs. */
  readonly names: { readonly input: string; readonly output: string; readonly label?: string };
  reference(rows: readonly (readonly number[])[]): DensePrediction[];
}

const elemTypes = { float32: DataType.FLOAT, float64: DataType.DOUBLE, int64: DataType.INT64 };

const dim = (d: number | string) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d });
const valueInfo = (name: string, elemType: number, shape: readonly (number | string)[]) => ({
  name,
  type: { tensorType: { elemType, shape: { dim: shape.map(dim) } } },
});

/** Deterministic weights with no two columns alike (so that argmax has no ties). */
function weights(rows: number, cols: number): number[] {
  return Array.from({ length: rows * cols }, (_, k) => {
    const i = Math.floor(k / cols);
    const j = k % cols;
    return Math.fround((((i * 7 + j * 13 + 3) % 17) - 8) / (10 + j));
  });
}

/**
 * Builds `X · W + B` over an `[N, F]` input, followed by a softmax for classifiers (`probabilities`
 * `[N, C]`), and an `ArgMax` label output (`label`, int64 `[N]`) for `label+probabilities`.
 * Outputs: regression `output` float32 `[N, 1]`.
 */
export function denseModel(options: DenseModelOptions): DenseModel {
  const { features, kind, inputType = 'float32', batch, externalData } = options;
  const classes = kind === 'regression' ? 1 : (options.classes ?? 2);
  const w = options.weights ? [...options.weights.w] : weights(features, classes);
  const b = options.weights
    ? [...options.weights.b]
    : Array.from({ length: classes }, (_, j) => Math.fround(0.25 - j * 0.125));
  const n = batch ?? 'N';
  const names = {
    input: 'input',
    output: kind === 'regression' ? 'output' : 'probabilities',
    ...(kind === 'label+probabilities' ? { label: 'label' } : {}),
  };
  const nodes: object[] = [];
  let x = names.input;
  if (inputType !== 'float32') {
    nodes.push({
      opType: 'Cast',
      input: [x],
      output: ['x_float'],
      attribute: [{ name: 'to', type: 2, i: DataType.FLOAT }],
    });
    x = 'x_float';
  }
  nodes.push({ opType: 'MatMul', input: [x, 'W'], output: ['xw'] });
  const logits = kind === 'regression' ? names.output : 'logits';
  nodes.push({ opType: 'Add', input: ['xw', 'B'], output: [logits] });
  const outputs = [valueInfo(names.output, DataType.FLOAT, [n, classes])];
  if (kind !== 'regression') {
    nodes.push({
      opType: 'Softmax',
      input: [logits],
      output: [names.output],
      attribute: [{ name: 'axis', type: 2, i: -1 }],
    });
  }
  if (names.label) {
    nodes.push({
      opType: 'ArgMax',
      input: [logits],
      output: [names.label],
      attribute: [
        { name: 'axis', type: 2, i: 1 },
        { name: 'keepdims', type: 2, i: 0 },
      ],
    });
    outputs.unshift(valueInfo(names.label, DataType.INT64, [n]));
  }

  const sideFiles: Record<string, Uint8Array> = {};
  const tensor = (name: string, dims: number[], values: number[], offset: number) => {
    if (externalData === undefined)
      return { name, dims, dataType: DataType.FLOAT, floatData: values };
    return {
      name,
      dims,
      dataType: DataType.FLOAT,
      dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
      externalData: [
        { key: 'location', value: externalData },
        { key: 'offset', value: String(offset) },
        { key: 'length', value: String(values.length * 4) },
      ],
    };
  };
  if (externalData !== undefined) {
    sideFiles[externalData] = new Uint8Array(new Float32Array([...w, ...b]).buffer);
  }
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'modelship-tests',
    opsetImport: [{ domain: '', version: 17 }],
    metadataProps:
      options.fingerprint === undefined
        ? []
        : [{ key: FINGERPRINT_METADATA_KEY, value: options.fingerprint }],
    graph: {
      name: 'dense',
      node: nodes,
      initializer: [
        tensor('W', [features, classes], w, 0),
        tensor('B', [classes], b, w.length * 4),
      ],
      input: [valueInfo(names.input, elemTypes[inputType], [n, features])],
      output: outputs,
    },
  });

  const reference = (rows: readonly (readonly number[])[]): DensePrediction[] =>
    rows.map((row) => {
      const z = b.map(
        (bias, j) =>
          row.reduce((sum, value, i) => sum + Math.fround(value) * (w[i * classes + j] ?? 0), 0) +
          bias,
      );
      if (kind === 'regression') return { value: z[0] as number };
      const top = Math.max(...z);
      const e = z.map((v) => Math.exp(v - top));
      const total = e.reduce((s, v) => s + v, 0);
      return { label: z.indexOf(top), probabilities: e.map((v) => v / total) };
    });
  return { bytes: onnx.ModelProto.encode(model).finish(), sideFiles, names, reference };
}
