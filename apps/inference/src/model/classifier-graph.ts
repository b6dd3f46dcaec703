import type { ClassLabel } from '@modelship/feature-schema';
import onnxProto from 'onnx-proto';
import protobuf from 'protobufjs/minimal.js';
import { concatBytes, fieldPayloads } from './onnx-metadata.ts';

const { onnx } = onnxProto;
type NodeProto = onnxProto.onnx.INodeProto;

// Field numbers of onnx.proto's ModelProto.graph and GraphProto.output.
const GRAPH_FIELD = 7;
const OUTPUT_FIELD = 12;
const LENGTH_DELIMITED = 2;

/** The `ai.onnx.ml` attributes that carry a classifier's or a ZipMap's class labels. */
const labelAttributes = ['classlabels_strings', 'classlabels_int64s', 'classlabels_ints'];

/** What the graph says about a classifier's outputs. */
export interface ClassifierGraph {
  /**
   * The class labels in probability-column order, from the ZipMap that makes the
   * probabilities output, else from the one classifier node of the graph (`undefined` when the
   * graph has none, or several that disagree).
   */
  readonly classes: readonly ClassLabel[] | undefined;
  /**
   * When the probabilities output is a ZipMap (`seq(map)`, which onnxruntime-node cannot
   * return), the name of the ZipMap's input: the `[N,C]` float tensor it zips with the labels.
   */
  readonly zipMapInput: string | undefined;
  /** The names of the graph's outputs. */
  readonly outputs: readonly string[];
}

const text = new TextDecoder();

/** The labels of a node's `classlabels_*` attribute, if it has one. */
function nodeLabels(node: NodeProto): ClassLabel[] | undefined {
  for (const attribute of node.attribute ?? []) {
    if (!attribute.name || !labelAttributes.includes(attribute.name)) continue;
    if (attribute.name === 'classlabels_strings') {
      return (attribute.strings ?? []).map((s) => text.decode(s));
    }
    return (attribute.ints ?? []).map((i) => Number(i));
  }
  return undefined;
}

const sameLabels = (a: readonly ClassLabel[], b: readonly ClassLabel[]) =>
  a.length === b.length && a.every((label, i) => label === b[i]);

/**
 * Reads the class labels and the ZipMap (if any) of a classifier from its graph, following
 * skl2onnx's layout: the classifier node (`LinearClassifier`, `TreeEnsembleClassifier`,
 * `SVMClassifier`...) carries `classlabels_strings` or `classlabels_ints`/`_int64s`; the
 * probabilities output is either a tensor or made by a `ZipMap` with the same labels.
 *
 * @throws if the bytes are not an ONNX model.
 */
export function readClassifierGraph(bytes: Uint8Array, probabilities: string): ClassifierGraph {
  const graph = onnx.ModelProto.decode(bytes).graph;
  const nodes = graph?.node ?? [];
  const outputs = (graph?.output ?? []).map((o) => o.name ?? '');
  const zipMap = nodes.find(
    (n) => n.opType === 'ZipMap' && (n.output ?? []).includes(probabilities),
  );
  if (zipMap) {
    return { classes: nodeLabels(zipMap), zipMapInput: zipMap.input?.[0] ?? undefined, outputs };
  }
  const found = nodes
    .filter((n) => n.opType !== 'ZipMap')
    .map(nodeLabels)
    .filter((labels): labels is ClassLabel[] => labels !== undefined);
  const [first] = found;
  const agree = first !== undefined && found.every((labels) => sameLabels(labels, first));
  return { classes: agree ? first : undefined, zipMapInput: undefined, outputs };
}

/**
 * The declared element type of each graph output that can hold class labels (int64 or string
 * tensors), by name. Only the graph's output declarations are decoded.
 */
export function labelOutputTypes(bytes: Uint8Array): Map<string, 'string' | 'int64'> {
  const types = new Map<string, 'string' | 'int64'>();
  for (const graph of fieldPayloads(bytes, GRAPH_FIELD)) {
    for (const payload of fieldPayloads(graph, OUTPUT_FIELD)) {
      const output = onnx.ValueInfoProto.decode(payload);
      const type = output.type?.tensorType?.elemType;
      if (type === onnx.TensorProto.DataType.INT64) types.set(output.name ?? '', 'int64');
      if (type === onnx.TensorProto.DataType.STRING) types.set(output.name ?? '', 'string');
    }
  }
  return types;
}

/**
 * Returns the model with `name` (a value computed inside the graph) added to the graph's
 * outputs, so that onnxruntime can return it. The output is declared without a type:
 * onnxruntime infers it. Every other byte of the model is kept as it was.
 *
 * @throws if the bytes are not an ONNX model with a graph.
 */
export function withGraphOutput(bytes: Uint8Array, name: string): Uint8Array {
  const reader = protobuf.Reader.create(bytes);
  const chunks: Uint8Array[] = [];
  let found = false;
  while (reader.pos < reader.len) {
    const start = reader.pos;
    const tag = reader.uint32();
    if (tag >>> 3 === GRAPH_FIELD && (tag & 7) === LENGTH_DELIMITED && !found) {
      const graph = reader.bytes();
      // A GraphProto holding only the new output, appended: protobuf merges repeated fields.
      const extra = onnx.GraphProto.encode({ output: [{ name }] }).finish();
      const merged = concatBytes([graph, extra]);
      chunks.push(protobuf.Writer.create().uint32(tag).bytes(merged).finish());
      found = true;
    } else {
      reader.skipType(tag & 7);
      chunks.push(bytes.subarray(start, reader.pos));
    }
  }
  if (!found) throw new Error('the file holds no ONNX graph');
  return concatBytes(chunks);
}
