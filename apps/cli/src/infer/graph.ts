import type { ClassLabel, TensorType } from '@modelship/feature-schema';
import { readClassifierGraph, readOnnxMetadata } from '@modelship/inference';
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

/** What the model predicts, read from its outputs. */
export type GraphTask =
  | { readonly kind: 'regression'; readonly output: string }
  | {
      readonly kind: 'classification';
      readonly label: string;
      readonly probabilities: string;
      readonly classes: readonly ClassLabel[] | undefined;
    };

/** Everything `init` reads from a model file. */
export interface GraphDescription {
  readonly inputs: readonly GraphInput[];
  readonly task: GraphTask;
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

/**
 * Reads a model file the way `init` needs it: its inputs (each must be one `[N, 1]` column of
 * float, double, int64 or string), the categories the graph knows for string inputs, and its
 * task (one float output: regression; a label tensor plus probabilities, a ZipMap or a float
 * `[N, C]` tensor: classification, with the graph's class labels).
 *
 * @throws {CliError} (exit 1) naming the file and what it cannot serve.
 */
export async function describeGraph(path: string, bytes: Uint8Array): Promise<GraphDescription> {
  try {
    readOnnxMetadata(bytes);
  } catch (error) {
    throw failure(`${path} is not an ONNX model: ${(error as Error).message}`);
  }
  let session: InferenceSession;
  try {
    session = await InferenceSession.create(bytes, { logSeverityLevel: 3 });
  } catch (error) {
    throw failure(`onnxruntime cannot load ${path}: ${(error as Error).message}`);
  }
  try {
    const levels = graphLevels(bytes);
    const problems: string[] = [];
    const inputs: GraphInput[] = [];
    for (const meta of session.inputMetadata) {
      if (!meta.isTensor) {
        problems.push(`input "${meta.name}" is not a tensor`);
        continue;
      }
      const type = tensorTypes[meta.type];
      const [, width, ...rest] = meta.shape;
      if (!type) {
        problems.push(
          `input "${meta.name}" has element type ${meta.type}; supported: float32, float64, int64, string`,
        );
      } else if (meta.shape.length !== 2 || width !== 1 || rest.length > 0) {
        problems.push(
          `input "${meta.name}" has shape ${shapeText(meta.shape)}; init supports one [N, 1] input per column (skl2onnx's layout for a DataFrame)`,
        );
      } else {
        const known = levels.get(meta.name);
        inputs.push({
          name: meta.name,
          type,
          ...(type === 'string' && known ? { levels: known } : {}),
        });
      }
    }
    if (problems.length) throw failure(`${path}: ${problems.join('; ')}`);
    return { inputs, task: graphTask(path, bytes, session) };
  } finally {
    await session.release();
  }
}

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
  const label = outputs.find((o) => o.isTensor && (o.type === 'int64' || o.type === 'string'));
  if (label) {
    const probabilities =
      outputs.find((o) => !o.isTensor) ?? floats.find((o) => o.isTensor && o.shape.length === 2);
    if (probabilities) {
      const graph = readClassifierGraph(bytes, probabilities.name);
      return {
        kind: 'classification',
        label: label.name,
        probabilities: probabilities.name,
        classes: graph.classes,
      };
    }
  }
  const [only] = floats;
  if (outputs.length === 1 && only?.isTensor && (only.shape.length === 1 || only.shape[1] === 1)) {
    return { kind: 'regression', output: only.name };
  }
  throw failure(
    `${path}: cannot tell what the model predicts from its outputs (${describe}); expected one float [N, 1] output (regression) or a label and its probabilities (classification)`,
  );
}
