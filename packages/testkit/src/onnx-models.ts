// Test fixtures: tiny linear ONNX models written with onnx-proto for any schema, so that the
// loader, the runner and the HTTP layer are tested against real onnxruntime sessions without
// depending on the trained model. Each model has a JavaScript twin (`reference`).
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  compileSchema,
  type FeatureRecord,
  FINGERPRINT_METADATA_KEY,
  type ModelSchema,
  matrixFeatureValue,
} from '@modelship/feature-schema';
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
const { DataType } = onnx.TensorProto;

const elemTypes = {
  float32: DataType.FLOAT,
  float64: DataType.DOUBLE,
  int64: DataType.INT64,
  string: DataType.STRING,
} as const;

/** Options of {@link linearModel}. */
export interface LinearModelOptions {
  /** Per-column weights; default 1, 2, 3, ... */
  readonly weights?: readonly number[];
  /** @default 0.5 */
  readonly bias?: number;
  /** Fingerprint stamped into metadata_props; default the schema's own; `null` for none. */
  readonly fingerprint?: string | null;
}

/** A tiny model and the JavaScript function that computes the same predictions. */
export interface LinearModel {
  readonly bytes: Uint8Array;
  /** The model's prediction for records (categoricals count as their level index). */
  reference(records: readonly FeatureRecord[]): number[];
}

const dim = (d: number | string) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d });

export function valueInfo(name: string, elemType: number, shape: readonly (number | string)[]) {
  return { name, type: { tensorType: { elemType, shape: { dim: shape.map(dim) } } } };
}

export function floatTensor(name: string, dims: number[], values: readonly number[]) {
  return { name, dims, dataType: DataType.FLOAT, floatData: [...values] };
}

const bytesOf = (s: string) => new TextEncoder().encode(s);

/** A schema's fields as float32 columns inside a graph: the nodes that make them, one tensor. */
export interface GraphColumns {
  readonly nodes: object[];
  readonly inputs: object[];
  /** Per column, its value for a record as the graph computes it. */
  readonly columns: readonly { readonly value: (r: FeatureRecord) => number }[];
  /** The float32 [N, columns] tensor. */
  readonly features: string;
}

/**
 * The columns the schema's layout produces as one float32 [N,D] tensor: per-field inputs
 * (categoricals mapped to their level index by an ai.onnx.ml LabelEncoder, other types cast to
 * float, then concatenated) or the matrix input itself.
 */
export function graphColumns(schema: ModelSchema): GraphColumns {
  const fields = new Map(schema.fields.map((f) => [f.name, f]));
  const nodes: object[] = [];
  const inputs: object[] = [];
  if (schema.inputs.layout === 'matrix') {
    const layout = schema.inputs;
    inputs.push(valueInfo(layout.input, DataType.FLOAT, ['N', layout.features.length]));
    const columns = layout.features.map((feature) => ({
      value: (r: FeatureRecord) => Math.fround(matrixFeatureValue(feature, r)),
    }));
    return { nodes, inputs, columns, features: layout.input };
  }
  const parts: string[] = [];
  const columns = schema.inputs.inputs.map(({ field, input, type }) => {
    inputs.push(valueInfo(input, elemTypes[type], ['N', 1]));
    const f = fields.get(field);
    const part = `${input}__float`;
    parts.push(part);
    if (f?.kind === 'categorical') {
      nodes.push({
        opType: 'LabelEncoder',
        domain: 'ai.onnx.ml',
        input: [input],
        output: [part],
        attribute: [
          { name: 'keys_strings', type: 8, strings: f.levels.map(bytesOf) },
          { name: 'values_floats', type: 6, floats: f.levels.map((_, i) => i) },
          { name: 'default_float', type: 1, f: -1 },
        ],
      });
      return { value: (r: FeatureRecord) => f.levels.indexOf(String(r[field])) };
    }
    nodes.push({
      opType: 'Cast',
      input: [input],
      output: [part],
      attribute: [{ name: 'to', type: 2, i: DataType.FLOAT }],
    });
    return { value: (r: FeatureRecord) => Math.fround(Number(r[field])) };
  });
  nodes.push({
    opType: 'Concat',
    input: parts,
    output: ['features'],
    attribute: [{ name: 'axis', type: 2, i: 1 }],
  });
  return { nodes, inputs, columns, features: 'features' };
}

/** An ONNX model around a graph, with the schema's fingerprint (unless `null`) stamped. */
export function modelBytes(
  schema: ModelSchema,
  graph: object,
  fingerprint: string | null | undefined,
): Uint8Array {
  const stamp = fingerprint === undefined ? compileSchema(schema).fingerprint : fingerprint;
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'modelship-inference-tests',
    opsetImport: [
      { domain: '', version: 17 },
      { domain: 'ai.onnx.ml', version: 3 },
    ],
    metadataProps: stamp === null ? [] : [{ key: FINGERPRINT_METADATA_KEY, value: stamp }],
    graph,
  });
  return onnx.ModelProto.encode(model).finish();
}

/**
 * Builds `y = x · w + b` over the columns the schema's layout produces ({@link graphColumns}).
 * Output: float32 [N,1] named as the schema's output.
 */
export function linearModel(schema: ModelSchema, options: LinearModelOptions = {}): LinearModel {
  const { nodes, inputs, columns, features } = graphColumns(schema);
  const weights = columns.map((_, i) => options.weights?.[i] ?? i + 1);
  const bias = options.bias ?? 0.5;
  const output = schema.output.name;
  nodes.push({ opType: 'MatMul', input: [features, 'W'], output: ['xw'] });
  nodes.push({ opType: 'Add', input: ['xw', 'B'], output: [output] });
  const bytes = modelBytes(
    schema,
    {
      name: 'linear',
      node: nodes,
      initializer: [floatTensor('W', [weights.length, 1], weights), floatTensor('B', [1], [bias])],
      input: inputs,
      output: [valueInfo(output, DataType.FLOAT, ['N', 1])],
    },
    options.fingerprint,
  );
  return {
    bytes,
    reference: (records) =>
      records.map((r) =>
        Math.fround(
          columns.reduce((sum, col, i) => sum + col.value(r) * (weights[i] ?? 0), 0) + bias,
        ),
      ),
  };
}

/** Writes `schema.json` and `model.onnx` (unless `model` is null) into a new temporary dir. */
export async function writeModelDir(
  schema: unknown,
  model: Uint8Array | string | null,
  dir?: string,
): Promise<string> {
  const target = dir ?? (await mkdtemp(join(tmpdir(), 'modelship-model-')));
  await mkdir(target, { recursive: true });
  await writeFile(join(target, 'schema.json'), JSON.stringify(schema, null, 2));
  if (model !== null) await writeFile(join(target, 'model.onnx'), model);
  return target;
}
