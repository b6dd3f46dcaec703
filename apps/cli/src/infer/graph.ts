import type { ClassLabel, TensorType } from '@modelship/feature-schema';
import {
  externalDataFolder,
  fixedBatchSize,
  readClassifierGraph,
  readOnnxMetadata,
} from '@modelship/inference';
import onnxProto from 'onnx-proto';
import { InferenceSession } from 'onnxruntime-node';
import { failure } from '../errors.ts';

const { onnx } = onnxProto;

/** One model input, as `init` turns it into a field. */
export interface GraphInput {
  readonly name: string;
  readonly type: TensorType;
  /**
   * The categories the graph knows for a string input (from the OneHotEncoder, LabelEncoder or
   * CategoryMapper that reads it), in the graph's order.
   */
  readonly levels?: readonly string[];
}

/** A model's one `[N, F]` input: F numeric columns (PyTorch, Keras, the tree converters). */
export interface GraphMatrix {
  readonly name: string;
  readonly type: 'float32' | 'float64' | 'int64';
  /** F, when the graph declares it. */
  readonly width: number | undefined;
}

/** What the model predicts, read from its outputs. */
export type GraphTask =
  | { readonly kind: 'regression'; readonly output: string }
  | {
      readonly kind: 'classification';
      /** The label output; `undefined` when the graph has none (the argmax is served). */
      readonly label: string | undefined;
      /** The label output's element type. */
      readonly labelType?: 'int64' | 'string';
      readonly probabilities: string;
      /** C, the number of probability columns, when the graph declares it. */
      readonly columns?: number;
      readonly classes: readonly ClassLabel[] | undefined;
    };

/** Everything `init` reads from a model file. */
export interface GraphDescription {
  /** One `[N, 1]` input per column; empty for a model with one `[N, F]` input. */
  readonly inputs: readonly GraphInput[];
  /** The model's one `[N, F]` input, if that is its layout. */
  readonly matrix?: GraphMatrix;
  readonly task: GraphTask;
  /** The batch size the model was exported with, when its first dimension is a number. */
  readonly batch?: number;
}

const tensorTypes: Record<string, TensorType> = {
  float32: 'float32',
  float64: 'float64',
  int64: 'int64',
  string: 'string',
};

/** The node attributes that list the categories of a string input. */
const levelAttributes: Record<string, string> = {
  OneHotEncoder: 'cats_strings',
  LabelEncoder: 'keys_strings',
  CategoryMapper: 'cats_strings',
};

const text = new TextDecoder();

const shapeText = (shape: readonly (number | string)[]) =>
  `[${shape.map((d) => (typeof d === 'string' ? d || 'N' : d)).join(', ')}]`;

/** The way forward for a model whose inputs init cannot map: a schema written by hand. */
const BY_HAND =
  'or write schema.json by hand (see the feature-schema README: inputs.layout per-field or matrix) and run modelship stamp';

/** The categories of each string input, from the encoder nodes that read it directly. */
function graphLevels(bytes: Uint8Array): Map<string, string[]> {
  const levels = new Map<string, string[]>();
  for (const node of onnx.ModelProto.decode(bytes).graph?.node ?? []) {
    const attributeName = levelAttributes[node.opType ?? ''];
    const input = node.input?.[0];
    if (!attributeName || !input || levels.has(input)) continue;
    const attribute = node.attribute?.find((a) => a.name === attributeName);
    if (attribute?.strings?.length)
      levels.set(
        input,
        attribute.strings.map((s) => text.decode(s)),
      );
  }
  return levels;
}

/** Options of {@link describeGraph}. */
export interface DescribeGraphOptions {
  /** Where the model's weight side files are (its own folder), if it has any. */
  readonly modelDir?: string;
  /** The columns an `[N, F]` input is mapped to will be named (--data or --features). */
  readonly columnsNamed: boolean;
}

/**
 * Reads a model file the way `init` needs it: its inputs (one `[N, 1]` column each of float,
 * double, int64 or string, or one `[N, F]` numeric input), the categories the graph knows for
 * string inputs, a fixed batch size, and its task (one float output: regression; a label tensor
 * plus probabilities, a ZipMap or a float `[N, C]` tensor, or such a tensor alone:
 * classification, with the graph's class labels if it has any).
 *
 * @throws {CliError} (exit 1) naming the file, what it cannot serve and what to do.
 */
export async function describeGraph(
  path: string,
  bytes: Uint8Array,
  options: DescribeGraphOptions,
): Promise<GraphDescription> {
  try {
    readOnnxMetadata(bytes);
  } catch (error) {
    throw failure(`${path} is not an ONNX model: ${(error as Error).message}`);
  }
  let session: InferenceSession;
  try {
    session = await InferenceSession.create(bytes, {
      logSeverityLevel: 3,
      ...(options.modelDir ? { extra: { session: externalDataFolder(options.modelDir) } } : {}),
    });
  } catch (error) {
    throw failure(
      `onnxruntime cannot load ${path}: ${(error as Error).message} (re-export the model with a current exporter and opset, or check that it loads with onnxruntime in Python)`,
    );
  }
  try {
    const { inputs, matrix } = describeInputs(path, bytes, session, options);
    let batch: number | undefined;
    try {
      batch = fixedBatchSize(session.inputMetadata);
    } catch (error) {
      throw failure(`${path}: ${(error as Error).message}`);
    }
    return {
      inputs,
      ...(matrix ? { matrix } : {}),
      task: graphTask(path, bytes, session),
      ...(batch !== undefined ? { batch } : {}),
    };
  } finally {
    await session.release();
  }
}

function describeInputs(
  path: string,
  bytes: Uint8Array,
  session: InferenceSession,
  options: DescribeGraphOptions,
): { inputs: GraphInput[]; matrix?: GraphMatrix } {
  const levels = graphLevels(bytes);
  const problems: string[] = [];
  const inputs: GraphInput[] = [];
  const wide: { name: string; shape: readonly (number | string)[]; type: TensorType }[] = [];
  for (const meta of session.inputMetadata) {
    if (!meta.isTensor) {
      problems.push(
        `input "${meta.name}" is not a tensor (a sequence or a map); init reads tensor inputs only: export the model with tensor inputs`,
      );
      continue;
    }
    const type = tensorTypes[meta.type];
    const [, width, ...rest] = meta.shape;
    if (!type) {
      problems.push(
        `input "${meta.name}" has element type ${meta.type}; supported: float32, float64, int64, string: cast it in the model before exporting (e.g. model.float() in PyTorch, or initial_types FloatTensorType in onnxmltools)`,
      );
    } else if (meta.shape.length === 2 && width === 1) {
      const known = levels.get(meta.name);
      inputs.push({
        name: meta.name,
        type,
        ...(type === 'string' && known ? { levels: known } : {}),
      });
    } else if (meta.shape.length === 2 && rest.length === 0) {
      wide.push({ name: meta.name, shape: meta.shape, type });
    } else {
      problems.push(
        `input "${meta.name}" has shape ${shapeText(meta.shape)}; init supports one [N, 1] input per column, or one [N, F] input: export it as a 2-D input (rows, columns)`,
      );
    }
  }
  if (problems.length) throw failure(`${path}: ${problems.join('; ')}`);
  if (wide.length === 0) return { inputs };
  const [only] = wide;
  if (wide.length > 1 || inputs.length > 0 || !only) {
    const named = [...wide, ...inputs.map((i) => ({ name: i.name, shape: [] }))]
      .map((w) => `"${w.name}"${w.shape.length ? ` ${shapeText(w.shape)}` : ' [N, 1]'}`)
      .join(', ');
    throw failure(
      `${path}: the model has several inputs (${named}); init maps one [N, F] input to the data's columns: export one input with every column (concatenate them in the model), ${BY_HAND}`,
    );
  }
  if (only.type === 'string') {
    throw failure(
      `${path}: input "${only.name}" is a string matrix ${shapeText(only.shape)}; init maps an [N, F] input of numbers (float32, float64, int64) only: export one [N, 1] string input per categorical column, ${BY_HAND}`,
    );
  }
  if (!options.columnsNamed) {
    throw failure(
      `${path}: input "${only.name}" has shape ${shapeText(only.shape)}; init supports one [N, 1] input per column, or one [N, F] input with --data CSV --target COLUMN (the F other columns, in file order) or --features a,b,c (the columns in the model's order)`,
    );
  }
  const width = only.shape[1];
  return {
    inputs: [],
    matrix: {
      name: only.name,
      type: only.type,
      width: typeof width === 'number' && width > 0 ? width : undefined,
    },
  };
}

const labelTypes: Record<string, 'int64' | 'string'> = { int64: 'int64', string: 'string' };

function graphTask(path: string, bytes: Uint8Array, session: InferenceSession): GraphTask {
  const outputs = session.outputMetadata;
  const describe = outputs
    .map((o) =>
      o.isTensor ? `${o.name} ${o.type} ${shapeText(o.shape)}` : `${o.name} (not a tensor)`,
    )
    .join(', ');
  const floats = outputs.filter(
    (o) => o.isTensor && (o.type === 'float32' || o.type === 'float64'),
  );
  const label = outputs.find((o) => o.isTensor && labelTypes[o.type] !== undefined);
  const matrices = floats.filter((o) => o.isTensor && o.shape.length === 2 && o.shape[1] !== 1);
  const columnsOf = (o: InferenceSession.ValueMetadata | undefined) =>
    o?.isTensor && typeof o.shape[1] === 'number' && o.shape[1] > 1 ? o.shape[1] : undefined;
  if (label?.isTensor) {
    const probabilities = outputs.find((o) => !o.isTensor) ?? matrices[0];
    if (probabilities) {
      const graph = readClassifierGraph(bytes, probabilities.name);
      const columns = columnsOf(probabilities);
      return {
        kind: 'classification',
        label: label.name,
        labelType: labelTypes[label.type] as 'int64' | 'string',
        probabilities: probabilities.name,
        ...(columns ? { columns } : {}),
        classes: graph.classes,
      };
    }
  }
  const [only] = floats;
  if (outputs.length === 1 && only?.isTensor && (only.shape.length === 1 || only.shape[1] === 1)) {
    return { kind: 'regression', output: only.name };
  }
  // A softmax without a label output (PyTorch, Keras): the server serves its argmax.
  const [probabilities] = matrices;
  if (outputs.length === 1 && probabilities) {
    const columns = columnsOf(probabilities);
    return {
      kind: 'classification',
      label: undefined,
      probabilities: probabilities.name,
      ...(columns ? { columns } : {}),
      classes: undefined,
    };
  }
  throw failure(
    `${path}: cannot tell what the model predicts from its outputs (${describe}); expected one float [N, 1] output (regression), a float [N, C] output of class probabilities, or a label and its probabilities (classification): export only those outputs, ${BY_HAND}`,
  );
}
